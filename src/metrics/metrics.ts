/**
 * Prometheus metrics (prom-client), one registry per server so several servers in one process (tests) never
 * mix their figures. Requests by product, action, status and code; latency histograms; store operation
 * timings; throttled and injected counts; process metrics. Labels come from the catalogue and the operation
 * table, never from free client input (an unknown action is counted as "unknown"), so cardinality is bounded.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../store/store';

/** What the pipeline reports about each request it answered. */
export interface RequestOutcome {
  requestId: string;
  /** product name (Vpc, Ram, Sts, …) or "Pop" before dispatch */
  product: string;
  /** the action when it names an operation of the table, else "unknown" */
  action: string;
  status: number;
  /** the error code, or "" for a success */
  code: string;
  latencyMs: number;
  /** principal ARN once authenticated */
  caller?: string;
  throttled?: boolean;
  /** faults injected into this request by chaos rules */
  injected?: Array<{ kind: 'error' | 'latency'; code?: string; delayMs?: number }>;
}

const LATENCY_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'vcoroute_requests_total', help: 'API requests answered, by product, action, HTTP status and error code ("" = success)',
    labelNames: ['product', 'action', 'status', 'code'] as const, registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'vcoroute_request_duration_seconds', help: 'API request latency inside the server, by product and action',
    labelNames: ['product', 'action'] as const, buckets: LATENCY_BUCKETS_S, registers: [this.registry],
  });
  readonly storeLatency = new Histogram({
    name: 'vcoroute_store_operation_duration_seconds', help: 'Store operation latency, by backend and operation',
    labelNames: ['backend', 'operation'] as const, buckets: LATENCY_BUCKETS_S, registers: [this.registry],
  });
  private readonly throttled = new Counter({
    name: 'vcoroute_throttled_requests_total', help: 'Requests refused with Throttling.User, by product and action',
    labelNames: ['product', 'action'] as const, registers: [this.registry],
  });
  private readonly injected = new Counter({
    name: 'vcoroute_injected_faults_total', help: 'Faults injected by chaos rules, by product, action, kind (error|latency) and code',
    labelNames: ['product', 'action', 'kind', 'code'] as const, registers: [this.registry],
  });

  private readonly bgpFaults = new Counter({
    name: 'vcoroute_bgp_faults_injected_total', help: 'BGP faults injected by chaos rules on this server\'s sessions, by kind (drop|flap|refuse|delay-out|delay-in)',
    labelNames: ['kind'] as const, registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'vcoroute_' });
  }

  /** Exposes the BGP speaker's sessions by state and the prefixes they hold (read at scrape time). */
  observeBgp(read: () => { sessions: Record<string, number>; received: number; accepted: number; advertised: number }): void {
    new Gauge({
      name: 'vcoroute_bgp_sessions', help: 'BGP sessions of this server by FSM state', labelNames: ['state'] as const, registers: [this.registry],
      collect() {
        this.reset();
        for (const [state, n] of Object.entries(read().sessions)) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'vcoroute_bgp_prefixes', help: 'Prefixes held by this server\'s BGP sessions: received, accepted (listed) and advertised (CLOUD)',
      labelNames: ['direction'] as const, registers: [this.registry],
      collect() {
        const s = read();
        for (const direction of ['received', 'accepted', 'advertised'] as const) this.set({ direction }, s[direction]);
      },
    });
  }

  /** One BGP fault injected (src/bgp/speaker/faults.ts). */
  bgpFault(kind: string): void {
    this.bgpFaults.inc({ kind });
  }

  /** Exposes the requests in flight (read at scrape time). */
  observeInFlight(read: () => number): void {
    new Gauge({
      name: 'vcoroute_http_requests_in_flight', help: 'HTTP requests received and not yet answered', registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /**
   * Label children by their values, kept (the label sets are bounded, see above): prom-client hashes a label
   * object on every call otherwise, a measurable share of a cached read's CPU.
   */
  private readonly requestChildren = new Map<string, { inc(): void }>();
  private readonly latencyChildren = new Map<string, { observe(v: number): void }>();

  observe(o: RequestOutcome): void {
    const action = `${o.product}\0${o.action}`;
    const outcome = `${action}\0${o.status}\0${o.code}`;
    let counted = this.requestChildren.get(outcome);
    if (!counted) this.requestChildren.set(outcome, (counted = this.requests.labels({ product: o.product, action: o.action, status: String(o.status), code: o.code })));
    counted.inc();
    let timed = this.latencyChildren.get(action);
    if (!timed) this.latencyChildren.set(action, (timed = this.latency.labels({ product: o.product, action: o.action })));
    timed.observe(o.latencyMs / 1000);
    if (o.throttled) this.throttled.inc({ product: o.product, action: o.action });
    for (const f of o.injected ?? []) this.injected.inc({ product: o.product, action: o.action, kind: f.kind, code: f.code ?? '' });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * The store with every method timed into `histogram`: an object whose prototype is the real store, with each
 * method overridden once by a timed one bound to the real store (no Proxy trap on every property access).
 * Caches keyed by the store see one object: use the metered store everywhere in the server.
 */
export function meteredStore(store: Store, histogram: Histogram<'backend' | 'operation'>): Store {
  const metered = Object.create(store) as Store;
  const seen = new Set<string>();
  for (let proto = Object.getPrototypeOf(store); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const value = Object.getOwnPropertyDescriptor(proto, name)?.value as unknown; // getters are left to the prototype
      if (name === 'constructor' || seen.has(name) || typeof value !== 'function') continue;
      seen.add(name);
      const child = histogram.labels(store.backend, name);
      const timed = (...args: unknown[]) => {
        const started = performance.now();
        const end = () => child.observe((performance.now() - started) / 1000);
        const result = (value as (...a: unknown[]) => unknown).apply(store, args);
        if (result instanceof Promise) return result.then((v) => (end(), v), (err: unknown) => { end(); throw err; });
        end();
        return result;
      };
      Object.defineProperty(metered, name, { value: timed, writable: true, configurable: true });
    }
  }
  return metered;
}

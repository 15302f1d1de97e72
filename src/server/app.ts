/**
 * The HTTP listener (node:http): mounts the admin API under /_vcoroute and the POP pipeline everywhere
 * else. Owns the store's lifetime, the root identity and periodic housekeeping.
 */
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { ADMIN_PREFIX, admitAdminRequest, createAdminHandler } from '../admin/admin-api';
import { serveStateExport } from '../snapshot/state-admin';
import { AdminError } from '../admin/admin-errors';
import type { Config } from '../config';
import { OperationTable } from '../operations';
import { E, PopError } from '../pop/errors';
import { JSON_CONTENT_TYPE, newRequestId, renderError } from '../pop/render';
import { guessFormat } from '../pop/request';
import type { Store } from '../store/store';
import {
  BodyBudget, BodyRefused, createLimitedServer, hostAllowed, isForeignBrowserRequest, listenHostNames, readBody, refuse, type PlainResponse,
} from './http-gate';
import { createPopPipeline } from './pipeline';
import { closeGracefully, trackInFlight } from './graceful-close';
import { seedRandom } from '../random';
import { DecisionLog } from '../policy-advice/decision-log';
import { ensureLocalCertificate, readTlsFiles, type TlsMaterial } from '../tls/local-ca';

/** The certificate to serve, if HTTPS is on. */
function tlsMaterial(config: Config): TlsMaterial | undefined {
  if (config.tls.mode === 'files') return readTlsFiles(config.tls.certPath, config.tls.keyPath);
  if (config.tls.mode === 'local') return ensureLocalCertificate(path.join(config.dataDir, 'tls'));
  return undefined;
}
import { isVpnWrite, startBgpSpeaker } from '../bgp/speaker';
import { FaultInjector } from '../chaos/fault-injector';
import { BgpFaultSource } from '../chaos/bgp-fault-source';
import { FlowControl } from '../flow-control/flow-control';
import { meteredStore, ServerMetrics, type RequestOutcome } from '../metrics/metrics';
import { isConsolePath, loadConsoleFiles, serveConsole } from '../console/console-files';
import { RouteChangeFeed, retentionCut } from '../history';
import { OpenStreams } from './event-streams';

/** Prometheus scrape path (no credentials: the figures carry no secrets, no IDs and no parameters). */
export const METRICS_PATH = '/metrics';

/** The one structured line per request: RequestId, action, status, code, latency and caller; never a secret. */
function logRequest(logger: Logger, o: RequestOutcome): void {
  const line = { requestId: o.requestId, product: o.product, action: o.action, status: o.status, code: o.code || undefined,
    ms: Math.round(o.latencyMs * 100) / 100, caller: o.caller, injected: o.injected, throttled: o.throttled || undefined };
  if (o.injected) logger.warn(line, 'request (fault injected)');
  else logger.info(line, 'request');
}

/** POP requests are small (admin bodies: limits per endpoint in admin-api.ts). */
const MAX_POP_BODY = 1024 * 1024;
const MAX_HEADER_SIZE = 64 * 1024;
const HOUSEKEEPING_INTERVAL_MS = 60_000;
/** Expired STS sessions are kept a day, so their tokens still answer InvalidSecurityToken.Expired. */
const STS_SESSION_RETENTION_MS = 24 * 60 * 60 * 1000;

export interface RunningServer {
  /** host:port, what an SDK's `endpoint` takes */
  endpoint: string;
  port: number;
  close(): Promise<void>;
  protocol: 'http' | 'https';
  /** the local CA to trust (--tls) */
  caPath?: string;
}

const PAYLOAD_TOO_LARGE = new AdminError(413, 'PayloadTooLarge', 'The body is too large for this endpoint.');
const OVER_BUDGET_MESSAGE = 'The server holds as many request bodies as it may (--max-buffered-mib); retry later.';

export function createLogger(level: string): Logger {
  // Secrets never reach the log: requests are logged by id, never by headers or parameters.
  // Lines are written in batches of up to 4 KiB, and at least every 100 ms: one write per line was ≈ 9 % of a
  // cached read's CPU (BENCHMARKS.md). pino flushes what is pending synchronously when the process exits.
  return pino({ level, redact: ['headers.authorization', '*.accessKeySecret', '*.secret'] }, pino.destination({ dest: 2, minLength: 4096, periodicFlush: 100 }));
}

export async function startServer(config: Config, rawStore: Store, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  seedRandom(config.seed);
  const metrics = new ServerMetrics();
  const store = meteredStore(rawStore, metrics.storeLatency);
  store.setRouteChangeRecording(config.history.record);
  const routeChanges = new RouteChangeFeed(store, config.history.maxWatchers);
  const streams = new OpenStreams();
  const faultInjector = new FaultInjector(store);
  const decisionLog = new DecisionLog();

  // The root identity always exists and always matches the configuration.
  const now = Date.now();
  await store.upsertAccount(config.accountId, now);
  await store.upsertAccessKey({ accessKeyId: config.accessKeyId, accountId: config.accountId, secret: config.accessKeySecret, status: 'Active' }, now);

  // Before the HTTP listener: the admin API describes its tunnels; closed again if the listener fails.
  const bgpLogger = logger.child({ component: 'bgp' });
  const bgpFaults = new BgpFaultSource(store, (err) => bgpLogger.warn({ err }, 'BGP: reading the fault rules failed'));
  const bgp = await startBgpSpeaker(config.bgp, store, bgpLogger, { source: bgpFaults, count: (kind) => metrics.bgpFault(kind) });
  const pop = createPopPipeline({
    store,
    operations: new OperationTable(),
    logger,
    timestampWindowMs: config.timestampWindowMs,
    clientTokenRetentionMs: config.clientTokenRetentionMs,
    clientTokenPendingTimeoutMs: config.clientTokenPendingTimeoutMs,
    settings: {
      changeDelayMs: config.changeDelayMs, autoAttachTransitRouterId: config.autoAttachTransitRouterId, bgpSpeaker: config.bgp.mode !== 'off',
      quotas: config.quotas.quotas,
    },
    flowControl: config.throttle.mode === 'on' ? new FlowControl(store, config.throttle.table) : undefined,
    faultInjector,
    decisionLog,
    routeChanges,
    onOutcome: (o) => {
      metrics.observe(o);
      logRequest(logger, o);
    },
  });
  const admin = createAdminHandler({ store, adminToken: config.adminToken, rootAccountId: config.accountId, rootAccessKeyId: config.accessKeyId, changeDelayMs: config.changeDelayMs, faultInjector,
    bgpFaults, decisionLog, quotas: config.quotas, describeBgp: (c, now) => bgp.describe(c, now), schemaVersion: await store.schemaVersion(), routeChanges });

  // A cap being reached is logged once per 10 s and kind, whatever the flood.
  const lastCapWarning = new Map<string, number>();
  const warnCapReached = (kind: string, message: string) => {
    const t = Date.now();
    if (t - (lastCapWarning.get(kind) ?? 0) < 10_000) return;
    lastCapWarning.set(kind, t);
    logger.warn({ limits: config.http }, message);
  };

  // The web console's static files (src/console): after the Host and Origin checks, never the POP pipeline.
  const consoleFiles = loadConsoleFiles();
  const allowedHosts = [...config.allowedHosts, ...listenHostNames(config.host)];
  const budget = new BodyBudget(config.http.maxBufferedBytes);

  /** The answer to a request refused by the HTTP layer: the admin API's JSON error, or the POP catalogue error in the requested format. */
  const refusal = (isAdmin: boolean, url: string, error: PopError | AdminError): PlainResponse => {
    if (isAdmin) return { status: error.status, contentType: JSON_CONTENT_TYPE, body: JSON.stringify({ error: { code: error.code, message: error.message } }) };
    const popError = error instanceof PopError ? error : new PopError(E.InternalError); // admin errors are never POP answers
    return renderError(popError, newRequestId(), 'localhost', 'Pop', guessFormat(url.includes('?') ? url.slice(url.indexOf('?') + 1) : ''));
  };

  // RAM puts whole policy documents (up to 6,144 characters, tripled by percent-encoding) in the query string:
  // Node's default 16 KiB header limit would refuse them with an empty 431.
  const tls = tlsMaterial(config);
  const server = createLimitedServer(config.http, MAX_HEADER_SIZE, tls, (req, res, expectsContinue) => {
    const url = req.url ?? '/';
    const isAdmin = url === ADMIN_PREFIX || url.startsWith(`${ADMIN_PREFIX}/`);
    const send = (status: number, contentType: string, body: string | readonly Buffer[], headers?: Record<string, string>) => {
      const length = typeof body === 'string' ? Buffer.byteLength(body) : body.reduce((n, b) => n + b.length, 0);
      res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': length });
      if (typeof body === 'string') {
        res.end(body);
        return;
      }
      res.cork();
      for (const piece of body) res.write(piece);
      res.end();
      res.uncork();
    };
    const secure = 'encrypted' in req.socket;

    // Everything up to reading the body is decided from the headers (and costs no memory).
    let refused: PopError | AdminError | undefined;
    let limit = MAX_POP_BODY;
    if (!hostAllowed(req.headers.host, req.socket.localAddress, allowedHosts)) refused = new PopError(E.ForbiddenHost);
    else if (isForeignBrowserRequest(req.headers, secure)) refused = new PopError(E.ForbiddenCrossSite);
    else if (isAdmin) {
      try {
        limit = admitAdminRequest(config.adminToken, req.method ?? 'GET', url, req.headers);
      } catch (err) {
        if (!(err instanceof AdminError)) logger.error({ err }, 'unexpected error while admitting an admin request');
        refused = err instanceof AdminError ? err : new PopError(E.InternalError);
      }
    }
    const bodyError = (reason: BodyRefused['reason']) => {
      if (reason === 'too-large') return isAdmin ? PAYLOAD_TOO_LARGE : new PopError(E.RequestTooLarge);
      warnCapReached('bodies', 'request bodies in memory reached --max-buffered-mib: requests get 503');
      return new PopError(E.ServiceUnavailable, OVER_BUDGET_MESSAGE);
    };
    const declared = Number(req.headers['content-length'] ?? 0);
    if (refused === undefined && declared > limit) refused = bodyError('too-large');
    if (refused === undefined && declared > budget.available) refused = bodyError('over-budget');
    if (refused !== undefined) return refuse(req, res, refusal(isAdmin, url, refused), expectsContinue);
    if (!isAdmin && isConsolePath(url)) return serveConsole(consoleFiles, req, res);
    if (url === METRICS_PATH && req.method === 'GET') {
      metrics.render().then((m) => send(200, m.contentType, m.body), () => send(500, 'text/plain', 'metrics unavailable'));
      return;
    }
    // Streamed, not buffered like other admin answers (README "Snapshots").
    if (isAdmin && serveStateExport(store, req.method ?? 'GET', url, res)) return;
    if (expectsContinue) res.writeContinue();

    readBody(req, res, limit, budget)
      .then(async (body) => {
        rawStore.requestArrived?.(); // the caches of the store (SQLite) answer it with every commit made before now
        const request = { method: req.method ?? 'GET', url, headers: req.headers, body, remoteAddress: req.socket.remoteAddress, secure };
        if (isAdmin) {
          const out = await admin(request);
          if (out.stream) return streams.serve(res, out.status, {}, out.stream, logger);
          send(out.status, JSON_CONTENT_TYPE, JSON.stringify(out.body));
          if (request.method !== 'GET' && out.status < 300) bgp.changed();
        } else {
          const out = await pop(request);
          if (out.stream) return streams.serve(res, out.status, out.headers ?? {}, out.stream, logger);
          send(out.status, out.contentType, out.body, out.headers);
          if (out.status === 200 && isVpnWrite(request)) bgp.changed();
        }
      })
      .catch((err: unknown) => {
        if (res.headersSent) return;
        if (err instanceof BodyRefused) {
          refuse(req, res, refusal(isAdmin, url, bodyError(err.reason)), false);
          return;
        }
        logger.error({ err }, 'unexpected error outside the pipeline');
        const r = renderError(new PopError(E.InternalError), newRequestId(), 'localhost', 'Pop', 'JSON');
        send(r.status, r.contentType, r.body);
      });
  });

  const inFlight = trackInFlight(server);
  metrics.observeInFlight(() => inFlight.count());
  metrics.observeBgp(() => bgp.stats());
  server.on('drop', () => warnCapReached('connections', 'connection cap reached: new connections are closed (--max-connections)'));

  const pruneRouteChanges = (t: number) => {
    const cut = retentionCut(t, config.history);
    return store.pruneRouteChanges(cut.olderThan, cut.keep);
  };
  const runHousekeeping = () => {
    const t = Date.now();
    Promise.all([store.pruneNonces(t), store.pruneClientTokens(t - config.clientTokenRetentionMs), store.pruneStsSessions(t - STS_SESSION_RETENTION_MS), store.pruneRequestCounts(t),
      pruneRouteChanges(t)]).catch((err: unknown) =>
      logger.warn({ err }, 'housekeeping failed'),
    );
  };
  const housekeeping = setInterval(runHousekeeping, HOUSEKEEPING_INTERVAL_MS);
  housekeeping.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  }).catch(async (err: unknown) => {
    clearInterval(housekeeping);
    await bgp.close();
    throw err;
  });
  // Started after a long stop, or with a shorter retention: prune at once rather than a minute later.
  runHousekeeping();
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    endpoint: `${hostForUrl}:${port}`,
    port,
    protocol: tls ? 'https' : 'http',
    caPath: tls?.caPath,
    close: async () => {
      clearInterval(housekeeping);
      // End the event streams (clients resume elsewhere with Last-Event-ID), stop accepting API calls and let those
      // in flight finish, then Cease to every BGP peer (their routes leave the store).
      streams.closeAll();
      await closeGracefully(server, inFlight, config.shutdownTimeoutMs);
      await bgp.close();
      await store.close();
    },
  };
}

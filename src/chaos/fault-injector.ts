/**
 * Fault injection on the request path (the I/O shell around fault-rules.ts). Rules live in the store, so every
 * server on one PostgreSQL database applies the same rules; each server reads them at most once a second
 * (RULE_REFRESH_MS) and at once after a change made through itself.
 */
import { randomUUID } from 'node:crypto';
import type { FaultRuleRecord, Store } from '../store/store';
import { E, PopError, type ErrorDefinition } from '../pop/errors';
import { delayFor, pickFault, type CallScope, type EffectRule, type FaultRule } from './fault-rules';
import type { BgpFaultRule } from './bgp-fault-rules';

/** A parsed rule of any kind, as the admin API stores it. */
export type StorableRule = FaultRule | EffectRule | BgpFaultRule;

/** How stale a server's copy of the rules may be when another server changed them. */
export const RULE_REFRESH_MS = 1000;

interface Loaded<T> {
  rules: Array<T & { id: string; expiresAt: number | null }>;
  loadedAt: number;
}

export interface InjectedFault {
  kind: 'error' | 'latency';
  code?: string;
  statusCode?: number;
  delayMs?: number;
}

export class FaultInjector {
  private faults: Loaded<FaultRule> | undefined;
  private effects: Loaded<EffectRule> | undefined;
  private loading: Promise<void> | undefined;

  constructor(private readonly store: Store, private readonly random: () => number = Math.random) {}

  /**
   * Applies the rules to one call: sleeps for the matching effects, then picks the first matching fault that
   * fires. Returns what was injected (for logs and metrics) and the error to answer with, if any.
   */
  async apply(call: CallScope, now: number): Promise<{ injected: InjectedFault[]; error?: PopError }> {
    await this.refresh(now);
    const injected: InjectedFault[] = [];
    const live = <T>(l: Loaded<T> | undefined) => (l?.rules ?? []).filter((r) => r.expiresAt === null || r.expiresAt > now);
    const delayMs = delayFor(live(this.effects), call, this.random);
    if (delayMs > 0) {
      injected.push({ kind: 'latency', delayMs });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
    const fault = pickFault(live(this.faults), call, this.random);
    if (!fault) return { injected };
    injected.push({ kind: 'error', code: fault.error.code, statusCode: fault.error.statusCode });
    return { injected, error: injectedError(fault) };
  }

  /** Forgets the cached rules (after a change made through this server). */
  invalidate(): void {
    this.faults = undefined;
    this.effects = undefined;
  }

  private async refresh(now: number): Promise<void> {
    const fresh = (l: Loaded<unknown> | undefined) => l !== undefined && now - l.loadedAt < RULE_REFRESH_MS;
    if (fresh(this.faults) && fresh(this.effects)) return;
    // One load at a time; concurrent requests wait for it rather than each reading the store.
    this.loading ??= (async () => {
      try {
        const [faults, effects] = await Promise.all([this.store.listFaultRules('fault', now), this.store.listFaultRules('effect', now)]);
        this.faults = { rules: faults.map(decode<FaultRule>), loadedAt: now };
        this.effects = { rules: effects.map(decode<EffectRule>), loadedAt: now };
      } finally {
        this.loading = undefined;
      }
    })();
    await this.loading;
  }
}

function decode<T>(r: FaultRuleRecord): T & { id: string; expiresAt: number | null } {
  return { ...(JSON.parse(r.rule) as T), id: r.ruleId, expiresAt: r.expiresAt };
}

/** The injected error: the catalogue's message when the code is one of ours, else a message that says what happened. */
function injectedError(fault: FaultRule): PopError {
  const known = Object.values(E).find((d: ErrorDefinition) => d.code === fault.error.code);
  const definition: ErrorDefinition = {
    code: fault.error.code,
    status: fault.error.statusCode,
    message: known?.message ?? 'The request failed: a fault injected by a vcoroute chaos rule.',
  };
  return new PopError(definition);
}

/** Stored form of parsed rules (ids and expiry assigned here). */
export function toRecords(kind: FaultRuleRecord['kind'], rules: ReadonlyArray<StorableRule & { expiresInSeconds?: number }>, now: number): FaultRuleRecord[] {
  const batch = randomUUID().slice(0, 8);
  return rules.map(({ expiresInSeconds, ...rule }, i) => ({
    // Rules list in creation order, then ID: the zero-padded index keeps a posted list's order.
    ruleId: `${kind}-${now.toString(36)}-${batch}-${String(i).padStart(3, '0')}`,
    kind,
    rule: JSON.stringify(rule),
    expiresAt: expiresInSeconds === undefined ? null : now + expiresInSeconds * 1000,
    createdAt: now,
  }));
}

/**
 * The speaker's side of BGP fault injection (rules: src/chaos/bgp-fault-rules.ts): which of this server's
 * sessions a rule drops, refuses or delays now, and one log line plus one counter increment per injected fault.
 * Only the server holding a session (its lease) acts on it; the rules themselves are read from the store.
 */
import type { Logger } from 'pino';
import {
  dueDrop, nextDropAt, refusingRule, updateDelay, type LiveBgpFaultRule, type SessionScope,
} from '../../chaos/bgp-fault-rules';
import type { BgpFaultSource } from '../../chaos/bgp-fault-source';

/** What a fault did: metrics label `kind` of vcoroute_bgp_faults_injected_total. */
export type BgpFaultKind = 'drop' | 'flap' | 'refuse' | 'delay-out' | 'delay-in';

export interface BgpFaultHooks {
  source: BgpFaultSource;
  /** one injected fault (metrics) */
  count(kind: BgpFaultKind): void;
  random?: () => number;
}

export class SpeakerFaults {
  private timer?: NodeJS.Timeout;

  constructor(private readonly hooks: BgpFaultHooks, private readonly logger: Logger) {}

  /** Polls the rules; `check` runs after each read and at each scheduled flap. */
  start(check: () => void): void {
    this.hooks.source.start(() => {
      check();
      this.schedule(check);
    });
  }

  stop(): void {
    this.hooks.source.stop();
    if (this.timer) clearTimeout(this.timer);
  }

  /** The drop or flap rule that closes this session now; recorded as injected. */
  drop(s: SessionScope, startedAt: number, now: number): LiveBgpFaultRule | undefined {
    const rule = dueDrop(this.rules(), s, startedAt, now);
    if (rule) this.record(rule.action === 'flap' ? 'flap' : 'drop', s, rule);
    return rule;
  }

  /** The rule refusing a new session for this tunnel now; recorded as injected. */
  refusal(s: SessionScope, now: number): LiveBgpFaultRule | undefined {
    const rule = refusingRule(this.rules(), s, now);
    if (rule) this.record('refuse', s, rule);
    return rule;
  }

  /** How long to hold one UPDATE (0: not at all); recorded as injected when it is held. */
  delay(s: SessionScope, direction: 'out' | 'in', now: number): number {
    const { delayMs, rule } = updateDelay(this.rules(), s, direction, now, this.hooks.random ?? Math.random);
    if (rule && delayMs > 0) this.record(direction === 'out' ? 'delay-out' : 'delay-in', s, rule, { delayMs });
    return delayMs;
  }

  private rules(): readonly LiveBgpFaultRule[] {
    return this.hooks.source.current();
  }

  private record(kind: BgpFaultKind, s: SessionScope, rule: LiveBgpFaultRule, extra: Record<string, unknown> = {}): void {
    this.hooks.count(kind);
    this.logger.info({ fault: kind, ruleId: rule.id, connectionId: s.connectionId, tunnelId: s.tunnelId, ...extra }, `BGP fault injected: ${kind}`);
  }

  /** A flap's next drop may fall between two reads of the rules: wake up for it. */
  private schedule(check: () => void): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const now = Date.now();
    const next = nextDropAt(this.rules(), now);
    if (next === Infinity) return;
    this.timer = setTimeout(() => {
      check();
      this.schedule(check);
    }, next - now + 1);
    this.timer.unref();
  }
}

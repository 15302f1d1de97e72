/**
 * The BGP fault rules as the speaker reads them: stored (kind "bgp" in fault_rules), so every server on one
 * PostgreSQL sees the same rules; each server re-reads them every RULE_REFRESH_MS and at once after a change
 * made through itself, then tells its speaker (which holds the sessions the rules act on).
 */
import type { Store } from '../store/store';
import type { LiveBgpFaultRule } from './bgp-fault-rules';
import { RULE_REFRESH_MS } from './fault-injector';

export class BgpFaultSource {
  private rules: LiveBgpFaultRule[] = [];
  private timer?: NodeJS.Timeout;
  private loading?: Promise<void>;
  private listener: () => void = () => undefined;
  /** the last read failed: the next failure is not reported again (the store may be down for a while) */
  private failing = false;

  /** `onError`: a read failed (once per run of failures; the last rules read stay in force) */
  constructor(private readonly store: Store, private readonly onError: (err: unknown) => void = () => undefined) {}

  /** Starts polling; `onChange` runs after every load (the speaker re-checks its sessions). */
  start(onChange: () => void): void {
    this.listener = onChange;
    this.timer = setInterval(() => void this.reload(), RULE_REFRESH_MS);
    this.timer.unref();
    void this.reload();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.listener = () => undefined;
  }

  /** The rules last read (expired ones are filtered by the pure functions). */
  current(): readonly LiveBgpFaultRule[] {
    return this.rules;
  }

  /** A change was made through this server: read again now (after a read in flight, which may predate the change). */
  invalidate(): Promise<void> {
    return (this.loading ?? Promise.resolve()).then(() => this.reload());
  }

  private reload(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const records = await this.store.listFaultRules('bgp', Date.now());
        this.failing = false;
        this.rules = records.map((r) => ({ ...(JSON.parse(r.rule) as Omit<LiveBgpFaultRule, 'id' | 'createdAt' | 'expiresAt'>), id: r.ruleId, createdAt: r.createdAt, expiresAt: r.expiresAt }));
      } catch (err) {
        if (!this.failing) this.onError(err);
        this.failing = true;
        return;
      } finally {
        this.loading = undefined;
      }
      this.listener();
    })();
    return this.loading;
  }
}

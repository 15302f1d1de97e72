/**
 * Every authorization decision of this server, newest last, in a bounded ring (DECISION_LOG_SIZE): who asked
 * for which RAM action on which resource, and the outcome. Read and watched (long-poll) through the admin API;
 * turned into a least-privilege policy by advise.ts. In memory, per server: each server of a PostgreSQL
 * deployment records the calls it answered.
 */
export const DECISION_LOG_SIZE = 10_000;
/** The longest a watcher waits for new decisions before it gets an empty answer. */
export const MAX_WAIT_MS = 30_000;

export interface AuthorizationDecision {
  /** sequence number on this server, from 1 */
  seq: number;
  time: string;
  /** principal ARN (role sessions: acs:ram::…:role/<role>/<session>) */
  principal: string;
  principalType: 'root' | 'user' | 'role';
  accountId: string;
  action: string;
  resource: string;
  /** Allow, ImplicitDeny, ExplicitDeny; Root for an account's own root identity (never evaluated) */
  decision: 'Allow' | 'ImplicitDeny' | 'ExplicitDeny' | 'Root';
  /** for denials: the policy type that decided (AccessDeniedDetail.PolicyType) */
  policyType?: string;
  /** for an ExplicitDeny: the statement that denied — policy `Custom:name`, `System:name` or `SessionPolicy`, statement number from 1 */
  deniedBy?: { policy: string; statement: number };
}

export class DecisionLog {
  private readonly ring: Array<Omit<AuthorizationDecision, 'time'> & { time: number }> = [];
  private seq = 0;
  private waiters = new Set<() => void>();

  /** `at` (epoch ms) becomes the ISO `time` only when the decision is read: nothing is formatted on the request path. */
  record(at: number, d: Omit<AuthorizationDecision, 'seq' | 'time'>): void {
    this.ring.push({ seq: ++this.seq, ...d, time: at });
    if (this.ring.length > DECISION_LOG_SIZE) this.ring.shift();
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  /** Decisions after `after` (a seq), optionally of one principal (exact ARN, or a role ARN covering its sessions). */
  list(after = 0, principal?: string, limit = DECISION_LOG_SIZE): AuthorizationDecision[] {
    const out: AuthorizationDecision[] = [];
    for (const d of this.ring) {
      if (d.seq <= after || (principal !== undefined && !coversPrincipal(principal, d.principal))) continue;
      out.push({ ...d, time: new Date(d.time).toISOString() });
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Like list, but waits up to `waitMs` for a first matching decision when there is none yet. */
  async watch(after: number, principal: string | undefined, waitMs: number, limit?: number): Promise<AuthorizationDecision[]> {
    const deadline = Date.now() + Math.min(waitMs, MAX_WAIT_MS);
    for (;;) {
      const found = this.list(after, principal, limit);
      const left = deadline - Date.now();
      if (found.length > 0 || left <= 0) return found;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.waiters.delete(wake);
          resolve();
        }, left);
        const wake = () => {
          clearTimeout(timer);
          resolve();
        };
        this.waiters.add(wake);
      });
    }
  }
}

/** `acs:ram::1:role/reader` covers its sessions `acs:ram::1:role/reader/<session>`; other ARNs match exactly. */
export function coversPrincipal(filter: string, principal: string): boolean {
  return principal === filter || (filter.includes(':role/') && principal.startsWith(`${filter.toLowerCase()}/`));
}

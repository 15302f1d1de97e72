/**
 * Flow control on the request path: each authenticated call counts against its (region, API, account) quota
 * in the store, so every server on one PostgreSQL database enforces one quota together. Over the limit:
 * 400 Throttling.User with `x-acs-retry-after` = milliseconds until the window ends (the SDKs' ThrottlingError
 * reads it as the backoff).
 */
import { E, PopError } from '../pop/errors';
import type { Store } from '../store/store';
import { limitFor, quotaWindow, type QuotaTable } from './quotas';


export class FlowControl {
  constructor(private readonly store: Store, private readonly table: QuotaTable) {}

  /** Counts the call; throws Throttling.User when it is over its quota. */
  async admit(accountId: string, regionId: string, action: string, now: number): Promise<void> {
    const limit = limitFor(this.table, action);
    if (limit === undefined) return;
    const window = quotaWindow(now, this.table.windowMs);
    const count = await this.store.countRequest(`${regionId}|${action}|${accountId}`, window.start, window.start + 2 * this.table.windowMs);
    if (count > limit) {
      const err = new PopError(E.ThrottlingUser);
      err.headers = { 'x-acs-retry-after': String(Math.max(1, window.retryAfterMs)) };
      throw err;
    }
  }
}

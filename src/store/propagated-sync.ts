/**
 * The one rule both backends follow to replace a connection's propagated CLOUD routes (Store.syncPropagatedRoutes):
 * a propagated row no longer wanted goes; a wanted row whose key a hand-seeded CLOUD route holds is skipped (the
 * seeded route is a static route of the transit router side and wins); a wanted row that is new or differs is
 * written (its position and creation time kept when only its attributes changed). Pure.
 */
import type { KeyedRoute, RouteRecord } from './store';
import { sameRouteAttributes } from './route-change-batches';

export interface PropagatedSyncPlan {
  remove: string[];
  write: KeyedRoute[];
  /** wanted keys held by seeded routes */
  skipped: string[];
}

/** The wanted keys that no propagated row holds: the only ones a seeded route can hold (the backend looks them up). */
export function newPropagatedKeys(current: ReadonlyMap<string, RouteRecord>, wanted: readonly KeyedRoute[]): string[] {
  return [...new Set(wanted.map((w) => w.key).filter((k) => !current.has(k)))];
}

export function planPropagatedSync(current: ReadonlyMap<string, RouteRecord>, seeded: ReadonlySet<string>, wanted: readonly KeyedRoute[]): PropagatedSyncPlan {
  const wantedKeys = new Set<string>();
  const write: KeyedRoute[] = [];
  const skipped: string[] = [];
  for (const w of wanted) {
    if (wantedKeys.has(w.key)) continue;
    if (seeded.has(w.key)) {
      skipped.push(w.key);
      continue;
    }
    wantedKeys.add(w.key);
    const existing = current.get(w.key);
    if (existing === undefined) write.push(w);
    else if (!sameRouteAttributes(existing, w.route)) write.push({ key: w.key, route: { ...w.route, createTime: existing.createTime } });
  }
  const remove = [...current.keys()].filter((k) => !wantedKeys.has(k));
  return { remove, write, skipped };
}

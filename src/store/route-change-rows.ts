/**
 * The route-change history rows, shared by the two SQL backends: what a changed vco_routes row records
 * (Added / Modified / Removed with the old and new row), the column values, the row → record mapping and the
 * WHERE clause of a filtered read. Both schemas use the same columns (migration 12).
 */
import { parseCidr } from '../domain/cidr';
import type { BgpSource, RouteChangeCause, RouteChangeOrigin, RouteChangeQuery, RouteChangeRecord, RouteChangeType, RouteEntryType, RouteRecord } from './store';

export const ROUTE_CHANGES_TABLE = 'vco_route_changes';

/** A change made in the current transaction, before it gets its event ID. */
export interface PendingRouteChange {
  changeType: RouteChangeType;
  old: RouteRecord | null;
  new: RouteRecord | null;
  origin: RouteChangeOrigin;
}

export const API_ORIGIN: RouteChangeOrigin = { cause: 'api', tunnelId: '' };

function sameList<T>(a: readonly T[] | null, b: readonly T[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Same row as listed, creation time aside. */
export function sameRouteAttributes(a: RouteRecord, b: RouteRecord): boolean {
  return a.routeDest === b.routeDest && a.nextHop === b.nextHop && a.weight === b.weight && a.source === b.source &&
    sameList(a.asPath, b.asPath) && a.community === b.community && sameList(a.nextHopTunnelIds, b.nextHopTunnelIds);
}

/** The change an upsert makes: Added, Modified, or nothing when the row is rewritten unchanged. */
export function upsertChange(old: RouteRecord | undefined, next: RouteRecord, origin: RouteChangeOrigin): PendingRouteChange | undefined {
  if (old === undefined) return { changeType: 'Added', old: null, new: next, origin };
  if (sameRouteAttributes(old, next)) return undefined;
  return { changeType: 'Modified', old, new: next, origin };
}

/**
 * The old and new rows are stored as what can differ between them: [weight, asPath, community, nextHopTunnelIds,
 * createTime] (the type, destination, next hop and source are the change's own columns). Small rows keep the
 * cost of recording low (a route write's commit writes fewer pages).
 */
type StoredRoute = [number, number[] | null, string | null, string[] | null, number];

function storeRoute(r: RouteRecord): string {
  return JSON.stringify([r.weight, r.asPath, r.community, r.nextHopTunnelIds, r.createTime] satisfies StoredRoute);
}

function loadRoute(row: RouteChangeRow, text: string): RouteRecord {
  const [weight, asPath, community, nextHopTunnelIds, createTime] = JSON.parse(text) as StoredRoute;
  return { routeEntryType: row.route_entry_type as RouteEntryType, routeDest: row.route_dest, nextHop: row.next_hop, weight,
    source: row.source === '' ? null : (row.source as BgpSource), asPath, community, nextHopTunnelIds, createTime };
}

export const ROUTE_CHANGE_COLUMNS = 'connection_id, event_id, change_time, change_type, route_entry_type, source, route_dest, dest_first, dest_prefix, '
  + 'next_hop, old_route, new_route, tunnel_id, cause';
export const ROUTE_CHANGE_WIDTH = 14;

export function routeChangeValues(connectionId: string, eventId: number, changeTime: number, c: PendingRouteChange): (string | number | null)[] {
  const route = (c.new ?? c.old)!;
  const cidr = parseCidr(route.routeDest, true);
  return [connectionId, eventId, changeTime, c.changeType, route.routeEntryType, route.source ?? '', route.routeDest, cidr?.network ?? null,
    cidr?.prefix ?? null, route.nextHop, c.old && storeRoute(c.old), c.new && storeRoute(c.new), c.origin.tunnelId, c.origin.cause];
}

export interface RouteChangeRow {
  connection_id: string;
  event_id: number | string;
  change_time: number | string;
  change_type: string;
  route_entry_type: string;
  source: string;
  route_dest: string;
  next_hop: string;
  old_route: string | null;
  new_route: string | null;
  tunnel_id: string;
  cause: string;
}

export const ROUTE_CHANGE_READ_COLUMNS = 'connection_id, event_id, change_time, change_type, route_entry_type, source, route_dest, next_hop, '
  + 'old_route, new_route, tunnel_id, cause';

export function toRouteChange(r: RouteChangeRow): RouteChangeRecord {
  return {
    connectionId: r.connection_id,
    eventId: Number(r.event_id),
    changeTime: Number(r.change_time),
    changeType: r.change_type as RouteChangeType,
    routeEntryType: r.route_entry_type as RouteEntryType,
    source: r.source === '' ? null : (r.source as BgpSource),
    routeDest: r.route_dest,
    nextHop: r.next_hop,
    old: r.old_route === null ? null : loadRoute(r, r.old_route),
    new: r.new_route === null ? null : loadRoute(r, r.new_route),
    tunnelId: r.tunnel_id,
    cause: r.cause as RouteChangeCause,
  };
}

/**
 * The filtered read as SQL: `param(value)` adds an argument and returns its placeholder (? or $n). `byEventId`
 * keeps the planner off the destination index (`+dest_first`): the newest changes are walked in event order.
 */
export function routeChangeSelect(q: RouteChangeQuery, param: (value: string | number) => string, byEventId = false): string {
  const where = [`connection_id = ${param(q.connectionId)}`];
  if (q.routeEntryType !== undefined) where.push(`route_entry_type = ${param(q.routeEntryType)}`);
  // custom routes are exactly those without a source: said so, the source index serves RouteEntryType=custom too
  const source = q.source !== undefined ? q.source ?? '' : q.routeEntryType === 'custom' ? '' : undefined;
  if (source !== undefined) where.push(`source = ${param(source)}`);
  if (q.within !== undefined) {
    const dest = byEventId ? '+dest_first' : 'dest_first';
    where.push(`${dest} BETWEEN ${param(q.within.first)} AND ${param(q.within.last)} AND dest_prefix >= ${param(q.within.minPrefix)}`);
  }
  if (q.startTime !== undefined) where.push(`change_time >= ${param(q.startTime)}`);
  if (q.endTime !== undefined) where.push(`change_time <= ${param(q.endTime)}`);
  if (q.afterEventId !== undefined) where.push(`event_id > ${param(q.afterEventId)}`);
  if (q.beforeEventId !== undefined) where.push(`event_id < ${param(q.beforeEventId)}`);
  const order = q.order === 'asc' ? 'ASC' : 'DESC';
  return `SELECT ${ROUTE_CHANGE_READ_COLUMNS} FROM ${ROUTE_CHANGES_TABLE} WHERE ${where.join(' AND ')} ORDER BY event_id ${order} LIMIT ${param(q.limit)}`;
}

/** Age pruning walks a connection's oldest changes in chunks of this many (event IDs follow time per connection). */
export const PRUNE_CHUNK = 5000;

/**
 * Deletes the connection's ($1) oldest changes made before $2, at most PRUNE_CHUNK of them: those among its
 * PRUNE_CHUNK oldest (so a connection with nothing to prune costs one short index walk, with no time index).
 */
export const PRUNE_OLD_CHUNK = (p: (n: number) => string) => `DELETE FROM ${ROUTE_CHANGES_TABLE} WHERE connection_id = ${p(1)} AND event_id IN (
  SELECT event_id FROM (SELECT event_id, change_time FROM ${ROUTE_CHANGES_TABLE} WHERE connection_id = ${p(1)} ORDER BY event_id LIMIT ${PRUNE_CHUNK}) AS oldest
  WHERE change_time < ${p(2)})`;

/** Changes walked in event order before the destination index is used (a few milliseconds of scanning). */
export const RECENT_WINDOW = 20_000;

/**
 * A newest-first read filtered by destination block, in two steps, so neither a dense block (most recent changes
 * match: the index would fetch and sort them all) nor a sparse one (few match: a walk would cross the whole
 * history) is slow: first the newest RECENT_WINDOW changes walked in event order; only if they hold fewer than
 * the page, the older ones through the destination index. Other reads are one query.
 */
export async function readRouteChanges<R>(
  q: RouteChangeQuery, select: (q: RouteChangeQuery, byEventId: boolean) => R[] | Promise<R[]>, lastEventId: () => number | Promise<number>,
): Promise<R[]> {
  if (q.within === undefined || q.order !== 'desc') return select(q, false);
  const top = q.beforeEventId ?? (await lastEventId()) + 1;
  const floor = top - RECENT_WINDOW;
  const recent = await select({ ...q, beforeEventId: top, afterEventId: Math.max(q.afterEventId ?? 0, floor - 1) }, true);
  if (recent.length >= q.limit || floor <= 1 || (q.afterEventId ?? 0) >= floor - 1) return recent;
  return [...recent, ...(await select({ ...q, beforeEventId: floor, limit: q.limit - recent.length }, false))];
}

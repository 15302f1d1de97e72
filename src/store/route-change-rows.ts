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

export const ROUTE_CHANGE_COLUMNS = 'connection_id, event_id, change_time, change_type, route_entry_type, source, route_dest, dest_first, dest_prefix, '
  + 'next_hop, old_route, new_route, tunnel_id, cause';
export const ROUTE_CHANGE_WIDTH = 14;

export function routeChangeValues(connectionId: string, eventId: number, changeTime: number, c: PendingRouteChange): (string | number | null)[] {
  const route = (c.new ?? c.old)!;
  const cidr = parseCidr(route.routeDest, true);
  return [connectionId, eventId, changeTime, c.changeType, route.routeEntryType, route.source ?? '', route.routeDest, cidr?.network ?? null,
    cidr?.prefix ?? null, route.nextHop, c.old && JSON.stringify(c.old), c.new && JSON.stringify(c.new), c.origin.tunnelId, c.origin.cause];
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
    old: r.old_route === null ? null : (JSON.parse(r.old_route) as RouteRecord),
    new: r.new_route === null ? null : (JSON.parse(r.new_route) as RouteRecord),
    tunnelId: r.tunnel_id,
    cause: r.cause as RouteChangeCause,
  };
}

/** The filtered read as SQL: `param(value)` adds an argument and returns its placeholder (? or $n). */
export function routeChangeSelect(q: RouteChangeQuery, param: (value: string | number) => string): string {
  const where = [`connection_id = ${param(q.connectionId)}`];
  if (q.routeEntryType !== undefined) where.push(`route_entry_type = ${param(q.routeEntryType)}`);
  if (q.source !== undefined) where.push(`source = ${param(q.source ?? '')}`);
  if (q.within !== undefined) {
    where.push(`dest_first BETWEEN ${param(q.within.first)} AND ${param(q.within.last)} AND dest_prefix >= ${param(q.within.minPrefix)}`);
  }
  if (q.startTime !== undefined) where.push(`change_time >= ${param(q.startTime)}`);
  if (q.endTime !== undefined) where.push(`change_time <= ${param(q.endTime)}`);
  if (q.afterEventId !== undefined) where.push(`event_id > ${param(q.afterEventId)}`);
  if (q.beforeEventId !== undefined) where.push(`event_id < ${param(q.beforeEventId)}`);
  const order = q.order === 'asc' ? 'ASC' : 'DESC';
  return `SELECT ${ROUTE_CHANGE_READ_COLUMNS} FROM ${ROUTE_CHANGES_TABLE} WHERE ${where.join(' AND ')} ORDER BY event_id ${order} LIMIT ${param(q.limit)}`;
}

/**
 * SQLite storage of Vco routes: the routes of a connection with their sequence numbers, block counts
 * (route-blocks.ts), per-(type, source) counts and routes versions. Used by SqliteStore; kept apart so each
 * file stays small. Every statement is prepared once; every write is one IMMEDIATE transaction.
 */
import type Database from 'better-sqlite3';
import type {
  BgpSource, KeyedRoute, PropagatedSnapshot, PropagatedSyncResult, RouteChangeOrigin, RouteCount, RouteEntryType, RouteFilter, RouteRecord, RouteWriteGuard,
} from '../store';
import { StoreConflictError } from '../store';
import { blockOf, locateOffset, type BlockCount } from '../route-blocks';
import { type RouteRow, ROUTE_COLUMNS, toRoute } from '../sql-rows';
import { newPropagatedKeys, planPropagatedSync } from '../propagated-sync';
import { API_ORIGIN, encodeRemoved, type PendingRouteChange, REMOVED_COLUMNS, type RemovedRouteRow, writeTime, storedRouteText, upsertChange } from '../route-change-batches';
import { SqliteRouteChangeLog } from './sqlite-route-changes';

/** Why each row of a write changes, by route key (store.ts "route-change history"). */
export type OriginOf = (key: string) => RouteChangeOrigin;
const BY_API: OriginOf = () => API_ORIGIN;

/** The tables holding a connection's routes, keyed by connection_id (vco_route_versions is not one: it outlives them). */
export const ROUTE_TABLES = ['vco_routes', 'vco_route_blocks', 'vco_route_counts'] as const;

/**
 * A listed page is read as one JSON array per row, built by SQLite (json_array, the stored AS path and tunnel
 * lists embedded as they are) and parsed by JSON.parse: better-sqlite3 turns each of a row's 8 values into a
 * JS value one by one, which costs more than the query (50 rows: ≈ 45 → 34 µs). Lossless: strings, nulls and
 * integers round-trip exactly (contract suite).
 */
const PAGE_JSON = 'json_array(route_dest, next_hop, weight, source, json(as_path), community, json(next_hop_tunnel_ids), create_time)';
type PageRow = [string, string, number, string | null, number[] | null, string | null, string[] | null, number];

function pageRowToRoute(type: RouteEntryType, json: string): RouteRecord {
  const r = JSON.parse(json) as PageRow;
  return {
    routeEntryType: type,
    routeDest: r[0],
    nextHop: r[1],
    weight: r[2],
    source: r[3] as BgpSource | null,
    asPath: r[4],
    community: r[5],
    nextHopTunnelIds: r[6],
    createTime: r[7],
  };
}

export class SqliteRouteTables {
  private readonly s;
  readonly changes: SqliteRouteChangeLog;
  /** delete statements by their text (a bounded set: one per combination of filters) */
  private readonly deletes = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    this.changes = new SqliteRouteChangeLog(db);
    this.s = {
      allRoutesOf: db.prepare(`DELETE FROM vco_routes WHERE connection_id = ? RETURNING ${ROUTE_COLUMNS}`),
      findSeqAndRow: db.prepare(`SELECT seq, ${ROUTE_COLUMNS} FROM vco_routes WHERE connection_id = ? AND route_entry_type = ? AND route_key = ?`),
      connectionState: db.prepare('SELECT state FROM vpn_connections WHERE connection_id = ?').pluck(),
      deleteAllRoutes: db.prepare('DELETE FROM vco_routes WHERE connection_id = ?'),
      deleteAllBlocks: db.prepare('DELETE FROM vco_route_blocks WHERE connection_id = ?'),
      deleteAllCounts: db.prepare('DELETE FROM vco_route_counts WHERE connection_id = ?'),
      bumpRoutesVersion: db.prepare(`INSERT INTO vco_route_versions (connection_id, routes_version) VALUES (?, 1)
        ON CONFLICT (connection_id) DO UPDATE SET routes_version = routes_version + 1`),
      nextSeq: db.prepare('SELECT next_route_seq FROM vpn_connections WHERE connection_id = ?').pluck(),
      setNextSeq: db.prepare('UPDATE vpn_connections SET next_route_seq = ? WHERE connection_id = ?'),
      findRouteRow: db.prepare(`SELECT ${ROUTE_COLUMNS} FROM vco_routes WHERE connection_id = ? AND route_entry_type = ? AND route_key = ?`),
      replaceRoute: db.prepare(`UPDATE vco_routes SET route_key = ?, route_dest = ?, next_hop = ?, weight = ?, source = ?, as_path = ?, community = ?,
        next_hop_tunnel_ids = ?, create_time = ? WHERE connection_id = ? AND route_entry_type = ? AND seq = ?`),
      findRoute: db.prepare('SELECT seq FROM vco_routes WHERE connection_id = ? AND route_entry_type = ? AND route_key = ?').pluck(),
      insertRoute: db.prepare(`INSERT INTO vco_routes (connection_id, route_entry_type, seq, route_key, ${ROUTE_COLUMNS.replace('route_entry_type, ', '')})
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      updateRoute: db.prepare(`UPDATE vco_routes SET route_dest = ?, next_hop = ?, weight = ?, source = ?, as_path = ?, community = ?,
        next_hop_tunnel_ids = ?, create_time = ?, propagated = 0 WHERE connection_id = ? AND route_entry_type = ? AND seq = ?`),
      addBlockCount: db.prepare(`INSERT INTO vco_route_blocks (connection_id, route_entry_type, block, route_count) VALUES (?, ?, ?, ?)
        ON CONFLICT (connection_id, route_entry_type, block) DO UPDATE SET route_count = route_count + excluded.route_count`),
      dropEmptyBlocks: db.prepare('DELETE FROM vco_route_blocks WHERE connection_id = ? AND route_count <= 0'),
      addRouteCount: db.prepare(`INSERT INTO vco_route_counts (connection_id, route_entry_type, source, route_count) VALUES (?, ?, ?, ?)
        ON CONFLICT (connection_id, route_entry_type, source) DO UPDATE SET route_count = route_count + excluded.route_count`),
      countRoutes: db.prepare('SELECT route_entry_type, source, route_count FROM vco_route_counts WHERE connection_id = ? AND route_count > 0'),
      blocks: db.prepare('SELECT block, route_count FROM vco_route_blocks WHERE connection_id = ? AND route_entry_type = ? ORDER BY block').raw(),
      propagatedRows: db.prepare(`SELECT route_key, ${ROUTE_COLUMNS} FROM vco_routes WHERE connection_id = ? AND route_entry_type = 'bgp' AND propagated = 1`),
      seededCloudKey: db.prepare(`SELECT 1 FROM vco_routes WHERE connection_id = ? AND route_entry_type = 'bgp' AND route_key = ? AND source = 'CLOUD' AND propagated = 0`).pluck(),
      routesVersion: db.prepare('SELECT routes_version FROM vco_route_versions WHERE connection_id = ?').pluck(),
      markPropagated: db.prepare(`UPDATE vco_routes SET propagated = 1 WHERE connection_id = ? AND route_entry_type = 'bgp' AND route_key = ?`),
      ofSource: db.prepare(`SELECT ${ROUTE_COLUMNS} FROM vco_routes WHERE connection_id = ? AND route_entry_type = ? AND coalesce(source, '') = ?
        ORDER BY seq LIMIT ?`),
      pageFrom: db.prepare(`SELECT ${PAGE_JSON} FROM vco_routes WHERE connection_id = ? AND route_entry_type = ? AND seq >= ?
        ORDER BY seq LIMIT ? OFFSET ?`).pluck(),
    };
  }

  /** Inside the caller's transaction (deleteConnection): drops the connection's routes, block counts and route counts. */
  deleteAllOf(connectionId: string): void {
    if (this.changes.enabled) {
      const origin = { cause: 'connection-deleted', tunnelId: '' } as const;
      const gone = (this.s.allRoutesOf.all(connectionId) as RouteRow[]).map((r): PendingRouteChange => ({ changeType: 'Removed', old: toRoute(r), new: null, origin }));
      this.changes.record(connectionId, gone);
    } else this.s.deleteAllRoutes.run(connectionId);
    this.s.deleteAllBlocks.run(connectionId);
    this.s.deleteAllCounts.run(connectionId);
  }

  /** Moves the connection's routes version on; inside the transaction of the change. */
  bumpVersion(connectionId: string): void {
    this.s.bumpRoutesVersion.run(connectionId);
  }

  upsert(connectionId: string, routes: readonly KeyedRoute[], originOf: OriginOf = BY_API): { inserted: number; updated: number } {
    return this.db.transaction(() => this.upsertNow(connectionId, routes, originOf)).immediate();
  }

  /** The body of upsertRoutes; runs inside the caller's transaction. */
  private upsertNow(connectionId: string, routes: readonly KeyedRoute[], originOf: OriginOf): { inserted: number; updated: number } {
    let seq = this.s.nextSeq.get(connectionId) as number | undefined;
    if (seq === undefined) throw new StoreConflictError(`connection ${connectionId} does not exist`);
    let inserted = 0;
    let updated = 0;
    const blockDeltas = new Map<string, number>();
    const countDeltas = new Map<string, number>();
    const changes: PendingRouteChange[] = [];
    for (const { key, route: r } of routes) {
      const asPath = r.asPath === null ? null : JSON.stringify(r.asPath);
      const tunnels = r.nextHopTunnelIds === null ? null : JSON.stringify(r.nextHopTunnelIds);
      let existing: number | undefined;
      if (this.changes.enabled) {
        const row = this.s.findSeqAndRow.get(connectionId, r.routeEntryType, key) as (RouteRow & { seq: number }) | undefined;
        existing = row?.seq;
        const change = upsertChange(row && toRoute(row), r, originOf(key), storedRouteText(r, asPath, tunnels));
        if (change) changes.push(change);
      } else existing = this.s.findRoute.get(connectionId, r.routeEntryType, key) as number | undefined;
      if (existing !== undefined) {
        this.s.updateRoute.run(r.routeDest, r.nextHop, r.weight, r.source, asPath, r.community, tunnels, r.createTime,
          connectionId, r.routeEntryType, existing);
        updated++;
        continue;
      }
      this.s.insertRoute.run(connectionId, r.routeEntryType, seq, key, r.routeDest, r.nextHop, r.weight, r.source, asPath,
        r.community, tunnels, r.createTime);
      bump(blockDeltas, `${r.routeEntryType}|${blockOf(seq)}`, 1);
      bump(countDeltas, `${r.routeEntryType}|${r.source ?? ''}`, 1);
      seq++;
      inserted++;
    }
    this.s.setNextSeq.run(seq, connectionId);
    this.applyDeltas(connectionId, blockDeltas, countDeltas);
    const bumped = this.changes.record(connectionId, changes, inserted + updated > 0);
    if (inserted + updated > 0 && !bumped) this.s.bumpRoutesVersion.run(connectionId);
    return { inserted, updated };
  }

  /** deleteRoutes; `keys` narrows to those route keys (the BGP speaker's batched withdrawals). */
  delete(connectionId: string, filter: RouteFilter, guard?: RouteWriteGuard, keys?: readonly string[], originOf: OriginOf = BY_API): number {
    const where = ['connection_id = ?'];
    const args: (string | number)[] = [connectionId];
    if (filter.routeEntryType) { where.push('route_entry_type = ?'); args.push(filter.routeEntryType); }
    if (filter.routeDest) { where.push('route_dest = ?'); args.push(filter.routeDest); }
    if (filter.routeKey) { where.push('route_key = ?'); args.push(filter.routeKey); }
    if (filter.source) { where.push('source = ?'); args.push(filter.source); }
    if (keys) { where.push('route_key IN (SELECT value FROM json_each(?))'); args.push(JSON.stringify(keys)); }
    // Recording or not, rows come back as arrays of REMOVED_COLUMNS (or its first four): seq, key, type, source first.
    const returning = this.changes.enabled ? REMOVED_COLUMNS : 'seq, route_key, route_entry_type, source';
    // By keys, the identity index: without statistics SQLite otherwise scans the connection's routes of the type for
    // every key list (a withdrawal flush cost O(routes held), not O(keys)).
    const table = keys ? 'vco_routes INDEXED BY vco_routes_identity' : 'vco_routes';
    const del = this.deleteStatement(`DELETE FROM ${table} WHERE ${where.join(' AND ')} RETURNING ${returning}`);
    return this.db.transaction(() => {
      this.checkGuard(connectionId, guard);
      const rows = del.all(...args) as RemovedRouteRow[];
      let bumped = false;
      if (this.changes.enabled) {
        const now = writeTime(Date.now());
        bumped = this.changes.recordEncoded(connectionId, rows.map((r) => encodeRemoved(connectionId, r, originOf(r[1]), now)), true);
      }
      const blockDeltas = new Map<string, number>();
      const countDeltas = new Map<string, number>();
      for (const [seq, , type, source] of rows) {
        bump(blockDeltas, `${type}|${blockOf(seq)}`, -1);
        bump(countDeltas, `${type}|${source ?? ''}`, -1);
      }
      this.applyDeltas(connectionId, blockDeltas, countDeltas);
      this.s.dropEmptyBlocks.run(connectionId);
      if (rows.length > 0 && !bumped) this.s.bumpRoutesVersion.run(connectionId);
      return rows.length;
    }).immediate();
  }

  /** A delete's statement, prepared once per shape (filters × recording): preparing one per call was a tenth of a one-route delete. */
  private deleteStatement(text: string): Database.Statement {
    let statement = this.deletes.get(text);
    if (!statement) this.deletes.set(text, (statement = this.db.prepare(text).raw()));
    return statement;
  }

  insert(connectionId: string, route: KeyedRoute, guard?: RouteWriteGuard): boolean {
    return this.db.transaction(() => {
      this.checkGuard(connectionId, guard);
      if (this.s.findRoute.get(connectionId, route.route.routeEntryType, route.key) !== undefined) return false;
      this.upsertNow(connectionId, [route], BY_API);
      return true;
    }).immediate();
  }

  /** Store.syncPropagatedRoutes: one IMMEDIATE transaction (the deletes and the upsert become savepoints in it). */
  syncPropagated(connectionId: string, routes: readonly KeyedRoute[], known?: PropagatedSnapshot, cause: 'propagation' | 'detached' = 'propagation'): PropagatedSyncResult {
    const origin = { cause, tunnelId: '' };
    const originOf: OriginOf = () => origin;
    return this.db.transaction(() => {
      if (this.s.nextSeq.get(connectionId) === undefined) throw new StoreConflictError(`connection ${connectionId} does not exist`);
      const version = () => (this.s.routesVersion.get(connectionId) as number | undefined) ?? 0;
      let current: ReadonlyMap<string, RouteRecord>;
      if (known !== undefined && known.routesVersion === version()) current = known.rows;
      else {
        const rows = new Map<string, RouteRecord>();
        for (const row of this.s.propagatedRows.all(connectionId) as (RouteRow & { route_key: string })[]) rows.set(row.route_key, toRoute(row));
        current = rows;
      }
      const seeded = new Set(newPropagatedKeys(current, routes).filter((k) => this.s.seededCloudKey.get(connectionId, k) !== undefined));
      const plan = planPropagatedSync(current, seeded, routes);
      let deleted = 0;
      for (const key of plan.remove) deleted += this.delete(connectionId, { routeEntryType: 'bgp', routeKey: key }, undefined, undefined, originOf);
      const { inserted, updated } = plan.write.length > 0 ? this.upsertNow(connectionId, plan.write, originOf) : { inserted: 0, updated: 0 };
      for (const { key } of plan.write) this.s.markPropagated.run(connectionId, key);
      return { inserted, updated, deleted, skipped: plan.skipped, routesVersion: version() };
    }).immediate();
  }

  listOfSource(connectionId: string, routeEntryType: RouteEntryType, source: string | null, limit: number): RouteRecord[] {
    return (this.s.ofSource.all(connectionId, routeEntryType, source ?? '', limit) as RouteRow[]).map(toRoute);
  }

  find(connectionId: string, routeEntryType: RouteEntryType, key: string): RouteRecord | undefined {
    const row = this.s.findRouteRow.get(connectionId, routeEntryType, key) as RouteRow | undefined;
    return row && toRoute(row);
  }

  replace(connectionId: string, routeEntryType: RouteEntryType, oldKey: string, route: KeyedRoute, guard?: RouteWriteGuard): 'ok' | 'missing' | 'exists' {
    return this.db.transaction(() => {
      this.checkGuard(connectionId, guard);
      const old = this.s.findSeqAndRow.get(connectionId, routeEntryType, oldKey) as (RouteRow & { seq: number }) | undefined;
      if (old === undefined) return 'missing' as const;
      const seq = old.seq;
      if (route.key !== oldKey && this.s.findRoute.get(connectionId, routeEntryType, route.key) !== undefined) return 'exists' as const;
      const r = route.route;
      const change = this.changes.enabled ? upsertChange(toRoute(old), r, API_ORIGIN) : undefined;
      const bumped = change !== undefined && this.changes.record(connectionId, [change], true);
      this.s.replaceRoute.run(route.key, r.routeDest, r.nextHop, r.weight, r.source, r.asPath === null ? null : JSON.stringify(r.asPath), r.community,
        r.nextHopTunnelIds === null ? null : JSON.stringify(r.nextHopTunnelIds), r.createTime, connectionId, routeEntryType, seq);
      if (!bumped) this.s.bumpRoutesVersion.run(connectionId);
      return 'ok' as const;
    }).immediate();
  }

  /** Inside a route write's transaction: the connection's stored state must be the guard's. */
  private checkGuard(connectionId: string, guard: RouteWriteGuard | undefined): void {
    if (guard === undefined) return;
    const state = this.s.connectionState.get(connectionId) as string | undefined;
    if (state !== guard.whenState) throw new StoreConflictError(`connection ${connectionId} is ${state ?? 'gone'}, not ${guard.whenState}`);
  }

  private applyDeltas(connectionId: string, blockDeltas: Map<string, number>, countDeltas: Map<string, number>): void {
    for (const [k, delta] of blockDeltas) {
      const [type, block] = k.split('|') as [string, string];
      this.s.addBlockCount.run(connectionId, type, Number(block), delta);
    }
    for (const [k, delta] of countDeltas) {
      const [type, source] = k.split('|') as [string, string];
      this.s.addRouteCount.run(connectionId, type, source, delta);
    }
  }

  count(connectionId: string): RouteCount[] {
    return (this.s.countRoutes.all(connectionId) as { route_entry_type: RouteEntryType; source: string; route_count: number }[]).map(
      (r) => ({ routeEntryType: r.route_entry_type, source: r.source === '' ? null : (r.source as BgpSource), count: r.route_count }),
    );
  }

  list(connectionId: string, routeEntryType: RouteEntryType, offset: number, limit: number): RouteRecord[] {
    let start: { fromSeq: number; skip: number } | undefined = { fromSeq: 0, skip: 0 };
    if (offset > 0) {
      const blocks = (this.s.blocks.all(connectionId, routeEntryType) as [number, number][]).map(([block, count]): BlockCount => ({ block, count }));
      start = locateOffset(blocks, offset);
    }
    if (!start) return [];
    const rows = this.s.pageFrom.all(connectionId, routeEntryType, start.fromSeq, limit, start.skip) as string[];
    const routes = new Array<RouteRecord>(rows.length);
    for (let i = 0; i < rows.length; i++) routes[i] = pageRowToRoute(routeEntryType, rows[i]!);
    return routes;
  }
}

function bump(map: Map<string, number>, key: string, delta: number): void {
  map.set(key, (map.get(key) ?? 0) + delta);
}

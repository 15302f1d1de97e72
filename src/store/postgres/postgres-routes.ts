/**
 * PostgreSQL storage of Vco routes: mirrors sqlite/sqlite-routes.ts. Every change to a connection's routes first
 * locks the connection row (SELECT … FOR UPDATE), which serialises sequence numbers, block counts
 * (route-blocks.ts) and per-(type, source) counts per connection. Used by PostgresStore; kept apart so each
 * file stays small.
 */
import type {
  BgpSource, KeyedRoute, PropagatedSnapshot, PropagatedSyncResult, RouteChangeOrigin, RouteCount, RouteEntryType, RouteFilter, RouteRecord, RouteWriteGuard, TokenCompletion,
} from '../store';
import { StoreConflictError } from '../store';
import { completeTokenStep } from './client-tokens';
import { blockOf, locateOffset, type BlockCount } from '../route-blocks';
import { chunks, placeholders, type PgDatabase, type Sql } from './db';
import { type RouteRow, ROUTE_COLUMNS, toRoute } from '../sql-rows';
import { newPropagatedKeys, planPropagatedSync } from '../propagated-sync';
import { API_ORIGIN, encodeRemoved, type PendingRouteChange, REMOVED_COLUMNS, type RemovedRouteRow, writeTime, upsertChange } from '../route-change-batches';
import { PgRouteChangeLog } from './postgres-route-changes';

/** Why each row of a write changes, by route key (store.ts "route-change history"). */
export type OriginOf = (key: string) => RouteChangeOrigin;
const BY_API: OriginOf = () => API_ORIGIN;

/** The tables holding a connection's routes, keyed by connection_id (vco_route_versions is not one: it outlives them). */
export const PG_ROUTE_TABLES = ['vco_routes', 'vco_route_blocks', 'vco_route_counts'] as const;

interface PlannedRoute {
  seq: number;
  key: string;
  route: RouteRecord;
}

/** A recording delete's row as pg returns it (named; BIGINT as text). */
interface RemovedObject {
  seq: number; route_key: string; route_entry_type: RouteEntryType; source: string | null; route_dest: string; next_hop: string; weight: string;
  as_path: string | null; community: string | null; next_hop_tunnel_ids: string | null; create_time: string;
}

const asRemovedRow = (r: RemovedObject): RemovedRouteRow => [r.seq, r.route_key, r.route_entry_type, r.source, r.route_dest, r.next_hop, r.weight, r.as_path,
  r.community, r.next_hop_tunnel_ids, r.create_time];

export class PgRouteTables {
  readonly changes: PgRouteChangeLog;

  constructor(private readonly db: PgDatabase) {
    this.changes = new PgRouteChangeLog(db);
  }

  /** Inside deleteConnection's transaction (connection row locked): drops the connection's routes, recorded as removed. */
  async deleteAllOf(sql: Sql, connectionId: string): Promise<void> {
    if (this.changes.enabled) {
      const origin = { cause: 'connection-deleted', tunnelId: '' } as const;
      const gone = await sql.query<RouteRow>(`DELETE FROM vco_routes WHERE connection_id = $1 RETURNING ${ROUTE_COLUMNS}`, [connectionId]);
      await this.changes.record(sql, connectionId, gone.rows.map((r): PendingRouteChange => ({ changeType: 'Removed', old: toRoute(r), new: null, origin })));
    }
    for (const table of PG_ROUTE_TABLES) await sql.query(`DELETE FROM ${table} WHERE connection_id = $1`, [connectionId]);
  }

  /** Moves the connection's routes version on; in the transaction of the change, after the connection row is locked. */
  async bumpVersion(sql: Sql, connectionId: string): Promise<void> {
    await sql.query(
      `INSERT INTO vco_route_versions (connection_id, routes_version) VALUES ($1, 1)
       ON CONFLICT (connection_id) DO UPDATE SET routes_version = vco_route_versions.routes_version + 1`,
      [connectionId],
    );
  }

  /**
   * Locks the connection row for the rest of the transaction and returns its next sequence number
   * (undefined when it does not exist); with a guard, its stored state must be the guard's (else StoreConflictError).
   */
  private async lockConnection(sql: Sql, connectionId: string, guard?: RouteWriteGuard): Promise<number | undefined> {
    const row = (await sql.query<{ next_route_seq: number; state: string }>(
      'SELECT next_route_seq, state FROM vpn_connections WHERE connection_id = $1 FOR UPDATE', [connectionId],
    )).rows[0];
    if (guard !== undefined && row?.state !== guard.whenState) {
      throw new StoreConflictError(`connection ${connectionId} is ${row?.state ?? 'gone'}, not ${guard.whenState}`);
    }
    return row?.next_route_seq;
  }

  async upsert(connectionId: string, routes: readonly KeyedRoute[]): Promise<{ inserted: number; updated: number }> {
    return this.db.tx((sql) => this.upsertIn(sql, connectionId, routes, BY_API));
  }

  /** The body of upsertRoutes; runs inside the caller's transaction. Same outcome as SQLite's route-by-route loop. */
  async upsertIn(sql: Sql, connectionId: string, routes: readonly KeyedRoute[], originOf: OriginOf): Promise<{ inserted: number; updated: number }> {
    let seq = await this.lockConnection(sql, connectionId);
    if (seq === undefined) throw new StoreConflictError(`connection ${connectionId} does not exist`);

    // Sequence numbers of the routes that exist already, by type and key.
    const keysByType = new Map<RouteEntryType, Set<string>>();
    for (const { key, route } of routes) {
      let keys = keysByType.get(route.routeEntryType);
      if (!keys) keysByType.set(route.routeEntryType, (keys = new Set()));
      keys.add(key);
    }
    const existing = new Map<string, number>();
    const before = new Map<string, RouteRecord>();
    const columns = this.changes.enabled ? `route_key, seq, ${ROUTE_COLUMNS}` : 'route_key, seq';
    for (const [type, keys] of keysByType) {
      for (const part of chunks([...keys], 1, 10_000)) {
        const rows = await sql.query<RouteRow & { route_key: string; seq: number }>(
          `SELECT ${columns} FROM vco_routes WHERE connection_id = $1 AND route_entry_type = $2 AND route_key IN (${placeholders(3, part.length)})`,
          [connectionId, type, ...part],
        );
        for (const r of rows.rows) {
          existing.set(`${type}|${r.route_key}`, r.seq);
          if (this.changes.enabled) before.set(`${type}|${r.route_key}`, toRoute(r));
        }
      }
    }

    // Route by route, as SQLite does: a known key is an update in place, a new key goes last.
    let inserted = 0;
    let updated = 0;
    const planned = new Map<string, PlannedRoute>();
    const blockDeltas = new Map<string, number>();
    const countDeltas = new Map<string, number>();
    for (const { key, route: r } of routes) {
      const id = `${r.routeEntryType}|${key}`;
      const known = planned.get(id);
      if (known) {
        known.route = r;
        updated++;
        continue;
      }
      const existingSeq = existing.get(id);
      if (existingSeq !== undefined) {
        planned.set(id, { seq: existingSeq, key, route: r });
        updated++;
        continue;
      }
      planned.set(id, { seq, key, route: r });
      bump(blockDeltas, `${r.routeEntryType}|${blockOf(seq)}`, 1);
      bump(countDeltas, `${r.routeEntryType}|${r.source ?? ''}`, 1);
      seq++;
      inserted++;
    }

    // One upsert per chunk on the primary key (connection, type, seq): new rows are inserted, known ones replaced.
    const WIDTH = 11;
    for (const part of chunks([...planned.values()], WIDTH, 60_000)) {
      const values: unknown[] = [connectionId];
      const tuples: string[] = [];
      for (const p of part) {
        const r = p.route;
        tuples.push(`($1, ${placeholders(values.length + 1, WIDTH)})`);
        values.push(r.routeEntryType, p.seq, p.key, r.routeDest, r.nextHop, r.weight, r.source, r.asPath === null ? null : JSON.stringify(r.asPath),
          r.community, r.nextHopTunnelIds === null ? null : JSON.stringify(r.nextHopTunnelIds), r.createTime);
      }
      await sql.query(
        `INSERT INTO vco_routes (connection_id, route_entry_type, seq, route_key, route_dest, next_hop, weight, source, as_path, community,
           next_hop_tunnel_ids, create_time) VALUES ${tuples.join(', ')}
         ON CONFLICT (connection_id, route_entry_type, seq) DO UPDATE SET route_dest = EXCLUDED.route_dest, next_hop = EXCLUDED.next_hop,
           weight = EXCLUDED.weight, source = EXCLUDED.source, as_path = EXCLUDED.as_path, community = EXCLUDED.community,
           next_hop_tunnel_ids = EXCLUDED.next_hop_tunnel_ids, create_time = EXCLUDED.create_time, propagated = 0`,
        values,
      );
    }
    if (inserted > 0) await sql.query('UPDATE vpn_connections SET next_route_seq = $1 WHERE connection_id = $2', [seq, connectionId]);
    await this.applyDeltas(sql, connectionId, blockDeltas, countDeltas);
    let bumped = false;
    if (this.changes.enabled) {
      const changes: PendingRouteChange[] = [];
      for (const [id, p] of planned) {
        const change = upsertChange(before.get(id), p.route, originOf(p.key));
        if (change) changes.push(change);
      }
      bumped = await this.changes.record(sql, connectionId, changes, inserted + updated > 0);
    }
    if (inserted + updated > 0 && !bumped) await this.bumpVersion(sql, connectionId);
    return { inserted, updated };
  }

  async delete(connectionId: string, filter: RouteFilter, guard?: RouteWriteGuard, completion?: TokenCompletion): Promise<number> {
    return this.db.tx((sql) => this.deleteIn(sql, connectionId, filter, guard), 'BEGIN', completeTokenStep(completion, (n: number) => n > 0));
  }

  /** The body of deleteRoutes, inside the caller's transaction; `keys` narrows to those route keys (the BGP speaker's batched withdrawals). */
  async deleteIn(sql: Sql, connectionId: string, filter: RouteFilter, guard?: RouteWriteGuard, keys?: readonly string[], originOf: OriginOf = BY_API): Promise<number> {
    const where = ['connection_id = $1'];
    const args: (string | number)[] = [connectionId];
    const add = (column: string, value: string) => {
      args.push(value);
      where.push(`${column} = $${args.length}`);
    };
    if (filter.routeEntryType) add('route_entry_type', filter.routeEntryType);
    if (filter.routeDest) add('route_dest', filter.routeDest);
    if (filter.routeKey) add('route_key', filter.routeKey);
    if (filter.source) add('source', filter.source);
    if (keys) {
      args.push(JSON.stringify(keys));
      where.push(`route_key IN (SELECT jsonb_array_elements_text($${args.length}::jsonb))`);
    }
    await this.lockConnection(sql, connectionId, guard);
    const { deleted, bumped } = await this.deleteWhere(sql, connectionId, where.join(' AND '), args, originOf, true);
    await this.afterDeletes(sql, connectionId, deleted, bumped);
    return deleted;
  }

  /** Store.syncPropagatedRoutes: one transaction with the connection row locked (as every route change). */
  async syncPropagated(connectionId: string, routes: readonly KeyedRoute[], known?: PropagatedSnapshot, cause: 'propagation' | 'detached' = 'propagation'): Promise<PropagatedSyncResult> {
    const origin = { cause, tunnelId: '' };
    const originOf: OriginOf = () => origin;
    return this.db.tx(async (sql) => {
      if ((await this.lockConnection(sql, connectionId)) === undefined) throw new StoreConflictError(`connection ${connectionId} does not exist`);
      const version = async () => Number((await sql.query<{ routes_version: string }>(
        'SELECT routes_version FROM vco_route_versions WHERE connection_id = $1', [connectionId])).rows[0]?.routes_version ?? 0);
      let current: ReadonlyMap<string, RouteRecord>;
      if (known !== undefined && known.routesVersion === await version()) current = known.rows;
      else {
        const rows = new Map<string, RouteRecord>();
        const read = await sql.query<RouteRow & { route_key: string }>(
          `SELECT route_key, ${ROUTE_COLUMNS} FROM vco_routes WHERE connection_id = $1 AND route_entry_type = 'bgp' AND propagated = 1`, [connectionId]);
        for (const row of read.rows) rows.set(row.route_key, toRoute(row));
        current = rows;
      }
      const seeded = new Set<string>();
      for (const part of chunks(newPropagatedKeys(current, routes), 1, 10_000)) {
        const held = await sql.query<{ route_key: string }>(
          `SELECT route_key FROM vco_routes WHERE connection_id = $1 AND route_entry_type = 'bgp' AND source = 'CLOUD' AND propagated = 0
             AND route_key IN (${placeholders(2, part.length)})`, [connectionId, ...part]);
        for (const r of held.rows) seeded.add(r.route_key);
      }
      const plan = planPropagatedSync(current, seeded, routes);
      let deleted = 0;
      for (const part of chunks(plan.remove, 1, 10_000)) {
        deleted += (await this.deleteWhere(sql, connectionId, `connection_id = $1 AND route_entry_type = 'bgp' AND route_key IN (${placeholders(2, part.length)})`,
          [connectionId, ...part], originOf)).deleted;
      }
      await this.afterDeletes(sql, connectionId, deleted, false);
      const { inserted, updated } = plan.write.length > 0 ? await this.upsertIn(sql, connectionId, plan.write, originOf) : { inserted: 0, updated: 0 };
      for (const part of chunks(plan.write.map((w) => w.key), 1, 10_000)) {
        await sql.query(`UPDATE vco_routes SET propagated = 1 WHERE connection_id = $1 AND route_entry_type = 'bgp' AND route_key IN (${placeholders(2, part.length)})`,
          [connectionId, ...part]);
      }
      return { inserted, updated, deleted, skipped: plan.skipped, routesVersion: await version() };
    });
  }

  /**
   * Deletes the connection's routes matching `where` (its first argument is the connection) and takes them off the
   * block and source counts. With `bumpVersion`, recording the removals also moves the routes version on (`bumped`).
   */
  private async deleteWhere(sql: Sql, connectionId: string, where: string, args: readonly unknown[], originOf: OriginOf, bumpVersion = false):
    Promise<{ deleted: number; bumped: boolean }> {
    const returning = this.changes.enabled ? REMOVED_COLUMNS : 'route_entry_type, seq, source';
    const rows = (await sql.query<RemovedObject>(`DELETE FROM vco_routes WHERE ${where} RETURNING ${returning}`, args)).rows;
    let bumped = false;
    if (this.changes.enabled) {
      const now = writeTime(Date.now());
      bumped = await this.changes.recordEncoded(sql, connectionId, rows.map((r) => encodeRemoved(connectionId, asRemovedRow(r), originOf(r.route_key), now)), bumpVersion);
    }
    const blockDeltas = new Map<string, number>();
    const countDeltas = new Map<string, number>();
    for (const row of rows) {
      bump(blockDeltas, `${row.route_entry_type}|${blockOf(row.seq)}`, -1);
      bump(countDeltas, `${row.route_entry_type}|${row.source ?? ''}`, -1);
    }
    await this.applyDeltas(sql, connectionId, blockDeltas, countDeltas);
    return { deleted: rows.length, bumped };
  }

  /** After deletes in a transaction: drops emptied blocks and moves the routes version on (unless done), when something went. */
  private async afterDeletes(sql: Sql, connectionId: string, deleted: number, bumped: boolean): Promise<void> {
    if (deleted === 0) return;
    await sql.query('DELETE FROM vco_route_blocks WHERE connection_id = $1 AND route_count <= 0', [connectionId]);
    if (!bumped) await this.bumpVersion(sql, connectionId);
  }

  async listOfSource(connectionId: string, routeEntryType: RouteEntryType, source: string | null, limit: number): Promise<RouteRecord[]> {
    return (await this.db.query<RouteRow>(
      `SELECT ${ROUTE_COLUMNS} FROM vco_routes WHERE connection_id = $1 AND route_entry_type = $2 AND coalesce(source, '') = $3 ORDER BY seq LIMIT $4`,
      [connectionId, routeEntryType, source ?? '', limit],
    )).rows.map(toRoute);
  }

  async insert(connectionId: string, route: KeyedRoute, guard?: RouteWriteGuard, completion?: TokenCompletion): Promise<boolean> {
    return this.db.tx(async (sql) => {
      await this.lockConnection(sql, connectionId, guard);
      if ((await this.routeSeq(sql, connectionId, route.route.routeEntryType, route.key)) !== undefined) return false;
      await this.upsertIn(sql, connectionId, [route], BY_API);
      return true;
    }, 'BEGIN', completeTokenStep(completion, (ok: boolean) => ok));
  }

  async find(connectionId: string, routeEntryType: RouteEntryType, key: string): Promise<RouteRecord | undefined> {
    const row = (
      await this.db.query<RouteRow>(`SELECT ${ROUTE_COLUMNS} FROM vco_routes WHERE connection_id = $1 AND route_entry_type = $2 AND route_key = $3`, [
        connectionId, routeEntryType, key,
      ])
    ).rows[0];
    return row && toRoute(row);
  }

  async replace(
    connectionId: string, routeEntryType: RouteEntryType, oldKey: string, route: KeyedRoute, guard?: RouteWriteGuard, completion?: TokenCompletion,
  ): Promise<'ok' | 'missing' | 'exists'> {
    return this.db.tx(async (sql) => {
      await this.lockConnection(sql, connectionId, guard);
      const old = (await sql.query<RouteRow & { seq: number }>(
        `SELECT seq, ${ROUTE_COLUMNS} FROM vco_routes WHERE connection_id = $1 AND route_entry_type = $2 AND route_key = $3`, [connectionId, routeEntryType, oldKey],
      )).rows[0];
      if (old === undefined) return 'missing' as const;
      const seq = old.seq;
      if (route.key !== oldKey && (await this.routeSeq(sql, connectionId, routeEntryType, route.key)) !== undefined) return 'exists' as const;
      const r = route.route;
      const change = this.changes.enabled ? upsertChange(toRoute(old), r, API_ORIGIN) : undefined;
      const bumped = change !== undefined && (await this.changes.record(sql, connectionId, [change], true));
      await sql.query(
        `UPDATE vco_routes SET route_key = $1, route_dest = $2, next_hop = $3, weight = $4, source = $5, as_path = $6, community = $7,
           next_hop_tunnel_ids = $8, create_time = $9 WHERE connection_id = $10 AND route_entry_type = $11 AND seq = $12`,
        [route.key, r.routeDest, r.nextHop, r.weight, r.source, r.asPath === null ? null : JSON.stringify(r.asPath), r.community,
          r.nextHopTunnelIds === null ? null : JSON.stringify(r.nextHopTunnelIds), r.createTime, connectionId, routeEntryType, seq],
      );
      if (!bumped) await this.bumpVersion(sql, connectionId);
      return 'ok' as const;
    }, 'BEGIN', completeTokenStep(completion, (r: 'ok' | 'missing' | 'exists') => r === 'ok'));
  }

  private async routeSeq(sql: Sql, connectionId: string, type: RouteEntryType, key: string): Promise<number | undefined> {
    return (
      await sql.query<{ seq: number }>('SELECT seq FROM vco_routes WHERE connection_id = $1 AND route_entry_type = $2 AND route_key = $3', [
        connectionId, type, key,
      ])
    ).rows[0]?.seq;
  }

  private async applyDeltas(sql: Sql, connectionId: string, blockDeltas: Map<string, number>, countDeltas: Map<string, number>): Promise<void> {
    await this.addToCounters(sql, connectionId, 'vco_route_blocks', 'block', [...blockDeltas].map(([k, delta]) => {
      const [type, block] = k.split('|') as [string, string];
      return [type, Number(block), delta] as const;
    }));
    await this.addToCounters(sql, connectionId, 'vco_route_counts', 'source', [...countDeltas].map(([k, delta]) => {
      const [type, source] = k.split('|') as [string, string];
      return [type, source, delta] as const;
    }));
  }

  /** Adds deltas to per-(connection, type, `key`) route counters, a few rows per multi-row upsert. */
  private async addToCounters(
    sql: Sql, connectionId: string, table: 'vco_route_blocks' | 'vco_route_counts', key: 'block' | 'source',
    rows: readonly (readonly [string, string | number, number])[],
  ): Promise<void> {
    for (const part of chunks(rows, 3)) {
      const values: unknown[] = [connectionId];
      const tuples = part.map((row) => {
        values.push(...row);
        return `($1, ${placeholders(values.length - 2, 3)})`;
      });
      await sql.query(
        `INSERT INTO ${table} (connection_id, route_entry_type, ${key}, route_count) VALUES ${tuples.join(', ')}
         ON CONFLICT (connection_id, route_entry_type, ${key}) DO UPDATE SET route_count = ${table}.route_count + EXCLUDED.route_count`,
        values,
      );
    }
  }


  async count(connectionId: string): Promise<RouteCount[]> {
    const rows = (
      await this.db.prepared<{ route_entry_type: RouteEntryType; source: string; route_count: number }>(
        'vcoroute_count_routes',
        'SELECT route_entry_type, source, route_count FROM vco_route_counts WHERE connection_id = $1 AND route_count > 0 ORDER BY route_entry_type, source',
        [connectionId],
      )
    ).rows;
    return rows.map((r) => ({ routeEntryType: r.route_entry_type, source: r.source === '' ? null : (r.source as BgpSource), count: r.route_count }));
  }

  async list(connectionId: string, routeEntryType: RouteEntryType, offset: number, limit: number): Promise<RouteRecord[]> {
    const page = async (sql: Sql, fromSeq: number, skip: number) =>
      (
        await sql.query<RouteRow>(
          `SELECT ${ROUTE_COLUMNS} FROM vco_routes WHERE connection_id = $1 AND route_entry_type = $2 AND seq >= $3 ORDER BY seq LIMIT $4 OFFSET $5`,
          [connectionId, routeEntryType, fromSeq, limit, skip],
        )
      ).rows.map(toRoute);
    if (offset <= 0) {
      return (await this.db.prepared<RouteRow>(
        'vcoroute_first_page',
        `SELECT ${ROUTE_COLUMNS} FROM vco_routes WHERE connection_id = $1 AND route_entry_type = $2 ORDER BY seq LIMIT $3`,
        [connectionId, routeEntryType, limit],
      )).rows.map(toRoute);
    }
    // Block counts and the page from one snapshot, so a concurrent upsert cannot shift the page.
    return this.db.snapshot(async (sql) => {
      const blocks = (
        await sql.query<BlockCount>('SELECT block, route_count AS count FROM vco_route_blocks WHERE connection_id = $1 AND route_entry_type = $2 ORDER BY block', [
          connectionId, routeEntryType,
        ])
      ).rows;
      const start = locateOffset(blocks, offset);
      return start ? page(sql, start.fromSeq, start.skip) : [];
    });
  }
}

function bump(map: Map<string, number>, key: string, delta: number): void {
  map.set(key, (map.get(key) ?? 0) + delta);
}

/**
 * PostgreSQL storage of the route-change history: mirrors sqlite/sqlite-route-changes.ts. Event IDs come from
 * the connection's counter (vco_route_versions.last_change_id), advanced by an upsert that row-locks it until
 * the transaction ends. Every route change has locked the connection row before (READ COMMITTED), so a second
 * server's change of the same connection waits for this commit and then numbers after it: IDs follow commit
 * order, and a reader that sees ID n has every ID below n committed already (watches never skip a late commit).
 */
import type { RouteChangeQuery, RouteChangeRecord } from '../store';
import {
  type PendingRouteChange, PRUNE_CHUNK, readRouteChanges, PRUNE_OLD_CHUNK, ROUTE_CHANGE_COLUMNS, ROUTE_CHANGES_TABLE, type RouteChangeRow, routeChangeSelect, routeChangeValues, toRouteChange,
} from '../route-change-rows';
import { type PgDatabase, type Sql } from './db';

/** The SQL types of ROUTE_CHANGE_COLUMNS, in their order. */
const COLUMN_TYPES = ['text', 'bigint', 'bigint', 'text', 'text', 'text', 'text', 'bigint', 'integer', 'integer', 'text', 'text', 'text', 'text', 'text'];

/**
 * The changes as one array per column, unnested into rows: a statement has 15 parameters whatever its number of
 * rows (a VALUES list of 1,000 rows had 15,000 to serialise, parse and bind; BENCHMARKS.md, "Route-change history").
 */
const INSERT_COLUMNS = `INSERT INTO ${ROUTE_CHANGES_TABLE} (${ROUTE_CHANGE_COLUMNS})
  SELECT * FROM unnest(${COLUMN_TYPES.map((type, i) => `$${i + 1}::${type}[]`).join(', ')})`;
/** Rows per INSERT: bounds the size of one statement's arrays (deleting a connection records all its routes). */
const ROWS_PER_INSERT = 10_000;

export class PgRouteChangeLog {
  /** --route-history off: nothing is recorded */
  enabled = true;

  constructor(private readonly db: PgDatabase) {}

  /** Inside the transaction of the change, with the connection row locked: numbers and stores `changes` in order. */
  async record(sql: Sql, connectionId: string, changes: readonly PendingRouteChange[], now = Date.now()): Promise<void> {
    if (changes.length === 0) return;
    const last = Number((await sql.query<{ last_change_id: string }>(
      `INSERT INTO vco_route_versions (connection_id, routes_version, last_change_id) VALUES ($1, 0, $2)
       ON CONFLICT (connection_id) DO UPDATE SET last_change_id = vco_route_versions.last_change_id + EXCLUDED.last_change_id RETURNING last_change_id`,
      [connectionId, changes.length],
    )).rows[0]!.last_change_id);
    let id = last - changes.length;
    for (let first = 0; first < changes.length; first += ROWS_PER_INSERT) {
      const part = changes.slice(first, first + ROWS_PER_INSERT);
      const columns: unknown[][] = COLUMN_TYPES.map(() => []);
      for (const c of part) routeChangeValues(connectionId, ++id, now, c).forEach((v, i) => columns[i]!.push(v));
      await sql.query(INSERT_COLUMNS, columns);
    }
  }

  list(query: RouteChangeQuery): Promise<RouteChangeRecord[]> {
    const lastId = async () => Number((await this.db.query<{ last_change_id: string }>(
      'SELECT last_change_id FROM vco_route_versions WHERE connection_id = $1', [query.connectionId])).rows[0]?.last_change_id ?? 0);
    return readRouteChanges(query, (q, byEventId) => this.select(q, byEventId), lastId);
  }

  private async select(query: RouteChangeQuery, byEventId: boolean): Promise<RouteChangeRecord[]> {
    const args: (string | number)[] = [];
    const text = routeChangeSelect(query, (v) => {
      args.push(v);
      return `$${args.length}`;
    }, byEventId);
    return (await this.db.query<RouteChangeRow>(text, args)).rows.map(toRouteChange);
  }

  async prune(olderThan: number, keepPerConnection: number): Promise<number> {
    let n = 0;
    const counters = await this.db.query<{ connection_id: string; last_change_id: string }>('SELECT connection_id, last_change_id FROM vco_route_versions WHERE last_change_id > 0');
    for (const { connection_id: c, last_change_id: last } of counters.rows) {
      if (Number(last) > keepPerConnection) {
        n += (await this.db.query(`DELETE FROM ${ROUTE_CHANGES_TABLE} WHERE connection_id = $1 AND event_id <= $2`, [c, Number(last) - keepPerConnection])).rowCount ?? 0;
      }
      for (let deleted = PRUNE_CHUNK; deleted === PRUNE_CHUNK; n += deleted) {
        deleted = (await this.db.query(PRUNE_OLD_CHUNK((i) => `$${i}`), [c, olderThan])).rowCount ?? 0;
      }
    }
    return n;
  }
}

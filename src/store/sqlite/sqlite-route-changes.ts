/**
 * SQLite storage of the route-change history (store.ts "route-change history"): changes are numbered from the
 * connection's counter (vco_route_versions.last_change_id) and inserted inside the caller's IMMEDIATE
 * transaction, so they commit with the route change or not at all, in commit order.
 */
import type Database from 'better-sqlite3';
import type { RouteChangeQuery, RouteChangeRecord } from '../store';
import {
  type PendingRouteChange, PRUNE_CHUNK, readRouteChanges, PRUNE_OLD_CHUNK, ROUTE_CHANGE_COLUMNS, ROUTE_CHANGE_WIDTH, ROUTE_CHANGES_TABLE, type RouteChangeRow, routeChangeSelect, routeChangeValues, toRouteChange,
} from '../route-change-rows';

/**
 * Changes per INSERT statement: a BGP flush's 1,000 changes make 16 statement calls, not 1,000 (each call's own
 * overhead, crossing into SQLite and stepping the statement, is paid per 64 rows: BENCHMARKS.md, "Route-change
 * history"). 64 × 15 values stays far below SQLite's bound on parameters.
 */
const ROWS_PER_INSERT = 64;

export class SqliteRouteChangeLog {
  /** --route-history off: nothing is recorded */
  enabled = true;
  private readonly s;
  private readonly selects = new Map<string, Database.Statement>();
  /** INSERT statements by their number of rows (1 … ROWS_PER_INSERT) */
  private readonly inserts = new Map<number, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    this.s = {
      advance: db.prepare(`INSERT INTO vco_route_versions (connection_id, routes_version, last_change_id) VALUES (?, 0, ?)
        ON CONFLICT (connection_id) DO UPDATE SET last_change_id = last_change_id + excluded.last_change_id RETURNING last_change_id`).pluck(),
      pruneOld: db.prepare(PRUNE_OLD_CHUNK((n) => (n === 1 ? '@connection' : '@before'))),
      counters: db.prepare('SELECT connection_id, last_change_id FROM vco_route_versions WHERE last_change_id > 0').raw(),
      lastId: db.prepare('SELECT last_change_id FROM vco_route_versions WHERE connection_id = ?').pluck(),
      pruneBefore: db.prepare(`DELETE FROM ${ROUTE_CHANGES_TABLE} WHERE connection_id = ? AND event_id <= ?`),
    };
  }

  /** Inside the transaction of the change: numbers and stores `changes` in order. */
  record(connectionId: string, changes: readonly PendingRouteChange[], now = Date.now()): void {
    if (changes.length === 0) return;
    const last = this.s.advance.get(connectionId, changes.length) as number;
    let id = last - changes.length;
    for (let first = 0; first < changes.length; first += ROWS_PER_INSERT) {
      const part = changes.slice(first, first + ROWS_PER_INSERT);
      const values: (string | number | null)[] = [];
      for (const c of part) values.push(...routeChangeValues(connectionId, ++id, now, c));
      this.insertOf(part.length).run(values);
    }
  }

  private insertOf(rows: number): Database.Statement {
    let statement = this.inserts.get(rows);
    if (!statement) {
      const row = `(${new Array(ROUTE_CHANGE_WIDTH).fill('?').join(', ')})`;
      statement = this.db.prepare(`INSERT INTO ${ROUTE_CHANGES_TABLE} (${ROUTE_CHANGE_COLUMNS}) VALUES ${new Array(rows).fill(row).join(', ')}`);
      this.inserts.set(rows, statement);
    }
    return statement;
  }

  list(query: RouteChangeQuery): Promise<RouteChangeRecord[]> {
    return readRouteChanges(query, (q, byEventId) => this.select(q, byEventId), () => this.s.lastId.get(query.connectionId) as number | undefined ?? 0);
  }

  private select(query: RouteChangeQuery, byEventId: boolean): RouteChangeRecord[] {
    const args: (string | number)[] = [];
    const text = routeChangeSelect(query, (v) => {
      args.push(v);
      return '?';
    }, byEventId, (index) => `INDEXED BY vco_route_changes_${index}`);
    let statement = this.selects.get(text);
    if (!statement) this.selects.set(text, (statement = this.db.prepare(text)));
    return (statement.all(...args) as RouteChangeRow[]).map(toRouteChange);
  }

  prune(olderThan: number, keepPerConnection: number): number {
    let n = 0;
    for (const [connectionId, last] of this.s.counters.all() as [string, number][]) {
      // one short transaction per chunk: route writes wait for the write lock no longer than one chunk
      if (last > keepPerConnection) n += this.s.pruneBefore.run(connectionId, last - keepPerConnection).changes;
      for (let deleted = PRUNE_CHUNK; deleted === PRUNE_CHUNK; n += deleted) deleted = this.s.pruneOld.run({ connection: connectionId, before: olderThan }).changes;
    }
    return n;
  }
}

/**
 * SQLite storage of the route-change history (route-change-batches.ts): changes are numbered from the
 * connection's counter (vco_route_versions.last_change_id) and appended to its open tail, or sealed into batch
 * rows, inside the caller's IMMEDIATE transaction, so they commit with the route change or not at all, in
 * commit order.
 */
import type Database from 'better-sqlite3';
import type { RouteChangeQuery, RouteChangeRecord } from '../store';
import {
  BATCHES_TABLE, type BatchRow, batchRows, type BatchSummary, LINES_COLUMNS, LINES_TABLE, type SealedRow, SUMMARY_COLUMNS, SUMMARY_WIDTH, batchSelect, type BatchWindow, type EncodedChange, encodeChange, fitsTail, fitsTailSql, linesOf,
  type PendingRouteChange, PRUNE_ROWS, pruneBatches, readBatches, reencode, writeTime, type TailRow,
} from '../route-change-batches';

/** Batch rows per INSERT statement (a flush of 1,000 changes is 4 rows: one statement). */
const ROWS_PER_INSERT = 16;

export class SqliteRouteChangeLog {
  /** --route-history off: nothing is recorded */
  enabled = true;
  private readonly s;
  private readonly selects = new Map<string, Database.Statement>();
  /** INSERT statements by table and number of rows (1 … ROWS_PER_INSERT) */
  private readonly inserts = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    this.s = {
      tail: db.prepare('SELECT last_change_id AS last, tail_count AS count, change_tail AS text FROM vco_route_versions WHERE connection_id = ?'),
      // The connection's first change (no row yet: recordEncoded read the tail inside the same IMMEDIATE transaction).
      insertFirst: db.prepare('INSERT INTO vco_route_versions (connection_id, routes_version, last_change_id, change_tail, tail_count) VALUES (?, ?, ?, ?, ?)'),
      // The common case in one statement: appends when the tail has room (fitsTail, decided by SQLite), else changes nothing.
      appendIfFits: db.prepare(`UPDATE vco_route_versions SET routes_version = routes_version + ?, last_change_id = last_change_id + ?, change_tail = change_tail || ?,
        tail_count = tail_count + ? WHERE connection_id = ? AND ${fitsTailSql('tail_count', 'length(change_tail)', '?', '?')}`),
      seal: db.prepare(`INSERT INTO vco_route_versions (connection_id, routes_version, last_change_id) VALUES (?, ?, ?)
        ON CONFLICT (connection_id) DO UPDATE SET routes_version = routes_version + excluded.routes_version, last_change_id = last_change_id + excluded.last_change_id,
          change_tail = '', tail_count = 0
        RETURNING last_change_id`).pluck(),
      counters: db.prepare('SELECT connection_id, last_change_id FROM vco_route_versions WHERE last_change_id > 0').raw(),
      dropThrough: db.prepare(`DELETE FROM ${BATCHES_TABLE} WHERE connection_id = ? AND last_event_id <= ? RETURNING last_event_id - first_event_id + 1`).pluck(),
      dropLinesThrough: db.prepare(`DELETE FROM ${LINES_TABLE} WHERE connection_id = ? AND last_event_id <= ?`),
      oldest: db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM ${BATCHES_TABLE} WHERE connection_id = ? ORDER BY last_event_id LIMIT ${PRUNE_ROWS}`),
      lines: db.prepare(`SELECT changes FROM ${LINES_TABLE} WHERE connection_id = ? AND last_event_id = ?`).pluck(),
      rewrite: db.prepare(`UPDATE ${BATCHES_TABLE} SET first_event_id = ?, time_min = ?, time_max = ?, sources = ?, dest_min = ?, dest_max = ?
        WHERE connection_id = ? AND last_event_id = ?`),
      rewriteLines: db.prepare(`UPDATE ${LINES_TABLE} SET changes = ? WHERE connection_id = ? AND last_event_id = ?`),
      anyBatch: db.prepare(`SELECT 1 FROM ${BATCHES_TABLE} WHERE connection_id = ? LIMIT 1`).pluck(),
      setTail: db.prepare('UPDATE vco_route_versions SET change_tail = ?, tail_count = ? WHERE connection_id = ? AND last_change_id = ?'),
    };
  }

  /**
   * Inside the transaction of the change: numbers and stores `changes` in order. With `bumpVersion`, the same
   * statement moves the routes version on (one statement fewer per write); returns whether it did (only when
   * there was a change to record).
   */
  record(connectionId: string, changes: readonly PendingRouteChange[], bumpVersion = false, now = Date.now()): boolean {
    const time = writeTime(now);
    return changes.length > 0 && this.recordEncoded(connectionId, changes.map((c) => encodeChange(connectionId, c, time)), bumpVersion);
  }

  /** record(), the changes encoded already (encodeRemoved: a delete's rows as the database returned them). */
  recordEncoded(connectionId: string, encoded: readonly EncodedChange[], bumpVersion = false): boolean {
    if (encoded.length === 0) return false;
    const bump = bumpVersion ? 1 : 0;
    const n = encoded.length;
    const chars = encoded.reduce((sum, c) => sum + c.line.length, 0); // the text is only built where it goes (tail or rows)
    const text = fitsTail(0, 0, n, chars) ? (n === 1 ? encoded[0]!.line : encoded.map((c) => c.line).join('')) : undefined;
    // Mostly: the connection's row exists and its tail has room, one UPDATE (no read of the tail first).
    if (text !== undefined && this.s.appendIfFits.run(bump, n, text, n, connectionId, n, chars).changes === 1) return bumpVersion;
    const tail = this.s.tail.get(connectionId) as TailRow | undefined;
    if (text !== undefined && tail === undefined) { // the connection's first change
      this.s.insertFirst.run(connectionId, bump, n, text, n);
      return bumpVersion;
    }
    // Seal: the tail's lines, then this write's, become batch rows; the tail starts empty again.
    const last = this.s.seal.get(connectionId, bump, encoded.length) as number;
    const sealed: readonly EncodedChange[] = tail === undefined || tail.count === 0 ? encoded : [...linesOf(tail.text).map(reencode), ...encoded];
    const rows = batchRows(connectionId, last - sealed.length + 1, sealed);
    for (let first = 0; first < rows.length; first += ROWS_PER_INSERT) {
      const part = rows.slice(first, first + ROWS_PER_INSERT);
      this.insertOf(BATCHES_TABLE, part.length).run(part.flatMap((r) => r.summary));
      this.insertOf(LINES_TABLE, part.length).run(part.flatMap((r) => [r.summary[0]!, r.summary[1]!, r.changes]));
    }
    return bumpVersion;
  }

  private insertOf(table: typeof BATCHES_TABLE | typeof LINES_TABLE, rows: number): Database.Statement {
    const key = `${table}|${rows}`;
    let statement = this.inserts.get(key);
    if (!statement) {
      const [columns, width] = table === BATCHES_TABLE ? [SUMMARY_COLUMNS, SUMMARY_WIDTH] : [LINES_COLUMNS, 3];
      const row = `(${new Array(width).fill('?').join(', ')})`;
      statement = this.db.prepare(`INSERT INTO ${table} (${columns}) VALUES ${new Array(rows).fill(row).join(', ')}`);
      this.inserts.set(key, statement);
    }
    return statement;
  }

  list(query: RouteChangeQuery): Promise<RouteChangeRecord[]> {
    return readBatches(query, {
      tail: (connectionId) => this.s.tail.get(connectionId) as TailRow | undefined,
      batches: (window) => this.select(window),
    });
  }

  private select(window: BatchWindow): BatchRow[] {
    const args: (string | number)[] = [];
    const text = batchSelect(window, (v) => {
      args.push(v);
      return '?';
    });
    let statement = this.selects.get(text);
    if (!statement) this.selects.set(text, (statement = this.db.prepare(text)));
    return statement.all(...args) as BatchRow[];
  }

  prune(olderThan: number, keepPerConnection: number): Promise<number> {
    const s = this.s;
    return pruneBatches({
      counters: () => s.counters.all() as [string, number][],
      dropThrough: (connectionId, lastEventId) => {
        s.dropLinesThrough.run(connectionId, lastEventId);
        return (s.dropThrough.all(connectionId, lastEventId) as number[]).reduce((a, b) => a + b, 0);
      },
      oldest: (connectionId) => s.oldest.all(connectionId) as BatchSummary[],
      lines: (connectionId, lastEventId) => s.lines.get(connectionId, lastEventId) as string,
      rewrite: ({ summary: [connectionId, last, first, timeMin, timeMax, sources, destMin, destMax], changes }: SealedRow) => {
        this.db.transaction(() => {
          s.rewrite.run(first, timeMin, timeMax, sources, destMin, destMax, connectionId, last);
          s.rewriteLines.run(changes, connectionId, last);
        })();
      },
      anyBatch: (connectionId) => s.anyBatch.get(connectionId) !== undefined,
      tail: (connectionId) => s.tail.get(connectionId) as TailRow | undefined,
      setTail: (connectionId, last, text, count) => s.setTail.run(text, count, connectionId, last).changes === 1,
    }, olderThan, keepPerConnection);
  }
}

/**
 * PostgreSQL storage of the route-change history (route-change-batches.ts): mirrors
 * sqlite/sqlite-route-changes.ts. Event IDs come from the connection's counter
 * (vco_route_versions.last_change_id), advanced by a statement that row-locks it until the transaction ends.
 * Every route change has locked the connection row before (READ COMMITTED), so a second server's change of the
 * same connection waits for this commit and then numbers after it: IDs follow commit order, and a reader that
 * sees ID n has every ID below n committed already (watches never skip a late commit).
 */
import type { RouteChangeQuery, RouteChangeRecord } from '../store';
import {
  BATCHES_TABLE, type BatchRow, batchRows, type BatchSummary, LINES_COLUMNS, LINES_TABLE, type SealedRow, SUMMARY_COLUMNS, batchSelect, type BatchWindow, type EncodedChange, encodeChange, fitsTail, linesOf, type PendingRouteChange,
  PRUNE_ROWS, pruneBatches, readBatches, reencode, writeTime, fitsTailSql, type TailRow,
} from '../route-change-batches';
import { type PgDatabase, type Sql } from './db';

/**
 * One statement per write: advances the counter and either appends the write's lines to the tail (when
 * route-change-batches.ts fitsTail says so: the same rule, as fitsTailSql) or empties the tail, returning the lines it
 * held to be sealed with the write's; with $5 = 1 it also moves the routes version on (one round trip fewer per
 * write). $1 connection, $2 changes, $3 their lines, $4 the lines' length, $5 0 or 1.
 */
const ADVANCE = `WITH old AS (SELECT change_tail, tail_count FROM vco_route_versions WHERE connection_id = $1::text FOR UPDATE),
fits AS (SELECT ${fitsTailSql('coalesce(old.tail_count, 0)', 'coalesce(char_length(old.change_tail), 0)', '$2::bigint', '$4::bigint')} AS ok
  FROM (SELECT 1) AS one LEFT JOIN old ON true),
up AS (INSERT INTO vco_route_versions (connection_id, routes_version, last_change_id, change_tail, tail_count)
    SELECT $1::text, $5::bigint, $2::bigint, CASE WHEN fits.ok THEN $3::text ELSE '' END, CASE WHEN fits.ok THEN $2::bigint ELSE 0 END FROM fits
  ON CONFLICT (connection_id) DO UPDATE SET routes_version = vco_route_versions.routes_version + EXCLUDED.routes_version,
    last_change_id = vco_route_versions.last_change_id + EXCLUDED.last_change_id,
    change_tail = CASE WHEN (SELECT ok FROM fits) THEN vco_route_versions.change_tail || EXCLUDED.change_tail ELSE '' END,
    tail_count = CASE WHEN (SELECT ok FROM fits) THEN vco_route_versions.tail_count + EXCLUDED.tail_count ELSE 0 END
  RETURNING last_change_id)
SELECT up.last_change_id, fits.ok, CASE WHEN fits.ok THEN '' ELSE coalesce(old.change_tail, '') END AS sealed
FROM up CROSS JOIN fits LEFT JOIN old ON true`;

/** The SQL types of SUMMARY_COLUMNS, in their order. */
const COLUMN_TYPES = ['text', 'bigint', 'bigint', 'bigint', 'bigint', 'integer', 'bigint', 'bigint'];

/**
 * Sealed rows' summaries and lines in one statement (one round trip): one array per column, unnested, so 9
 * parameters whatever the number of rows; the lines reuse the summaries' key arrays ($1, $2).
 */
const INSERT_SEALED = `WITH summaries AS (INSERT INTO ${BATCHES_TABLE} (${SUMMARY_COLUMNS})
    SELECT * FROM unnest(${COLUMN_TYPES.map((type, i) => `$${i + 1}::${type}[]`).join(', ')}))
  INSERT INTO ${LINES_TABLE} (${LINES_COLUMNS}) SELECT * FROM unnest($1::text[], $2::bigint[], $${COLUMN_TYPES.length + 1}::text[])`;
/** Rows per INSERT: bounds one statement's arrays (deleting a connection records all its routes). */
const ROWS_PER_INSERT = 64;

const TAIL = 'SELECT last_change_id AS last, tail_count AS count, change_tail AS text FROM vco_route_versions WHERE connection_id = $1';

export class PgRouteChangeLog {
  /** --route-history off: nothing is recorded */
  enabled = true;

  constructor(private readonly db: PgDatabase) {}

  /** Inside the transaction of the change, with the connection row locked: numbers and stores `changes` in order (sqlite-route-changes.ts record). */
  async record(sql: Sql, connectionId: string, changes: readonly PendingRouteChange[], bumpVersion = false, now = Date.now()): Promise<boolean> {
    const time = writeTime(now);
    return changes.length > 0 && this.recordEncoded(sql, connectionId, changes.map((c) => encodeChange(connectionId, c, time)), bumpVersion);
  }

  /** record(), the changes encoded already (encodeRemoved: a delete's rows as the database returned them). */
  async recordEncoded(sql: Sql, connectionId: string, encoded: readonly EncodedChange[], bumpVersion = false): Promise<boolean> {
    if (encoded.length === 0) return false;
    const chars = encoded.reduce((n, c) => n + c.line.length, 0);
    // A write that cannot fit even an empty tail is not sent as text (the statement seals whatever the tail holds).
    const text = !fitsTail(0, 0, encoded.length, chars) ? '' : encoded.length === 1 ? encoded[0]!.line : encoded.map((c) => c.line).join('');
    const result = (await sql.query<{ last_change_id: string; ok: boolean; sealed: string }>(
      { name: 'vcoroute_history_advance', text: ADVANCE, values: [connectionId, encoded.length, text, chars, bumpVersion ? 1 : 0] })).rows[0]!;
    if (result.ok) return bumpVersion;
    const sealed: readonly EncodedChange[] = result.sealed === '' ? encoded : [...linesOf(result.sealed).map(reencode), ...encoded];
    const rows = batchRows(connectionId, Number(result.last_change_id) - sealed.length + 1, sealed);
    for (let first = 0; first < rows.length; first += ROWS_PER_INSERT) {
      const part = rows.slice(first, first + ROWS_PER_INSERT);
      const columns: unknown[][] = COLUMN_TYPES.map(() => []);
      for (const row of part) row.summary.forEach((v, i) => columns[i]!.push(v));
      await sql.query({ name: 'vcoroute_history_seal', text: INSERT_SEALED, values: [...columns, part.map((r) => r.changes)] });
    }
    return bumpVersion;
  }

  private async tail(connectionId: string): Promise<TailRow | undefined> {
    const row = (await this.db.query<{ last: string; count: number; text: string }>(TAIL, [connectionId])).rows[0];
    return row && { last: Number(row.last), count: Number(row.count), text: row.text };
  }

  list(query: RouteChangeQuery): Promise<RouteChangeRecord[]> {
    return readBatches(query, { tail: (connectionId) => this.tail(connectionId), batches: (window) => this.select(window) });
  }

  private async select(window: BatchWindow): Promise<BatchRow[]> {
    const args: (string | number)[] = [];
    const text = batchSelect(window, (v) => {
      args.push(v);
      return `$${args.length}`;
    });
    return (await this.db.query<BatchRow>(text, args)).rows;
  }

  prune(olderThan: number, keepPerConnection: number): Promise<number> {
    const db = this.db;
    return pruneBatches({
      counters: async () => (await db.query<{ connection_id: string; last_change_id: string }>(
        'SELECT connection_id, last_change_id FROM vco_route_versions WHERE last_change_id > 0')).rows.map((r): [string, number] => [r.connection_id, Number(r.last_change_id)]),
      dropThrough: async (connectionId, lastEventId) => (await db.query<{ n: string }>(
        `WITH lines AS (DELETE FROM ${LINES_TABLE} WHERE connection_id = $1 AND last_event_id <= $2),
         gone AS (DELETE FROM ${BATCHES_TABLE} WHERE connection_id = $1 AND last_event_id <= $2 RETURNING last_event_id - first_event_id + 1 AS n)
         SELECT coalesce(sum(n), 0) AS n FROM gone`, [connectionId, lastEventId])).rows.reduce((a, r) => a + Number(r.n), 0),
      oldest: async (connectionId) => (await db.query<BatchSummary>(
        `SELECT ${SUMMARY_COLUMNS} FROM ${BATCHES_TABLE} WHERE connection_id = $1 ORDER BY last_event_id LIMIT ${PRUNE_ROWS}`, [connectionId])).rows,
      lines: async (connectionId, lastEventId) => (await db.query<{ changes: string }>(
        `SELECT changes FROM ${LINES_TABLE} WHERE connection_id = $1 AND last_event_id = $2`, [connectionId, lastEventId])).rows[0]?.changes ?? '',
      rewrite: async ({ summary: [connectionId, last, first, timeMin, timeMax, sources, destMin, destMax], changes }: SealedRow) => {
        await db.query(`WITH lines AS (UPDATE ${LINES_TABLE} SET changes = $9 WHERE connection_id = $1 AND last_event_id = $2)
          UPDATE ${BATCHES_TABLE} SET first_event_id = $3, time_min = $4, time_max = $5, sources = $6, dest_min = $7, dest_max = $8
          WHERE connection_id = $1 AND last_event_id = $2`, [connectionId, last, first, timeMin, timeMax, sources, destMin, destMax, changes]);
      },
      anyBatch: async (connectionId) => (await db.query(`SELECT 1 FROM ${BATCHES_TABLE} WHERE connection_id = $1 LIMIT 1`, [connectionId])).rows.length > 0,
      tail: (connectionId) => this.tail(connectionId),
      setTail: async (connectionId, last, text, count) => ((await db.query('UPDATE vco_route_versions SET change_tail = $3, tail_count = $4 WHERE connection_id = $1 AND last_change_id = $2',
        [connectionId, last, text, count])).rowCount ?? 0) === 1,
    }, olderThan, keepPerConnection);
  }
}

/**
 * PostgreSQL side of state snapshots (store.ts "state snapshots", snapshot-tables.ts), on a dedicated
 * connection. Export: one REPEATABLE READ READ ONLY transaction (a stable view while servers keep writing), a
 * cursor per table in key order — text keys in byte order (COLLATE "C", as SQLite sorts) so both backends
 * write the same document — fetched a batch at a time. Import: one transaction, multi-row INSERTs, never
 * retried (the batches can be read once); BIGSERIAL sequences moved past the imported values.
 */
import type { PoolClient } from 'pg';
import {
  SNAPSHOT_BATCH_ROWS, SNAPSHOT_TABLES, SnapshotImportError, snapshotRowValues, snapshotTable,
  type SnapshotBatch, type SnapshotColumn, type SnapshotRow,
} from '../snapshot-tables';
import { chunks, valuesList, type PgDatabase } from './db';

/** Long statements of a large export or import (sorting 1M routes) and a slow reader between fetches are allowed. */
const SNAPSHOT_TIMEOUTS = "SET LOCAL statement_timeout = '600s'; SET LOCAL idle_in_transaction_session_timeout = '600s'";

export async function pgSchemaVersion(db: PgDatabase): Promise<number> {
  const { rows } = await db.query<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
  return Number(rows[0]?.version ?? 0);
}

async function columnsOf(client: PoolClient, table: string): Promise<SnapshotColumn[]> {
  const { rows } = await client.query<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((r) => ({ name: r.column_name, integer: /int/i.test(r.data_type) }));
}

export async function pgExport(db: PgDatabase, accountId: string | null, sink: (batch: SnapshotBatch) => Promise<void>): Promise<void> {
  await db.session(async (client) => {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      await client.query(SNAPSHOT_TIMEOUTS);
      for (const table of SNAPSHOT_TABLES) {
        if (accountId !== null && table.account === null) {
          await sink({ table: table.name, rows: [] });
          continue;
        }
        const columns = await columnsOf(client, table.name);
        const integer = new Set(columns.filter((c) => c.integer).map((c) => c.name));
        const order = table.key.map((k) => (integer.has(k) ? k : `${k} COLLATE "C"`)).join(', ');
        const where = accountId === null ? '' : ` WHERE ${table.account!('$1')}`;
        await client.query(
          `DECLARE snapshot_rows NO SCROLL CURSOR FOR SELECT ${columns.map((c) => c.name).join(', ')} FROM ${table.name}${where} ORDER BY ${order}`,
          accountId === null ? [] : [accountId],
        );
        for (;;) {
          const { rows } = await client.query<SnapshotRow>(`FETCH ${SNAPSHOT_BATCH_ROWS} FROM snapshot_rows`);
          await sink({ table: table.name, rows });
          if (rows.length < SNAPSHOT_BATCH_ROWS) break;
        }
        await client.query('CLOSE snapshot_rows');
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}

export async function pgImport(db: PgDatabase, batches: AsyncIterable<SnapshotBatch>): Promise<Record<string, number>> {
  return db.session(async (client) => {
    const written: Record<string, number> = {};
    const columns = new Map<string, SnapshotColumn[]>();
    await client.query('BEGIN');
    try {
      await client.query(SNAPSHOT_TIMEOUTS);
      for (const table of SNAPSHOT_TABLES) {
        if (table.merge) continue;
        if ((await client.query(`SELECT 1 FROM ${table.name} LIMIT 1`)).rows.length > 0) {
          throw new SnapshotImportError(`the store is not empty (table ${table.name} has rows): import only into a new store`);
        }
      }
      for await (const batch of batches) {
        const table = snapshotTable(batch.table);
        if (!table) throw new SnapshotImportError(`unknown table ${batch.table}`);
        let cols = columns.get(table.name);
        if (!cols) columns.set(table.name, (cols = await columnsOf(client, table.name)));
        // Rows of one batch with the same columns go in one statement.
        const groups = new Map<string, { present: string[]; values: (string | number | null)[][] }>();
        for (const row of batch.rows) {
          const index = written[table.name] ?? 0;
          const { present, values } = snapshotRowValues(table.name, cols, row, index);
          const signature = present.join(',');
          let group = groups.get(signature);
          if (!group) groups.set(signature, (group = { present, values: [] }));
          group.values.push(values);
          written[table.name] = index + 1;
        }
        for (const { present, values } of groups.values()) {
          const update = present.filter((c) => !table.key.includes(c)).map((c) => `${c} = excluded.${c}`);
          const onConflict = table.merge && update.length > 0 ? ` ON CONFLICT (${table.key.join(', ')}) DO UPDATE SET ${update.join(', ')}` : '';
          for (const part of chunks(values, present.length)) {
            try {
              await client.query(`INSERT INTO ${table.name} (${present.join(', ')}) VALUES ${valuesList(part.length, present.length)}${onConflict}`, part.flat());
            } catch (err) {
              if (typeof (err as { code?: unknown }).code !== 'string' || !/^(22|23)/.test((err as { code: string }).code)) throw err;
              throw new SnapshotImportError(`table ${table.name}: ${(err as Error).message}${(err as { detail?: string }).detail ? ` (${(err as { detail: string }).detail})` : ''}`);
            }
          }
        }
      }
      for (const table of SNAPSHOT_TABLES) {
        if (!table.serial) continue;
        await client.query(`SELECT setval(pg_get_serial_sequence('${table.name}', '${table.serial}'), COALESCE(MAX(${table.serial}), 0) + 1, false) FROM ${table.name}`);
      }
      await client.query('COMMIT');
      return written;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}

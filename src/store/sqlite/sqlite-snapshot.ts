/**
 * SQLite side of state snapshots (store.ts "state snapshots", snapshot-tables.ts). Export reads through a
 * read-only connection of its own inside one read transaction (WAL: a stable view while the server keeps
 * writing), in key order, a page at a time (keyset pagination on the primary key). Import writes through the
 * store's connection in one IMMEDIATE transaction.
 */
import Database from 'better-sqlite3';
import {
  SNAPSHOT_BATCH_ROWS, SNAPSHOT_TABLES, SnapshotImportError, snapshotRowValues, snapshotTable,
  type SnapshotBatch, type SnapshotColumn, type SnapshotRow, type SnapshotTable,
} from '../snapshot-tables';

export function sqliteSchemaVersion(db: Database.Database): number {
  return (db.prepare('SELECT COALESCE(MAX(version), 0) FROM schema_migrations').pluck().get() as number) ?? 0;
}

function columnsOf(db: Database.Database, table: string): SnapshotColumn[] {
  const info = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string }[];
  return info.map((c) => ({ name: c.name, integer: /INT/i.test(c.type) }));
}

/** `(k1, k2) > (@k0, @k1)`: the rows after the last one of the previous page. */
function afterKey(table: SnapshotTable): string {
  return `(${table.key.join(', ')}) > (${table.key.map((_, i) => `@k${i}`).join(', ')})`;
}

export async function sqliteExport(
  main: Database.Database, file: string | null, accountId: string | null, sink: (batch: SnapshotBatch) => Promise<void>,
): Promise<void> {
  // A file store is read through a connection of its own, so the server's connection stays free; ':memory:' has only one.
  const db = file === null ? main : new Database(file, { readonly: true, fileMustExist: true });
  const ownTransaction = !db.inTransaction;
  try {
    if (ownTransaction) db.exec('BEGIN');
    for (const table of SNAPSHOT_TABLES) {
      if (accountId !== null && table.account === null) {
        await sink({ table: table.name, rows: [] });
        continue;
      }
      const columns = columnsOf(db, table.name).map((c) => c.name).join(', ');
      const conditions = accountId === null ? [] : [`(${table.account!('@account')})`];
      const select = (after: boolean) => db.prepare(
        `SELECT ${columns} FROM ${table.name} WHERE ${[...conditions, ...(after ? [afterKey(table)] : []), '1 = 1'].join(' AND ')} ` +
          `ORDER BY ${table.key.join(', ')} LIMIT ${SNAPSHOT_BATCH_ROWS}`,
      );
      const first = select(false);
      const next = select(true);
      let rows = first.all(accountId === null ? {} : { account: accountId }) as SnapshotRow[];
      for (;;) {
        await sink({ table: table.name, rows });
        if (rows.length < SNAPSHOT_BATCH_ROWS) break;
        const last = rows[rows.length - 1]!;
        const params: Record<string, unknown> = accountId === null ? {} : { account: accountId };
        table.key.forEach((k, i) => (params[`k${i}`] = last[k]));
        rows = next.all(params) as SnapshotRow[];
      }
    }
  } finally {
    if (ownTransaction && db.inTransaction) db.exec('COMMIT');
    if (db !== main) db.close();
  }
}

export async function sqliteImport(db: Database.Database, batches: AsyncIterable<SnapshotBatch>): Promise<Record<string, number>> {
  const written: Record<string, number> = {};
  const columns = new Map<string, SnapshotColumn[]>();
  const statements = new Map<string, Database.Statement>();
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const table of SNAPSHOT_TABLES) {
      if (table.merge) continue;
      if (db.prepare(`SELECT 1 FROM ${table.name} LIMIT 1`).get() !== undefined) {
        throw new SnapshotImportError(`the store is not empty (table ${table.name} has rows): import only into a new store`);
      }
    }
    for await (const batch of batches) {
      const table = snapshotTable(batch.table);
      if (!table) throw new SnapshotImportError(`unknown table ${batch.table}`);
      let cols = columns.get(table.name);
      if (!cols) columns.set(table.name, (cols = columnsOf(db, table.name)));
      for (const row of batch.rows) {
        const index = written[table.name] ?? 0;
        const { present, values } = snapshotRowValues(table.name, cols, row, index);
        const signature = `${table.name}(${present.join(',')})`;
        let insert = statements.get(signature);
        if (!insert) {
          const update = present.filter((c) => !table.key.includes(c)).map((c) => `${c} = excluded.${c}`);
          const onConflict = table.merge && update.length > 0 ? ` ON CONFLICT (${table.key.join(', ')}) DO UPDATE SET ${update.join(', ')}` : '';
          insert = db.prepare(`INSERT INTO ${table.name} (${present.join(', ')}) VALUES (${present.map(() => '?').join(', ')})${onConflict}`);
          statements.set(signature, insert);
        }
        try {
          insert.run(...values);
        } catch (err) {
          throw new SnapshotImportError(`table ${table.name}, row ${index + 1}: ${(err as Error).message}`);
        }
        written[table.name] = index + 1;
      }
    }
    db.exec('COMMIT');
    return written;
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK');
  }
}

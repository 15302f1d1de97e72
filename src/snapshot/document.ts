/**
 * The state snapshot document (README "Snapshots"): one JSON document, written in a fixed layout — the header
 * on the first line, then each table's name on a line of its own and one row per line — so that export streams
 * rows out and import streams them back in with bounded memory, whatever the size of the state. A document in
 * any other layout (reformatted by a tool) is still read, as a whole.
 *
 *   {"format":"vcoroute-state","version":1,"schemaVersion":11,"exportedAt":"…","account":null,"tables":{
 *   "accounts":[
 *   {"account_id":"1000000000000001","created_at":1764000000000,"ram_generation":3}
 *   ],
 *   …
 *   "fault_rules":[]
 *   }}
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { MIGRATIONS } from '../store/sqlite/migrations';
import type { Store } from '../store/store';
import { SNAPSHOT_BATCH_ROWS, SnapshotExportError, SnapshotImportError, type SnapshotBatch, type SnapshotRow } from '../store/snapshot-tables';

export const SNAPSHOT_FORMAT = 'vcoroute-state';
export const SNAPSHOT_VERSION = 1;
/** The newest schema this code knows (both backends number migrations alike). */
export const KNOWN_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export interface SnapshotHeader {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  /** the schema (last migration) of the store it was exported from */
  schemaVersion: number;
  exportedAt: string;
  /** the one account exported, or null for the whole state */
  account: string | null;
}

/** Anything with a Node stream's write/once (process.stdout, fs.WriteStream). */
export interface SnapshotOutput {
  write(chunk: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/** Streams the store's state (or one account's) to `out`; returns the rows written per table. Never logs a row. */
export async function writeSnapshot(store: Store, accountId: string | null, out: SnapshotOutput, now = new Date()): Promise<Record<string, number>> {
  const schemaVersion = await store.schemaVersion();
  if (schemaVersion > KNOWN_SCHEMA_VERSION) {
    throw new SnapshotExportError(
      `the store has schema ${schemaVersion}, newer than this vcoroute knows (${KNOWN_SCHEMA_VERSION}): export it with the vcoroute that migrated it`,
    );
  }
  const header: SnapshotHeader = { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, schemaVersion, exportedAt: now.toISOString(), account: accountId };
  const json = JSON.stringify(header);
  const write = (text: string) => (out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', resolve)));
  const counts: Record<string, number> = {};
  let current: string | undefined;
  // A row is written with its separator when the next one (or the table's end) is known.
  let pending: string | undefined;
  await write(`${json.slice(0, -1)},"tables":{\n`);
  await store.exportSnapshot(accountId, async ({ table, rows }) => {
    let text = '';
    if (table !== current) {
      if (pending !== undefined) text += `${pending}\n`;
      pending = undefined;
      text += `${current === undefined ? '' : '],\n'}${JSON.stringify(table)}:[\n`;
      current = table;
      counts[table] = 0;
    }
    for (const row of rows) {
      if (pending !== undefined) text += `${pending},\n`;
      pending = JSON.stringify(row);
    }
    counts[table]! += rows.length;
    if (text) await write(text);
  });
  await write(`${pending === undefined ? '' : `${pending}\n`}${current === undefined ? '' : ']\n'}}}\n`);
  return counts;
}

/** Checks a header against the store it is about to be imported into: clear errors, before anything is written. */
export function checkHeader(header: unknown, storeSchemaVersion: number): SnapshotHeader {
  const h = header as Partial<Record<keyof SnapshotHeader, unknown>> | null;
  if (typeof h !== 'object' || h === null || h.format !== SNAPSHOT_FORMAT) {
    throw new SnapshotImportError(`not a vcoroute state snapshot (its "format" must be "${SNAPSHOT_FORMAT}")`);
  }
  if (h.version !== SNAPSHOT_VERSION) {
    throw new SnapshotImportError(`snapshot format version ${JSON.stringify(h.version)} is not supported: this vcoroute reads version ${SNAPSHOT_VERSION}`);
  }
  if (!Number.isSafeInteger(h.schemaVersion) || (h.schemaVersion as number) < 1) throw new SnapshotImportError('the snapshot has no valid "schemaVersion"');
  if ((h.schemaVersion as number) > storeSchemaVersion) {
    throw new SnapshotImportError(
      `the snapshot is of schema ${String(h.schemaVersion)}, newer than this store's (${storeSchemaVersion}): import it with a vcoroute at least as new as the one that exported it`,
    );
  }
  if (h.account !== null && typeof h.account !== 'string') throw new SnapshotImportError('the snapshot\'s "account" must be an account ID or null');
  if (typeof h.exportedAt !== 'string') throw new SnapshotImportError('the snapshot has no "exportedAt"');
  return h as SnapshotHeader;
}

export interface OpenedSnapshot {
  header: unknown;
  /** the rows, table by table; read once */
  batches: AsyncIterable<SnapshotBatch>;
  close(): void;
}

const HEADER_LINE = /^\{.*,"tables":\{$/;
const TABLE_LINE = /^("(?:[a-z0-9_]+)"):\[(\]?),?$/;
const TABLE_END = /^\],?$/;

/**
 * Opens a snapshot file: in the layout writeSnapshot writes, streamed line by line (rows in batches); in any
 * other, parsed as a whole. Errors name the line.
 */
export async function openSnapshot(file: string): Promise<OpenedSnapshot> {
  const input = fs.createReadStream(file, { encoding: 'utf8' });
  const lines = readline.createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const close = () => input.destroy();
  const first = await lines.next();
  const firstLine = first.done ? '' : first.value;
  if (!HEADER_LINE.test(firstLine)) {
    close();
    return wholeDocument(file);
  }
  let header: unknown;
  try {
    const { tables: _empty, ...fields } = JSON.parse(`${firstLine}}}`) as Record<string, unknown>;
    header = fields;
  } catch {
    close();
    return wholeDocument(file);
  }
  async function* batches(): AsyncGenerator<SnapshotBatch> {
    let lineNumber = 1;
    const fail = (what: string): never => {
      throw new SnapshotImportError(`line ${lineNumber}: ${what}`);
    };
    let table: string | undefined;
    let rows: SnapshotRow[] = [];
    let ended = false;
    for (let next = await lines.next(); !next.done; next = await lines.next()) {
      lineNumber++;
      const line = next.value;
      if (ended) {
        if (line.trim() !== '') fail('text after the end of the document');
        continue;
      }
      if (table === undefined) {
        if (line === '}}') {
          ended = true;
          continue;
        }
        const m = TABLE_LINE.exec(line) ?? fail('expected a table ("name":[) or the end of the document (}})');
        const name = JSON.parse(m[1]!) as string;
        if (m[2]) yield { table: name, rows: [] };
        else table = name;
        continue;
      }
      if (TABLE_END.test(line)) {
        yield { table, rows };
        table = undefined;
        rows = [];
        continue;
      }
      let row: unknown;
      try {
        row = JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line);
      } catch {
        fail(`table ${table}: a row is not valid JSON`);
      }
      rows.push(row as SnapshotRow);
      if (rows.length >= SNAPSHOT_BATCH_ROWS) {
        yield { table, rows };
        rows = [];
      }
    }
    if (!ended) fail('the document ends early (truncated file?)');
  }
  return { header, batches: batches(), close };
}

async function wholeDocument(file: string): Promise<OpenedSnapshot> {
  let doc: unknown;
  try {
    doc = JSON.parse(await fs.promises.readFile(file, 'utf8'));
  } catch (err) {
    throw new SnapshotImportError(`not a JSON document: ${(err as Error).message}`);
  }
  const { tables, ...header } = (typeof doc === 'object' && doc !== null ? doc : {}) as { tables?: unknown };
  async function* batches(): AsyncGenerator<SnapshotBatch> {
    if (typeof tables !== 'object' || tables === null || Array.isArray(tables)) throw new SnapshotImportError('the snapshot has no "tables" object');
    for (const [table, rows] of Object.entries(tables)) {
      if (!Array.isArray(rows)) throw new SnapshotImportError(`table ${table}: its rows must be an array`);
      for (let i = 0; i < rows.length || i === 0; i += SNAPSHOT_BATCH_ROWS) yield { table, rows: rows.slice(i, i + SNAPSHOT_BATCH_ROWS) as SnapshotRow[] };
    }
  }
  return { header: doc === null || typeof doc !== 'object' ? doc : header, batches: batches(), close: () => undefined };
}

/**
 * `vcoroute state export` and `vcoroute state import` (README "Snapshots"): the store is opened as `serve`
 * opens it (--data / --database), with no server. A snapshot holds every AccessKey secret: it goes to a file
 * readable by its owner only (--output, or stdout redirected to a file), never to a terminal, never to the log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, redactDatabaseUrl, type Config, type ServeOptions } from '../config';
import { createLogger } from '../server/app';
import { openStore } from '../cli';
import { SnapshotImportError, withRetiredTablesConverted } from '../store/snapshot-tables';
import { SQLITE_FILE_NAME } from '../store/sqlite/sqlite-store';
import { checkHeader, openSnapshot, writeSnapshot, type OpenedSnapshot, type SnapshotOutput } from './document';

export interface ExportOptions extends ServeOptions {
  account?: string;
  output?: string;
}

const where = (config: Config) => (config.databaseUrl === undefined ? `sqlite, ${config.dataDir}` : `postgres, ${redactDatabaseUrl(config.databaseUrl)}`);

const summary = (counts: Record<string, number>) => {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const tables = Object.entries(counts).filter(([, n]) => n > 0).map(([t, n]) => `${t} ${n}`).join(', ');
  return `${total} rows${tables ? ` (${tables})` : ''}`;
};

export async function exportState(opts: ExportOptions): Promise<void> {
  const config = loadConfig(opts);
  if (opts.account !== undefined && !/^\d{1,32}$/.test(opts.account)) throw new Error(`invalid account ID: ${opts.account}`);
  // Exporting a mistyped directory would create an empty store there and "succeed".
  if (config.databaseUrl === undefined && !fs.existsSync(path.join(config.dataDir, SQLITE_FILE_NAME))) throw new Error(`no store in ${config.dataDir}`);
  let out: SnapshotOutput & { end?(cb: () => void): void };
  if (opts.output !== undefined) {
    // Created (or truncated) readable by its owner only: the snapshot holds secrets.
    const fd = fs.openSync(opts.output, 'w', 0o600);
    fs.fchmodSync(fd, 0o600);
    out = fs.createWriteStream('', { fd });
  } else {
    if (process.stdout.isTTY) throw new Error('a snapshot holds AccessKey secrets: redirect it to a file (> snapshot.json) or use --output FILE');
    if (fs.fstatSync(1).isFile()) fs.fchmodSync(1, 0o600);
    out = process.stdout;
  }
  const failed = new Promise<never>((_, reject) => (out as NodeJS.WritableStream).once('error', reject));
  const store = await openStore(config, createLogger(config.logLevel));
  try {
    const counts = await Promise.race([writeSnapshot(store, opts.account ?? null, out), failed]);
    if (opts.output !== undefined) await new Promise<void>((resolve) => out.end!(resolve));
    process.stderr.write(`vcoroute: exported ${summary(counts)} from ${where(config)}${opts.account ? `, account ${opts.account}` : ''}\n`);
  } catch (err) {
    // A partial document is of no use (import would refuse it as truncated): remove it.
    if (opts.output !== undefined) fs.rmSync(opts.output, { force: true });
    throw err;
  } finally {
    await store.close();
  }
}

export async function importState(file: string, opts: ServeOptions): Promise<void> {
  const config = loadConfig(opts);
  let snapshot: OpenedSnapshot | undefined;
  try {
    snapshot = await openSnapshot(file);
    const store = await openStore(config, createLogger(config.logLevel));
    try {
      const header = checkHeader(snapshot.header, await store.schemaVersion());
      const counts = await store.importSnapshot(withRetiredTablesConverted(snapshot.batches));
      process.stdout.write(`vcoroute: imported ${summary(counts)} into ${where(config)}${header.account ? ` (account ${header.account})` : ''}\n`);
    } finally {
      await store.close();
    }
  } catch (err) {
    if (err instanceof SnapshotImportError) throw new Error(`import refused, nothing changed: ${err.message}`, { cause: err });
    throw err;
  } finally {
    snapshot?.close();
  }
}

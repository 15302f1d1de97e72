/**
 * The storage backends tests run against: SQLite (temporary directory) always; PostgreSQL against the server
 * at VCOROUTE_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), each test process in
 * a fresh database it creates (vcoroute_test_<random>) and drops. Without a reachable PostgreSQL the
 * PostgreSQL suites are skipped with one line saying how to run them — unless CI=true, where that is a
 * failure.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { PostgresStore, type PostgresOptions } from '../../src/store/postgres/postgres-store';
import type { Store } from '../../src/store/store';

export const TEST_DATABASE_URL = process.env.VCOROUTE_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export type BackendName = 'sqlite' | 'postgres';

/** The backend the SDK suites use (test/helpers/server.ts): VCOROUTE_TEST_BACKEND=postgres, default sqlite. */
export function sdkTestBackend(): BackendName {
  const name = process.env.VCOROUTE_TEST_BACKEND || 'sqlite';
  if (name !== 'sqlite' && name !== 'postgres') throw new Error(`VCOROUTE_TEST_BACKEND must be sqlite or postgres, not ${name}`);
  return name;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

let probe: Promise<string | undefined> | undefined;

/**
 * undefined when PostgreSQL answers; otherwise the reason to skip its suites (printed once per process).
 * Throws under CI=true: CI must not silently skip them.
 */
export function postgresSkipReason(): Promise<string | undefined> {
  probe ??= (async () => {
    const client = new Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return undefined;
    } catch (err) {
      const why = `PostgreSQL suites skipped: no PostgreSQL at ${redact(TEST_DATABASE_URL)} (${(err as Error).message || String(err)}). ` +
        'Start one there (trust auth) or set VCOROUTE_TEST_DATABASE_URL=postgres://user@host:port/db to run them.';
      if (/^(1|true)$/i.test(process.env.CI ?? '')) throw new Error(`CI=true and ${why.replace('PostgreSQL suites skipped: n', 'n')}`, { cause: err });
      process.stderr.write(`${why}\n`);
      return why;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return probe;
}

async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `url` with its database (path) replaced. */
export function withDatabase(url: string, database: string, query?: Record<string, string>): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  for (const [k, v] of Object.entries(query ?? {})) u.searchParams.set(k, v);
  return u.toString();
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

const undropped = new Set<string>();
let exitHookInstalled = false;

async function dropDatabase(name: string): Promise<void> {
  undropped.delete(name);
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** A fresh, empty database on the test server; dropped by drop() or, at the latest, when the process exits. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `vcoroute_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  undropped.add(name);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('beforeExit', () => {
      if (undropped.size === 0) return;
      const names = [...undropped];
      undropped.clear();
      void Promise.all(names.map((n) => dropDatabase(n).catch(() => undefined)));
    });
  }
  return { name, url: withDatabase(TEST_DATABASE_URL, name), drop: () => dropDatabase(name) };
}

/** Small timeouts for tests: a broken connection shows up quickly. */
export const TEST_PG_OPTIONS: Omit<PostgresOptions, 'connectionString'> = { poolSize: 4, connectTimeoutMs: 2000, queryTimeoutMs: 5000 };

export interface StoreBackend {
  name: BackendName;
  /** set when this backend's suites are skipped */
  skip?: string;
  /** a new, empty store, independent of every other one */
  create(): Promise<Store>;
  /** a second store on the same data as `store` (another process's view: its own connection or pool) */
  twin(store: Store): Promise<Store>;
  /** releases what create() made (call once, after the suite) */
  cleanup(): Promise<void>;
}

export function sqliteBackend(): StoreBackend {
  const dirs = new Map<Store, string>();
  return {
    name: 'sqlite',
    async create() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcoroute-contract-'));
      const store = new SqliteStore(dir);
      dirs.set(store, dir);
      return store;
    },
    async twin(store) {
      const dir = dirs.get(store);
      if (!dir) throw new Error('not a store of this backend');
      return new SqliteStore(dir);
    },
    async cleanup() {
      for (const dir of dirs.values()) fs.rmSync(dir, { recursive: true, force: true });
      dirs.clear();
    },
  };
}

/** PostgreSQL: one database per process, one schema per store (search_path), so stores are independent. */
export async function postgresBackend(): Promise<StoreBackend> {
  const skip = await postgresSkipReason();
  let database: TestDatabase | undefined;
  let schemas = 0;
  const urls = new Map<Store, string>();
  return {
    name: 'postgres',
    skip,
    async create() {
      database ??= await createTestDatabase();
      const schema = `contract_${++schemas}`;
      const setup = new Client({ connectionString: database.url });
      await setup.connect();
      try {
        await setup.query(`CREATE SCHEMA ${schema}`);
      } finally {
        await setup.end();
      }
      const url = withDatabase(database.url, database.name, { options: `-c search_path=${schema}` });
      const store = await PostgresStore.open({ connectionString: url, ...TEST_PG_OPTIONS });
      urls.set(store, url);
      return store;
    },
    async twin(store) {
      const url = urls.get(store);
      if (!url) throw new Error('not a store of this backend');
      return PostgresStore.open({ connectionString: url, ...TEST_PG_OPTIONS });
    },
    async cleanup() {
      urls.clear();
      if (database) await database.drop();
      database = undefined;
    },
  };
}

/** Every backend, in a fixed order. Throws under CI=true when PostgreSQL is unreachable. */
export async function storeBackends(): Promise<StoreBackend[]> {
  return [sqliteBackend(), await postgresBackend()];
}

/**
 * The benchmark data set: 1,100,000 routes (the "1M": 10,000 × 100 plus 100,000), written straight
 * through SqliteStore (one transaction per connection, no HTTP). Deterministic, so a cached copy can be reused while its inputs are unchanged.
 *
 *   - SMALL_CONNECTIONS connections `vco-bench<n>` with 100 routes each: 50–70 custom then 30–50 BGP
 *     (VPN_BGP and CLOUD alternating); even connections are dual-tunnel, odd ones single-tunnel;
 *   - one dual-tunnel connection `vco-benchdeep` with DEEP_ROUTES custom routes.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DEV_ACCOUNT_ID } from '../src/config';
import { parseConnectionPayload, parseRoutesPayload } from '../src/admin/seed-validation';
import { Client } from 'pg';
import { SQLITE_FILE_NAME, SqliteStore } from '../src/store/sqlite/sqlite-store';
import { PostgresStore } from '../src/store/postgres/postgres-store';
import type { ConnectionRecord, Store } from '../src/store/store';

export const REGION_ID = 'cn-hangzhou';
export const SMALL_CONNECTIONS = 10_000;
export const ROUTES_PER_SMALL = 100;
export const DEEP_ROUTES = 100_000;
export const DEEP_CONNECTION_ID = 'vco-benchdeep';
const BASE_TIME = Date.UTC(2024, 0, 1);

export function smallConnectionId(i: number): string {
  return `vco-bench${String(i).padStart(5, '0')}`;
}

/** Custom routes of small connection i (50–70); the rest of its 100 routes are BGP. */
export function customCount(i: number): number {
  return 50 + (i % 21);
}

export function bgpCount(i: number): number {
  return ROUTES_PER_SMALL - customCount(i);
}

export function isDual(i: number): boolean {
  return i % 2 === 0;
}

/** Connections and routes go through the admin API's own validation, so they are stored as seeding stores them. */
function connection(connectionId: string, dual: boolean, n: number): ConnectionRecord {
  const id = connectionId.slice(4);
  return parseConnectionPayload(connectionId, {
    regionId: REGION_ID,
    state: 'attached',
    transitRouterId: `tr-bench${n % 100}`,
    createTime: BASE_TIME,
    tunnels: dual
      ? [
          { tunnelId: `tun-${id}a`, status: 'ipsec_sa_established' },
          { tunnelId: `tun-${id}b`, status: n % 4 === 0 ? 'ipsec_sa_established' : 'ike_sa_established' },
        ]
      : [],
  }, { accountId: DEV_ACCOUNT_ID, createTime: BASE_TIME });
}

/** The j-th /24 (j < 2^24), as a normalised CIDR block. */
function block24(j: number): string {
  return `${10 + (j >>> 16)}.${(j >>> 8) & 255}.${j & 255}.0/24`;
}

function customRoute(c: ConnectionRecord, j: number): Record<string, unknown> {
  const dual = c.tunnels.length === 2;
  return {
    routeEntryType: 'custom',
    routeDest: block24(j),
    weight: j % 5 === 0 ? 0 : 100,
    ...(dual && j % 3 === 0 ? { nextHopTunnelIds: [c.tunnels[j % 2]!.tunnelId] } : {}),
    createTime: BASE_TIME + j * 1000,
  };
}

function bgpRoute(j: number): Record<string, unknown> {
  return {
    routeEntryType: 'bgp',
    routeDest: `172.${16 + (j >>> 8)}.${j & 255}.0/24`,
    source: j % 2 === 0 ? 'VPN_BGP' : 'CLOUD',
    asPath: j % 2 === 0 ? [65001, 65000 + (j % 50)] : [45104],
    community: j % 3 === 0 ? '65535:65510' : '',
    createTime: BASE_TIME + j * 1000,
  };
}

/** What the data set depends on: this generator, the schema and the store's write path. */
const INPUT_FILES = [
  'bench/build-store.ts',
  'src/store/sqlite/migrations.ts',
  'src/store/sqlite/sqlite-store.ts',
  'src/store/sqlite/sqlite-routes.ts',
  'src/store/route-blocks.ts',
  'src/domain/routes.ts',
  'src/domain/vpn.ts',
  'src/admin/seed-validation.ts',
];

export function storeInputsHash(root: string): string {
  const hash = createHash('sha256');
  for (const f of INPUT_FILES) hash.update(f).update('\0').update(fs.readFileSync(path.join(root, f))).update('\0');
  return hash.digest('hex').slice(0, 16);
}

export interface BuiltStore {
  dir: string;
  file: string;
  hash: string;
  /** ms; undefined when the cached copy was reused */
  buildMs: number | undefined;
  routes: number;
}

/** Builds the store into `cacheRoot/store-<hash>` unless that copy already exists and is complete. */
export async function ensureStore(root: string, cacheRoot: string, log: (line: string) => void): Promise<BuiltStore> {
  const hash = storeInputsHash(root);
  const dir = path.join(cacheRoot, `store-${hash}`);
  const file = path.join(dir, SQLITE_FILE_NAME);
  const routes = SMALL_CONNECTIONS * ROUTES_PER_SMALL + DEEP_ROUTES;
  if (fs.existsSync(path.join(dir, 'COMPLETE'))) return { dir, file, hash, buildMs: undefined, routes };

  // Stale copies from other inputs are removed: each is a few hundred MB.
  if (fs.existsSync(cacheRoot)) {
    for (const name of fs.readdirSync(cacheRoot)) if (name.startsWith('store-')) fs.rmSync(path.join(cacheRoot, name), { recursive: true, force: true });
  }
  log(`building the 1M-route store in ${path.relative(root, dir)} (inputs ${hash}) …`);
  const t0 = performance.now();
  const store = new SqliteStore(dir);
  // Throwaway build: durability is not needed until the final checkpoint.
  store.database.pragma('synchronous = OFF');
  await load(store, 1);
  store.database.pragma('wal_checkpoint(TRUNCATE)');
  await store.close();
  const buildMs = performance.now() - t0;
  fs.writeFileSync(path.join(dir, 'COMPLETE'), `${new Date().toISOString()} ${routes} routes, built in ${Math.round(buildMs)} ms\n`);
  return { dir, file, hash, buildMs, routes };
}

/** Writes the data set through the store's own write path; `parallel` connections at a time (PostgreSQL). */
async function load(store: Store, parallel: number): Promise<void> {
  await store.upsertAccount(DEV_ACCOUNT_ID, BASE_TIME);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < SMALL_CONNECTIONS; i = next++) {
      const c = connection(smallConnectionId(i), isDual(i), i);
      await store.putConnection(c);
      const routes: Record<string, unknown>[] = [];
      for (let j = 0; j < customCount(i); j++) routes.push(customRoute(c, j));
      for (let j = 0; j < bgpCount(i); j++) routes.push(bgpRoute(j));
      await store.upsertRoutes(c.connectionId, parseRoutesPayload(c, { routes }, BASE_TIME));
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  const deep = connection(DEEP_CONNECTION_ID, true, 0);
  await store.putConnection(deep);
  const deepRoutes: Record<string, unknown>[] = [];
  for (let j = 0; j < DEEP_ROUTES; j++) deepRoutes.push(customRoute(deep, j));
  await store.upsertRoutes(DEEP_CONNECTION_ID, parseRoutesPayload(deep, { routes: deepRoutes }, BASE_TIME));
}

const PG_INPUT_FILES = [
  'src/store/postgres/migrations.ts', 'src/store/postgres/postgres-store.ts', 'src/store/postgres/postgres-vpn.ts', 'src/store/postgres/postgres-routes.ts',
];

/**
 * The same data set in a PostgreSQL database of its own (`databaseUrl` names it; it is dropped and created
 * again whenever the inputs change). A marker table records the inputs, so an unchanged database is reused.
 */
export async function ensurePostgresStore(root: string, databaseUrl: string, log: (line: string) => void): Promise<{ hash: string; buildMs: number | undefined; routes: number; sizeBytes: () => Promise<number> }> {
  const hash = createHash('sha256').update(storeInputsHash(root));
  for (const f of PG_INPUT_FILES) hash.update(f).update('\0').update(fs.readFileSync(path.join(root, f))).update('\0');
  const inputs = hash.digest('hex').slice(0, 16);
  const routes = SMALL_CONNECTIONS * ROUTES_PER_SMALL + DEEP_ROUTES;
  const url = new URL(databaseUrl);
  const dbName = decodeURIComponent(url.pathname.slice(1));
  if (!/^[a-z_][a-z0-9_]*$/.test(dbName)) throw new Error(`bench database name must be a plain identifier: ${dbName}`);
  const sizeBytes = async () => {
    const c = new Client({ connectionString: databaseUrl });
    await c.connect();
    try {
      return Number((await c.query('SELECT pg_database_size(current_database()) AS n')).rows[0].n);
    } finally {
      await c.end();
    }
  };

  const probe = new Client({ connectionString: databaseUrl });
  try {
    await probe.connect();
    const marker = await probe.query("SELECT inputs FROM bench_store WHERE inputs = $1", [inputs]).catch(() => ({ rows: [] }));
    if (marker.rows.length === 1) return { hash: inputs, buildMs: undefined, routes, sizeBytes };
  } catch {
    // no such database yet
  } finally {
    await probe.end().catch(() => undefined);
  }

  log(`building the 1M-route PostgreSQL store in database ${dbName} (inputs ${inputs}) …`);
  const t0 = performance.now();
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const maintenance = new Client({ connectionString: admin.toString() });
  await maintenance.connect();
  try {
    await maintenance.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await maintenance.query(`CREATE DATABASE ${dbName}`);
  } finally {
    await maintenance.end();
  }
  const store = await PostgresStore.open({ connectionString: databaseUrl, poolSize: 8, queryTimeoutMs: 120_000 });
  try {
    await load(store, 8);
  } finally {
    await store.close();
  }
  const done = new Client({ connectionString: databaseUrl });
  await done.connect();
  try {
    await done.query('CREATE TABLE bench_store (inputs TEXT PRIMARY KEY)');
    await done.query('INSERT INTO bench_store VALUES ($1)', [inputs]);
  } finally {
    await done.end();
  }
  return { hash: inputs, buildMs: performance.now() - t0, routes, sizeBytes };
}

/** Bytes on disk of a store directory (database, WAL and shared-memory files). */
export function storeSize(dir: string): number {
  let total = 0;
  for (const name of fs.readdirSync(dir)) if (name.startsWith(SQLITE_FILE_NAME)) total += fs.statSync(path.join(dir, name)).size;
  return total;
}

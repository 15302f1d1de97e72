/**
 * Route-change history (issue 12, "Performance"):
 *   - read: a filtered page (MaxResults 20) of a connection with 1,000,000 recorded changes, several filters,
 *     p50 / p99 over repeated reads through readRouteChanges (store query + event shaping); target ≤ 50 ms;
 *   - write, routes per second with recording on and off (--route-history off), alternating runs on fresh stores;
 *     target: recording costs ≤ 10 %. As users write routes: custom routes through the API with the official SDK,
 *     and BGP learning end to end from a real BIRD (bench/bgp-learn.ts). At the store alone (no server around it,
 *     so the history's share of the store's own work): one route per transaction, and BGP flushes of 1,000 rows.
 *
 *   node --import tsx bench/route-history.ts [--store sqlite|postgres] [--events 1000000] [--database postgres://…]
 *     [--only reads|writes|user-writes|store-writes]
 * Also run by `npm run bench` (scenario h).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { Client } from 'pg';
import { routeKey } from '../src/domain/routes';
import { parseListRequest, readRouteChanges } from '../src/history';
import { PostgresStore } from '../src/store/postgres/postgres-store';
import { SqliteStore } from '../src/store/sqlite/sqlite-store';
import type { ConnectionRecord, KeyedRoute, RouteRecord, Store } from '../src/store/store';
import Vpc, * as $Vpc from '@alicloud/vpc20160428';
import { DEV_ACCESS_KEY_ID, DEV_ACCESS_KEY_SECRET, loadConfig } from '../src/config';
import { createLogger, startServer } from '../src/server/app';

const execFileAsync = promisify(execFile);
const CONNECTION = 'vco-historybench0001';
const T0 = 1_700_000_000_000;
const log = (line: string) => process.stderr.write(`[route-history] ${line}\n`);

export interface HistoryBenchOptions {
  store: 'sqlite' | 'postgres';
  events: number;
  database: string;
  /**
   * reads, writes, or both (default); user-writes: the writes as users make them (API, BGP end to end);
   * store-writes: the writes at the store alone (no server: quicker A/B runs of the store's share)
   */
  only?: 'reads' | 'writes' | 'user-writes' | 'store-writes';
}

export interface HistoryBenchResult {
  backend: string;
  events: number;
  buildS: number;
  reads: { name: string; p50: number; p99: number; rows: number }[];
  /** scope: 'user' — route writes as users make them (API, BGP); 'store' — the store's own work alone, the history's share of it */
  writes: { name: string; scope: 'user' | 'store'; on: number; off: number; cost: number }[];
}

function connection(id: string): ConnectionRecord {
  return {
    connectionId: id, accountId: '1000000000000001', regionId: 'cn-hangzhou', state: 'attached', pendingState: null, pendingUntil: null,
    transitRouterId: 'tr-bench', customerGatewayId: null, createTime: T0, tunnels: [], attributes: {} as ConnectionRecord['attributes'],
  };
}

/** Route i of a mix: 60 % learned (VPN_BGP), 20 % CLOUD, 20 % custom, spread over 10.0.0.0/8 as /24s. */
function route(i: number): KeyedRoute {
  const dest = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`;
  const kind = i % 5;
  const r: RouteRecord = kind < 3
    ? { routeEntryType: 'bgp', routeDest: dest, nextHop: CONNECTION, weight: 100, source: 'VPN_BGP', asPath: [65001, 64512 + (i % 7)], community: '65535:65510',
      nextHopTunnelIds: ['tun-bench1', 'tun-bench2'], createTime: T0 + i }
    : kind === 3
      ? { routeEntryType: 'bgp', routeDest: dest, nextHop: CONNECTION, weight: 100, source: 'CLOUD', asPath: [45104], community: '', nextHopTunnelIds: null, createTime: T0 + i }
      : { routeEntryType: 'custom', routeDest: dest, nextHop: CONNECTION, weight: 100, source: null, asPath: null, community: null, nextHopTunnelIds: null, createTime: T0 + i };
  return { key: routeKey(r), route: r };
}

async function freshStore(o: HistoryBenchOptions, name: string): Promise<{ store: Store; dispose(): Promise<void> }> {
  if (o.store === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `vcoroute-${name}-`));
    const store = new SqliteStore(dir);
    return { store, dispose: async () => { await store.close().catch(() => undefined); fs.rmSync(dir, { recursive: true, force: true }); } };
  }
  const db = await freshDatabase(o, name);
  const store = await PostgresStore.open({ connectionString: db.url, poolSize: 4, queryTimeoutMs: 600_000 });
  return { store, dispose: async () => { await store.close().catch(() => undefined); await db.drop(); } };
}

/** An empty PostgreSQL database for one run, and how to drop it. */
async function freshDatabase(o: HistoryBenchOptions, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const db = `vcoroute_bench_${name.replace(/-/g, '_')}`;
  const admin = new URL(o.database);
  admin.pathname = '/postgres';
  const run = async (statements: string[]) => {
    const maintenance = new Client({ connectionString: admin.toString() });
    await maintenance.connect();
    try {
      for (const statement of statements) await maintenance.query(statement);
    } finally {
      await maintenance.end();
    }
  };
  await run([`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`, `CREATE DATABASE ${db}`]);
  const url = new URL(o.database);
  url.pathname = `/${db}`;
  return { url: url.toString(), drop: () => run([`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`]) };
}

/** `events` changes: half the routes added in batches, then the same removed (vco_routes ends empty). */
async function buildHistory(store: Store, events: number): Promise<void> {
  await store.putConnection(connection(CONNECTION));
  const routes = Math.floor(events / 2);
  const BATCH = 10_000;
  for (let i = 0; i < routes; i += BATCH) {
    await store.upsertRoutes(CONNECTION, Array.from({ length: Math.min(BATCH, routes - i) }, (_, j) => route(i + j)));
  }
  for (const type of ['custom', 'bgp'] as const) await store.deleteRoutes(CONNECTION, { routeEntryType: type });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function timeReads(store: Store, params: Record<string, string>, runs: number): Promise<{ p50: number; p99: number; rows: number }> {
  const req = parseListRequest({ MaxResults: '20', ...params });
  let rows = 0;
  for (let i = 0; i < 5; i++) rows = (await readRouteChanges(store, CONNECTION, req)).events.length; // warm-up
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await readRouteChanges(store, CONNECTION, req);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 0.5), p99: percentile(ms, 0.99), rows };
}

/** Routes written per second: `n` single-route API writes (insert, then delete), or BGP flushes of 1,000 rows (add, then withdraw). */
async function writeRate(o: HistoryBenchOptions, kind: 'custom' | 'bgp', record: boolean, n: number): Promise<number> {
  const { store, dispose } = await freshStore(o, `history-writes-${kind}`);
  try {
    store.setRouteChangeRecording(record);
    await store.putConnection(connection(CONNECTION));
    const t = performance.now();
    if (kind === 'custom') {
      for (let i = 0; i < n; i++) {
        const r = route(i * 5 + 4); // custom
        await store.insertRoute(CONNECTION, r, { whenState: 'attached' });
      }
      for (let i = 0; i < n; i++) await store.deleteRoutes(CONNECTION, { routeEntryType: 'custom', routeKey: route(i * 5 + 4).key }, { whenState: 'attached' });
    } else {
      await store.claimBgpSession({ connectionId: CONNECTION, tunnelId: 'tun-bench1', holder: 'srv-bench', leaseExpiresAt: Date.now() + 3_600_000, state: 'Established',
        peerAsn: 65001, peerAddress: '127.0.0.2', establishedAt: T0, prefixesReceived: 0, prefixesAccepted: 0, prefixesAdvertised: 0 }, Date.now());
      const learned = (i: number) => route(i * 5); // VPN_BGP
      const origins = new Map<string, { cause: 'bgp-update' | 'bgp-withdraw'; tunnelId: string }>();
      for (let i = 0; i < n; i += 1000) {
        const batch = Array.from({ length: Math.min(1000, n - i) }, (_, j) => learned(i + j));
        for (const b of batch) origins.set(b.key, { cause: 'bgp-update', tunnelId: 'tun-bench1' });
        await store.writeBgpRoutes(CONNECTION, 'srv-bench', batch, [], Date.now(), origins);
      }
      for (let i = 0; i < n; i += 1000) {
        const keys = Array.from({ length: Math.min(1000, n - i) }, (_, j) => learned(i + j).key);
        await store.writeBgpRoutes(CONNECTION, 'srv-bench', [], keys, Date.now());
      }
    }
    return (2 * n) / ((performance.now() - t) / 1000);
  } finally {
    await dispose();
  }
}

/**
 * Custom-route writes through the API (what a user sees): `workers` official SDK clients, each on its own
 * connection, creating then deleting `perWorker` routes, against an in-process server with recording on or off.
 */
async function apiWriteRate(o: HistoryBenchOptions, record: boolean, workers: number, perWorker: number): Promise<number> {
  const { store, dispose } = await freshStore(o, 'history-api');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcoroute-history-api-'));
  const config = loadConfig({ host: '127.0.0.1', port: 0, data: dataDir, changeDelayMs: 0, routeHistory: record ? 'on' : 'off' }, {});
  const server = await startServer(config, store, createLogger('silent'));
  try {
    const ids = Array.from({ length: workers }, (_, w) => `vco-historyapi${w}`);
    for (const id of ids) await store.putConnection(connection(id));
    const client = () => new (Vpc as any)({ accessKeyId: DEV_ACCESS_KEY_ID, accessKeySecret: DEV_ACCESS_KEY_SECRET, endpoint: server.endpoint, protocol: 'http',
      regionId: 'cn-hangzhou' }) as Vpc;
    const t = performance.now();
    await Promise.all(ids.map(async (id, w) => {
      const vpc = client();
      const dest = (i: number) => `10.${w}.${(i >> 8) & 255}.${i & 255}/32`;
      for (let i = 0; i < perWorker; i++) {
        await vpc.createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({ regionId: 'cn-hangzhou', vpnConnectionId: id, routeDest: dest(i), nextHop: id, weight: 100 }));
      }
      for (let i = 0; i < perWorker; i++) {
        await vpc.deleteVcoRouteEntry(new $Vpc.DeleteVcoRouteEntryRequest({ regionId: 'cn-hangzhou', vpnConnectionId: id, routeDest: dest(i), nextHop: id, weight: 100 }));
      }
    }));
    return (2 * workers * perWorker) / ((performance.now() - t) / 1000);
  } finally {
    await server.close(); // closes the store
    fs.rmSync(dataDir, { recursive: true, force: true });
    await dispose().catch(() => undefined);
  }
}

/**
 * BGP learning end to end, what a user of the speaker sees: bench/bgp-learn.ts in a child process (a real BIRD
 * announcing `prefixes` over one tunnel to a vcoroute server process on this backend, recording on or off);
 * routes per second from the first prefix received to all of them listed by DescribeVcoRouteEntries.
 */
async function bgpLearnRate(o: HistoryBenchOptions, record: boolean, prefixes: number): Promise<number> {
  const out = path.join(os.tmpdir(), `vcoroute-history-learn-${process.pid}.json`);
  const env: NodeJS.ProcessEnv = { ...process.env, VCOROUTE_ROUTE_HISTORY: record ? 'on' : 'off' };
  const db = o.store === 'postgres' ? await freshDatabase(o, 'history-learn') : undefined;
  if (db) env.VCOROUTE_DATABASE_URL = db.url;
  try {
    await execFileAsync(process.execPath, ['--import', 'tsx', 'bench/bgp-learn.ts', '--prefixes', String(prefixes), '--out', out],
      { cwd: path.resolve(__dirname, '..'), env, maxBuffer: 16 << 20 });
    const result = JSON.parse(fs.readFileSync(out, 'utf8')) as { firstToListedSeconds: number };
    return prefixes / result.firstToListedSeconds;
  } finally {
    fs.rmSync(out, { force: true });
    await db?.drop();
  }
}

export async function runHistoryBench(o: HistoryBenchOptions): Promise<HistoryBenchResult> {
  const result: HistoryBenchResult = { backend: o.store, events: o.events, buildS: 0, reads: [], writes: [] };

  if (o.only === undefined || o.only === 'reads') await measureReads(o, result);
  if (o.only !== 'reads') await measureWrites(o, result);
  return result;
}

async function measureReads(o: HistoryBenchOptions, result: HistoryBenchResult): Promise<void> {
  const { store, dispose } = await freshStore(o, 'history-reads');
  try {
    log(`${o.store}: recording ${o.events.toLocaleString('en')} changes …`);
    const t = performance.now();
    await buildHistory(store, o.events);
    result.buildS = (performance.now() - t) / 1000;
    // As autovacuum would after a bulk load: the planner reads with statistics (SQLite keeps its default plans).
    if (store instanceof PostgresStore) await (store as unknown as { db: { query(sql: string): Promise<unknown> } }).db.query('VACUUM ANALYZE vco_route_change_batches, vco_route_change_lines');
    const last = o.events;
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const reads: [string, Record<string, string>][] = [
      ['newest page, no filter', {}],
      ['Source=VPN_BGP', { Source: 'VPN_BGP' }],
      ['RouteEntryType=custom', { RouteEntryType: 'custom' }],
      ['DestinationCidrBlock=10.1.0.0/16 (1/8 of the routes)', { DestinationCidrBlock: '10.1.0.0/16' }],
      ['DestinationCidrBlock=10.1.2.0/24 + Source=CLOUD (a handful)', { DestinationCidrBlock: '10.1.2.0/24', Source: 'CLOUD' }],
      ['StartTime/EndTime (the last minute)', { StartTime: iso(now - 60_000), EndTime: iso(now + 60_000) }],
      ['AfterEventId = middle (resume, ascending)', { AfterEventId: String(Math.floor(last / 2)) }],
      ['Source=CUSTOM, AfterEventId = middle', { Source: 'CUSTOM', AfterEventId: String(Math.floor(last / 2)) }],
    ];
    for (const [name, params] of reads) {
      const r = await timeReads(store, params, 200);
      result.reads.push({ name, ...r });
      log(`${name}: p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms (${r.rows} rows)`);
    }
  } finally {
    await dispose();
  }
}

type Measure = [name: string, scope: 'user' | 'store', measure: (record: boolean) => Promise<number>];

async function measureWrites(o: HistoryBenchOptions, result: HistoryBenchResult): Promise<void> {
  const ROUNDS = o.store === 'sqlite' ? 5 : 3;
  const custom = o.store === 'sqlite' ? 20_000 : 5_000;
  const measures: Measure[] = [
    ['custom-route writes through the API (CreateVcoRouteEntry + DeleteVcoRouteEntry, 4 SDK clients, 2,000 routes each)', 'user',
      (record) => apiWriteRate(o, record, 4, 1000)],
    ['BGP learning end to end (a real BIRD announces 100,000 prefixes to a server process; first received → all listed)', 'user',
      (record) => bgpLearnRate(o, record, 100_000)],
    [`custom-route writes at the store alone (insertRoute / deleteRoutes, 1 route per transaction), ${custom.toLocaleString('en')} routes`, 'store',
      (record) => writeRate(o, 'custom', record, custom)],
    ['BGP flushes at the store alone (writeBgpRoutes, 1,000 rows per transaction), 100,000 routes learned + withdrawn', 'store',
      (record) => writeRate(o, 'bgp', record, 100_000)],
  ];
  const wanted = o.only === 'user-writes' ? 'user' : o.only === 'store-writes' ? 'store' : undefined;
  for (const [name, scope, measure] of measures.filter(([, scope]) => wanted === undefined || scope === wanted)) {
    const rounds = scope === 'user' ? 3 : ROUNDS; // the end-to-end runs take 10-30 s each
    const on: number[] = [];
    const off: number[] = [];
    for (let round = 0; round < rounds; round++) {
      // alternate the order: neither setting always runs on a warmer (or busier) machine
      for (const record of round % 2 === 0 ? [true, false] : [false, true]) (record ? on : off).push(await measure(record));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const row = { name, scope, on: median(on), off: median(off), cost: 1 - median(on) / median(off) };
    result.writes.push(row);
    log(`${row.name}: ${row.on.toFixed(0)} routes/s recording, ${row.off.toFixed(0)} off (cost ${(row.cost * 100).toFixed(1)} %)`);
  }
}

export function historyTable(r: HistoryBenchResult): string[] {
  return [
    `Route-change history, ${r.backend} store, ${r.events.toLocaleString('en')} changes of one connection (recorded in ${r.buildS.toFixed(0)} s):`,
    '',
    '| Filtered page (MaxResults 20) | p50 ms | p99 ms | rows | ≤ 50 ms |',
    '|---|--:|--:|--:|:-:|',
    ...r.reads.map((x) => `| ${x.name} | ${x.p50.toFixed(2)} | ${x.p99.toFixed(2)} | ${x.rows} | ${x.p99 <= 50 ? 'yes' : 'NO'} |`),
    '',
    '| Writes | scope | routes/s recording | routes/s off | cost | ≤ 10 % |',
    '|---|---|--:|--:|--:|:-:|',
    ...r.writes.map((x) => `| ${x.name} | ${x.scope === 'user' ? 'as users write' : 'store alone'} | ${x.on.toFixed(0)} | ${x.off.toFixed(0)} | ${(x.cost * 100).toFixed(1)} % | ${x.cost <= 0.1 ? 'yes' : 'NO'} |`),
  ];
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      store: { type: 'string', default: 'sqlite' },
      events: { type: 'string', default: '1000000' },
      database: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/vcoroute_bench' },
      only: { type: 'string' },
    },
  });
  runHistoryBench({ store: values.store as 'sqlite' | 'postgres', events: Number(values.events), database: values.database!,
    only: values.only as HistoryBenchOptions['only'] })
    .then((r) => process.stdout.write(historyTable(r).join('\n') + '\n'))
    .catch((err: unknown) => {
      process.stderr.write(`[route-history] failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    });
}

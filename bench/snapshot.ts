/**
 * State snapshots at scale (BENCHMARKS.md "State snapshots"): one dual-tunnel connection with N routes (default
 * 100,000: 80 % custom, 20 % BGP with AS paths and communities) written through the store, then the real CLI:
 * `vcoroute state export` from SQLite, `state import` into a fresh SQLite directory and a fresh PostgreSQL
 * database, `state export` from PostgreSQL. Wall time and peak RSS (/usr/bin/time) of each command, the
 * document's size, and a check that the re-exported documents equal the first.
 *
 *   node --import tsx bench/snapshot.ts [--routes 100000] [--database postgres://postgres@127.0.0.1:5432/postgres]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { routeKey } from '../src/domain/routes';
import { SqliteStore } from '../src/store/sqlite/sqlite-store';
import type { ConnectionRecord, KeyedRoute, RouteRecord } from '../src/store/store';

const { values } = parseArgs({ options: { routes: { type: 'string', default: '100000' }, database: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' } } });
const N = Number(values.routes);
const REPO = path.resolve(__dirname, '..');
const log = (line: string) => process.stderr.write(`[snapshot] ${line}\n`);

function route(i: number): KeyedRoute {
  const bgp = i % 5 === 4;
  const r: RouteRecord = {
    routeEntryType: bgp ? 'bgp' : 'custom', routeDest: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`, nextHop: 'vco-bench', weight: i % 2 ? 0 : 100,
    source: bgp ? 'CLOUD' : null, asPath: bgp ? [65001, 64512 + (i % 100)] : null, community: bgp ? '65001:100' : null,
    nextHopTunnelIds: i % 7 === 0 ? ['tun-bench1'] : null, createTime: 1_700_000_000_000 + i,
  };
  return { key: routeKey(r), route: r };
}

async function build(dir: string): Promise<void> {
  const store = new SqliteStore(dir);
  await store.upsertAccount('1000000000000001', 1_700_000_000_000);
  const tunnel = (id: string, index: number) => ({ tunnelId: id, tunnelIndex: index, status: 'ipsec_sa_established', customerGatewayId: null, options: {} as never });
  const connection: ConnectionRecord = {
    connectionId: 'vco-bench', accountId: '1000000000000001', regionId: 'cn-hangzhou', state: 'attached', pendingState: null, pendingUntil: null,
    transitRouterId: 'tr-bench', customerGatewayId: null, createTime: 1_700_000_000_000, tunnels: [tunnel('tun-bench1', 1), tunnel('tun-bench2', 2)],
    attributes: { name: 'bench', tags: [] } as unknown as ConnectionRecord['attributes'],
  };
  await store.putConnection(connection);
  for (let i = 0; i < N; i += 10_000) await store.upsertRoutes('vco-bench', Array.from({ length: Math.min(10_000, N - i) }, (_, j) => route(i + j)));
  await store.close();
}

/** Runs the CLI under /usr/bin/time: seconds and peak RSS (MiB). */
function timed(args: string[]): { seconds: number; maxRssMib: number } {
  const out = path.join(os.tmpdir(), `vcoroute-bench-time-${process.pid}`);
  execFileSync('/usr/bin/time', ['-o', out, '-f', '%e %M', process.execPath, '--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, VCOROUTE_LOG_LEVEL: 'warn' },
  });
  const [seconds, kib] = fs.readFileSync(out, 'utf8').trim().split(/\s+/).map(Number);
  return { seconds: seconds!, maxRssMib: Math.round(kib! / 1024) };
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: values.database });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vcoroute-bench-snapshot-'));
  const source = path.join(work, 'source');
  const t = Date.now();
  await build(source);
  log(`built ${N} routes in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const file = path.join(work, 'snapshot.json');
  const results: Record<string, unknown> = { routes: N };
  // Baseline: the same CLI opening the same store and printing its help-free minimum (the cost of starting node + tsx).
  results.startup = timed(['state', 'export', '--data', path.join(work, 'empty'), '--output', path.join(work, 'empty.json')]);
  results.exportSqlite = timed(['state', 'export', '--data', source, '--output', file]);
  results.documentMib = +(fs.statSync(file).size / 1024 / 1024).toFixed(1);
  results.importSqlite = timed(['state', 'import', file, '--data', path.join(work, 'target')]);
  const database = `vcoroute_bench_snapshot_${process.pid}`;
  await admin(`CREATE DATABASE ${database}`);
  try {
    const url = new URL(values.database);
    url.pathname = `/${database}`;
    results.importPostgres = timed(['state', 'import', file, '--database', url.toString()]);
    const again = path.join(work, 'again.json');
    results.exportPostgres = timed(['state', 'export', '--database', url.toString(), '--output', again]);
    const strip = (f: string) => fs.readFileSync(f, 'utf8').replace(/"exportedAt":"[^"]*"/, '');
    results.sameDocument = strip(again) === strip(file);
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
  fs.rmSync(work, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

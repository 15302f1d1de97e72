/**
 * `npm run bench`: DescribeVcoRouteEntries throughput and latency at 1,000,000 routes, against this
 * machine's own ceiling measured in the same run (issue 6; method in BENCHMARKS.md); then the web console's
 * route-table page on a 100,000-route connection in headless Chromium (scenario `console`, bench/console-page.ts).
 *
 *   npm run bench [-- --duration 10 --warmup 2 --connections 16 --scenarios a,b,c,d,r,h,console --profile]
 * (h: the route-change history, bench/route-history.ts, run after the HTTP scenarios)
 *   npm run bench -- --store postgres [--database postgres://postgres@127.0.0.1:5432/vcoroute_bench]
 *
 * Writes bench/results/latest.json and prints a Markdown table.
 */
import autocannon from 'autocannon';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEV_ACCESS_KEY_ID, DEV_ACCESS_KEY_SECRET } from '../src/config';
import {
  DEEP_CONNECTION_ID, DEEP_ROUTES, REGION_ID, SMALL_CONNECTIONS, bgpCount, customCount, ensurePostgresStore, ensureStore, smallConnectionId, storeSize,
} from './build-store';
import Ram, * as $Ram from '@alicloud/ram20150501';
import { consoleBenchLines, measureConsolePage } from './console-page';
import { summariseProfile } from './profile-summary';
import { NonceSource, signV1Get, signV3, timestamp, type Credentials, type SignedRequest } from './signing';
import { historyTable, runHistoryBench } from './route-history';

const ROOT = path.resolve(__dirname, '..');
const CACHE = path.join(ROOT, 'bench', '.cache');
const RESULTS = path.join(ROOT, 'bench', 'results');
const PAGE_SIZE = 50;
const ACTION = 'DescribeVcoRouteEntries';
const VERSION = '2016-04-28';
const CREDS: Credentials = { accessKeyId: DEV_ACCESS_KEY_ID, accessKeySecret: DEV_ACCESS_KEY_SECRET };

const TARGETS = { deepP99OverPage1P99: 1.5, p99OverP50: 3, startMs: 1000, rssMB: 256 };
/** Ratio-to-ceiling targets of (a) and (b) per backend (issue 13). */
const THROUGHPUT_TARGETS = { sqlite: { a: 0.4, b: 0.6 }, postgres: { a: 0.3, b: 0.4 } } as const;

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '16' },
    scenarios: { type: 'string', default: 'a,b,c,d,r,h,console' },
    profile: { type: 'boolean', default: false },
    store: { type: 'string', default: 'sqlite' },
    database: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/vcoroute_bench' },
    /** server processes on the one store; the load generator spreads its connections over them */
    servers: { type: 'string', default: '1' },
  },
});
const DURATION_S = Number(opts.duration);
const WARMUP_S = Number(opts.warmup);
const CONNECTIONS = Number(opts.connections);
const SERVERS = Math.max(1, Number(opts.servers));

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

// ---------------------------------------------------------------- scenarios

interface Scenario {
  id: string;
  name: string;
  signature: string;
  /** one freshly signed request for the target at `host` */
  make(host: string, nonces: NonceSource, date: string): SignedRequest;
  /** sanity check of a vcoroute answer */
  check(body: any): string | undefined;
}

const randomSmall = () => Math.floor(Math.random() * SMALL_CONNECTIONS);
const pageQuery = (connectionId: string, page: number, type?: string) => ({
  PageNumber: String(page),
  PageSize: String(PAGE_SIZE),
  RegionId: REGION_ID,
  ...(type === undefined ? {} : { RouteEntryType: type }),
  VpnConnectionId: connectionId,
});
const entries = (n: number) => (body: any) =>
  Array.isArray(body?.VcoRouteEntries) && body.VcoRouteEntries.length === n ? undefined : `expected ${n} entries`;

/** Scenario (r): a RAM user's key, created through the official RAM SDK once the server is up. */
let ramUser: Credentials | undefined;

const SCENARIOS: Scenario[] = [
  {
    id: 'a',
    name: 'page 1, random small connection',
    signature: 'V3 POST',
    make: (host, nonces, date) => signV3(CREDS, host, ACTION, VERSION, pageQuery(smallConnectionId(randomSmall()), 1), nonces.next(), date),
    check: entries(PAGE_SIZE),
  },
  {
    id: 'b',
    name: `last page (${DEEP_ROUTES / PAGE_SIZE}) of the ${DEEP_ROUTES.toLocaleString('en')}-route connection`,
    signature: 'V3 POST',
    make: (host, nonces, date) => signV3(CREDS, host, ACTION, VERSION, pageQuery(DEEP_CONNECTION_ID, DEEP_ROUTES / PAGE_SIZE), nonces.next(), date),
    check: (body) => entries(PAGE_SIZE)(body) ?? (body.TotalCount === DEEP_ROUTES ? undefined : `expected TotalCount ${DEEP_ROUTES}`),
  },
  {
    id: 'c',
    name: 'RouteEntryType=bgp page 1, random small connection',
    signature: 'V3 POST',
    make: (host, nonces, date) => signV3(CREDS, host, ACTION, VERSION, pageQuery(smallConnectionId(randomSmall()), 1, 'bgp'), nonces.next(), date),
    check: (body) => {
      const n = body?.VcoRouteEntries?.length as number | undefined;
      return n !== undefined && n >= bgpCount(20) && n <= bgpCount(0) && body.VcoRouteEntries[0].RouteEntryType === 'bgp' ? undefined : 'expected BGP entries';
    },
  },
  {
    id: 'd',
    name: 'page 1, random small connection',
    signature: 'V1 GET',
    make: (host, nonces, date) => {
      const { PageNumber, PageSize, RegionId, VpnConnectionId } = pageQuery(smallConnectionId(randomSmall()), 1);
      return signV1Get(CREDS, host, ACTION, VERSION, { PageNumber, PageSize, RegionId, VpnConnectionId }, nonces.next(32), date);
    },
    check: (body) => entries(Math.min(PAGE_SIZE, customCount(0)))(body),
  },
  {
    id: 'r',
    name: 'as (a), by a RAM user with AliyunVPCReadOnlyAccess',
    signature: 'V3 POST',
    make: (host, nonces, date) => signV3(ramUser!, host, ACTION, VERSION, pageQuery(smallConnectionId(randomSmall()), 1), nonces.next(), date),
    check: entries(PAGE_SIZE),
  },
];

/** A RAM user with the system policy AliyunVPCReadOnlyAccess and an AccessKey, through the official RAM SDK. */
async function createRamUser(port: number): Promise<Credentials> {
  const ram = new (Ram as any)({ ...CREDS, endpoint: `127.0.0.1:${port}`, protocol: 'http', regionId: REGION_ID }) as Ram;
  const userName = `bench-${Date.now().toString(36)}`;
  await ram.createUser(new $Ram.CreateUserRequest({ userName }));
  await ram.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ userName, policyType: 'System', policyName: 'AliyunVPCReadOnlyAccess' }));
  const key = (await ram.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName }))).body!.accessKey!;
  return { accessKeyId: key.accessKeyId!, accessKeySecret: key.accessKeySecret! };
}

// ---------------------------------------------------------------- processes and HTTP

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const agent = new http.Agent({ keepAlive: false });

function send(port: number, req: SignedRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port, method: req.method, path: req.path, headers: req.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end();
  });
}

function procStatus(pid: number): { rssKB: number; hwmKB: number } {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rssKB: kb('VmRSS'), hwmKB: kb('VmHWM') };
}

/** CPU seconds (user + system) a process has used so far. */
function procCpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** dist/ must reflect src/: rebuild when any source file is newer than the compiled CLI. */
function ensureDist(): void {
  const cli = path.join(ROOT, 'dist', 'cli.js');
  const newest = (dir: string): number =>
    fs.readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = path.join(dir, e.name);
      return Math.max(m, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
    }, 0);
  if (fs.existsSync(cli) && fs.statSync(cli).mtimeMs >= newest(path.join(ROOT, 'src'))) return;
  log('building dist/ (npm run build) …');
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  } catch (err) {
    // tsc still emits on type errors; a tree mid-edit can be measured, but say so.
    if (!fs.existsSync(cli)) throw err;
    log('WARNING: the build reported type errors; measuring what it emitted');
  }
}

interface StartedServer {
  child: ChildProcess;
  port: number;
  startMs: number;
}

/** The real server, as users start it; "started" = the first signed request answered 200. */
async function startVcoroute(storeArgs: string[], profileDir: string | undefined): Promise<StartedServer> {
  const port = await freePort();
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VCOROUTE_')));
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const t0 = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'bin', 'vcoroute.js'), 'serve', '--port', String(port), ...storeArgs], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => { stderr = (stderr + c.toString()).slice(-4000); });
  const nonces = new NonceSource();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vcoroute exited with ${child.exitCode}: ${stderr}`);
    try {
      const res = await send(port, SCENARIOS[0]!.make(`127.0.0.1:${port}`, nonces, timestamp()));
      if (res.status === 200) return { child, port, startMs: performance.now() - t0 };
      throw new Error(`vcoroute answered ${res.status}: ${res.body}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNREFUSED') throw err;
      if (performance.now() - t0 > 30_000) throw new Error(`vcoroute did not start: ${stderr}`, { cause: err });
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

async function startCeiling(bodyFile: string): Promise<StartedServer> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'ceiling-server.ts'), String(port), bodyFile], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => { if (c.toString().includes('ready')) resolve(); });
    child.once('exit', (code) => reject(new Error(`ceiling server exited with ${code}`)));
  });
  return { child, port, startMs: performance.now() - t0 };
}

// ---------------------------------------------------------------- load

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  /** CPU the target used during the measured window, in cores (1.0 = one core busy) */
  targetCpu: number;
  /** CPU the load generator (this process) used, in cores */
  clientCpu: number;
  /** every 2xx latency, sorted (to merge runs against several servers); not written to the results */
  latencies?: Float64Array;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** One autocannon run at fixed concurrency; every request signed with a fresh nonce in setupRequest. */
function cannon(scenario: Scenario, port: number, seconds: number, record: boolean, pid: number, connections = CONNECTIONS): Promise<LoadResult> {
  const host = `127.0.0.1:${port}`;
  const nonces = new NonceSource();
  let date = timestamp();
  const dateTimer = setInterval(() => { date = timestamp(); }, 1000);
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let non2xx = 0;
  const cpu0 = procCpuSeconds(pid);
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://${host}`,
        connections,
        duration: seconds,
        requests: [{ setupRequest: (req) => ({ ...req, ...scenario.make(host, nonces, date) }) }],
      },
      (err: unknown, result: autocannon.Result) => {
        clearInterval(dateTimer);
        if (err) return reject(err);
        const elapsed = (performance.now() - t0) / 1000;
        const client = process.cpuUsage(client0);
        const sorted = latencies.subarray(0, count).sort();
        resolve({
          requests: result.requests.total,
          rps: result.requests.total / result.duration,
          p50: percentile(sorted, 50),
          p90: percentile(sorted, 90),
          p99: percentile(sorted, 99),
          max: sorted.length ? sorted[sorted.length - 1]! : NaN,
          non2xx: record ? non2xx : result.non2xx,
          errors: result.errors + result.timeouts,
          targetCpu: (procCpuSeconds(pid) - cpu0) / elapsed,
          clientCpu: (client.user + client.system) / 1e6 / elapsed,
          latencies: sorted,
        });
      },
    );
    if (record) {
      instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
        if (status < 200 || status > 299) { non2xx++; return; }
        if (count === latencies.length) {
          const bigger = new Float64Array(latencies.length * 2);
          bigger.set(latencies);
          latencies = bigger;
        }
        latencies[count++] = ms;
      });
    }
  });
}

async function measure(scenario: Scenario, targets: StartedServer[]): Promise<LoadResult> {
  // Several servers: the connections are spread over them, one load generator each, at the same time.
  const split = (i: number) => Math.floor(CONNECTIONS / targets.length) + (i < CONNECTIONS % targets.length ? 1 : 0);
  const run = (seconds: number, record: boolean) =>
    Promise.all(targets.map((t, i) => cannon(scenario, t.port, seconds, record, t.child.pid!, split(i))));
  if (WARMUP_S > 0) await run(WARMUP_S, false);
  const parts = await run(DURATION_S, true);
  const r = parts.length === 1 ? parts[0]! : merge(parts);
  delete r.latencies;
  if (r.non2xx > 0 || r.errors > 0) log(`  WARNING: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
  return r;
}

/** Runs against several servers at once, as one: summed throughput and CPU, percentiles over every latency. */
function merge(parts: LoadResult[]): LoadResult {
  const all = new Float64Array(parts.reduce((n, p) => n + p.latencies!.length, 0));
  let at = 0;
  for (const p of parts) { all.set(p.latencies!, at); at += p.latencies!.length; }
  all.sort();
  const sum = (f: (p: LoadResult) => number) => parts.reduce((n, p) => n + f(p), 0);
  return {
    requests: sum((p) => p.requests), rps: sum((p) => p.rps), p50: percentile(all, 50), p90: percentile(all, 90), p99: percentile(all, 99),
    max: all.length ? all[all.length - 1]! : NaN, non2xx: sum((p) => p.non2xx), errors: sum((p) => p.errors),
    targetCpu: sum((p) => p.targetCpu), clientCpu: parts[0]!.clientCpu,
  };
}

// ---------------------------------------------------------------- report

const mb = (kb: number) => Math.round(kb / 102.4) / 10;
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : 'n/a');
const ok = (pass: boolean) => (pass ? '✅' : '❌');

function machine() {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return { nproc: os.availableParallelism(), cpu, node: process.version, os: `${os.type()} ${os.release()}`, memoryGB: Math.round(os.totalmem() / 2 ** 30) };
}

async function main(): Promise<void> {
  const started = performance.now();
  const wanted = new Set(opts.scenarios.split(','));
  const scenarios = SCENARIOS.filter((s) => wanted.has(s.id));
  fs.mkdirSync(RESULTS, { recursive: true });

  log(`load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
  ensureDist();
  const backend = opts.store === 'postgres' ? 'postgres' : 'sqlite';
  let store: { hash: string; buildMs: number | undefined; routes: number };
  let storeBytes: number;
  let storeArgs: string[];
  // The server writes (nonces): on SQLite it runs on a scratch copy so the cached store stays as built; on
  // PostgreSQL in the bench's own database (nonces accumulate there; the data set is never changed).
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vcoroute-bench-'));
  if (backend === 'postgres') {
    const pg = await ensurePostgresStore(ROOT, opts.database, log);
    store = pg;
    storeBytes = await pg.sizeBytes();
    storeArgs = ['--database', opts.database];
  } else {
    const sqlite = await ensureStore(ROOT, CACHE, log);
    store = sqlite;
    storeBytes = storeSize(sqlite.dir);
    fs.copyFileSync(sqlite.file, path.join(work, path.basename(sqlite.file)), fs.constants.COPYFILE_FICLONE);
    storeArgs = ['--data', work];
  }
  if (store.buildMs !== undefined) log(`store built in ${(store.buildMs / 1000).toFixed(1)} s`);
  const profileDir = opts.profile ? path.join(CACHE, 'profiles', new Date().toISOString().replace(/[:.]/g, '-')) : undefined;

  log(`starting vcoroute on the ${store.routes.toLocaleString('en')}-route ${backend} store (${(storeBytes / 2 ** 20).toFixed(0)} MB) …`);
  const servers: StartedServer[] = [];
  for (let i = 0; i < SERVERS; i++) servers.push(await startVcoroute(storeArgs, profileDir));
  const server = servers[0]!;
  const afterStart = procStatus(server.child.pid!);
  log(`ready in ${server.startMs.toFixed(0)} ms, RSS ${mb(afterStart.rssKB)} MB`);
  if (scenarios.some((s) => s.id === 'r')) ramUser = await createRamUser(server.port);

  const tmpBodies = fs.mkdtempSync(path.join(os.tmpdir(), 'vcoroute-bench-body-'));
  const rows: { scenario: Scenario; bodyBytes: number; vcoroute: LoadResult; ceiling: LoadResult; rssKB: number }[] = [];
  let peakRssKB = afterStart.rssKB;
  let final: { rssKB: number; hwmKB: number };
  try {
    for (const s of scenarios) {
      // 25 checked answers; the ceiling serves the median-sized one (random connections differ in size).
      const samples: { status: number; body: string }[] = [];
      const sampleNonces = new NonceSource();
      for (let i = 0; i < 25; i++) {
        const answer = await send(server.port, s.make(`127.0.0.1:${server.port}`, sampleNonces, timestamp()));
        const problem = answer.status === 200 ? s.check(JSON.parse(answer.body)) : `status ${answer.status}: ${answer.body}`;
        if (problem) throw new Error(`scenario ${s.id}: unexpected answer (${problem}): ${answer.body.slice(0, 500)}`);
        samples.push(answer);
      }
      samples.sort((x, y) => x.body.length - y.body.length);
      const sample = samples[Math.floor(samples.length / 2)]!;
      const bodyFile = path.join(tmpBodies, `${s.id}.json`);
      fs.writeFileSync(bodyFile, sample.body);
      const bodyBytes = Buffer.byteLength(sample.body);

      log(`(${s.id}) ${s.signature} ${s.name} — vcoroute …`);
      const vcoroute = await measure(s, servers);
      const rssKB = procStatus(server.child.pid!).rssKB;
      peakRssKB = Math.max(peakRssKB, rssKB);
      log(`(${s.id})   ${vcoroute.rps.toFixed(0)} req/s, p50 ${f1(vcoroute.p50)} ms, p99 ${f1(vcoroute.p99)} ms, server CPU ${vcoroute.targetCpu.toFixed(2)}, RSS ${mb(rssKB)} MB`);

      log(`(${s.id}) ceiling (bare node:http, ${bodyBytes}-byte body) …`);
      const ceilingServer = await startCeiling(bodyFile);
      let ceiling: LoadResult;
      try {
        ceiling = await measure(s, [ceilingServer]);
      } finally {
        ceilingServer.child.kill('SIGTERM');
        await exited(ceilingServer.child);
      }
      log(`(${s.id})   ${ceiling.rps.toFixed(0)} req/s, p50 ${f1(ceiling.p50)} ms, p99 ${f1(ceiling.p99)} ms → ratio ${(vcoroute.rps / ceiling.rps).toFixed(2)}`);
      rows.push({ scenario: s, bodyBytes, vcoroute, ceiling, rssKB });
    }
  } finally {
    final = procStatus(server.child.pid!);
    for (const s of servers) s.child.kill(opts.profile ? 'SIGINT' : 'SIGTERM');
    await Promise.all(servers.map((s) => exited(s.child)));
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(tmpBodies, { recursive: true, force: true });
  }
  peakRssKB = Math.max(peakRssKB, final.rssKB);

  // ---- targets
  const byId = new Map(rows.map((r) => [r.scenario.id, r]));
  const ratio = (id: string) => { const r = byId.get(id); return r ? r.vcoroute.rps / r.ceiling.rps : NaN; };
  const deepOverPage1 = (byId.get('b')?.vcoroute.p99 ?? NaN) / (byId.get('a')?.vcoroute.p99 ?? NaN);
  const goal = THROUGHPUT_TARGETS[backend];
  const worstTail = Math.max(...rows.map((r) => r.vcoroute.p99 / r.vcoroute.p50));
  const targets = {
    throughputA: { value: ratio('a'), target: `≥ ${goal.a}`, met: ratio('a') >= goal.a },
    throughputB: { value: ratio('b'), target: `≥ ${goal.b}`, met: ratio('b') >= goal.b },
    p99OverP50: { value: worstTail, target: `≤ ${TARGETS.p99OverP50}`, met: worstTail <= TARGETS.p99OverP50 },
    deepP99OverPage1P99: { value: deepOverPage1, target: `≤ ${TARGETS.deepP99OverPage1P99}`, met: deepOverPage1 <= TARGETS.deepP99OverPage1P99 },
    startMs: { value: server.startMs, target: `≤ ${TARGETS.startMs}`, met: server.startMs <= TARGETS.startMs },
    rssMB: { value: mb(final.hwmKB), target: `≤ ${TARGETS.rssMB}`, met: mb(final.hwmKB) <= TARGETS.rssMB },
  };

  // ---- route-change history (scenario h): store and history layer, after the HTTP scenarios
  const history = wanted.has('h') ? await runHistoryBench({ store: backend, events: 1_000_000, database: opts.database }) : undefined;

  const result = {
    generatedAt: new Date().toISOString(),
    machine: machine(),
    method: { loadGenerator: `autocannon ${require('autocannon/package.json').version} (in-process)`, connections: CONNECTIONS, servers: SERVERS, warmupS: WARMUP_S, durationS: DURATION_S, pageSize: PAGE_SIZE, profiled: opts.profile },
    store: { backend, routes: store.routes, connections: SMALL_CONNECTIONS + 1, sizeBytes: storeBytes, buildMs: store.buildMs ?? null, cached: store.buildMs === undefined, inputs: store.hash },
    server: { startMs: server.startMs, rssAfterStartMB: mb(afterStart.rssKB), rssMB: mb(peakRssKB), hwmMB: mb(final.hwmKB) },
    scenarios: rows.map((r) => ({ id: r.scenario.id, name: r.scenario.name, signature: r.scenario.signature, bodyBytes: r.bodyBytes, ratio: r.vcoroute.rps / r.ceiling.rps, vcoroute: r.vcoroute, ceiling: r.ceiling, rssMB: mb(r.rssKB) })),
    targets,
    history,
    totalS: 0,
  };

  const lines = [
    `| Scenario | Signature | vcoroute req/s | p50 ms | p99 ms | ceiling req/s | ceiling p50 ms | ceiling p99 ms | ratio | body bytes | server CPU |`,
    `|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|`,
    ...rows.map((r) => `| (${r.scenario.id}) ${r.scenario.name} | ${r.scenario.signature} | ${r.vcoroute.rps.toFixed(0)} | ${f1(r.vcoroute.p50)} | ${f1(r.vcoroute.p99)} | ${r.ceiling.rps.toFixed(0)} | ${f1(r.ceiling.p50)} | ${f1(r.ceiling.p99)} | ${(r.vcoroute.rps / r.ceiling.rps).toFixed(2)} | ${r.bodyBytes} | ${r.vcoroute.targetCpu.toFixed(2)} |`),
    '',
    `| Measure | Value | Target | Met |`,
    `|---|--:|--:|:-:|`,
    `| throughput (a) / ceiling | ${f1(targets.throughputA.value)} | ${targets.throughputA.target} | ${ok(targets.throughputA.met)} |`,
    `| throughput (b) / ceiling | ${f1(targets.throughputB.value)} | ${targets.throughputB.target} | ${ok(targets.throughputB.met)} |`,
    ...(byId.has('r') && byId.has('a') ? [`| RAM user (r) / root (a), req/s | ${f1(byId.get('r')!.vcoroute.rps / byId.get('a')!.vcoroute.rps)} | | |`] : []),
    `| p99 / p50, worst row | ${f1(worstTail)} | ${targets.p99OverP50.target} | ${ok(targets.p99OverP50.met)} |`,
    `| p99 (b) / p99 (a) | ${f1(deepOverPage1)} | ${targets.deepP99OverPage1P99.target} | ${ok(targets.deepP99OverPage1P99.met)} |`,
    `| start on the 1M-route store (spawn → first signed 200), ms | ${server.startMs.toFixed(0)} | ${targets.startMs.target} | ${ok(targets.startMs.met)} |`,
    `| server RSS peak (VmHWM), MB | ${mb(final.hwmKB)} | ${targets.rssMB.target} | ${ok(targets.rssMB.met)} |`,
    `| server RSS after start / at end, MB | ${mb(afterStart.rssKB)} / ${mb(final.rssKB)} | | |`,
    `| store size on disk, MB | ${(storeBytes / 2 ** 20).toFixed(0)} | | |`,
    `| store build, s | ${store.buildMs === undefined ? 'cached' : (store.buildMs / 1000).toFixed(1)} | | |`,
    '',
    `${backend} store${SERVERS > 1 ? `, ${SERVERS} server processes (connections spread over them; the ceiling is one bare node:http process)` : ''}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')} at the end; ${result.machine.nproc} × ${result.machine.cpu}, Node ${result.machine.node}; ${CONNECTIONS} connections, ${WARMUP_S} s warm-up + ${DURATION_S} s per run; ${result.method.loadGenerator}.`,
  ];

  if (history) lines.push('', ...historyTable(history));

  if (profileDir) {
    const files = fs.existsSync(profileDir) ? fs.readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile')) : [];
    if (files.length > 0) {
      const file = path.join(profileDir, files[0]!);
      const summary = summariseProfile(file, 30);
      fs.writeFileSync(path.join(profileDir, 'summary.txt'), summary);
      lines.push('', `CPU profile: ${path.relative(ROOT, file)}`, '```', summary, '```');
    }
  }

  // The web console's route-table page on a 100,000-route connection, in headless Chromium (bench/console-page.ts).
  const consolePage = wanted.has('console') ? await measureConsolePage(100_000, 7, log) : undefined;
  if (consolePage) lines.push('', ...consoleBenchLines(consolePage));

  Object.assign(result, { console: consolePage ?? null });
  result.totalS = (performance.now() - started) / 1000;
  fs.writeFileSync(path.join(RESULTS, 'latest.json'), JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(lines.join('\n') + '\n');
  log(`done in ${result.totalS.toFixed(0)} s; bench/results/latest.json written`);
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench] failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

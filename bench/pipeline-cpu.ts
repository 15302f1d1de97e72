/**
 * Server CPU per request without HTTP or the scheduler: the POP pipeline wired as src/server/app.ts wires it
 * (metered store, metrics, the request log line to a real file descriptor, fault injector, decision log),
 * called in-process by 16 concurrent callers with requests signed ahead of time. A figure that a busy shared
 * machine disturbs far less than the HTTP benchmark's req/s (BENCHMARKS.md).
 *
 *   node --import tsx bench/pipeline-cpu.ts [--store sqlite|postgres] [--scenario a|b] [--requests 20000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEV_ACCESS_KEY_ID, DEV_ACCESS_KEY_SECRET, DEV_ACCOUNT_ID } from '../src/config';
import { createPopPipeline } from '../src/server/pipeline';
import { OperationTable } from '../src/operations';
import { createLogger } from '../src/server/app';
import { meteredStore, ServerMetrics } from '../src/metrics/metrics';
import { FaultInjector } from '../src/chaos/fault-injector';
import { DecisionLog } from '../src/policy-advice/decision-log';
import { SqliteStore } from '../src/store/sqlite/sqlite-store';
import { PostgresStore } from '../src/store/postgres/postgres-store';
import type { Store } from '../src/store/store';
import { DEEP_CONNECTION_ID, DEEP_ROUTES, REGION_ID, SMALL_CONNECTIONS, ensurePostgresStore, ensureStore, smallConnectionId } from './build-store';
import { NonceSource, signV3, timestamp } from './signing';

const ROOT = path.resolve(__dirname, '..');
const { values: opts } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    scenario: { type: 'string', default: 'b' },
    requests: { type: 'string', default: '20000' },
    database: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/vcoroute_bench' },
  },
});

async function main(): Promise<void> {
  const log = (line: string) => process.stderr.write(`[pipeline-cpu] ${line}\n`);
  let raw: Store;
  let scratch: string | undefined;
  if (opts.store === 'postgres') {
    await ensurePostgresStore(ROOT, opts.database, log);
    raw = await PostgresStore.open({ connectionString: opts.database });
  } else {
    const built = await ensureStore(ROOT, path.join(ROOT, 'bench', '.cache'), log);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vcoroute-pipeline-cpu-'));
    fs.copyFileSync(built.file, path.join(scratch, path.basename(built.file)), fs.constants.COPYFILE_FICLONE);
    raw = new SqliteStore(scratch);
  }
  // The root identity, as startServer writes it.
  await raw.upsertAccount(DEV_ACCOUNT_ID, Date.now());
  await raw.upsertAccessKey({ accessKeyId: DEV_ACCESS_KEY_ID, accountId: DEV_ACCOUNT_ID, secret: DEV_ACCESS_KEY_SECRET, status: 'Active' }, Date.now());
  const metrics = new ServerMetrics();
  const store = meteredStore(raw, metrics.storeLatency);
  const logger = createLogger('info');
  const pop = createPopPipeline({
    store, operations: new OperationTable(), logger, timestampWindowMs: 15 * 60_000, clientTokenRetentionMs: 3_600_000,
    clientTokenPendingTimeoutMs: 60_000, settings: { changeDelayMs: 0, autoAttachTransitRouterId: null, bgpSpeaker: false },
    faultInjector: new FaultInjector(store), decisionLog: new DecisionLog(),
    onOutcome: (o) => { metrics.observe(o); logger.info({ requestId: o.requestId, action: o.action, status: o.status, ms: o.latencyMs, caller: o.caller }, 'request'); },
  });
  const creds = { accessKeyId: DEV_ACCESS_KEY_ID, accessKeySecret: DEV_ACCESS_KEY_SECRET };
  const nonces = new NonceSource();
  const date = timestamp();
  const query = (): Record<string, string> => opts.scenario === 'a'
    ? { PageNumber: '1', PageSize: '50', RegionId: REGION_ID, VpnConnectionId: smallConnectionId(Math.floor(Math.random() * SMALL_CONNECTIONS)) }
    : { PageNumber: String(DEEP_ROUTES / 50), PageSize: '50', RegionId: REGION_ID, VpnConnectionId: DEEP_CONNECTION_ID };
  const total = Number(opts.requests);
  const requests = Array.from({ length: total + 2000 }, () => signV3(creds, '127.0.0.1:1', 'DescribeVcoRouteEntries', '2016-04-28', query(), nonces.next(), date));
  let next = 0;
  const run = async (count: number) => {
    const end = next + count;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < end) {
        const r = requests[next++]!;
        const answer = await pop({ method: r.method, url: r.path, headers: r.headers, body: Buffer.alloc(0), remoteAddress: '127.0.0.1' });
        if (answer.status !== 200) throw new Error(`status ${answer.status}: ${answer.body.toString().slice(0, 300)}`);
      }
    }));
  };
  await run(2000); // warm-up
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run(total);
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  const perRequest = (cpu.user + cpu.system) / total;
  process.stdout.write(`${opts.store} (${opts.scenario}): ${perRequest.toFixed(1)} µs CPU per request (user ${(cpu.user / total).toFixed(1)}, system ${(cpu.system / total).toFixed(1)}), ` +
    `${(total / (wall / 1000)).toFixed(0)} req/s in-process, load average ${os.loadavg()[0]!.toFixed(2)}\n`);
  await raw.close();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

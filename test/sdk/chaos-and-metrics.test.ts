/**
 * Fault injection (LocalStack-shaped chaos API under /_vcoroute/v1/chaos) seen through the official VPC SDK,
 * and the Prometheus /metrics, /_vcoroute/health (liveness) and /_vcoroute/ready endpoints scraped and parsed.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import * as $Vpc from '@alicloud/vpc20160428';
import * as $Ram from '@alicloud/ram20150501';
import { createTestDatabase, postgresSkipReason, sdkTestBackend, type TestDatabase } from '../helpers/backends';
import { assumeRole, ramClient, stsClient, userWithKey, vpcClientFor } from '../helpers/ram';
import { ROOT, startTestServer, tempDataDir, type TestServer } from '../helpers/server';
import { SQLITE_FILE_NAME } from '../../src/store/sqlite/sqlite-store';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { vpcClient } from '../helpers/vpc-client';

const REGION = 'cn-hangzhou';
const CONN = 'vco-chaos01';

const describeRoutes = (server: { endpoint: string }) =>
  vpcClient(server as TestServer).describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: CONN, routeEntryType: 'custom' }));
const createRoute = (server: { endpoint: string }, routeDest: string) =>
  vpcClient(server as TestServer).createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: CONN, routeDest, nextHop: CONN, weight: 100 }));

async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (err: any) {
    return `${err.statusCode} ${err.code}`;
  }
}

/** Prometheus text format → { 'name{labels}': value } (the labels as printed). */
async function scrape(baseUrl: string): Promise<Map<string, number>> {
  const res = await fetch(`${baseUrl}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (\S+)$/.exec(line);
    assert.ok(m, `a well-formed sample line: ${line}`);
    samples.set(m[1]!, Number(m[2]));
  }
  return samples;
}

const value = (samples: Map<string, number>, key: string) => samples.get(key) ?? 0;

describe('chaos rules and metrics', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(undefined, { VCOROUTE_CHANGE_DELAY_MS: '0' });
    assert.equal((await server.admin('PUT', `/_vcoroute/v1/vpn-connections/${CONN}`, { regionId: REGION, state: 'attached', transitRouterId: 'tr-c1' })).status, 201);
  });
  after(() => server?.close());

  test('a fault rule fails exactly the operation it names, with its status and code; GET lists it; DELETE removes it', async () => {
    const posted = await server.admin('POST', '/_vcoroute/v1/chaos/faults', [{ service: 'vpc', region: REGION, operation: 'CreateVcoRouteEntry', error: { statusCode: 503, code: 'ServiceUnavailable' } }]);
    assert.equal(posted.status, 200);
    assert.equal(posted.body.length, 1);
    assert.match(posted.body[0].id, /^fault-/);
    assert.equal(posted.body[0].expiresAt, null);
    assert.equal(await outcome(createRoute(server, '10.1.0.0/24')), '503 ServiceUnavailable');
    assert.equal(await outcome(describeRoutes(server)), 'ok', 'other operations are untouched');
    assert.equal((await describeRoutes(server)).body?.totalCount, 0, 'the failed call changed nothing');
    // PATCH adds a second rule; deleting the first by its body leaves the second
    const patched = await server.admin('PATCH', '/_vcoroute/v1/chaos/faults', { operation: 'DescribeVcoRouteEntries', error: { statusCode: 400, code: 'Throttling.User' } });
    assert.equal(patched.body.length, 2);
    assert.equal(await outcome(describeRoutes(server)), '400 Throttling.User');
    const removed = await server.admin('DELETE', '/_vcoroute/v1/chaos/faults', [{ service: 'vpc', region: REGION, operation: 'CreateVcoRouteEntry', error: { statusCode: 503, code: 'ServiceUnavailable' } }]);
    assert.deepEqual(removed.body.map((r: any) => r.operation), ['DescribeVcoRouteEntries']);
    assert.equal(await outcome(createRoute(server, '10.1.0.0/24')), 'ok');
    assert.equal((await server.admin('DELETE', '/_vcoroute/v1/chaos/faults')).body.length, 0);
    assert.equal(await outcome(describeRoutes(server)), 'ok');
  });

  test('probability 0 never fires; a rule with an expiry stops applying when it expires', async () => {
    await server.admin('POST', '/_vcoroute/v1/chaos/faults', [{ operation: 'DescribeVcoRouteEntries', probability: 0 }]);
    for (let i = 0; i < 5; i++) assert.equal(await outcome(describeRoutes(server)), 'ok');
    const posted = await server.admin('POST', '/_vcoroute/v1/chaos/faults', { operation: 'DescribeVcoRouteEntries', expiresInSeconds: 1 });
    assert.ok(Date.parse(posted.body[0].expiresAt) > Date.now());
    assert.equal(await outcome(describeRoutes(server)), '503 ServiceUnavailable');
    await new Promise((resolve) => setTimeout(resolve, 1300));
    assert.equal(await outcome(describeRoutes(server)), 'ok');
    assert.deepEqual((await server.admin('GET', '/_vcoroute/v1/chaos/faults')).body, [], 'expired rules are not listed');
  });

  test('latency with jitter per operation', async () => {
    await server.admin('POST', '/_vcoroute/v1/chaos/effects', [{ operation: 'DescribeVcoRouteEntries', latency: 300, jitter: 100 }]);
    const timed = async (call: () => Promise<unknown>) => {
      const t0 = performance.now();
      await call();
      return performance.now() - t0;
    };
    const slow = await timed(() => describeRoutes(server));
    assert.ok(slow >= 300 && slow < 1500, `delayed ${slow.toFixed(0)} ms`);
    const fast = await timed(() => vpcClient(server).describeCustomerGateways(new $Vpc.DescribeCustomerGatewaysRequest({ regionId: REGION })));
    assert.ok(fast < 250, `another operation is not delayed (${fast.toFixed(0)} ms)`);
    assert.deepEqual((await server.admin('DELETE', '/_vcoroute/v1/chaos/effects')).body, []);
    // LocalStack's global shape
    await server.admin('POST', '/_vcoroute/v1/chaos/effects', { latency: 200 });
    assert.ok((await timed(() => vpcClient(server).describeCustomerGateways(new $Vpc.DescribeCustomerGatewaysRequest({ regionId: REGION })))) >= 200);
    await server.admin('DELETE', '/_vcoroute/v1/chaos/effects');
    // an effect with an expiry stops applying when it expires
    const posted = await server.admin('POST', '/_vcoroute/v1/chaos/effects', [{ operation: 'DescribeVcoRouteEntries', latency: 400, expiresInSeconds: 1 }]);
    assert.ok(Date.parse(posted.body[0].expiresAt) > Date.now());
    const t0 = Date.now();
    assert.ok((await timed(() => describeRoutes(server))) >= 400, 'delayed while the effect lives');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1300 - (Date.now() - t0))));
    const afterExpiry = await timed(() => describeRoutes(server));
    assert.ok(afterExpiry < 250, `not delayed once expired (${afterExpiry.toFixed(0)} ms)`);
    assert.deepEqual((await server.admin('GET', '/_vcoroute/v1/chaos/effects')).body, [], 'expired effects are not listed');
  });

  test('invalid rules get 400 with the field named, and change nothing; the chaos API needs the admin token', async () => {
    const bad = await server.admin('POST', '/_vcoroute/v1/chaos/faults', [{ probability: 3 }]);
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /probability/);
    assert.equal((await server.admin('PUT', '/_vcoroute/v1/chaos/faults', [])).status, 405);
    const anonymous = await fetch(`${server.baseUrl}/_vcoroute/v1/chaos/faults`);
    assert.equal(anonymous.status, 401);
    assert.deepEqual((await server.admin('GET', '/_vcoroute/v1/chaos/faults')).body, []);
  });

  test('/metrics: requests by product, action, status and code; latency; store timings; injected faults', async () => {
    const before = await scrape(server.baseUrl);
    const ok = 'vcoroute_requests_total{product="Vpc",action="DescribeVcoRouteEntries",status="200",code=""}';
    const notFound = 'vcoroute_requests_total{product="Vpc",action="DescribeVcoRouteEntries",status="404",code="InvalidVpnConnectionInstanceId.NotFound"}';
    const injected = 'vcoroute_injected_faults_total{product="Vpc",action="DescribeVcoRouteEntries",kind="error",code="InternalError"}';
    for (let i = 0; i < 3; i++) await describeRoutes(server);
    await outcome(vpcClient(server).describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: 'vco-none' })));
    await server.admin('POST', '/_vcoroute/v1/chaos/faults', { operation: 'DescribeVcoRouteEntries', error: { statusCode: 500, code: 'InternalError' } });
    assert.equal(await outcome(describeRoutes(server)), '500 InternalError');
    await server.admin('DELETE', '/_vcoroute/v1/chaos/faults');
    const after = await scrape(server.baseUrl);
    assert.equal(value(after, ok) - value(before, ok), 3);
    assert.equal(value(after, notFound) - value(before, notFound), 1);
    assert.equal(value(after, injected) - value(before, injected), 1);
    const latencyCount = 'vcoroute_request_duration_seconds_count{product="Vpc",action="DescribeVcoRouteEntries"}';
    assert.equal(value(after, latencyCount) - value(before, latencyCount), 5);
    assert.ok([...after.keys()].some((k) => k.startsWith('vcoroute_store_operation_duration_seconds_count{backend=') &&
      // the page's read: listRoutes, or on PostgreSQL the one read-ahead statement that reads it with the rest
      (k.includes('operation="listRoutes"') || k.includes('operation="readAhead"'))), 'store timings');
    assert.ok(value(after, 'vcoroute_process_resident_memory_bytes') > 0, 'process metrics');
    // labels never carry client input: an unknown action is "unknown"
    await fetch(`${server.baseUrl}/?Action=EvilAction%22%7D&Version=2016-04-28`);
    const last = await scrape(server.baseUrl);
    assert.ok(![...last.keys()].some((k) => k.includes('EvilAction')));
  });

  test('/_vcoroute/health is liveness, /_vcoroute/ready readiness', async () => {
    const health = await fetch(`${server.baseUrl}/_vcoroute/health`);
    assert.deepEqual({ status: health.status, body: await health.json() }, { status: 200, body: { status: 'ok', store: server.backend } });
    const ready = await fetch(`${server.baseUrl}/_vcoroute/ready`);
    assert.deepEqual({ status: ready.status, body: await ready.json() }, { status: 200, body: { status: 'ready', store: server.backend } });
  });
});

describe('chaos rules are shared by the servers on one PostgreSQL; injected faults are logged', async () => {
  const skip = await postgresSkipReason();
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  before(async () => {
    if (skip) return;
    db = await createTestDatabase();
    [a, b] = await Promise.all([0, 1].map(() => startServerProcess(['--database', db.url], { VCOROUTE_LOG_LEVEL: 'info' })));
    await a.admin('PUT', `/_vcoroute/v1/vpn-connections/${CONN}`, { regionId: REGION, state: 'attached', transitRouterId: 'tr-c1' });
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  test('a rule posted on one server applies on the other within a second, and each injection is a log line', { skip }, async () => {
    assert.equal(await outcome(describeRoutes(b)), 'ok');
    await a.admin('POST', '/_vcoroute/v1/chaos/faults', { operation: 'DescribeVcoRouteEntries', error: { statusCode: 503, code: 'ServiceUnavailable' } });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal(await outcome(describeRoutes(b)), '503 ServiceUnavailable');
    await a.admin('DELETE', '/_vcoroute/v1/chaos/faults');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal(await outcome(describeRoutes(b)), 'ok');
    const lines = b.stderr().split('\n').filter((l) => l.includes('"injected"'));
    assert.equal(lines.length, 1, 'one log line for the one injected fault');
    const line = JSON.parse(lines[0]!);
    assert.equal(line.action, 'DescribeVcoRouteEntries');
    assert.equal(line.code, 'ServiceUnavailable');
    assert.ok(line.requestId && line.caller);
    assert.ok(!b.stderr().includes('vcorouteDevKeySecret'), 'never a secret in the logs');
  });
});

describe('one structured log line per request, never a secret; readiness follows the schema', () => {
  let db: TestDatabase | undefined;
  let dataDir: string;
  let server: ServerProcess;
  before(async () => {
    // the selected backend (VCOROUTE_TEST_BACKEND), as an operator runs it: logs on stderr at info
    db = sdkTestBackend() === 'postgres' ? await createTestDatabase() : undefined;
    dataDir = tempDataDir();
    server = await startServerProcess(db ? ['--database', db.url] : ['--data', dataDir], { VCOROUTE_LOG_LEVEL: 'info' });
    await server.admin('PUT', `/_vcoroute/v1/vpn-connections/${CONN}`, { regionId: REGION, state: 'attached', transitRouterId: 'tr-c1' });
  });
  after(async () => {
    await server?.stop();
    await db?.drop();
  });

  test('RequestId, action, status, code, latency and caller; injected latency and errors logged and counted; no AccessKey secret or STS token', async () => {
    const ram = ramClient(server, ROOT);
    const trust = { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ROOT.accountId}:root`] } }] };
    const role = await ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'logged', assumeRolePolicyDocument: JSON.stringify(trust) }));
    await ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ policyType: 'System', policyName: 'AliyunVPCReadOnlyAccess', roleName: 'logged' }));
    // CreateAccessKey and AssumeRole answer with secrets: they must not reach the log
    const user = await userWithKey(ram, 'logged', [{ type: 'System', name: 'AliyunSTSAssumeRoleAccess' }]);
    const session = await assumeRole(stsClient(server, user), role.body!.role!.arn!, 'logged-session');
    await server.admin('POST', '/_vcoroute/v1/chaos/effects', [{ operation: 'DescribeVcoRouteEntries', latency: 50 }]);
    const described = await vpcClientFor(server, session).describeVcoRouteEntries(
      new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: CONN, routeEntryType: 'custom' }));
    await server.admin('DELETE', '/_vcoroute/v1/chaos/effects');
    await server.admin('POST', '/_vcoroute/v1/chaos/faults', { operation: 'DescribeCustomerGateways', error: { statusCode: 503, code: 'ServiceUnavailable' } });
    assert.equal(await outcome(vpcClientFor(server, session).describeCustomerGateways(new $Vpc.DescribeCustomerGatewaysRequest({ regionId: REGION }))), '503 ServiceUnavailable');
    await server.admin('DELETE', '/_vcoroute/v1/chaos/faults');
    assert.equal(await outcome(vpcClientFor(server, user).describeVcoRouteEntries(
      new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: CONN }))), '403 Forbbiden.SubUser');

    // a line is written once its answer is sent, and reaches us through a pipe: wait for the last one
    const logged = () => server.stderr().split('\n').filter((l) => l.includes('"requestId"')).map((l) => JSON.parse(l));
    for (const t0 = Date.now(); logged().filter((l) => l.action === 'DescribeVcoRouteEntries').length < 2 && Date.now() - t0 < 5000; ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const lines = logged();
    const byAction = (action: string) => lines.filter((l) => l.action === action);
    assert.deepEqual(['CreateRole', 'CreateUser', 'CreateAccessKey', 'AssumeRole'].map((a) => byAction(a).length), [1, 1, 1, 1], 'one line per request');
    const [createKey] = byAction('CreateAccessKey');
    assert.equal(createKey.product, 'Ram');
    assert.equal(createKey.status, 200);
    assert.equal(createKey.caller, `acs:ram::${ROOT.accountId}:root`);
    assert.match(createKey.requestId, /^[0-9A-F-]{36}$/);
    assert.equal(typeof createKey.ms, 'number');
    assert.equal(byAction('AssumeRole')[0].caller, `acs:ram::${ROOT.accountId}:user/logged`);
    const [delayed, refused] = byAction('DescribeVcoRouteEntries');
    assert.equal(delayed.requestId, described.body!.requestId);
    assert.equal(delayed.caller, `acs:ram::${ROOT.accountId}:role/logged/logged-session`, "the STS session's ARN, as AssumedRoleUser.Arn");
    assert.ok(delayed.ms >= 50, `latency ${delayed.ms} ms`);
    assert.deepEqual(delayed.injected, [{ kind: 'latency', delayMs: 50 }]);
    assert.deepEqual([refused.status, refused.code, refused.caller], [403, 'Forbbiden.SubUser', `acs:ram::${ROOT.accountId}:user/logged`]);
    const [failed] = byAction('DescribeCustomerGateways');
    assert.deepEqual([failed.status, failed.code, failed.msg, failed.injected], [503, 'ServiceUnavailable', 'request (fault injected)', [{ kind: 'error', code: 'ServiceUnavailable', statusCode: 503 }]]);
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    assert.match(metrics, /^vcoroute_injected_faults_total\{product="Vpc",action="DescribeVcoRouteEntries",kind="latency",code=""\} 1$/m);
    assert.match(metrics, /^vcoroute_injected_faults_total\{product="Vpc",action="DescribeCustomerGateways",kind="error",code="ServiceUnavailable"\} 1$/m);
    for (const secret of [ROOT.accessKeySecret, user.accessKeySecret, session.accessKeySecret, session.securityToken!]) {
      assert.ok(!server.stderr().includes(secret), 'a secret in the log');
    }
  });

  test('/_vcoroute/ready: 503 "migrations not done" while the store\'s schema is behind this server; /_vcoroute/health stays 200', async () => {
    // the schema falls behind under the running server, as when its database is restored from an older dump
    const sql = async (statement: string): Promise<void> => {
      if (db) {
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        await client.query(statement).finally(() => client.end());
      } else {
        const file = new Database(path.join(dataDir, SQLITE_FILE_NAME));
        file.exec(statement);
        file.close();
      }
    };
    const probe = async (what: string): Promise<{ status: number; body: any }> => {
      const res = await fetch(`${server.baseUrl}/_vcoroute/${what}`);
      return { status: res.status, body: await res.json() };
    };
    assert.equal((await probe('ready')).status, 200);
    await sql('CREATE TABLE schema_migrations_kept AS SELECT * FROM schema_migrations');
    await sql('DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations_kept)');
    const behind = await probe('ready');
    assert.equal(behind.status, 503);
    assert.equal(behind.body.status, 'unavailable');
    assert.match(behind.body.reason, /^migrations not done: the store is at schema version \d+, this server needs \d+$/);
    assert.equal((await probe('health')).status, 200, 'liveness does not depend on the store');
    await sql('DROP TABLE schema_migrations');
    assert.match((await probe('ready')).body.reason, /^migrations not done: /, 'no migrations table at all');
    await sql('CREATE TABLE schema_migrations AS SELECT * FROM schema_migrations_kept');
    assert.deepEqual(await probe('ready'), { status: 200, body: { status: 'ready', store: db ? 'postgres' : 'sqlite' } });
  });
});

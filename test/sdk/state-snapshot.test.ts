/**
 * State snapshots end to end (README "Snapshots"): a state built through the official clients (VPC connections,
 * routes and customer gateways, RAM users, policies and keys, a CEN with a transit router and an attachment,
 * a second account), exported with `vcoroute state export` while its server runs, imported with `vcoroute state
 * import` into a fresh SQLite data directory and a fresh PostgreSQL database, and served again: every answer
 * is the same (RequestIds aside), a RAM user's key still works, and the re-exported documents are the same
 * byte for byte. The source is the backend under test (VCOROUTE_TEST_BACKEND), so SQLite → PostgreSQL and
 * PostgreSQL → SQLite are both covered. Also: one account's export, refusals that change nothing.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as $Ram from '@alicloud/ram20150501';
import * as $Vpc from '@alicloud/vpc20160428';
import { loadConfig } from '../../src/config';
import { createLogger, startServer, type RunningServer } from '../../src/server/app';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { PostgresStore } from '../../src/store/postgres/postgres-store';
import type { Store } from '../../src/store/store';
import { TEST_PG_OPTIONS, createTestDatabase, postgresSkipReason } from '../helpers/backends';
import { CbnClient } from '../helpers/cbn-client';
import { attachRouted, bgpConnection, cenWithRouter, REGION } from '../helpers/cen-fixtures';
import { assertNoServerErrors } from '../helpers/http';
import { createPolicy, doc, outcome, ramClient, userWithKey, vpcClientFor, type Creds } from '../helpers/ram';
import { ADMIN_TOKEN, ROOT, startTestServer, storeArgsFor, tempDataDir, type TestServer } from '../helpers/server';

const CLI = ['--import', 'tsx', 'src/cli.ts'];
const POLICY = 'snapshot-read';

/**
 * Runs the CLI as a child process without blocking this process's event loop: the in-process source server
 * keeps serving, and idle keep-alive connections are closed on time rather than all at once afterwards.
 */
function cli(args: string[], stdout: 'pipe' | number = 'pipe'): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI, ...args], { stdio: ['ignore', stdout, 'pipe'], env: { ...process.env, VCOROUTE_LOG_LEVEL: 'warn' } });
    let out = '';
    let err = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout: out, stderr: err }));
  });
}

async function cliOk(args: string[]) {
  const run = await cli(args);
  assert.equal(run.status, 0, `vcoroute ${args.join(' ')}: ${run.stderr}`);
  return run;
}

/** The body as JSON, every RequestId removed (a new one per answer). */
function stripped(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripped);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !/^requestId$/i.test(k)).map(([k, v]) => [k, stripped(v)]));
}
const plain = (value: unknown) => stripped(JSON.parse(JSON.stringify(value)));

/** A document without its export time: what must be equal between two exports of the same state. */
const withoutTime = (text: string) => text.replace(/"exportedAt":"[^"]*"/, '"exportedAt":""');

interface Built {
  connectionId: string;
  attachmentId: string;
  systemTableId: string;
  user: Creds;
  other: Creds & { accountId: string };
  secrets: string[];
}

async function build(server: TestServer): Promise<Built> {
  const vpc = vpcClientFor(server, ROOT);
  const cen = new CbnClient(server.endpoint);
  const connectionId = await bgpConnection(vpc, 'snapshot-1');
  await bgpConnection(vpc, 'snapshot-2'); // stays unattached
  const { transitRouterId, systemTableId } = await cenWithRouter(cen, 'snapshot');
  const attachmentId = await attachRouted(cen, transitRouterId, systemTableId, connectionId);
  for (let i = 0; i < 25; i++) {
    await vpc.createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({
      regionId: REGION, vpnConnectionId: connectionId, routeDest: `192.168.${i}.0/24`, nextHop: connectionId, weight: i % 2 ? 0 : 100, description: `route ${i}`,
    }));
  }
  await vpc.deleteVcoRouteEntry(new $Vpc.DeleteVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: connectionId, routeDest: '192.168.3.0/24', nextHop: connectionId, weight: 0 }));
  await vpc.modifyVcoRouteEntryWeight(new $Vpc.ModifyVcoRouteEntryWeightRequest({
    regionId: REGION, vpnConnectionId: connectionId, routeDest: '192.168.5.0/24', nextHop: connectionId, weight: 0, newWeight: 100,
  }));
  // Routes learned from elsewhere (hand-seeded CLOUD routes), enough for several pages.
  const seeded = Array.from({ length: 120 }, (_, i) => ({ routeEntryType: 'bgp', routeDest: `10.${i >> 4}.${i & 15}.0/24`, source: 'CLOUD', asPath: [65010, i + 1] }));
  assert.equal((await server.admin('POST', `/_vcoroute/v1/vpn-connections/${connectionId}/routes`, { routes: seeded })).status, 200);

  const ram = ramClient(server, ROOT);
  await createPolicy(ram, POLICY, doc({ Effect: 'Allow', Action: ['vpc:DescribeVcoRouteEntries', 'vpc:DescribeVpnConnections'], Resource: '*' }));
  const user = await userWithKey(ram, 'snapshot-user', [{ type: 'Custom', name: POLICY }, { type: 'System', name: 'AliyunRAMReadOnlyAccess' }]);
  await ram.createGroup(new $Ram.CreateGroupRequest({ groupName: 'snapshot-group' }));
  await ram.addUserToGroup(new $Ram.AddUserToGroupRequest({ groupName: 'snapshot-group', userName: 'snapshot-user' }));

  const created = await server.admin('POST', '/_vcoroute/v1/accounts');
  assert.equal(created.status, 201);
  const other = { accountId: created.body.accountId as string, accessKeyId: created.body.accessKeyId as string, accessKeySecret: created.body.accessKeySecret as string };
  await vpcClientFor(server, other).createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: REGION, ipAddress: '198.51.100.7', asn: '65077', name: 'other-gw' }));
  await ramClient(server, other).createUser(new $Ram.CreateUserRequest({ userName: 'other-user', displayName: 'Other' }));
  return { connectionId, attachmentId, systemTableId, user, other, secrets: [ROOT.accessKeySecret, user.accessKeySecret, other.accessKeySecret] };
}

/** What the clients see: the answers compared before and after. */
async function answers(server: Pick<TestServer, 'endpoint'>, built: Built): Promise<Record<string, unknown>> {
  const s = server as TestServer;
  const vpc = vpcClientFor(s, ROOT);
  const ram = ramClient(s, ROOT);
  const cen = new CbnClient(s.endpoint);
  const out: Record<string, unknown> = {};
  for (const [type, pageSize] of [['custom', 10], ['bgp', 50]] as const) {
    for (let page = 1; ; page++) {
      const body = (await vpc.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({
        regionId: REGION, vpnConnectionId: built.connectionId, routeEntryType: type, pageNumber: page, pageSize,
      }))).body!;
      out[`routes ${type} ${page}`] = plain(body);
      if (page * pageSize >= body.totalCount!) break;
    }
  }
  out.connections = plain((await vpc.describeVpnConnections(new $Vpc.DescribeVpnConnectionsRequest({ regionId: REGION }))).body);
  out.connection = plain((await vpc.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: built.connectionId }))).body);
  out.gateways = plain((await vpc.describeCustomerGateways(new $Vpc.DescribeCustomerGatewaysRequest({ regionId: REGION }))).body);
  out.attachments = plain((await vpc.describeVpnAttachments(new $Vpc.DescribeVpnAttachmentsRequest({ regionId: REGION }))).body);
  out.users = plain((await ram.listUsers(new $Ram.ListUsersRequest({}))).body);
  out.user = plain((await ram.getUser(new $Ram.GetUserRequest({ userName: 'snapshot-user' }))).body);
  out.policy = plain((await ram.getPolicy(new $Ram.GetPolicyRequest({ policyType: 'Custom', policyName: POLICY }))).body);
  out.userPolicies = plain((await ram.listPoliciesForUser(new $Ram.ListPoliciesForUserRequest({ userName: 'snapshot-user' }))).body);
  out.userGroups = plain((await ram.listGroupsForUser(new $Ram.ListGroupsForUserRequest({ userName: 'snapshot-user' }))).body);
  out.userKeys = plain((await ram.listAccessKeys(new $Ram.ListAccessKeysRequest({ userName: 'snapshot-user' }))).body);
  out.cens = plain(await cen.call('DescribeCens', {}));
  out.transitRouters = plain(await cen.call('ListTransitRouters', { RegionId: REGION }));
  out.vpnAttachments = plain(await cen.call('ListTransitRouterVpnAttachments', { RegionId: REGION }));
  out.propagations = plain(await cen.call('ListTransitRouterRouteTablePropagations', { TransitRouterRouteTableId: built.systemTableId }));
  out.otherGateways = plain((await vpcClientFor(s, built.other).describeCustomerGateways(new $Vpc.DescribeCustomerGatewaysRequest({ regionId: REGION }))).body);
  out.otherUsers = plain((await ramClient(s, built.other).listUsers(new $Ram.ListUsersRequest({}))).body);
  // The RAM user's own key: allowed by its policy, denied outside it.
  out.userCall = plain((await vpcClientFor(s, built.user).describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: built.connectionId }))).body);
  out.userDenied = await outcome(vpcClientFor(s, built.user).createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: REGION, ipAddress: '198.51.100.9' })));
  return out;
}

async function serveOn(store: Store): Promise<RunningServer> {
  const config = loadConfig({ host: '127.0.0.1', port: 0, data: tempDataDir() }, { VCOROUTE_CHANGE_DELAY_MS: '0' });
  return startServer(config, store, createLogger('silent'));
}

describe('vcoroute state export / import', () => {
  let source: TestServer;
  let built: Built;
  let expected: Record<string, unknown>;
  const work = tempDataDir();
  const snapshot = path.join(work, 'snapshot.json');
  let sqliteTarget: string;
  const running: RunningServer[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    source = await startTestServer(undefined, { VCOROUTE_CHANGE_DELAY_MS: '0' });
    built = await build(source);
    expected = await answers(source, built);
    assert.equal(expected.userDenied, 'Forbbiden.SubUser', 'the user\'s policy does not allow it');
  });
  after(async () => {
    for (const s of running) await s.close();
    await source?.close();
    for (const c of cleanups) await c();
    assertNoServerErrors();
  });

  test('export while the server runs: a 0600 file, secrets never on stdout or stderr', async () => {
    const run = await cliOk(['state', 'export', ...storeArgsFor(source.dataDir), '--output', snapshot]);
    assert.equal(fs.statSync(snapshot).mode & 0o777, 0o600);
    assert.match(run.stderr, /vcoroute: exported \d+ rows \(accounts 2, access_keys 2, /);
    for (const secret of built.secrets) assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), 'a secret in the output');
    const document = JSON.parse(fs.readFileSync(snapshot, 'utf8'));
    assert.equal(document.format, 'vcoroute-state');
    assert.equal(document.version, 1);
    assert.equal(document.account, null);
    assert.ok(document.tables.vco_routes.length >= 144);
    // Through stdout redirected to a file: the same document, made owner-only too.
    const redirected = path.join(work, 'redirected.json');
    const fd = fs.openSync(redirected, 'w', 0o644);
    const viaStdout = await cli(['state', 'export', ...storeArgsFor(source.dataDir)], fd);
    fs.closeSync(fd);
    assert.equal(viaStdout.status, 0, viaStdout.stderr);
    assert.equal(fs.statSync(redirected).mode & 0o777, 0o600);
    assert.equal(withoutTime(fs.readFileSync(redirected, 'utf8')), withoutTime(fs.readFileSync(snapshot, 'utf8')));
  });

  test('GET /_vcoroute/v1/state: the same document from the running server, behind the admin token', async () => {
    const viaAdmin = await fetch(`${source.baseUrl}/_vcoroute/v1/state`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(viaAdmin.status, 200);
    assert.equal(viaAdmin.headers.get('cache-control'), 'no-store');
    assert.equal(withoutTime(await viaAdmin.text()), withoutTime(fs.readFileSync(snapshot, 'utf8')));
    const anonymous = await fetch(`${source.baseUrl}/_vcoroute/v1/state`);
    assert.equal(anonymous.status, 401);
    assert.ok(!(await anonymous.text()).includes(ROOT.accessKeySecret));
    const bad = await fetch(`${source.baseUrl}/_vcoroute/v1/state?account=x`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'InvalidParameter');
  });

  test('import into a fresh SQLite data directory: the same document, the same answers, keys still work', async () => {
    sqliteTarget = tempDataDir();
    const run = await cliOk(['state', 'import', snapshot, '--data', sqliteTarget]);
    assert.match(run.stdout, /vcoroute: imported \d+ rows .* into sqlite/);
    const again = path.join(work, 'sqlite-again.json');
    await cliOk(['state', 'export', '--data', sqliteTarget, '--output', again]);
    assert.equal(withoutTime(fs.readFileSync(again, 'utf8')), withoutTime(fs.readFileSync(snapshot, 'utf8')));
    const server = await serveOn(new SqliteStore(sqliteTarget));
    running.push(server);
    assert.deepEqual(await answers(server, built), expected);
  });

  test('import into a fresh PostgreSQL database: the same document, the same answers, keys still work', async (t) => {
    const skip = await postgresSkipReason();
    if (skip) return t.skip(skip);
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    await cliOk(['state', 'import', snapshot, '--database', database.url]);
    const again = path.join(work, 'postgres-again.json');
    await cliOk(['state', 'export', '--database', database.url, '--output', again]);
    assert.equal(withoutTime(fs.readFileSync(again, 'utf8')), withoutTime(fs.readFileSync(snapshot, 'utf8')), 'both backends write the same document');
    const server = await serveOn(await PostgresStore.open({ connectionString: database.url, ...TEST_PG_OPTIONS }));
    running.push(server);
    assert.deepEqual(await answers(server, built), expected);
  });

  test('a store with state refuses the import and is left as it was', async () => {
    const before = path.join(work, 'before-refusal.json');
    await cliOk(['state', 'export', '--data', sqliteTarget, '--output', before]);
    const run = await cli(['state', 'import', snapshot, '--data', sqliteTarget]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /import refused, nothing changed: the store is not empty \(table \w+ has rows\): import only into a new store/);
    const afterRefusal = path.join(work, 'after-refusal.json');
    await cliOk(['state', 'export', '--data', sqliteTarget, '--output', afterRefusal]);
    assert.equal(withoutTime(fs.readFileSync(afterRefusal, 'utf8')), withoutTime(fs.readFileSync(before, 'utf8')));
  });

  test('malformed, truncated, foreign and newer documents are refused cleanly; nothing is written', async () => {
    const text = fs.readFileSync(snapshot, 'utf8');
    const target = tempDataDir();
    const cases: [string, string, RegExp][] = [
      ['foreign.json', JSON.stringify({ format: 'localstack-state', tables: {} }), /not a vcoroute state snapshot/],
      ['newer-format.json', text.replace('"version":1', '"version":2'), /format version 2 is not supported/],
      ['newer-schema.json', text.replace(/"schemaVersion":\d+/, '"schemaVersion":999'), /schema 999, newer than this store's/],
      ['truncated.json', text.slice(0, Math.floor(text.length / 2)), /ends early \(truncated file\?\)|is not valid JSON/],
      ['bad-row.json', text.replace(/"weight":100/, '"weight":"heavy"'), /table vco_routes, row \d+: column weight must be an integer/],
      ['not-json.json', 'snapshot?', /not a JSON document/],
    ];
    for (const [name, body, message] of cases) {
      const file = path.join(work, name);
      fs.writeFileSync(file, body);
      const run = await cli(['state', 'import', file, '--data', target]);
      assert.equal(run.status, 1, name);
      assert.match(run.stderr, message, name);
      assert.ok(!built.secrets.some((secret) => run.stderr.includes(secret)), `${name}: a secret in the error`);
    }
    const empty = await cliOk(['state', 'export', '--data', target, '--output', path.join(work, 'empty.json')]);
    assert.match(empty.stderr, /exported 0 rows /);
  });

  test('one account: only its rows; imported, it answers as before, and the new server re-creates its own root', async () => {
    const file = path.join(work, 'account.json');
    await cliOk(['state', 'export', ...storeArgsFor(source.dataDir), '--account', built.other.accountId, '--output', file]);
    const document = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(document.account, built.other.accountId);
    assert.deepEqual(document.tables.accounts.map((a: any) => a.account_id), [built.other.accountId]);
    for (const [table, rows] of Object.entries(document.tables as Record<string, any[]>)) {
      for (const row of rows) if ('account_id' in row) assert.equal(row.account_id, built.other.accountId, table);
    }
    assert.equal(document.tables.customer_gateways.length, 1);
    assert.deepEqual(document.tables.vpn_connections, []);
    assert.deepEqual(document.tables.vco_routes, []);
    const viaAdmin = await fetch(`${source.baseUrl}/_vcoroute/v1/state?account=${built.other.accountId}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(withoutTime(await viaAdmin.text()), withoutTime(fs.readFileSync(file, 'utf8')));

    const target = tempDataDir();
    await cliOk(['state', 'import', file, '--data', target]);
    const server = await serveOn(new SqliteStore(target));
    running.push(server);
    const s = server as unknown as TestServer;
    assert.deepEqual(plain((await vpcClientFor(s, built.other).describeCustomerGateways(new $Vpc.DescribeCustomerGatewaysRequest({ regionId: REGION }))).body), expected.otherGateways);
    assert.deepEqual(plain((await ramClient(s, built.other).listUsers(new $Ram.ListUsersRequest({}))).body), expected.otherUsers);
    const rootView = (await vpcClientFor(s, ROOT).describeVpnConnections(new $Vpc.DescribeVpnConnectionsRequest({ regionId: REGION }))).body!;
    assert.equal(rootView.totalCount, 0, 'the root account exists (the server made it) and owns nothing');
    assert.equal(await outcome(vpcClientFor(s, built.user).describeVpnConnections(new $Vpc.DescribeVpnConnectionsRequest({ regionId: REGION }))), 'InvalidAccessKeyId.NotFound');
  });
});

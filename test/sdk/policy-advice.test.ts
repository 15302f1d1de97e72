/**
 * Policy advice: every authorization decision is recorded and readable (and watchable by long-poll) through the
 * admin API; `vcoroute policy-advice` turns a test run's calls into the least-privilege policy, which allows
 * exactly those calls when given to another user and denies one more. The server is started as a user's test
 * suite would start it: startVcoroute (the package's test-suite API).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type Ram from '@alicloud/ram20150501';
import * as $Ram from '@alicloud/ram20150501';
import * as $Vpc from '@alicloud/vpc20160428';
import { advisePolicy } from '../../src/policy-advice/advise';
import { startVcoroute, type StartedVcoroute } from '../../src/index';
import { createTestDatabase, sdkTestBackend, type TestDatabase } from '../helpers/backends';
import { ADMIN_TOKEN, ROOT } from '../helpers/server';
import { assumeRole, createPolicy, doc, outcome, ramClient, stsClient, userWithKey, vpcClientFor } from '../helpers/ram';

const REPO = path.resolve(__dirname, '../..');
const REGION = 'cn-hangzhou';


describe('policy advice', () => {
  let server: StartedVcoroute;
  let db: TestDatabase | undefined;
  let ram: Ram;
  before(async () => {
    // as a user's suite records its calls: through the test-suite API, on the backend under test
    db = sdkTestBackend() === 'postgres' ? await createTestDatabase() : undefined;
    server = await startVcoroute({ databaseUrl: db?.url, env: { VCOROUTE_ADMIN_TOKEN: ADMIN_TOKEN } });
    assert.equal(server.credentials.accountId, ROOT.accountId);
    ram = ramClient(server, server.credentials);
    for (const id of ['vco-advice01', 'vco-advice02']) {
      assert.equal((await server.admin.request('PUT', `/_vcoroute/v1/vpn-connections/${id}`, { regionId: REGION, state: 'attached', transitRouterId: 'tr-a1' })).status, 201);
    }
  });
  after(async () => {
    await server?.stop();
    await db?.drop();
  });

  const calls = (vpc: ReturnType<typeof vpcClientFor>) => [
    () => vpc.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: 'vco-advice01' })),
    () => vpc.createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: 'vco-advice01', routeDest: '10.20.0.0/16', nextHop: 'vco-advice01', weight: 100 })),
    () => vpc.describeCustomerGateways(new $Vpc.DescribeCustomerGatewaysRequest({ regionId: REGION })),
  ];

  test('decisions are recorded with principal, action, resource and outcome, and can be watched', async () => {
    const watcher = server.admin.request('GET', '/_vcoroute/v1/decisions?after=0&waitMs=5000&principal=' + encodeURIComponent(`acs:ram::${ROOT.accountId}:user/watched`));
    const reader = await userWithKey(ram, 'watched', [{ type: 'System', name: 'AliyunVPCReadOnlyAccess' }]);
    const vpc = vpcClientFor(server, reader);
    assert.equal(await outcome(calls(vpc)[0]!()), 'ok');
    assert.equal(await outcome(calls(vpc)[1]!()), 'Forbbiden.SubUser');
    const watched = await watcher;
    assert.equal(watched.status, 200);
    assert.deepEqual(watched.body.decisions.map((d: any) => [d.action, d.decision]), [['vpc:DescribeVcoRouteEntries', 'Allow']], 'the watch returns as soon as a decision arrives');
    const all = await server.admin.request('GET', '/_vcoroute/v1/decisions?principal=' + encodeURIComponent(`acs:ram::${ROOT.accountId}:user/watched`));
    const [read, write] = all.body.decisions;
    assert.equal(read.resource, `acs:vpc:${REGION}:${ROOT.accountId}:vpnconnection/vco-advice01`);
    assert.equal(read.principalType, 'user');
    assert.deepEqual([write.action, write.decision, write.policyType], ['vpc:CreateVcoRouteEntry', 'ImplicitDeny', 'AccountLevelIdentityBasedPolicy']);
    assert.ok(all.body.last >= write.seq);
    assert.equal((await server.admin.request('GET', '/_vcoroute/v1/decisions?limit=x')).status, 400);
  });

  test('an explicit denial names the statement that denied: the policy and its statement number, or the session policy', async () => {
    const decisionsOf = async (principal: string) =>
      (await server.admin.request('GET', '/_vcoroute/v1/decisions?principal=' + encodeURIComponent(principal))).body.decisions;
    await createPolicy(ram, 'read-but-not-02', doc(
      { Effect: 'Allow', Action: 'vpc:Describe*', Resource: '*' },
      { Effect: 'Deny', Action: 'vpc:DescribeVcoRouteEntries', Resource: `acs:vpc:*:*:vpnconnection/vco-advice02` },
    ));
    const user = await userWithKey(ram, 'denied', [{ type: 'Custom', name: 'read-but-not-02' }, { type: 'System', name: 'AliyunSTSAssumeRoleAccess' }]);
    const describe = (vpc: ReturnType<typeof vpcClientFor>, id: string) =>
      outcome(vpc.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: id })));
    assert.equal(await describe(vpcClientFor(server, user), 'vco-advice01'), 'ok');
    assert.equal(await describe(vpcClientFor(server, user), 'vco-advice02'), 'Forbidden');
    assert.equal(await outcome(vpcClientFor(server, user).createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: 'vco-advice01', routeDest: '10.21.0.0/16', nextHop: 'vco-advice01', weight: 100 }))), 'Forbbiden.SubUser');
    const [allowed, explicit, implicit] = await decisionsOf(`acs:ram::${ROOT.accountId}:user/denied`);
    assert.deepEqual([allowed.decision, allowed.deniedBy], ['Allow', undefined]);
    assert.deepEqual([explicit.decision, explicit.policyType, explicit.deniedBy], ['ExplicitDeny', 'AccountLevelIdentityBasedPolicy', { policy: 'Custom:read-but-not-02', statement: 2 }]);
    assert.deepEqual([implicit.decision, implicit.deniedBy], ['ImplicitDeny', undefined], 'no statement denies an implicit denial');

    const trust = doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ROOT.accountId}:root`] } });
    const role = await ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'advice-reader', assumeRolePolicyDocument: trust }));
    await ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ policyType: 'System', policyName: 'AliyunVPCReadOnlyAccess', roleName: 'advice-reader' }));
    const session = await assumeRole(stsClient(server, user), role.body!.role!.arn!, 'narrowed', {
      policy: doc({ Effect: 'Allow', Action: 'vpc:*', Resource: '*' }, { Effect: 'Deny', Action: 'vpc:DescribeVcoRouteEntries', Resource: '*' }),
    });
    assert.equal(await describe(vpcClientFor(server, session), 'vco-advice01'), 'Forbidden');
    const [bySession] = await decisionsOf(`acs:ram::${ROOT.accountId}:role/advice-reader/narrowed`);
    assert.deepEqual([bySession.decision, bySession.policyType, bySession.deniedBy], ['ExplicitDeny', 'SessionPolicy', { policy: 'SessionPolicy', statement: 2 }]);
  });

  test('the advised policy allows exactly the recorded calls and denies one more', async () => {
    const broad = await userWithKey(ram, 'broad', [{ type: 'System', name: 'AliyunVPCFullAccess' }]);
    for (const call of calls(vpcClientFor(server, broad))) assert.equal(await outcome(call()), 'ok');

    const { stdout } = await promisify(execFile)(
      process.execPath, ['--import', 'tsx', 'src/cli.ts', 'policy-advice', '--endpoint', server.baseUrl, '--principal', `acs:ram::${ROOT.accountId}:user/broad`],
      { cwd: REPO, env: { ...process.env, VCOROUTE_ADMIN_TOKEN: ADMIN_TOKEN }, timeout: 30_000 },
    );
    const policy = JSON.parse(stdout);
    assert.deepEqual(policy.Statement.flatMap((s: any) => s.Action).sort(), ['vpc:CreateVcoRouteEntry', 'vpc:DescribeCustomerGateways', 'vpc:DescribeVcoRouteEntries']);

    await ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName: 'advised', policyDocument: JSON.stringify(policy) }));
    const narrow = await userWithKey(ram, 'narrow', [{ type: 'Custom', name: 'advised' }]);
    const vpc = vpcClientFor(server, narrow);
    const [describe, create, gateways] = calls(vpc);
    assert.equal(await outcome(describe!()), 'ok');
    assert.equal(await outcome(create!()), 'VcoRouteEntry.AlreadyExists', 'authorized (the route exists from the first run)');
    assert.equal(await outcome(gateways!()), 'ok');
    const other = vpc.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: 'vco-advice02' }));
    assert.equal(await outcome(other), 'Forbbiden.SubUser', 'one more call is denied');
  });

  test('advice groups actions that need the same resources', () => {
    assert.deepEqual(advisePolicy([
      { action: 'vpc:B', resource: 'r1' }, { action: 'vpc:A', resource: 'r1' }, { action: 'vpc:C', resource: 'r2' }, { action: 'vpc:A', resource: 'r1' },
    ]), { Version: '1', Statement: [{ Effect: 'Allow', Action: ['vpc:A', 'vpc:B'], Resource: ['r1'] }, { Effect: 'Allow', Action: ['vpc:C'], Resource: ['r2'] }] });
  });
});

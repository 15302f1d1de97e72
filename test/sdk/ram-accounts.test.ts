/**
 * Several root accounts (admin POST /_vcoroute/v1/accounts), fully isolated: nothing of one account is
 * visible to another — VPN connections answer 404, RAM entities EntityNotExist, roles of another account
 * stay hidden unless their trust policy names the caller.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as $Ram from '@alicloud/ram20150501';
import * as $Sts from '@alicloud/sts20150401';
import * as $Vpc from '@alicloud/vpc20160428';
import { ROOT, startTestServer, type TestServer } from '../helpers/server';
import { assumeRole, doc, ramClient, sdkError, stsClient, userWithKey, vpcClientFor, type Creds } from '../helpers/ram';

const REGION = 'cn-hangzhou';

describe('accounts are isolated from each other', () => {
  let server: TestServer;
  let b: Creds & { accountId: string };
  const describeRoutes = (creds: Creds, id: string) =>
    vpcClientFor(server, creds).describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: id }));

  before(async () => {
    server = await startTestServer();
    const created = await server.admin('POST', '/_vcoroute/v1/accounts');
    assert.equal(created.status, 201);
    assert.match(created.body.accountId, /^\d{16}$/);
    assert.notEqual(created.body.accountId, ROOT.accountId);
    b = created.body;
    await server.admin('PUT', '/_vcoroute/v1/vpn-connections/vco-ofa', { regionId: REGION, state: 'attached' });
    await server.admin('PUT', '/_vcoroute/v1/vpn-connections/vco-ofb', { regionId: REGION, state: 'attached', accountId: b.accountId });
  });
  after(() => server.close());

  it('admin accounts need the admin token', async () => {
    const res = await fetch(`${server.baseUrl}/_vcoroute/v1/accounts`, { method: 'POST' });
    assert.equal(res.status, 401);
  });

  it("each root sees its own connections; the other account's answer 404, not 403", async () => {
    assert.equal((await describeRoutes(ROOT, 'vco-ofa')).body!.totalCount, 0);
    assert.equal((await describeRoutes(b, 'vco-ofb')).body!.totalCount, 0);
    await sdkError(describeRoutes(b, 'vco-ofa'), 'InvalidVpnConnectionInstanceId.NotFound', 404);
    await sdkError(describeRoutes(ROOT, 'vco-ofb'), 'InvalidVpnConnectionInstanceId.NotFound', 404);
    // a RAM user of B with full VPC access sees no more than its root
    const bUser = await userWithKey(ramClient(server, b), 'vpc-admin', [{ type: 'System', name: 'AliyunVPCFullAccess' }]);
    await sdkError(describeRoutes(bUser, 'vco-ofa'), 'InvalidVpnConnectionInstanceId.NotFound', 404);
    assert.equal((await describeRoutes(bUser, 'vco-ofb')).body!.totalCount, 0);
    const me = (await stsClient(server, bUser).getCallerIdentity()).body!;
    assert.equal(me.accountId, b.accountId);
  });

  it('RAM entities are per account: same names coexist, others are invisible', async () => {
    const ramA = ramClient(server, ROOT);
    const ramB = ramClient(server, b);
    await ramA.createUser(new $Ram.CreateUserRequest({ userName: 'shared-name' }));
    await ramB.createUser(new $Ram.CreateUserRequest({ userName: 'shared-name' }));
    await ramA.createUser(new $Ram.CreateUserRequest({ userName: 'only-in-a' }));
    await sdkError(ramB.getUser(new $Ram.GetUserRequest({ userName: 'only-in-a' })), 'EntityNotExist.User', 404);
    const bUsers = (await ramB.listUsers(new $Ram.ListUsersRequest({}))).body!.users!.user!.map((u) => u.userName);
    assert.ok(!bUsers.includes('only-in-a'));
    await ramA.createPolicy(new $Ram.CreatePolicyRequest({ policyName: 'APolicy', policyDocument: doc({ Effect: 'Allow', Action: 'vpc:*', Resource: '*' }) }));
    await sdkError(ramB.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ userName: 'shared-name', policyType: 'Custom', policyName: 'APolicy' })),
      'EntityNotExist.Policy', 404);
  });

  it("another account's role is hidden unless its trust policy names the caller's account", async () => {
    const ramA = ramClient(server, ROOT);
    const ramB = ramClient(server, b);
    const assumer = await userWithKey(ramB, 'assumer', [{ type: 'System', name: 'AliyunSTSAssumeRoleAccess' }]);
    await ramA.createRole(new $Ram.CreateRoleRequest({
      roleName: 'Private', assumeRolePolicyDocument: doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: `acs:ram::${ROOT.accountId}:root` } }),
    }));
    await sdkError(stsClient(server, assumer).assumeRole(new $Sts.AssumeRoleRequest({ roleArn: `acs:ram::${ROOT.accountId}:role/Private`, roleSessionName: 'x1' })),
      'EntityNotExist.Role', 404);
    await ramA.createRole(new $Ram.CreateRoleRequest({
      roleName: 'ForB', assumeRolePolicyDocument: doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${b.accountId}:root`] } }),
    }));
    await ramA.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ roleName: 'ForB', policyType: 'System', policyName: 'AliyunVPCReadOnlyAccess' }));
    const creds = await assumeRole(stsClient(server, assumer), `acs:ram::${ROOT.accountId}:role/ForB`, 'cross');
    // the session acts in the role's account
    assert.equal((await describeRoutes(creds, 'vco-ofa')).body!.totalCount, 0);
    await sdkError(describeRoutes(creds, 'vco-ofb'), 'InvalidVpnConnectionInstanceId.NotFound', 404);
  });

  it('admin reset removes other accounts, RAM users, their keys and STS sessions', async () => {
    const ramA = ramClient(server, ROOT);
    const reader = await userWithKey(ramA, 'before-reset', [{ type: 'System', name: 'AliyunVPCReadOnlyAccess' }]);
    assert.equal((await describeRoutes(reader, 'vco-ofa')).body!.totalCount, 0);
    assert.equal((await server.admin('POST', '/_vcoroute/v1/reset')).status, 200);
    await sdkError(describeRoutes(reader, 'vco-ofa'), 'InvalidAccessKeyId.NotFound', 404);
    await sdkError(describeRoutes(b, 'vco-ofb'), 'InvalidAccessKeyId.NotFound', 404);
    assert.deepEqual((await ramA.listUsers(new $Ram.ListUsersRequest({}))).body!.users!.user, []);
    assert.deepEqual((await ramA.listRoles(new $Ram.ListRolesRequest({}))).body!.roles!.role, []);
  });
});

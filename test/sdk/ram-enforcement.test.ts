/**
 * RAM enforcement through the official SDKs: a RAM user's calls are decided by the policy engine from the
 * operation's RAM action and resource ARN; denials carry the documented codes and AccessDeniedDetail.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as $Ram from '@alicloud/ram20150501';
import * as $Vpc from '@alicloud/vpc20160428';
import { ROOT, startTestServer, type TestServer } from '../helpers/server';
import { createPolicy, denied, doc, ramClient, sdkError, userWithKey, vpcClientFor, type Creds } from '../helpers/ram';

const REGION = 'cn-hangzhou';
const CONN = 'vco-ramenforce1';
const OTHER = 'vco-ramenforce2';

describe('RAM enforcement on VPC and RAM operations', () => {
  let server: TestServer;
  let ram: ReturnType<typeof ramClient>;
  const describeRoutes = (creds: Creds, id = CONN, extra = {}) =>
    vpcClientFor(server, creds, extra).describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: id }));
  const createRoute = (creds: Creds, id = CONN) =>
    vpcClientFor(server, creds).createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({
      regionId: REGION, vpnConnectionId: id, routeDest: '10.77.0.0/16', nextHop: id, weight: 100,
    }));

  before(async () => {
    server = await startTestServer();
    ram = ramClient(server, ROOT);
    for (const id of [CONN, OTHER]) {
      assert.equal((await server.admin('PUT', `/_vcoroute/v1/vpn-connections/${id}`, { regionId: REGION, state: 'attached' })).status, 201);
    }
    await server.admin('POST', `/_vcoroute/v1/vpn-connections/${CONN}/routes`, { routes: [{ routeEntryType: 'custom', routeDest: '10.1.0.0/16' }] });
  });
  after(() => server.close());

  it('a user without policies is implicitly denied (Forbbiden.SubUser, sic)', async () => {
    const nobody = await userWithKey(ram, 'nobody');
    await denied(describeRoutes(nobody), 'Forbbiden.SubUser', {
      AuthAction: 'vpc:DescribeVcoRouteEntries', AuthPrincipalType: 'SubUser', AuthPrincipalOwnerId: ROOT.accountId,
      AuthPrincipalDisplayName: 'nobody', PolicyType: 'AccountLevelIdentityBasedPolicy', NoPermissionType: 'ImplicitDeny',
    });
  });

  it('a read-only user (AliyunVPCReadOnlyAccess) describes routes but cannot create one', async () => {
    const reader = await userWithKey(ram, 'reader', [{ type: 'System', name: 'AliyunVPCReadOnlyAccess' }]);
    const body = (await describeRoutes(reader)).body!;
    assert.equal(body.totalCount, 1);
    // V1 signatures with a RAM user's key go through the same path.
    assert.equal((await describeRoutes(reader, CONN, { signatureAlgorithm: 'v2' })).body!.totalCount, 1);
    await denied(createRoute(reader), 'Forbbiden.SubUser', { AuthAction: 'vpc:CreateVcoRouteEntry', NoPermissionType: 'ImplicitDeny' });
    // the root account is not subject to policies
    await createRoute(ROOT, OTHER);
  });

  it('an explicit Deny beats an Allow (403 Forbidden) and is scoped by resource', async () => {
    await createPolicy(ram, 'DenyOneConnection', doc({
      Effect: 'Deny', Action: 'vpc:describevcorouteentries', Resource: `acs:vpc:*:*:vpnconnection/${CONN}`,
    }));
    const user = await userWithKey(ram, 'denied-one', [
      { type: 'System', name: 'AliyunVPCFullAccess' }, { type: 'Custom', name: 'DenyOneConnection' },
    ]);
    await denied(describeRoutes(user), 'Forbidden', { NoPermissionType: 'ExplicitDeny', PolicyType: 'AccountLevelIdentityBasedPolicy' });
    assert.equal((await describeRoutes(user, OTHER)).body!.totalCount, 1, 'the Deny names one connection only');
  });

  it('an acs:SourceIp condition allows only the listed networks', async () => {
    await createPolicy(ram, 'FromOffice', doc({
      Effect: 'Allow', Action: 'vpc:Describe*', Resource: '*', Condition: { IpAddress: { 'acs:SourceIp': ['192.168.0.0/16', '10.0.0.1'] } },
    }));
    await createPolicy(ram, 'FromLoopback', doc({
      Effect: 'Allow', Action: 'vpc:Describe*', Resource: '*', Condition: { IpAddress: { 'acs:SourceIp': '127.0.0.0/8' } },
    }));
    const office = await userWithKey(ram, 'office', [{ type: 'Custom', name: 'FromOffice' }]);
    await denied(describeRoutes(office), 'Forbbiden.SubUser', { NoPermissionType: 'ImplicitDeny' });
    const local = await userWithKey(ram, 'local', [{ type: 'Custom', name: 'FromLoopback' }]);
    assert.equal((await describeRoutes(local)).body!.totalCount, 1);
  });

  it("a group's policies apply to its members, and membership changes take effect at once", async () => {
    const member = await userWithKey(ram, 'member');
    await ram.createGroup(new $Ram.CreateGroupRequest({ groupName: 'readers', comments: 'read-only VPC' }));
    await ram.attachPolicyToGroup(new $Ram.AttachPolicyToGroupRequest({ groupName: 'readers', policyType: 'System', policyName: 'AliyunVPCReadOnlyAccess' }));
    await denied(describeRoutes(member), 'Forbbiden.SubUser', { NoPermissionType: 'ImplicitDeny' });
    await ram.addUserToGroup(new $Ram.AddUserToGroupRequest({ groupName: 'readers', userName: 'member' }));
    assert.equal((await describeRoutes(member)).body!.totalCount, 1);
    await ram.removeUserFromGroup(new $Ram.RemoveUserFromGroupRequest({ groupName: 'readers', userName: 'member' }));
    await denied(describeRoutes(member), 'Forbbiden.SubUser', { NoPermissionType: 'ImplicitDeny' });
  });

  it('a new default policy version changes what the user may do (cached policies are invalidated)', async () => {
    await createPolicy(ram, 'Switchable', doc({ Effect: 'Allow', Action: 'vpc:DescribeVcoRouteEntries', Resource: '*' }));
    const user = await userWithKey(ram, 'switch', [{ type: 'Custom', name: 'Switchable' }]);
    assert.equal((await describeRoutes(user)).body!.totalCount, 1);
    const v2 = await ram.createPolicyVersion(new $Ram.CreatePolicyVersionRequest({
      policyName: 'Switchable', setAsDefault: true, policyDocument: doc({ Effect: 'Allow', Action: 'vpc:DescribeVpnConnection', Resource: '*' }),
    }));
    assert.equal(v2.body!.policyVersion!.versionId, 'v2');
    assert.equal(v2.body!.policyVersion!.isDefaultVersion, true);
    await denied(describeRoutes(user), 'Forbbiden.SubUser', { NoPermissionType: 'ImplicitDeny' });
    await ram.setDefaultPolicyVersion(new $Ram.SetDefaultPolicyVersionRequest({ policyName: 'Switchable', versionId: 'v1' }));
    assert.equal((await describeRoutes(user)).body!.totalCount, 1);
    await ram.detachPolicyFromUser(new $Ram.DetachPolicyFromUserRequest({ userName: 'switch', policyType: 'Custom', policyName: 'Switchable' }));
    await denied(describeRoutes(user), 'Forbbiden.SubUser', { NoPermissionType: 'ImplicitDeny' });
  });

  it('RAM operations by a RAM user need ram: permissions (403 NoPermission)', async () => {
    const user = await userWithKey(ram, 'ram-reader', [{ type: 'System', name: 'AliyunRAMReadOnlyAccess' }]);
    const asUser = ramClient(server, user);
    const listed = await asUser.listUsers(new $Ram.ListUsersRequest({}));
    assert.ok(listed.body!.users!.user!.some((u) => u.userName === 'ram-reader'));
    const err = await denied(asUser.createUser(new $Ram.CreateUserRequest({ userName: 'sneaky' })), 'NoPermission', {
      AuthAction: 'ram:CreateUser', AuthPrincipalDisplayName: 'ram-reader', NoPermissionType: 'ImplicitDeny',
    });
    assert.equal(err.data.Message, 'You are not authorized to do this action.');
    // A user may read its own keys when a policy allows it, by naming no user.
    const own = await asUser.listAccessKeys(new $Ram.ListAccessKeysRequest({}));
    assert.deepEqual(own.body!.accessKeys!.accessKey!.map((k) => k.accessKeyId), [user.accessKeyId]);
  });

  it('an inactive key is refused (400 InvalidAccessKeyId.Inactive) until reactivated; a deleted key is unknown', async () => {
    const user = await userWithKey(ram, 'sleeper', [{ type: 'System', name: 'AliyunVPCReadOnlyAccess' }]);
    const status = (s: string) => ram.updateAccessKey(new $Ram.UpdateAccessKeyRequest({ userName: 'sleeper', userAccessKeyId: user.accessKeyId, status: s }));
    await status('Inactive');
    await sdkError(describeRoutes(user), 'InvalidAccessKeyId.Inactive', 400);
    await sdkError(describeRoutes(user, CONN, { signatureAlgorithm: 'v2' }), 'InvalidAccessKeyId.Inactive', 400);
    const keys = await ram.listAccessKeys(new $Ram.ListAccessKeysRequest({ userName: 'sleeper' }));
    assert.equal(keys.body!.accessKeys!.accessKey![0]!.status, 'Inactive');
    await status('Active');
    assert.equal((await describeRoutes(user)).body!.totalCount, 1);
    await ram.deleteAccessKey(new $Ram.DeleteAccessKeyRequest({ userName: 'sleeper', userAccessKeyId: user.accessKeyId }));
    await sdkError(describeRoutes(user), 'InvalidAccessKeyId.NotFound', 404);
  });
});

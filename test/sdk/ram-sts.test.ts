/**
 * STS through the official SDKs: AssumeRole (permission + trust policy, never by root), session policies
 * narrower than the role's, GetCallerIdentity, and the SecurityToken checks (expired, malformed, mismatched).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, mock } from 'node:test';
import * as $Ram from '@alicloud/ram20150501';
import * as $Sts from '@alicloud/sts20150401';
import * as $Vpc from '@alicloud/vpc20160428';
import { ROOT, startTestServer, type TestServer } from '../helpers/server';
import { assumeRole, denied, doc, ramClient, sdkError, stsClient, userWithKey, vpcClientFor, type Creds } from '../helpers/ram';

const REGION = 'cn-hangzhou';
const CONN = 'vco-stsconn1';
const OTHER = 'vco-stsconn2';
const TRUST_ACCOUNT = doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ROOT.accountId}:root`] } });

describe('STS AssumeRole and temporary credentials', () => {
  let server: TestServer;
  let ram: ReturnType<typeof ramClient>;
  let operator: Creds;
  const roleArn = (name: string) => `acs:ram::${ROOT.accountId}:role/${name}`;
  const describeRoutes = (creds: Creds, id = CONN, extra = {}) =>
    vpcClientFor(server, creds, extra).describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: id }));

  before(async () => {
    server = await startTestServer();
    ram = ramClient(server, ROOT);
    for (const id of [CONN, OTHER]) await server.admin('PUT', `/_vcoroute/v1/vpn-connections/${id}`, { regionId: REGION, state: 'attached' });
    await server.admin('POST', `/_vcoroute/v1/vpn-connections/${CONN}/routes`, { routes: [{ routeEntryType: 'custom', routeDest: '10.1.0.0/16' }] });
    const role = await ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'VpcReader', assumeRolePolicyDocument: TRUST_ACCOUNT, description: 'reads VPC' }));
    assert.equal(role.body!.role!.arn, roleArn('VpcReader'));
    assert.equal(role.body!.role!.maxSessionDuration, 3600);
    await ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ roleName: 'VpcReader', policyType: 'System', policyName: 'AliyunVPCReadOnlyAccess' }));
    operator = await userWithKey(ram, 'operator', [{ type: 'System', name: 'AliyunSTSAssumeRoleAccess' }]);
  });
  after(() => server.close());

  it('a RAM user assumes a role and calls VPC with the temporary credentials (V3 header and V1 parameter)', async () => {
    const t0 = Date.now();
    const res = await stsClient(server, operator).assumeRole(new $Sts.AssumeRoleRequest({ roleArn: roleArn('VpcReader'), roleSessionName: 'ci-job' }));
    const body = res.body!;
    assert.match(body.credentials!.accessKeyId!, /^STS\./);
    assert.ok(body.credentials!.securityToken!.length > 20);
    const expiresIn = Date.parse(body.credentials!.expiration!) - t0;
    assert.ok(expiresIn > 3590_000 && expiresIn <= 3601_000, `default duration 3600 s, got ${expiresIn}`);
    assert.equal(body.assumedRoleUser!.arn, `acs:ram::${ROOT.accountId}:role/vpcreader/ci-job`);
    assert.match(body.assumedRoleUser!.assumedRoleId!, /^\d{16}:ci-job$/);
    const creds = { accessKeyId: body.credentials!.accessKeyId!, accessKeySecret: body.credentials!.accessKeySecret!, securityToken: body.credentials!.securityToken! };
    assert.equal((await describeRoutes(creds)).body!.totalCount, 1);
    assert.equal((await describeRoutes(creds, CONN, { signatureAlgorithm: 'v2' })).body!.totalCount, 1);
    const me = (await stsClient(server, creds).getCallerIdentity()).body!;
    assert.equal(me.identityType, 'AssumedRoleUser');
    assert.equal(me.arn, body.assumedRoleUser!.arn);
    assert.equal(me.accountId, ROOT.accountId);
    assert.equal(me.principalId, body.assumedRoleUser!.assumedRoleId);
    await denied(vpcClientFor(server, creds).createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({
      regionId: REGION, vpnConnectionId: CONN, routeDest: '10.9.0.0/16', nextHop: CONN, weight: 100,
    })), 'Forbbiden.SubUser', { AuthPrincipalType: 'AssumedRoleUser', AuthPrincipalDisplayName: 'VpcReader:ci-job', NoPermissionType: 'ImplicitDeny' });
  });

  it('a session policy narrows the role: only what both allow', async () => {
    const session = doc({ Effect: 'Allow', Action: 'vpc:DescribeVcoRouteEntries', Resource: `acs:vpc:${REGION}:*:vpnconnection/${OTHER}` });
    const creds = await assumeRole(stsClient(server, operator), roleArn('VpcReader'), 'narrow', { policy: session, durationSeconds: 900 });
    assert.equal((await describeRoutes(creds, OTHER)).body!.totalCount, 0);
    await denied(describeRoutes(creds, CONN), 'Forbbiden.SubUser', { PolicyType: 'SessionPolicy', NoPermissionType: 'ImplicitDeny' });
    // a session policy cannot widen the role: the role does not allow writes
    const wide = doc({ Effect: 'Allow', Action: 'vpc:*', Resource: '*' });
    const wideCreds = await assumeRole(stsClient(server, operator), roleArn('VpcReader'), 'wide', { policy: wide });
    await denied(vpcClientFor(server, wideCreds).deleteVcoRouteEntry(new $Vpc.DeleteVcoRouteEntryRequest({
      regionId: REGION, vpnConnectionId: CONN, routeDest: '10.1.0.0/16', nextHop: CONN, weight: 100,
    })), 'Forbbiden.SubUser', { PolicyType: 'AccountLevelIdentityBasedPolicy' });
    await sdkError(stsClient(server, operator).assumeRole(new $Sts.AssumeRoleRequest({
      roleArn: roleArn('VpcReader'), roleSessionName: 'bad', policy: '{"Version":"1","Statement":[{"Effect":"Maybe"}]}',
    })), 'InvalidParameter.PolicyGrammar', 400);
  });

  it('AssumeRole needs sts:AssumeRole, a trusting role, a RAM identity (never root) and a valid duration', async () => {
    await sdkError(stsClient(server, ROOT).assumeRole(new $Sts.AssumeRoleRequest({ roleArn: roleArn('VpcReader'), roleSessionName: 'root' })), 'NoPermission', 403);
    const noSts = await userWithKey(ram, 'no-sts');
    await denied(stsClient(server, noSts).assumeRole(new $Sts.AssumeRoleRequest({ roleArn: roleArn('VpcReader'), roleSessionName: 's1' })),
      'NoPermission', { AuthAction: 'sts:AssumeRole', NoPermissionType: 'ImplicitDeny' });
    await ram.createRole(new $Ram.CreateRoleRequest({
      roleName: 'OnlyAlice', assumeRolePolicyDocument: doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: `acs:ram::${ROOT.accountId}:user/alice` } }),
    }));
    await denied(stsClient(server, operator).assumeRole(new $Sts.AssumeRoleRequest({ roleArn: roleArn('OnlyAlice'), roleSessionName: 's2' })),
      'NoPermission', { PolicyType: 'AssumeRolePolicy', NoPermissionType: 'ImplicitDeny' });
    const alice = await userWithKey(ram, 'alice', [{ type: 'System', name: 'AliyunSTSAssumeRoleAccess' }]);
    await assumeRole(stsClient(server, alice), roleArn('OnlyAlice'), 'alice-session');
    const sts = stsClient(server, operator);
    await sdkError(sts.assumeRole(new $Sts.AssumeRoleRequest({ roleArn: roleArn('Nope'), roleSessionName: 's3' })), 'EntityNotExist.Role', 404);
    await sdkError(sts.assumeRole(new $Sts.AssumeRoleRequest({ roleArn: 'arn:nope', roleSessionName: 's3' })), 'InvalidParameter.RoleArn', 400);
    await sdkError(sts.assumeRole(new $Sts.AssumeRoleRequest({ roleArn: roleArn('VpcReader'), roleSessionName: 'x' })), 'InvalidParameter.RoleSessionName', 400);
    for (const d of [899, 3601]) {
      await sdkError(sts.assumeRole(new $Sts.AssumeRoleRequest({ roleArn: roleArn('VpcReader'), roleSessionName: 's4', durationSeconds: d })),
        'InvalidParameter.DurationSeconds', 400);
    }
  });

  it('GetCallerIdentity names root accounts and RAM users', async () => {
    const root = (await stsClient(server, ROOT).getCallerIdentity()).body!;
    assert.deepEqual([root.identityType, root.arn, root.accountId], ['Account', `acs:ram::${ROOT.accountId}:root`, ROOT.accountId]);
    const user = (await stsClient(server, operator).getCallerIdentity()).body!;
    assert.equal(user.identityType, 'RAMUser');
    assert.equal(user.arn, `acs:ram::${ROOT.accountId}:user/operator`);
    assert.match(user.userId!, /^\d{16}$/);
  });

  it('tokens: missing, malformed, mismatched and expired tokens are refused', async () => {
    const a = await assumeRole(stsClient(server, operator), roleArn('VpcReader'), 'token-a', { durationSeconds: 900 });
    const b = await assumeRole(stsClient(server, operator), roleArn('VpcReader'), 'token-b');
    await sdkError(describeRoutes({ ...a, securityToken: undefined }), 'MissingSecurityToken', 400);
    await sdkError(describeRoutes({ ...a, securityToken: 'not-a-token' }), 'InvalidSecurityToken.Malformed', 400);
    await sdkError(describeRoutes({ ...a, securityToken: b.securityToken }), 'InvalidSecurityToken.MismatchWithAccessKey', 400);
    await sdkError(describeRoutes({ ...a, securityToken: b.securityToken }, CONN, { signatureAlgorithm: 'v2' }), 'InvalidSecurityToken.MismatchWithAccessKey', 400);
    assert.equal((await describeRoutes(a)).body!.totalCount, 1);
    // 901 seconds later (client and server share the clock in this process), token-a has expired, token-b has not.
    mock.timers.enable({ apis: ['Date'], now: Date.now() + 901_000 });
    try {
      await sdkError(describeRoutes(a), 'InvalidSecurityToken.Expired', 400);
      await sdkError(describeRoutes(a, CONN, { signatureAlgorithm: 'v2' }), 'InvalidSecurityToken.Expired', 400);
      assert.equal((await describeRoutes(b)).body!.totalCount, 1);
    } finally {
      mock.timers.reset();
    }
  });
});

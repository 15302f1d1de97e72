/**
 * Resource quotas (--quotas FILE) through the official VPC, RAM and STS SDKs, against two server processes
 * sharing one store (SQLite file or, with VCOROUTE_TEST_BACKEND=postgres, one PostgreSQL database):
 * concurrent creates spread over both servers never overshoot a figure, the refused ones get the documented
 * code and status and change nothing, and an oversized session policy gets InvalidParameter.PolicySize.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as $Ram from '@alicloud/ram20150501';
import * as $Vpc from '@alicloud/vpc20160428';
import { ROOT, openTestStore, storeArgsFor, tempDataDir } from '../helpers/server';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { assumeRole, doc, ramClient, sdkError, stsClient, vpcClientFor, type Creds } from '../helpers/ram';

const QUOTAS = {
  customerGatewaysPerRegion: 10, vpnConnectionsPerRegion: 10, ramUsersPerAccount: 5, ramGroupsPerAccount: 3, ramRolesPerAccount: 3,
  customPoliciesPerAccount: 4, accessKeysPerUser: 1, versionsPerPolicy: 2, systemPoliciesPerPrincipal: 2, customPoliciesPerPrincipal: 1,
  stsSessionPolicyLength: 200,
};
const CONCURRENT = 30;

/** 'ok' or "<status> <code>" of an SDK call; the message must name the figure in force. */
async function outcome(call: Promise<unknown>, figure: number): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (err: any) {
    if (typeof err?.statusCode !== 'number') throw err;
    if (/^(QuotaExceeded|LimitExceeded)\./.test(err.code)) assert.match(err.message, new RegExp(`The quota is ${figure}\\.`), err.message);
    return `${err.statusCode} ${err.code}`;
  }
}

/** Counts outcomes: { ok: n, '<status> <code>': m }. */
function tally(outcomes: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
  return counts;
}

describe('resource quotas, two server processes on one store', () => {
  let dataDir: string;
  let servers: ServerProcess[];
  /** the i-th call goes to server i mod 2 */
  const on = (i: number) => servers[i % 2]!;

  before(async () => {
    dataDir = tempDataDir();
    // Opened (and migrated) once here, so the two processes start on a ready store.
    await (await openTestStore(dataDir)).close();
    const quotaFile = path.join(dataDir, 'quotas.json');
    fs.writeFileSync(quotaFile, JSON.stringify(QUOTAS));
    servers = await Promise.all([1, 2].map(() => startServerProcess([...storeArgsFor(dataDir), '--quotas', quotaFile, '--change-delay-ms', '0'])));
  });
  after(async () => {
    await Promise.all((servers ?? []).map((s) => s.stop()));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('the admin API shows the quotas in force, their source and the cloud figures', async () => {
    for (const server of servers) {
      const r = await server.admin('GET', '/_vcoroute/v1/quotas');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.quotas, QUOTAS);
      assert.equal(r.body.source, path.join(dataDir, 'quotas.json'));
      assert.equal(r.body.cloud.customerGatewaysPerRegion, 100);
    }
  });

  test(`customer gateways: ${CONCURRENT} concurrent creates against 10 per region — exactly 10 succeed, the rest QuotaExceeded.CustomerGateway`, async () => {
    const region = 'cn-qingdao';
    const vpc = (i: number) => vpcClientFor(on(i), ROOT, { regionId: region });
    const create = (i: number, r = region) =>
      vpc(i).createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: r, ipAddress: `203.0.113.${i + 1}`, name: `cgw-${i}` }));
    const outcomes = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => outcome(create(i), 10)));
    assert.deepEqual(tally(outcomes), { ok: 10, '400 QuotaExceeded.CustomerGateway': CONCURRENT - 10 }, outcomes.join());

    const list = async (i: number) =>
      (await vpc(i).describeCustomerGateways(new $Vpc.DescribeCustomerGatewaysRequest({ regionId: region, pageSize: 50 }))).body!;
    for (const i of [0, 1]) {
      const body = await list(i);
      assert.equal(body.totalCount, 10, 'the refused creates changed nothing');
      const names = body.customerGateways!.customerGateway!.map((g) => g.name);
      assert.deepEqual(new Set(names).size, 10);
    }
    assert.equal(await outcome(create(40, 'cn-wulanchabu'), 10), 'ok', 'the quota is per region');

    // Deleting one makes room for exactly one more.
    const victim = (await list(0)).customerGateways!.customerGateway![0]!.customerGatewayId!;
    await vpc(0).deleteCustomerGateway(new $Vpc.DeleteCustomerGatewayRequest({ regionId: region, customerGatewayId: victim }));
    assert.deepEqual(tally(await Promise.all([41, 42, 43].map((i) => outcome(create(i), 10)))), { ok: 1, '400 QuotaExceeded.CustomerGateway': 2 });
    assert.equal((await list(1)).totalCount, 10);
  });

  test(`IPsec connections: ${CONCURRENT} concurrent CreateVpnAttachment against 10 per region — exactly 10, the rest QuotaExceeded.VpnConnection; a refused ClientToken is free again`, async () => {
    const region = 'cn-zhangjiakou';
    const vpc = (i: number) => vpcClientFor(on(i), ROOT, { regionId: region });
    const gateway = (await vpc(0).createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: region, ipAddress: '198.51.100.7' }))).body!.customerGatewayId!;
    const create = (i: number, clientToken?: string) => vpc(i).createVpnAttachment(new $Vpc.CreateVpnAttachmentRequest({
      regionId: region, customerGatewayId: gateway, localSubnet: '10.0.0.0/8', remoteSubnet: `192.168.${i}.0/24`, name: `conn-${i}`, clientToken,
    }));
    const outcomes = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => outcome(create(i), 10)));
    assert.deepEqual(tally(outcomes), { ok: 10, '400 QuotaExceeded.VpnConnection': CONCURRENT - 10 }, outcomes.join());

    const list = async (i: number) =>
      (await vpc(i).describeVpnConnections(new $Vpc.DescribeVpnConnectionsRequest({ regionId: region, pageSize: 50 }))).body!;
    for (const i of [0, 1]) assert.equal((await list(i)).totalCount, 10, 'the refused creates changed nothing');

    // A request refused by the quota records nothing under its ClientToken: once there is room, its retry creates.
    assert.equal(await outcome(create(50, 'quota-retry-1'), 10), '400 QuotaExceeded.VpnConnection');
    const victim = (await list(1)).vpnConnections!.vpnConnection![0]!.vpnConnectionId!;
    await vpc(1).deleteVpnConnection(new $Vpc.DeleteVpnConnectionRequest({ regionId: region, vpnConnectionId: victim }));
    const retried = await create(50, 'quota-retry-1');
    assert.match(retried.body!.vpnConnectionId!, /^vco-/);
    const again = await create(50, 'quota-retry-1');
    assert.equal(again.body!.vpnConnectionId, retried.body!.vpnConnectionId, 'the token now replays the create');
    assert.equal((await list(0)).totalCount, 10);
  });

  describe('RAM and STS (a fresh account)', () => {
    let account: Creds & { accountId: string };
    const ram = (i: number) => ramClient(on(i), account);
    const trust = () => doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${account.accountId}:root`] } });
    const concurrently = (n: number, figure: number, call: (i: number) => Promise<unknown>) =>
      Promise.all(Array.from({ length: n }, (_, i) => outcome(call(i), figure))).then(tally);

    before(async () => {
      const created = await servers[0]!.admin('POST', '/_vcoroute/v1/accounts');
      assert.equal(created.status, 201);
      account = created.body;
    });

    test('users, groups, roles and custom policies: concurrent creates stop at the configured figure with LimitExceeded.* 409', async () => {
      assert.deepEqual(await concurrently(12, 5, (i) => ram(i).createUser(new $Ram.CreateUserRequest({ userName: `user-${i}` }))), { ok: 5, '409 LimitExceeded.User': 7 });
      assert.deepEqual(await concurrently(8, 3, (i) => ram(i).createGroup(new $Ram.CreateGroupRequest({ groupName: `group-${i}` }))), { ok: 3, '409 LimitExceeded.Group': 5 });
      assert.deepEqual(
        await concurrently(8, 3, (i) => ram(i).createRole(new $Ram.CreateRoleRequest({ roleName: `role-${i}`, assumeRolePolicyDocument: trust() }))),
        { ok: 3, '409 LimitExceeded.Role': 5 },
      );
      const policyDoc = doc({ Effect: 'Allow', Action: 'vpc:Describe*', Resource: '*' });
      assert.deepEqual(
        await concurrently(8, 4, (i) => ram(i).createPolicy(new $Ram.CreatePolicyRequest({ policyName: `policy-${i}`, policyDocument: policyDoc }))),
        { ok: 4, '409 LimitExceeded.Policy': 4 },
      );
      const users = (await ram(1).listUsers(new $Ram.ListUsersRequest({}))).body!.users!.user!;
      const groups = (await ram(0).listGroups(new $Ram.ListGroupsRequest({}))).body!.groups!.group!;
      const roles = (await ram(1).listRoles(new $Ram.ListRolesRequest({}))).body!.roles!.role!;
      const policies = (await ram(0).listPolicies(new $Ram.ListPoliciesRequest({ policyType: 'Custom' }))).body!.policies!.policy!;
      assert.deepEqual([users.length, groups.length, roles.length, policies.length], [5, 3, 3, 4], 'the refused creates changed nothing');
      // The default figures still apply to another account of the same servers: the quota is per account.
      await ramClient(on(0), ROOT).createUser(new $Ram.CreateUserRequest({ userName: 'root-account-user' }));
    });

    test('AccessKeys per user, versions per policy, policies attached per principal: the configured figures', async () => {
      const [user, other] = (await ram(0).listUsers(new $Ram.ListUsersRequest({}))).body!.users!.user!.map((u) => u.userName!);
      assert.deepEqual(await concurrently(6, 1, (i) => ram(i).createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: user }))),
        { ok: 1, '409 LimitExceeded.User.AccessKey': 5 });
      assert.equal((await ram(1).listAccessKeys(new $Ram.ListAccessKeysRequest({ userName: user }))).body!.accessKeys!.accessKey!.length, 1);

      const policy = (await ram(0).listPolicies(new $Ram.ListPoliciesRequest({ policyType: 'Custom' }))).body!.policies!.policy![0]!.policyName!;
      const version = () => ram(1).createPolicyVersion(new $Ram.CreatePolicyVersionRequest({
        policyName: policy, policyDocument: doc({ Effect: 'Allow', Action: 'vpc:*', Resource: '*' }),
      }));
      assert.equal(await outcome(version(), 2), 'ok');
      assert.equal(await outcome(version(), 2), '409 LimitExceeded.Policy.Version');

      const attach = (i: number, type: string, name: string) =>
        ram(i).attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ userName: other, policyType: type, policyName: name }));
      const system = ['AliyunVPCFullAccess', 'AliyunVPCReadOnlyAccess', 'AliyunSTSAssumeRoleAccess', 'AliyunRAMReadOnlyAccess'];
      assert.deepEqual(await concurrently(4, 2, (i) => attach(i, 'System', system[i]!)), { ok: 2, '409 LimitExceeded.Policy.Attachment': 2 });
      const customs = (await ram(0).listPolicies(new $Ram.ListPoliciesRequest({ policyType: 'Custom' }))).body!.policies!.policy!.map((p) => p.policyName!);
      assert.deepEqual(await concurrently(3, 1, (i) => attach(i, 'Custom', customs[i]!)), { ok: 1, '409 LimitExceeded.Policy.Attachment': 2 });
      const attached = (await ram(1).listPoliciesForUser(new $Ram.ListPoliciesForUserRequest({ userName: other }))).body!.policies!.policy!;
      assert.equal(attached.length, 3);
    });

    test('STS AssumeRole: a session policy over the configured 200 characters is InvalidParameter.PolicySize 400; at 200 it is accepted', async () => {
      const users = (await ram(0).listUsers(new $Ram.ListUsersRequest({}))).body!.users!.user!.map((u) => u.userName!);
      const caller = users[2]!; // no keys and no policies yet
      await ram(0).attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ userName: caller, policyType: 'System', policyName: 'AliyunSTSAssumeRoleAccess' }));
      const key = (await ram(1).createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: caller }))).body!.accessKey!;
      const creds = { accessKeyId: key.accessKeyId!, accessKeySecret: key.accessKeySecret! };
      const role = (await ram(0).listRoles(new $Ram.ListRolesRequest({}))).body!.roles!.role![0]!;

      const base = doc({ Effect: 'Allow', Action: 'vpc:DescribeVpnConnections', Resource: '*' });
      const sized = (n: number) => base.slice(0, -1) + ' '.repeat(n - base.length) + '}'; // JSON whitespace: still a valid policy
      assert.equal(sized(200).length, 200);
      for (const i of [0, 1]) {
        const sts = stsClient(on(i), creds);
        const err = await sdkError(assumeRole(sts, role.arn!, `over-${i}`, { policy: sized(201) }), 'InvalidParameter.PolicySize', 400);
        assert.match(err.message, /longer than 200 characters/);
        const session = await assumeRole(sts, role.arn!, `at-${i}`, { policy: sized(200) });
        assert.match(session.accessKeyId, /^STS\./);
      }
    });
  });
});

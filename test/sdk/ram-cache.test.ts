/**
 * Policy caches are never stale across servers: two servers on one store (two processes' worth of caches),
 * a RAM change made through one is enforced by the other on the very next request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as $Ram from '@alicloud/ram20150501';
import * as $Vpc from '@alicloud/vpc20160428';
import { ROOT, startTestServer, tempDataDir, type TestServer } from '../helpers/server';
import { denied, ramClient, userWithKey, vpcClientFor } from '../helpers/ram';

const REGION = 'cn-hangzhou';
const CONN = 'vco-ramcache1';

describe('RAM policy cache across two servers on one store', () => {
  let a: TestServer;
  let b: TestServer;

  before(async () => {
    const dataDir = tempDataDir();
    a = await startTestServer(dataDir);
    b = await startTestServer(dataDir);
    assert.equal((await a.admin('PUT', `/_vcoroute/v1/vpn-connections/${CONN}`, { regionId: REGION, state: 'attached' })).status, 201);
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  it('detaching a policy on one server denies the next call on the other; attaching allows it again', async () => {
    const ramA = ramClient(a, ROOT);
    const reader = await userWithKey(ramA, 'cached-reader', [{ type: 'System', name: 'AliyunVPCReadOnlyAccess' }]);
    const describeOnB = () => vpcClientFor(b, reader).describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: CONN }));
    // warm B's cache
    for (let i = 0; i < 3; i++) assert.equal((await describeOnB()).body!.totalCount, 0);

    await ramA.detachPolicyFromUser(new $Ram.DetachPolicyFromUserRequest({ userName: 'cached-reader', policyType: 'System', policyName: 'AliyunVPCReadOnlyAccess' }));
    await denied(describeOnB(), 'Forbbiden.SubUser', { NoPermissionType: 'ImplicitDeny' });

    await ramA.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ userName: 'cached-reader', policyType: 'System', policyName: 'AliyunVPCFullAccess' }));
    assert.equal((await describeOnB()).body!.totalCount, 0);
  });
});

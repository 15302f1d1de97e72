/**
 * --seed: the same calls in the same order give the same resource IDs and RequestIds in every run (separate
 * server processes, fresh stores); without a seed they differ. Plus the seeded stream's own properties.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as $Ram from '@alicloud/ram20150501';
import * as $Vpc from '@alicloud/vpc20160428';
import { randomBytes, randomInt, randomUUID, seedRandom } from '../../src/random';
import { assumeRole, ramClient, stsClient, userWithKey } from '../helpers/ram';
import { ROOT, tempDataDir, type TestServer } from '../helpers/server';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { vpcClient } from '../helpers/vpc-client';

async function run(args: string[]): Promise<string[]> {
  const server: ServerProcess = await startServerProcess(['--data', tempDataDir(), ...args]);
  try {
    const vpc = vpcClient({ endpoint: server.endpoint } as TestServer);
    const out: string[] = [];
    for (const ip of ['203.0.113.1', '203.0.113.2']) {
      const r = await vpc.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: 'cn-hangzhou', ipAddress: ip }));
      out.push(r.body!.customerGatewayId!, r.body!.requestId!);
    }
    const c = await vpc.createVpnAttachment(new $Vpc.CreateVpnAttachmentRequest({
      regionId: 'cn-hangzhou', customerGatewayId: out[0], localSubnet: '10.0.0.0/8', remoteSubnet: '192.168.0.0/16',
    }));
    out.push(c.body!.vpnConnectionId!, c.body!.requestId!);
    // secrets and nonces: a RAM user's AccessKey, and STS credentials (their token carries a nonce)
    const ram = ramClient(server, ROOT);
    const trust = { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ROOT.accountId}:root`] } }] };
    const role = await ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'seeded', assumeRolePolicyDocument: JSON.stringify(trust) }));
    const user = await userWithKey(ram, 'seeded', [{ type: 'System', name: 'AliyunSTSAssumeRoleAccess' }]);
    const sts = await assumeRole(stsClient(server, user), role.body!.role!.arn!, 'seeded');
    out.push(role.body!.role!.roleId!, user.accessKeyId, user.accessKeySecret, sts.accessKeyId, sts.accessKeySecret, sts.securityToken!);
    return out;
  } finally {
    await server.stop();
  }
}

describe('--seed', () => {
  after(() => seedRandom(undefined));

  test('two runs with one seed give the same IDs, RequestIds, AccessKey secrets and STS tokens; another seed or none gives others', async () => {
    const first = await run(['--seed', 'suite-42']);
    const second = await run(['--seed', 'suite-42']);
    assert.deepEqual(second, first);
    assert.match(first[0]!, /^cgw-/);
    assert.match(first[1]!, /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/, 'RequestIds stay UUID-shaped');
    const other = await run(['--seed', 'suite-43']);
    const none = await run([]);
    for (const ids of [other, none]) for (let i = 0; i < first.length; i++) assert.notEqual(ids[i], first[i]);
  });

  test('the seeded stream: deterministic, in range, unbiased shapes; unseeded again after reset', () => {
    const sample = () => [randomBytes(7).toString('hex'), randomInt(10), randomInt(5, 8), randomUUID()];
    seedRandom('x');
    const a = sample();
    seedRandom('x');
    assert.deepEqual(sample(), a);
    seedRandom('y');
    assert.notDeepEqual(sample(), a);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 6000; i++) counts[randomInt(6)]++;
    for (const n of counts) assert.ok(n > 850 && n < 1150, `roughly uniform: ${counts}`);
    seedRandom(undefined);
    assert.notEqual(randomUUID(), randomUUID());
  });
});

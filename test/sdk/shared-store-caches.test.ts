/**
 * The request path's in-process caches (SQLite: access keys, RAM users, RAM generations and connections kept
 * while `PRAGMA data_version` and the connection's own writes say the file is unchanged — read-cache.ts;
 * rendered pages and compiled policy sets on both backends) stay correct when two server processes share one
 * store: two real processes on one data directory (or one PostgreSQL database under
 * VCOROUTE_TEST_BACKEND=postgres). Every change is made through one server, after the other has read (and
 * cached) what it changes, and must be seen by the other's very next request.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Vpc, * as $Vpc from '@alicloud/vpc20160428';
import * as $Ram from '@alicloud/ram20150501';
import { createTestDatabase, postgresSkipReason, sdkTestBackend, type TestDatabase } from '../helpers/backends';
import { ROOT } from '../helpers/server';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { ramClient, type Creds } from '../helpers/ram';

const REGION = 'cn-hangzhou';
const CONN = 'vco-sharedcache01';
const backend = sdkTestBackend();

const vpc = (server: ServerProcess, creds: Creds): any =>
  new (Vpc as any)({ ...creds, endpoint: server.endpoint, protocol: 'http', regionId: REGION });

const list = async (server: ServerProcess, creds: Creds) =>
  (await vpc(server, creds).describeVcoRouteEntries(
    new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: CONN, routeEntryType: 'custom', pageNumber: 1, pageSize: 50 }),
  )).body as $Vpc.DescribeVcoRouteEntriesResponseBody;

/** The error code of a call that must fail, or 'ok'. */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (err: any) {
    if (typeof err?.code !== 'string') throw err;
    return err.code;
  }
}

/** Reads through `server` twice: the second one is answered from its caches, if it has any. */
async function warm(server: ServerProcess, creds: Creds): Promise<$Vpc.DescribeVcoRouteEntriesResponseBody> {
  await list(server, creds);
  return list(server, creds);
}

describe(`two server processes on one ${backend} store: cached reads see the other's writes at once`, async () => {
  const skip = backend === 'postgres' ? await postgresSkipReason() : undefined;
  describe('the caches', { skip }, () => {
    let dir: string | undefined;
    let db: TestDatabase | undefined;
    let a: ServerProcess;
    let b: ServerProcess;
    let user: Creds;
    const USER = 'cache-reader';

    before(async () => {
      let storeArgs: string[];
      if (backend === 'postgres') {
        db = await createTestDatabase();
        storeArgs = ['--database', db.url];
      } else {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcoroute-shared-'));
        storeArgs = ['--data', dir];
      }
      a = await startServerProcess(storeArgs);
      b = await startServerProcess(storeArgs);
      const put = await a.admin('PUT', `/_vcoroute/v1/vpn-connections/${CONN}`, { regionId: REGION, state: 'attached', transitRouterId: 'tr-sharedcache01' });
      assert.equal(put.status, 201, JSON.stringify(put.body));
      const routes = Array.from({ length: 3 }, (_, i) => ({ routeEntryType: 'custom', routeDest: `10.70.${i}.0/24` }));
      assert.deepEqual((await a.admin('POST', `/_vcoroute/v1/vpn-connections/${CONN}/routes`, { routes })).body, { inserted: 3, updated: 0 });
      const ram = ramClient(a, ROOT);
      await ram.createUser(new $Ram.CreateUserRequest({ userName: USER }));
      await ram.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ userName: USER, policyType: 'System', policyName: 'AliyunVPCReadOnlyAccess' }));
      const key = (await ram.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: USER }))).body!.accessKey!;
      user = { accessKeyId: key.accessKeyId!, accessKeySecret: key.accessKeySecret! };
    });

    after(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await db?.drop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    test('a route added through one server is listed by the other on its next request', async () => {
      assert.equal((await warm(b, ROOT)).totalCount, 3);
      assert.equal((await warm(b, user)).totalCount, 3);
      await a.admin('POST', `/_vcoroute/v1/vpn-connections/${CONN}/routes`, { routes: [{ routeEntryType: 'custom', routeDest: '10.70.9.0/24' }] });
      assert.equal((await list(b, ROOT)).totalCount, 4);
      assert.equal((await list(b, user)).totalCount, 4);
      // and the other way round, through the official SDK
      await vpc(b, ROOT).createVcoRouteEntry(
        new $Vpc.CreateVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: CONN, routeDest: '192.168.70.0/24', nextHop: CONN, weight: 100, overlayMode: 'Ipsec' }),
      );
      assert.equal((await list(a, ROOT)).totalCount, 5);
    });

    test('a connection changed through one server is seen by the other on its next request', async () => {
      await warm(b, ROOT);
      const put = await a.admin('PUT', `/_vcoroute/v1/vpn-connections/${CONN}`, { regionId: 'cn-shanghai', state: 'attached', transitRouterId: 'tr-sharedcache01' });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.equal(await outcome(list(b, ROOT)), 'InvalidVpnConnectionInstanceId.NotFound');
      const back = await a.admin('PUT', `/_vcoroute/v1/vpn-connections/${CONN}`, { regionId: REGION, state: 'attached', transitRouterId: 'tr-sharedcache01' });
      assert.equal(back.status, 200, JSON.stringify(back.body));
      assert.equal(await outcome(list(b, ROOT)), 'ok');
    });

    test('a policy detached through one server denies (Forbbiden.SubUser, sic) the next request on the other; attached again, allows it', async () => {
      await warm(b, user);
      const ram = ramClient(a, ROOT);
      await ram.detachPolicyFromUser(new $Ram.DetachPolicyFromUserRequest({ userName: USER, policyType: 'System', policyName: 'AliyunVPCReadOnlyAccess' }));
      assert.equal(await outcome(list(b, user)), 'Forbbiden.SubUser');
      await ram.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ userName: USER, policyType: 'System', policyName: 'AliyunVPCReadOnlyAccess' }));
      assert.equal(await outcome(list(b, user)), 'ok');
    });

    test('a key deactivated through one server is refused by the other on its next request; deleted, unknown', async () => {
      await warm(b, user);
      const ram = ramClient(b, ROOT); // this time the change goes through b and a answers
      await warm(a, user);
      await ram.updateAccessKey(new $Ram.UpdateAccessKeyRequest({ userName: USER, userAccessKeyId: user.accessKeyId, status: 'Inactive' }));
      assert.equal(await outcome(list(a, user)), 'InvalidAccessKeyId.Inactive');
      await ram.updateAccessKey(new $Ram.UpdateAccessKeyRequest({ userName: USER, userAccessKeyId: user.accessKeyId, status: 'Active' }));
      assert.equal(await outcome(list(a, user)), 'ok');
      await ram.deleteAccessKey(new $Ram.DeleteAccessKeyRequest({ userName: USER, userAccessKeyId: user.accessKeyId }));
      assert.equal(await outcome(list(a, user)), 'InvalidAccessKeyId.NotFound');
    });
  });
});

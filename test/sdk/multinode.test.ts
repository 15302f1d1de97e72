/**
 * Several servers, one state: two real server processes (`vcoroute serve --database …`) on one fresh
 * PostgreSQL database, driven by the official SDK and by raw signed requests. Everything that must be
 * global is global: nonces, ClientTokens, the conflict rule for concurrent changes to one connection, routes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from 'pg';
import Vpc, * as $Vpc from '@alicloud/vpc20160428';
import { PG_MIGRATIONS } from '../../src/store/postgres/migrations';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '../helpers/backends';
import { encodeParams, send, signV1 } from '../helpers/http';
import { ROOT } from '../helpers/server';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const REGION = 'cn-hangzhou';
const CONN = 'vco-multinode01';
const CHANGE_DELAY_MS = 1500;

function sdk(server: ServerProcess): any {
  return new (Vpc as any)({
    accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret, endpoint: server.endpoint, protocol: 'http', regionId: REGION,
  });
}

async function sdkError(call: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await call;
  } catch (err: any) {
    return { status: err.statusCode, code: err.code };
  }
  assert.fail('the call succeeded');
}

async function listAll(server: ServerProcess, type = 'custom'): Promise<$Vpc.DescribeVcoRouteEntriesResponseBody> {
  const res = await sdk(server).describeVcoRouteEntries(
    new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: CONN, routeEntryType: type, pageNumber: 1, pageSize: 50 }),
  );
  return res.body;
}

const createRoute = (server: ServerProcess, routeDest: string, clientToken?: string) =>
  sdk(server).createVcoRouteEntry(
    new $Vpc.CreateVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: CONN, routeDest, nextHop: CONN, weight: 100, overlayMode: 'Ipsec', clientToken }),
  );

/** Waits until the connection's change (updating) is over, as seen through `server`. */
async function waitUntilAttached(server: ServerProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const c = await sdk(server).describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: CONN }));
    if (c.body.state === 'attached') return;
    if (Date.now() > deadline) assert.fail(`connection still ${c.body.state}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('multi-node on one PostgreSQL database', async () => {
  const skip = await postgresSkipReason();
  describe('two server processes', { skip }, () => {
    let db: TestDatabase;
    let a: ServerProcess;
    let b: ServerProcess;

    before(async () => {
      db = await createTestDatabase();
      // Started at the same time on an empty database: migrations run once, under the advisory lock.
      [a, b] = await Promise.all(
        [1, 2].map(() => startServerProcess(['--database', db.url, '--change-delay-ms', String(CHANGE_DELAY_MS)])),
      );
      const put = await a.admin('PUT', `/_vcoroute/v1/vpn-connections/${CONN}`, {
        regionId: REGION, state: 'attached', transitRouterId: 'tr-multinode01',
        tunnels: [{ tunnelId: 'tun-multinode01' }, { tunnelId: 'tun-multinode02' }],
      });
      assert.equal(put.status, 201, JSON.stringify(put.body));
    });

    after(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await db?.drop();
    });

    test('both servers started at once; every migration was applied exactly once', async () => {
      const client = new Client({ connectionString: db.url });
      await client.connect();
      try {
        const rows = (await client.query('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => Number(r.version));
        assert.deepEqual(rows, PG_MIGRATIONS.map((m) => m.version));
      } finally {
        await client.end();
      }
      for (const s of [a, b]) assert.deepEqual((await s.admin('GET', '/_vcoroute/health')).body, { status: 'ok', store: 'postgres' });
    });

    test('a nonce used on one server is refused on the other', async () => {
      const params = signV1({ RegionId: REGION, VpnConnectionId: CONN }, { common: { SignatureNonce: `multinode-${Date.now()}` } });
      const first = await send(a.baseUrl, { path: `/?${encodeParams(params)}` });
      assert.equal(first.status, 200, first.text);
      const replay = await send(b.baseUrl, { path: `/?${encodeParams(params)}` });
      assert.equal(replay.status, 400);
      assert.equal(replay.json.Code, 'SignatureNonceUsed');
      const again = await send(a.baseUrl, { path: `/?${encodeParams(params)}` });
      assert.equal(again.json.Code, 'SignatureNonceUsed');
    });

    test('routes written through one server are listed through the other (official SDK)', async () => {
      const routes = Array.from({ length: 60 }, (_, i) => ({ routeEntryType: 'custom', routeDest: `10.60.${i}.0/24`, weight: i % 2 ? 0 : 100, createTime: 1_700_000_000_000 + i }));
      const seeded = await a.admin('POST', `/_vcoroute/v1/vpn-connections/${CONN}/routes`, { routes });
      assert.deepEqual(seeded.body, { inserted: 60, updated: 0 });
      const page1 = await listAll(b);
      assert.equal(page1.totalCount, 60);
      assert.deepEqual(page1.vcoRouteEntries!.map((r) => r.routeDest), routes.slice(0, 50).map((r) => r.routeDest));
      const page2 = (await sdk(b).describeVcoRouteEntries(
        new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: CONN, routeEntryType: 'custom', pageNumber: 2, pageSize: 50 }),
      )).body as $Vpc.DescribeVcoRouteEntriesResponseBody;
      assert.deepEqual(page2.vcoRouteEntries!.map((r) => r.routeDest), routes.slice(50).map((r) => r.routeDest));
      // and back: deleted through b, gone through a
      const deleted = await b.admin('DELETE', `/_vcoroute/v1/vpn-connections/${CONN}/routes?routeEntryType=custom`);
      assert.deepEqual(deleted.body, { deleted: 60 });
      assert.equal((await listAll(a)).totalCount, 0);
    });

    test('a ClientToken retried on the other server returns the first result (and creates nothing more)', async () => {
      await waitUntilAttached(a);
      const token = `multinode-token-${Date.now()}`;
      const first = await createRoute(a, '192.168.77.0/24', token);
      const retried = await createRoute(b, '192.168.77.0/24', token);
      assert.deepEqual(retried.body.createTime, first.body.createTime);
      assert.deepEqual({ ...retried.body, requestId: undefined }, { ...first.body, requestId: undefined });
      const listed = await listAll(a);
      assert.deepEqual(listed.vcoRouteEntries!.map((r) => r.routeDest), ['192.168.77.0/24']);
      // different parameters with the same token: refused on either server
      const mismatch = await sdkError(createRoute(b, '192.168.78.0/24', token));
      assert.deepEqual(mismatch, { status: 400, code: 'IdempotentParameterMismatch' });
    });

    test('two concurrent route changes on one connection through two servers: one success, one conflict', async () => {
      for (let round = 0; round < 3; round++) {
        await waitUntilAttached(b);
        const outcomes = await Promise.allSettled([createRoute(a, `192.168.${100 + round}.0/24`), createRoute(b, `192.168.${200 + round}.0/24`)]);
        const ok = outcomes.filter((o) => o.status === 'fulfilled');
        const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        assert.equal(ok.length, 1, `round ${round}: exactly one success`);
        assert.equal(failed.length, 1);
        assert.deepEqual({ status: failed[0]!.reason.statusCode, code: failed[0]!.reason.code }, { status: 400, code: 'VpnConnection.Configuring' });
      }
      const listed = await listAll(b);
      assert.equal(listed.totalCount, 1 + 3, 'the first route plus one per round');
    });

    test("a page cached by one server shows the other server's route changes on its next read", async () => {
      const ID = 'vco-multinode02';
      const list = async (server: ServerProcess, pageNumber: number) => {
        const res = await sdk(server).describeVcoRouteEntries(
          new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: ID, routeEntryType: 'custom', pageNumber, pageSize: 50 }),
        );
        const { RequestId, ...body } = res.body.toMap();
        assert.ok(RequestId);
        return body as any;
      };
      /** Twice through `server`: the second read comes from its cache, and is the same. */
      const twice = async (server: ServerProcess, pageNumber: number) => {
        const first = await list(server, pageNumber);
        assert.deepStrictEqual(await list(server, pageNumber), first);
        return first;
      };
      const dests = (body: any): string[] => body.VcoRouteEntries.map((e: any) => e.RouteDest);
      const seed = async (prefix: string) => {
        const put = await a.admin('PUT', `/_vcoroute/v1/vpn-connections/${ID}`, {
          regionId: REGION, state: 'attached', transitRouterId: 'tr-multinode02', tunnels: [{ tunnelId: 'tun-multinode03' }, { tunnelId: 'tun-multinode04' }],
        });
        assert.equal(put.status, 201, JSON.stringify(put.body));
        const routes = Array.from({ length: 60 }, (_, i) => ({ routeEntryType: 'custom', routeDest: `${prefix}.${i}.0/24`, createTime: 1_700_000_000_000 + i }));
        assert.deepEqual((await a.admin('POST', `/_vcoroute/v1/vpn-connections/${ID}/routes`, { routes })).body, { inserted: 60, updated: 0 });
      };

      await seed('10.61');
      const page1 = await twice(b, 1);
      const page2 = await twice(b, 2);
      assert.equal(page1.TotalCount, 60);

      // admin write through a: a weight changed in place and a new route
      await a.admin('POST', `/_vcoroute/v1/vpn-connections/${ID}/routes`, { routes: [{ routeEntryType: 'custom', routeDest: '10.61.0.0/24', weight: 0 }, { routeEntryType: 'custom', routeDest: '10.61.99.0/24' }] });
      const page1b = await twice(b, 1);
      assert.equal(page1b.TotalCount, 61);
      assert.equal(page1b.VcoRouteEntries[0].Weight, 0);
      assert.deepEqual(dests(await twice(b, 2)), [...dests(page2), '10.61.99.0/24']);

      // CreateVcoRouteEntry (official SDK) through a
      await sdk(a).createVcoRouteEntry(
        new $Vpc.CreateVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: ID, routeDest: '192.168.61.0/24', nextHop: ID, weight: 100, overlayMode: 'Ipsec' }),
      );
      assert.deepEqual(dests(await twice(b, 2)).slice(-2), ['10.61.99.0/24', '192.168.61.0/24']);
      assert.equal((await twice(b, 1)).TotalCount, 62);

      // deleted and created again with the same ID and as many routes, through a
      assert.equal((await a.admin('DELETE', `/_vcoroute/v1/vpn-connections/${ID}`)).status, 200);
      await seed('10.62');
      const renewed = await twice(b, 1);
      assert.equal(renewed.TotalCount, 60);
      assert.equal(dests(renewed)[0], '10.62.0.0/24');
      assert.notDeepStrictEqual(renewed, page1);
    });

    test('neither server logged an error', () => {
      for (const s of [a, b]) {
        assert.equal(s.exited(), undefined, 'still running');
        assert.doesNotMatch(s.stderr(), /"level":(50|60)/);
      }
    });
  });
});

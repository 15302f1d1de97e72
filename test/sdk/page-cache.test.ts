/**
 * Rendered DescribeVcoRouteEntries pages are cached in the server, keyed by the connection's routes version
 * from the store: a page is never shown stale. Through the official SDK (@alicloud/vpc20160428), each
 * page is read twice (the second read is served from the cache), then every kind of change is made —
 * CreateVcoRouteEntry, admin upserts and deletions, a tunnel going down, the connection deleted and
 * created again with the same ID, a reset — and the next read must show it. Whole bodies are compared.
 * Multi-server freshness on one PostgreSQL database: test/sdk/multinode.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as $Vpc from '@alicloud/vpc20160428';
import { assertNoServerErrors } from '../helpers/http';
import { startTestServer, type TestServer } from '../helpers/server';
import { vpcClient, type VpcClient } from '../helpers/vpc-client';

const REGION = 'cn-hangzhou';
const CONN = 'vco-pagecache01';
const T0 = 1_700_000_000_000;

let server: TestServer;
let vpc: VpcClient;

const custom = (i: number, weight = 100) => ({ routeEntryType: 'custom', routeDest: `10.77.${i}.0/24`, weight, createTime: T0 + i });

async function page(pageNumber: number, routeEntryType = 'custom', clientToken?: string): Promise<Record<string, unknown>> {
  const res = await vpc.describeVcoRouteEntries(
    new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: CONN, routeEntryType, pageNumber, pageSize: 50, clientToken }),
  );
  const { RequestId, ...rest } = res.body!.toMap() as Record<string, unknown>;
  assert.equal(typeof RequestId, 'string');
  return rest;
}

/** Reads a page twice (the second from the cache); both must be equal; returns it. */
async function twice(pageNumber: number, routeEntryType = 'custom'): Promise<any> {
  const first = await page(pageNumber, routeEntryType);
  const second = await page(pageNumber, routeEntryType);
  assert.deepStrictEqual(second, first, 'a cached page is the page');
  return first;
}

const dests = (body: any): string[] => body.VcoRouteEntries.map((e: any) => e.RouteDest);

async function seed(routes: unknown[], tunnels = [{ tunnelId: 'tun-pagecache01' }, { tunnelId: 'tun-pagecache02' }]): Promise<void> {
  const put = await server.admin('PUT', `/_vcoroute/v1/vpn-connections/${CONN}`, { regionId: REGION, state: 'attached', transitRouterId: 'tr-pagecache', tunnels });
  assert.ok(put.status === 201 || put.status === 200, JSON.stringify(put.body));
  if (routes.length > 0) {
    const res = await server.admin('POST', `/_vcoroute/v1/vpn-connections/${CONN}/routes`, { routes });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
}

before(async () => {
  server = await startTestServer(undefined, { VCOROUTE_CHANGE_DELAY_MS: '0' });
  vpc = vpcClient(server);
  await seed([
    ...Array.from({ length: 60 }, (_, i) => custom(i)),
    { routeEntryType: 'bgp', routeDest: '172.16.1.0/24', source: 'VPN_BGP', asPath: [65001], community: '65000:1', nextHopTunnelIds: ['tun-pagecache02'] },
  ]);
});

after(async () => {
  await server?.close();
  assertNoServerErrors();
});

describe('rendered-page cache: never stale', () => {
  test('CreateVcoRouteEntry (official SDK): the next read of a cached page shows the new route and count', async () => {
    const before2 = await twice(2);
    assert.equal(before2.TotalCount, 60);
    assert.equal(before2.VcoRouteEntries.length, 10);
    await vpc.createVcoRouteEntry(
      new $Vpc.CreateVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: CONN, routeDest: '192.168.50.0/24', nextHop: CONN, weight: 0, overlayMode: 'Ipsec' }),
    );
    const after2 = await twice(2);
    assert.equal(after2.TotalCount, 61);
    assert.deepEqual(dests(after2), [...dests(before2), '192.168.50.0/24']);
    const page1 = await twice(1);
    assert.equal(page1.TotalCount, 61, 'page 1 was cached with the old count; it shows the new one');
    assert.deepEqual(page1.VpnRouteCounts, [
      { RouteEntryType: 'custom', RouteCount: 61 }, { RouteEntryType: 'bgp', RouteCount: 1, Source: 'VPN_BGP' }, { RouteEntryType: 'bgp', RouteCount: 0, Source: 'CLOUD' },
    ]);
  });

  test('admin upsert (weight changed in place) and admin deletion', async () => {
    const before1 = await twice(1);
    assert.equal(before1.VcoRouteEntries[3].Weight, 100);
    await server.admin('POST', `/_vcoroute/v1/vpn-connections/${CONN}/routes`, { routes: [custom(3, 0)] });
    const after1 = await twice(1);
    assert.equal(after1.VcoRouteEntries[3].Weight, 0);
    assert.deepEqual({ ...after1, VcoRouteEntries: undefined }, { ...before1, VcoRouteEntries: undefined });

    await server.admin('DELETE', `/_vcoroute/v1/vpn-connections/${CONN}/routes?routeEntryType=custom&routeDest=10.77.0.0/24`);
    const deleted = await twice(1);
    assert.equal(deleted.TotalCount, 60);
    assert.equal(dests(deleted)[0], '10.77.1.0/24');
  });

  test('a tunnel going down changes NextHopTunnelIdList of cached pages', async () => {
    const bgpBefore = await twice(1, 'bgp');
    assert.match(JSON.stringify(bgpBefore.VcoRouteEntries[0].NextHopTunnelIdList), /tun-pagecache02/);
    const customBefore = await twice(1);
    const down = await server.admin('PUT', `/_vcoroute/v1/vpn-connections/${CONN}/tunnels/tun-pagecache02`, { status: 'ike_sa_not_established' });
    assert.equal(down.status, 200, JSON.stringify(down.body));
    const bgpAfter = await twice(1, 'bgp');
    assert.equal(bgpAfter.VcoRouteEntries[0].NextHopTunnelIdList, undefined, 'its only tunnel is down: no list');
    const customAfter = await twice(1);
    assert.notDeepStrictEqual(customAfter, customBefore);
    for (const e of customAfter.VcoRouteEntries) assert.ok(!JSON.stringify(e.NextHopTunnelIdList ?? null).includes('tun-pagecache02'));
    await server.admin('PUT', `/_vcoroute/v1/vpn-connections/${CONN}/tunnels/tun-pagecache02`, { status: 'ipsec_sa_established' });
    assert.deepStrictEqual(await twice(1), customBefore, 'back up: the same page as before');
    assert.deepStrictEqual(await twice(1, 'bgp'), bgpBefore);
  });

  test('deleted and created again with the same ID (and the same number of routes): the new routes', async () => {
    const old = await twice(1);
    assert.equal((await server.admin('DELETE', `/_vcoroute/v1/vpn-connections/${CONN}`)).status, 200);
    await seed(Array.from({ length: 60 }, (_, i) => ({ ...custom(i), routeDest: `10.88.${i}.0/24` })));
    const renewed = await twice(1);
    assert.equal(renewed.TotalCount, 60);
    assert.notDeepStrictEqual(dests(renewed), dests(old));
    assert.equal(dests(renewed)[0], '10.88.0.0/24');
  });

  test('after a reset, a connection seeded again with the same ID shows its new routes', async () => {
    await twice(1);
    assert.equal((await server.admin('POST', '/_vcoroute/v1/reset')).status, 200);
    await seed([custom(200)]);
    const fresh = await twice(1);
    assert.equal(fresh.TotalCount, 1);
    assert.deepEqual(dests(fresh), ['10.77.200.0/24']);
  });

  test('a page served from the cache is the same with a ClientToken, and the token replays it', async () => {
    const plain = await twice(1);
    const token = `pagecache-${Date.now()}`;
    assert.deepStrictEqual(await page(1, 'custom', token), plain);
    await server.admin('POST', `/_vcoroute/v1/vpn-connections/${CONN}/routes`, { routes: [custom(201)] });
    assert.deepStrictEqual(await page(1, 'custom', token), plain, 'the same token returns the first result');
    assert.equal((await page(1)).TotalCount, 2, 'without it, the new state');
  });
});

/**
 * Pagination properties on a connection with 1,234 routes (two storage blocks of 1,024): pages are disjoint,
 * their union is complete and in creation order, walks are stable, a page past the end is empty with the
 * right TotalCount — also after deletions and additions through the admin API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { allClients, type DescribeClient } from '../helpers/clients';
import { assertNoServerErrors } from '../helpers/http';
import { startTestServer, type TestServer } from '../helpers/server';

const CONN = 'vco-paging01';
const N = 1234;
const T0 = 1_700_000_000_000;

let server: TestServer;
let clients: DescribeClient[];
/** the model: custom route destinations in listing (creation) order */
let expected: string[];

const dest = (i: number) => `10.${i >> 8}.${i & 255}.0/24`;

before(async () => {
  server = await startTestServer();
  clients = allClients(server);
  assert.equal((await server.admin('PUT', `/_vcoroute/v1/vpn-connections/${CONN}`, { regionId: 'cn-hangzhou', state: 'attached' })).status, 201);
  // Created in one bulk request, deliberately not in address order: listing order is creation order.
  const order = Array.from({ length: N }, (_, i) => (i * 389) % N);
  const routes = order.map((i, k) => ({ routeEntryType: 'custom', routeDest: dest(i), createTime: T0 + k }));
  const bgp = Array.from({ length: 25 }, (_, i) => ({ routeEntryType: 'bgp', routeDest: `172.16.${i}.0/24`, source: i % 2 ? 'CLOUD' : 'VPN_BGP' }));
  const res = await server.admin('POST', `/_vcoroute/v1/vpn-connections/${CONN}/routes`, { routes: [...routes, ...bgp] });
  assert.deepEqual(res.body, { inserted: N + 25, updated: 0 });
  expected = order.map(dest);
});

after(async () => {
  await server?.close();
});

interface Walk {
  pages: string[][];
  createTimes: number[];
}

/** Reads every page of the custom routes, checking each page's shape and TotalCount on the way. */
async function walk(client: DescribeClient, pageSize: number, total: number): Promise<Walk> {
  const pageCount = Math.ceil(total / pageSize);
  const pages: string[][] = [];
  const createTimes: number[] = [];
  for (let page = 1; page <= pageCount + 1; page++) {
    const { body } = await client.describe({ RegionId: 'cn-hangzhou', VpnConnectionId: CONN, PageSize: pageSize, PageNumber: page });
    assert.equal(body.TotalCount, total);
    assert.equal(body.PageNumber, page);
    assert.equal(body.PageSize, pageSize);
    const want = page <= pageCount ? Math.min(pageSize, total - (page - 1) * pageSize) : 0;
    assert.equal(body.VcoRouteEntries.length, want, `page ${page} of size ${pageSize}`);
    if (page <= pageCount) pages.push(body.VcoRouteEntries.map((e: any) => e.RouteDest));
    for (const e of body.VcoRouteEntries) {
      assert.equal(e.RouteEntryType, 'custom');
      createTimes.push(e.CreateTime);
    }
  }
  return { pages, createTimes };
}

function checkWalk(w: Walk, model: readonly string[]): void {
  const all = w.pages.flat();
  assert.equal(new Set(all).size, all.length, 'pages are disjoint');
  assert.equal(all.length, model.length, 'the union is complete');
  assert.deepEqual(all, model, 'in creation order');
}

describe('pagination over 1,234 routes', () => {
  test('PageSize 50 (V3) and 7 (pop-core GET): disjoint, complete, creation order', async () => {
    const w50 = await walk(clients[0]!, 50, N);
    assert.equal(w50.pages.length, 25);
    checkWalk(w50, expected);
    assert.deepEqual(w50.createTimes, Array.from({ length: N }, (_, k) => T0 + k));

    const w7 = await walk(clients[3]!, 7, N);
    assert.equal(w7.pages.length, 177);
    checkWalk(w7, expected);
  });

  test('two walks give identical pages (V1 POST and V3 SM3)', async () => {
    const a = await walk(clients[2]!, 50, N);
    const b = await walk(clients[1]!, 50, N);
    assert.deepEqual(a.pages, b.pages);
  });

  test('deep pages around the block boundary (offset 1,023 / 1,024) match the model', async () => {
    const v3 = clients[0]!;
    const one = async (pageSize: number, pageNumber: number) =>
      (await v3.describe({ RegionId: 'cn-hangzhou', VpnConnectionId: CONN, PageSize: pageSize, PageNumber: pageNumber })).body.VcoRouteEntries.map(
        (e: any) => e.RouteDest,
      );
    assert.deepEqual(await one(1, 1024), [expected[1023]]);
    assert.deepEqual(await one(1, 1025), [expected[1024]]);
    assert.deepEqual(await one(32, 33), expected.slice(1024, 1056));
    assert.deepEqual(await one(50, 21), expected.slice(1000, 1050));
    assert.deepEqual(await one(1, N), [expected[N - 1]]);
    assert.deepEqual(await one(1, N + 1), []);
  });

  test('a page far past the end is empty with the right TotalCount', async () => {
    const { body } = await clients[4]!.describe({ RegionId: 'cn-hangzhou', VpnConnectionId: CONN, PageSize: 50, PageNumber: 1_000_000 });
    assert.equal(body.TotalCount, N);
    assert.deepEqual(body.VcoRouteEntries, []);
  });

  test('BGP routes are paged separately and do not count in the custom TotalCount', async () => {
    const { body } = await clients[0]!.describe({ RegionId: 'cn-hangzhou', VpnConnectionId: CONN, RouteEntryType: 'bgp', PageSize: 50 });
    assert.equal(body.TotalCount, 25);
    assert.deepEqual(body.VcoRouteEntries.map((e: any) => e.RouteDest), Array.from({ length: 25 }, (_, i) => `172.16.${i}.0/24`));
  });

  test('after deletions (first, last, both sides of the block boundary, a run) pages stay disjoint and complete', async () => {
    const victims = new Set([0, 1, 49, 50, 500, 1022, 1023, 1024, 1025, N - 1, ...Array.from({ length: 30 }, (_, i) => 700 + i)]);
    for (const k of victims) {
      const res = await server.admin('DELETE', `/_vcoroute/v1/vpn-connections/${CONN}/routes?routeEntryType=custom&routeDest=${encodeURIComponent(expected[k]!)}`);
      assert.deepEqual(res.body, { deleted: 1 });
    }
    expected = expected.filter((_, k) => !victims.has(k));
    assert.equal(expected.length, N - victims.size);
    checkWalk(await walk(clients[0]!, 50, expected.length), expected);
    checkWalk(await walk(clients[3]!, 7, expected.length), expected);
  });

  test('deleting every BGP route leaves the custom pages untouched', async () => {
    assert.deepEqual((await server.admin('DELETE', `/_vcoroute/v1/vpn-connections/${CONN}/routes?routeEntryType=bgp`)).body, { deleted: 25 });
    const { body } = await clients[0]!.describe({ RegionId: 'cn-hangzhou', VpnConnectionId: CONN, RouteEntryType: 'bgp' });
    assert.equal(body.TotalCount, 0);
    assert.deepEqual(body.VcoRouteEntries, []);
    checkWalk(await walk(clients[2]!, 50, expected.length), expected);
  });

  test('new routes go last; re-seeding an existing route updates it in place', async () => {
    const added = ['192.168.1.0/24', '192.168.2.0/24', '192.168.3.0/24'];
    const res = await server.admin('POST', `/_vcoroute/v1/vpn-connections/${CONN}/routes`, {
      routes: [
        ...added.map((d) => ({ routeEntryType: 'custom', routeDest: d })),
        { routeEntryType: 'custom', routeDest: expected[5], createTime: 42 },
      ],
    });
    assert.deepEqual(res.body, { inserted: 3, updated: 1 });
    expected = [...expected, ...added];
    const w = await walk(clients[0]!, 50, expected.length);
    checkWalk(w, expected);
    assert.equal(w.createTimes[5], 42);
  });
});

test('no response in this file had a 5xx status', () => {
  assertNoServerErrors();
});

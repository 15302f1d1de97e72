/**
 * DescribeVcoRouteEntries through every official client: exact fields and JSON types, the typed model casts,
 * defaults, and every documented error with its code and HTTP status.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as $Vpc from '@alicloud/vpc20160428';
import { allClients, failure, type CallParams, type DescribeClient } from '../helpers/clients';
import { assertNoServerErrors } from '../helpers/http';
import { openTestStore, startTestServer, tempDataDir, type TestServer } from '../helpers/server';

const OTHER_ACCOUNT = '2000000000000002';
const T0 = 1658217008000;

const DUAL = 'vco-dual01';
const SINGLE = 'vco-single01';

let server: TestServer;
let clients: DescribeClient[];
const requestIds: string[] = [];

async function seed(s: TestServer): Promise<void> {
  const put = async (id: string, body: unknown) => assert.equal((await s.admin('PUT', `/_vcoroute/v1/vpn-connections/${id}`, body)).status, 201);
  const routes = async (id: string, list: unknown[]) =>
    assert.deepEqual((await s.admin('POST', `/_vcoroute/v1/vpn-connections/${id}/routes`, { routes: list })).body, { inserted: list.length, updated: 0 });

  await put(DUAL, {
    regionId: 'cn-hangzhou',
    state: 'attached',
    tunnels: [{ tunnelId: 'tun-up01', status: 'ipsec_sa_established' }, { tunnelId: 'tun-down01', status: 'ike_sa_established' }],
  });
  await routes(DUAL, [
    { routeEntryType: 'custom', routeDest: '192.168.10.1/24', createTime: T0 },
    { routeEntryType: 'custom', routeDest: '10.0.0.0/8', weight: 0, createTime: T0 + 1 },
    { routeEntryType: 'custom', routeDest: '172.16.0.0/12', nextHopTunnelIds: ['tun-down01'], createTime: T0 + 2 },
    { routeEntryType: 'bgp', routeDest: '10.10.0.0/16', source: 'VPN_BGP', asPath: [65001, 65002], community: '65535:65510', createTime: T0 + 3 },
    { routeEntryType: 'bgp', routeDest: '10.20.0.0/16', source: 'CLOUD', weight: 50, createTime: T0 + 4 },
    { routeEntryType: 'bgp', routeDest: '10.30.0.0/16', source: 'VPN_BGP', asPath: [12000], createTime: T0 + 5 },
  ]);
  await put(SINGLE, { regionId: 'cn-hangzhou', state: 'updating' });
  await routes(SINGLE, [
    { routeEntryType: 'custom', routeDest: '192.168.20.0/24', createTime: T0 + 10 },
    { routeEntryType: 'bgp', routeDest: '10.40.0.0/16', source: 'CLOUD', asPath: [45104], community: '65000:1 65000:2', createTime: T0 + 11 },
  ]);
  await put('vco-init01', { regionId: 'cn-hangzhou', state: 'init' });
  await put('vco-active01', { regionId: 'cn-hangzhou', state: 'active' });
  await put('vco-shanghai01', { regionId: 'cn-shanghai', state: 'attached' });
  await put('vco-other01', { regionId: 'cn-hangzhou', state: 'attached', accountId: OTHER_ACCOUNT });
}

before(async () => {
  // The admin API cannot create accounts (it checks they exist), so the second account goes straight into the store.
  const dataDir = tempDataDir();
  const store = await openTestStore(dataDir);
  await store.upsertAccount(OTHER_ACCOUNT, Date.now());
  await store.close();
  server = await startTestServer(dataDir);
  clients = allClients(server);
  await seed(server);
});

after(async () => {
  await server?.close();
});

const q = (params: CallParams): CallParams => ({ RegionId: 'cn-hangzhou', ...params });

const DUAL_CUSTOM = [
  { VpnConnectionId: DUAL, RouteDest: '192.168.10.0/24', NextHop: DUAL, Weight: 100, State: 'published', RouteEntryType: 'custom', CreateTime: T0, NextHopTunnelIdList: ['tun-up01'] },
  { VpnConnectionId: DUAL, RouteDest: '10.0.0.0/8', NextHop: DUAL, Weight: 0, State: 'published', RouteEntryType: 'custom', CreateTime: T0 + 1, NextHopTunnelIdList: ['tun-up01'] },
  // its only next-hop tunnel is down: no NextHopTunnelIdList at all
  { VpnConnectionId: DUAL, RouteDest: '172.16.0.0/12', NextHop: DUAL, Weight: 100, State: 'published', RouteEntryType: 'custom', CreateTime: T0 + 2 },
];
const DUAL_BGP = [
  { VpnConnectionId: DUAL, RouteDest: '10.10.0.0/16', NextHop: DUAL, Weight: 100, State: 'Active', RouteEntryType: 'bgp', CreateTime: T0 + 3, AsPath: '[65001,65002]', Community: '65535:65510', Source: 'VPN_BGP', NextHopTunnelIdList: ['tun-up01'] },
  { VpnConnectionId: DUAL, RouteDest: '10.20.0.0/16', NextHop: DUAL, Weight: 50, State: 'Active', RouteEntryType: 'bgp', CreateTime: T0 + 4, AsPath: '[]', Community: '', Source: 'CLOUD', NextHopTunnelIdList: ['tun-up01'] },
  { VpnConnectionId: DUAL, RouteDest: '10.30.0.0/16', NextHop: DUAL, Weight: 100, State: 'Active', RouteEntryType: 'bgp', CreateTime: T0 + 5, AsPath: '[12000]', Community: '', Source: 'VPN_BGP', NextHopTunnelIdList: ['tun-up01'] },
];
const DUAL_COUNTS = [
  { RouteEntryType: 'custom', RouteCount: 3 },
  { RouteEntryType: 'bgp', RouteCount: 2, Source: 'VPN_BGP' },
  { RouteEntryType: 'bgp', RouteCount: 1, Source: 'CLOUD' },
];

function checkPage(body: any, expected: { total: number; page: number; size: number; entries: unknown[]; counts?: unknown[] }): void {
  assert.equal(typeof body.RequestId, 'string');
  requestIds.push(body.RequestId);
  const want: Record<string, unknown> = {
    RequestId: body.RequestId,
    TotalCount: expected.total,
    PageNumber: expected.page,
    PageSize: expected.size,
    VcoRouteEntries: expected.entries,
  };
  if (expected.counts) want.VpnRouteCounts = expected.counts;
  // deepStrictEqual: numbers must be numbers, arrays plain arrays, and no extra or missing fields.
  assert.deepStrictEqual(body, want);
  assert.ok(Array.isArray(body.VcoRouteEntries));
}

for (const name of ['V3 ACS3-HMAC-SHA256', 'V3 ACS3-HMAC-SM3', 'V1 POST (openapi-core v2)', 'V1 GET (pop-core)', 'V1 POST (pop-core)']) {
  describe(`through ${name}`, () => {
    const client = () => clients.find((c) => c.name === name)!;

    test('dual-tunnel custom routes: exact fields and JSON types, NextHopTunnelIdList of up tunnels, VpnRouteCounts', async () => {
      const res = await client().describe(q({ VpnConnectionId: DUAL, RouteEntryType: 'custom', PageNumber: 1, PageSize: 10 }));
      assert.equal(res.status, 200);
      checkPage(res.body, { total: 3, page: 1, size: 10, entries: DUAL_CUSTOM, counts: DUAL_COUNTS });
    });

    test('dual-tunnel BGP routes carry Source, AsPath, Community and State Active', async () => {
      const res = await client().describe(q({ VpnConnectionId: DUAL, RouteEntryType: 'bgp' }));
      checkPage(res.body, { total: 3, page: 1, size: 10, entries: DUAL_BGP, counts: DUAL_COUNTS });
    });

    test('single-tunnel: no NextHopTunnelIdList, no VpnRouteCounts', async () => {
      const custom = await client().describe(q({ VpnConnectionId: SINGLE }));
      checkPage(custom.body, {
        total: 1, page: 1, size: 10,
        entries: [{ VpnConnectionId: SINGLE, RouteDest: '192.168.20.0/24', NextHop: SINGLE, Weight: 100, State: 'published', RouteEntryType: 'custom', CreateTime: T0 + 10 }],
      });
      const bgp = await client().describe(q({ VpnConnectionId: SINGLE, RouteEntryType: 'bgp' }));
      checkPage(bgp.body, {
        total: 1, page: 1, size: 10,
        entries: [{ VpnConnectionId: SINGLE, RouteDest: '10.40.0.0/16', NextHop: SINGLE, Weight: 100, State: 'Active', RouteEntryType: 'bgp', CreateTime: T0 + 11, AsPath: '[45104]', Community: '65000:1 65000:2', Source: 'CLOUD' }],
      });
    });

    test('defaults: PageNumber 1, PageSize 10, RouteEntryType custom; paging and a page past the end', async () => {
      checkPage((await client().describe(q({ VpnConnectionId: DUAL }))).body, { total: 3, page: 1, size: 10, entries: DUAL_CUSTOM, counts: DUAL_COUNTS });
      checkPage((await client().describe(q({ VpnConnectionId: DUAL, PageSize: 2, PageNumber: 2 }))).body, { total: 3, page: 2, size: 2, entries: DUAL_CUSTOM.slice(2), counts: DUAL_COUNTS });
      checkPage((await client().describe(q({ VpnConnectionId: DUAL, PageSize: 50, PageNumber: 9 }))).body, { total: 3, page: 9, size: 50, entries: [], counts: DUAL_COUNTS });
      // empty strings are treated as absent (defaults)
      checkPage((await client().describe(q({ VpnConnectionId: DUAL, RouteEntryType: '', PageSize: '', PageNumber: '' }))).body, { total: 3, page: 1, size: 10, entries: DUAL_CUSTOM, counts: DUAL_COUNTS });
    });

    test('owner parameters are accepted and ignored', async () => {
      const res = await client().describe(q({ VpnConnectionId: SINGLE, OwnerId: 123, OwnerAccount: 'o', ResourceOwnerAccount: 'r', ResourceOwnerId: 456 }));
      assert.equal(res.body.TotalCount, 1);
      requestIds.push(res.body.RequestId);
    });

    const errors: [string, CallParams, number, string, string?][] = [
      ['RouteEntryType not custom/bgp', q({ VpnConnectionId: DUAL, RouteEntryType: 'static' }), 400, 'IllegalParam.RouteEntryType', 'The specified RouteEntryType is invalid.'],
      ['RouteEntryType is case-sensitive', q({ VpnConnectionId: DUAL, RouteEntryType: 'BGP' }), 400, 'IllegalParam.RouteEntryType'],
      ['PageSize 0', q({ VpnConnectionId: DUAL, PageSize: 0 }), 400, 'IllegalParam.PageSize'],
      ['PageSize 51', q({ VpnConnectionId: DUAL, PageSize: 51 }), 400, 'IllegalParam.PageSize'],
      ['PageSize abc', q({ VpnConnectionId: DUAL, PageSize: 'abc' }), 400, 'IllegalParam.PageSize'],
      ['PageSize -1', q({ VpnConnectionId: DUAL, PageSize: -1 }), 400, 'IllegalParam.PageSize'],
      ['PageSize 1.5', q({ VpnConnectionId: DUAL, PageSize: '1.5' }), 400, 'IllegalParam.PageSize'],
      ['PageNumber 0', q({ VpnConnectionId: DUAL, PageNumber: 0 }), 400, 'IllegalParam.PageNumber'],
      ['PageNumber x', q({ VpnConnectionId: DUAL, PageNumber: 'x' }), 400, 'IllegalParam.PageNumber'],
      ['PageNumber too large', q({ VpnConnectionId: DUAL, PageNumber: 1_000_000_001 }), 400, 'IllegalParam.PageNumber'],
      ['no RegionId', { VpnConnectionId: DUAL }, 400, 'MissingRegionId', 'RegionId is mandatory for this action.'],
      ['no VpnConnectionId', q({}), 400, 'MissingVpnConnectionId', 'VpnConnectionId is mandatory for this action.'],
      ['unknown connection', q({ VpnConnectionId: 'vco-nosuch' }), 404, 'InvalidVpnConnectionInstanceId.NotFound', 'The specified vpn connection instance id does not exist.'],
      ['connection of another region', q({ VpnConnectionId: 'vco-shanghai01' }), 404, 'InvalidVpnConnectionInstanceId.NotFound'],
      ['RegionId of another connection', { RegionId: 'cn-shanghai', VpnConnectionId: DUAL }, 404, 'InvalidVpnConnectionInstanceId.NotFound'],
      ['connection of another account', q({ VpnConnectionId: 'vco-other01' }), 404, 'InvalidVpnConnectionInstanceId.NotFound'],
      ['connection in state init', q({ VpnConnectionId: 'vco-init01' }), 400, 'Vco.StatusNotSupport', 'The current VPN connection state does not support this operation.'],
      ['connection in state active (not on a TR)', q({ VpnConnectionId: 'vco-active01' }), 400, 'Vco.StatusNotSupport'],
    ];
    for (const [what, params, status, code, message] of errors) {
      test(`error: ${what} → ${status} ${code}`, async () => {
        const err = await failure(client().describe(params));
        assert.equal(err.status, status);
        assert.equal(err.code, code);
        assert.deepEqual(Object.keys(err.data).sort(), ['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
        assert.equal(err.data.Code, code);
        assert.equal(err.data.HostId, 'vpc.aliyuncs.com');
        if (message) assert.equal(err.data.Message, message);
        assert.equal(err.requestId, err.data.RequestId);
        assert.equal(err.data.Recommend, `https://api.aliyun.com/troubleshoot?q=${code}&product=Vpc&requestId=${err.data.RequestId}`);
        requestIds.push(err.data.RequestId);
      });
    }
  });
}

describe('typed SDK models (vpc20160428 $dara.cast)', () => {
  test('every openapi-core client casts the dual-tunnel response into the generated model', async () => {
    for (const client of clients.filter((c) => c.typedModel)) {
      const body = await client.typed(q({ VpnConnectionId: DUAL, RouteEntryType: 'bgp', PageSize: 2 }));
      requestIds.push(body.requestId!);
      assert.equal(body.totalCount, 3, client.name);
      assert.equal(body.pageNumber, 1);
      assert.equal(body.pageSize, 2);
      assert.equal(body.vcoRouteEntries!.length, 2);
      const first = body.vcoRouteEntries![0]!;
      assert.ok(first instanceof $Vpc.DescribeVcoRouteEntriesResponseBodyVcoRouteEntries);
      assert.equal(first.createTime, T0 + 3);
      assert.equal(first.asPath, '[65001,65002]');
      assert.equal(first.source, 'VPN_BGP');
      assert.equal(first.state, 'Active');
      assert.deepEqual(first.nextHopTunnelIdList, ['tun-up01']);
      assert.deepEqual(
        body.vpnRouteCounts!.map((c) => [c.routeEntryType, c.source, c.routeCount]),
        [['custom', undefined, 3], ['bgp', 'VPN_BGP', 2], ['bgp', 'CLOUD', 1]],
      );
      assert.ok(body.vpnRouteCounts![0] instanceof $Vpc.DescribeVcoRouteEntriesResponseBodyVpnRouteCounts);

      const single = await client.typed(q({ VpnConnectionId: SINGLE }));
      requestIds.push(single.requestId!);
      assert.equal(single.totalCount, 1);
      assert.equal(single.vpnRouteCounts, undefined);
      assert.equal(single.vcoRouteEntries![0]!.nextHopTunnelIdList, undefined);
      assert.equal(single.vcoRouteEntries![0]!.routeDest, '192.168.20.0/24');
    }
  });

  test('the typed path also raises the documented errors', async () => {
    for (const client of clients.filter((c) => c.typedModel)) {
      const err = await failure(client.typed(q({ VpnConnectionId: 'vco-init01' })));
      assert.equal(err.status, 400);
      assert.equal(err.code, 'Vco.StatusNotSupport');
      requestIds.push(err.requestId);
    }
  });
});

test('every RequestId seen in this file is unique', () => {
  assert.ok(requestIds.length > 100, `only ${requestIds.length} request ids`);
  assert.equal(new Set(requestIds).size, requestIds.length);
});

test('no response in this file had a 5xx status', () => {
  assertNoServerErrors();
});

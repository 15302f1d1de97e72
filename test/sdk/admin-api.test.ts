/**
 * The admin API under /_vcoroute: health and OpenAPI without auth, bearer token, off without
 * VCOROUTE_ADMIN_TOKEN, payload validation, CIDR normalisation, route deletion filters, reset.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config';
import { failure, v3Client } from '../helpers/clients';
import { assertNoServerErrors, send } from '../helpers/http';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server?.close();
});

const CONN_PATH = '/_vcoroute/v1/vpn-connections';

/** A raw admin call with any headers and body. */
async function raw(s: TestServer, method: string, path: string, opts: { token?: string | null; body?: string } = {}) {
  const headers: Record<string, string> = {};
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? ADMIN_TOKEN}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await send(s.baseUrl, { method, path, headers, body: opts.body });
  assert.equal(res.headers['content-type'], 'application/json;charset=utf-8');
  return { status: res.status, body: res.json };
}

function expectAdminError(res: { status: number; body: any }, status: number, code: string, message?: RegExp): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.deepEqual(Object.keys(res.body), ['error']);
  assert.equal(res.body.error.code, code);
  if (message) assert.match(res.body.error.message, message);
}

const describeRoutes = (id: string, params: Record<string, string | number> = {}) =>
  v3Client(server).describe({ RegionId: 'cn-hangzhou', VpnConnectionId: id, PageSize: 50, ...params });

describe('access', () => {
  test('health and openapi.json need no token', async () => {
    assert.deepEqual(await raw(server, 'GET', '/_vcoroute/health', { token: null }), { status: 200, body: { status: 'ok', store: server.backend } });
    const doc = await raw(server, 'GET', '/_vcoroute/openapi.json', { token: null });
    assert.equal(doc.status, 200);
    assert.equal(doc.body.openapi, '3.1.0');
    // The endpoints of issue 2 (later issues add more).
    for (const path of ['/_vcoroute/health', '/_vcoroute/openapi.json', '/_vcoroute/v1/reset', '/_vcoroute/v1/vpn-connections/{vpnConnectionId}',
      '/_vcoroute/v1/vpn-connections/{vpnConnectionId}/routes']) {
      assert.ok(doc.body.paths[path], `openapi.json lists ${path}`);
    }
    for (const path of Object.keys(doc.body.paths)) assert.ok(path.startsWith('/_vcoroute/'), path);
    assert.deepEqual(Object.keys(doc.body.paths['/_vcoroute/v1/vpn-connections/{vpnConnectionId}/routes']).sort(), ['delete', 'parameters', 'post']);
    assert.deepEqual(Object.keys(doc.body.paths['/_vcoroute/v1/vpn-connections/{vpnConnectionId}']).sort(), ['delete', 'get', 'parameters', 'put']);
  });

  test('wrong or missing token → 401', async () => {
    expectAdminError(await raw(server, 'GET', `${CONN_PATH}/vco-a`, { token: 'wrong' }), 401, 'Unauthorized');
    expectAdminError(await raw(server, 'GET', `${CONN_PATH}/vco-a`, { token: `${ADMIN_TOKEN}x` }), 401, 'Unauthorized');
    expectAdminError(await raw(server, 'POST', '/_vcoroute/v1/reset', { token: null }), 401, 'Unauthorized');
    const basic = await send(server.baseUrl, { method: 'POST', path: '/_vcoroute/v1/reset', headers: { authorization: `Basic ${ADMIN_TOKEN}` } });
    assert.equal(basic.status, 401);
  });

  test('VCOROUTE_ADMIN_TOKEN unset or empty → the admin API is off (404), health still answers', async () => {
    assert.equal(loadConfig({}, { VCOROUTE_ADMIN_TOKEN: '' }).adminToken, undefined);
    assert.equal(loadConfig({}, {}).adminToken, undefined);
    const off = await startTestServer(undefined, { VCOROUTE_ADMIN_TOKEN: '' });
    try {
      expectAdminError(await raw(off, 'PUT', `${CONN_PATH}/vco-a`, { body: '{"regionId":"cn-hangzhou","state":"attached"}' }), 404, 'AdminApiDisabled');
      expectAdminError(await raw(off, 'POST', '/_vcoroute/v1/reset', { token: '' }), 404, 'AdminApiDisabled');
      assert.equal((await raw(off, 'GET', '/_vcoroute/health', { token: null })).status, 200);
      assert.equal((await raw(off, 'GET', '/_vcoroute/openapi.json', { token: null })).status, 200);
    } finally {
      await off.close();
    }
  });

  test('unknown endpoint → 404, unsupported method → 405', async () => {
    expectAdminError(await raw(server, 'GET', '/_vcoroute/v1/nothing'), 404, 'NotFound');
    expectAdminError(await raw(server, 'PATCH', `${CONN_PATH}/vco-a`), 405, 'MethodNotAllowed');
  });
});

describe('validation', () => {
  const put = (id: string, body: string) => raw(server, 'PUT', `${CONN_PATH}/${id}`, { body });
  const conn = (extra: Record<string, unknown>) => JSON.stringify({ regionId: 'cn-hangzhou', state: 'attached', ...extra });

  test('connections: bad payloads → 400 InvalidRequest', async () => {
    const cases: [string, string, string, RegExp][] = [
      ['bad state', 'vco-v1', conn({ state: 'running' }), /state must be one of/],
      ['no state', 'vco-v1', JSON.stringify({ regionId: 'cn-hangzhou' }), /state is required/],
      ['no region', 'vco-v1', JSON.stringify({ state: 'attached' }), /regionId is required/],
      ['one tunnel', 'vco-v1', conn({ tunnels: [{ tunnelId: 'tun-1' }] }), /exactly two tunnels/],
      ['three tunnels', 'vco-v1', conn({ tunnels: [{ tunnelId: 'tun-1' }, { tunnelId: 'tun-2' }, { tunnelId: 'tun-3' }] }), /exactly two tunnels/],
      ['same tunnel twice', 'vco-v1', conn({ tunnels: [{ tunnelId: 'tun-1' }, { tunnelId: 'tun-1' }] }), /must differ/],
      ['bad tunnel status', 'vco-v1', conn({ tunnels: [{ tunnelId: 'tun-1', status: 'up' }, { tunnelId: 'tun-2' }] }), /status must be one of/],
      ['unknown field', 'vco-v1', conn({ colour: 'blue' }), /unknown field "colour"/],
      ['bad account id', 'vco-v1', conn({ accountId: 'abc' }), /accountId/],
      ['unknown account', 'vco-v1', conn({ accountId: '3000000000000003' }), /does not exist/],
      ['bad connection id', 'VCO-UPPER', conn({}), /vpnConnectionId/],
      ['not JSON', 'vco-v1', '{regionId:', /not valid JSON/],
      ['JSON array', 'vco-v1', '[]', /must be a JSON object/],
      ['empty body', 'vco-v1', '', /JSON body is required/],
    ];
    for (const [what, id, body, message] of cases) {
      const res = await put(id, body);
      assert.equal(res.status, 400, what);
      expectAdminError(res, 400, 'InvalidRequest', message);
    }
    expectAdminError(await raw(server, 'GET', `${CONN_PATH}/vco-v1`), 404, 'NotFound');
    expectAdminError(await raw(server, 'GET', `${CONN_PATH}/vco-%E0%A4%A`), 400, 'InvalidRequest', /percent-encoding/);
  });

  test('a tunnel ID already used by another connection → 409, the other connection is untouched', async () => {
    const tunnels = (a: string, b: string) => conn({ tunnels: [{ tunnelId: a }, { tunnelId: b }] });
    assert.equal((await put('vco-t1', tunnels('tun-t1', 'tun-t2'))).status, 201);
    expectAdminError(await put('vco-t2', tunnels('tun-t3', 'tun-t2')), 409, 'Conflict', /tunnel ID/);
    expectAdminError(await raw(server, 'GET', `${CONN_PATH}/vco-t2`), 404, 'NotFound');
    assert.deepEqual((await server.admin('GET', `${CONN_PATH}/vco-t1`)).body.tunnels.map((t: any) => t.tunnelId), ['tun-t1', 'tun-t2']);
    assert.equal((await put('vco-t1', tunnels('tun-t2', 'tun-t1'))).status, 200, 'a connection may keep its own tunnel IDs');
  });

  test('routes: bad payloads → 400, and nothing is written when any route is invalid', async () => {
    assert.equal((await put('vco-v2', conn({}))).status, 201);
    const post = (routes: unknown) => raw(server, 'POST', `${CONN_PATH}/vco-v2/routes`, { body: JSON.stringify({ routes }) });
    const ok = { routeEntryType: 'custom', routeDest: '10.0.0.0/8' };
    const cases: [string, unknown, RegExp][] = [
      ['bad CIDR octet', [{ ...ok, routeDest: '300.1.1.0/24' }], /IPv4 CIDR/],
      ['bad prefix', [{ ...ok, routeDest: '10.0.0.0/33' }], /IPv4 CIDR/],
      ['no prefix', [{ ...ok, routeDest: '10.0.0.0' }], /IPv4 CIDR/],
      ['custom with source', [{ ...ok, source: 'CLOUD' }], /BGP routes only/],
      ['custom with asPath', [{ ...ok, asPath: [1] }], /BGP routes only/],
      ['custom weight 50', [{ ...ok, weight: 50 }], /0 or 100/],
      ['bgp without source', [{ routeEntryType: 'bgp', routeDest: '10.0.0.0/8' }], /source is required/],
      ['bgp bad source', [{ routeEntryType: 'bgp', routeDest: '10.0.0.0/8', source: 'STATIC' }], /source must be one of/],
      ['bgp bad asPath', [{ routeEntryType: 'bgp', routeDest: '10.0.0.0/8', source: 'CLOUD', asPath: [0] }], /asPath/],
      ['bgp bad community', [{ routeEntryType: 'bgp', routeDest: '10.0.0.0/8', source: 'CLOUD', community: 'x' }], /community/],
      ['unknown route type', [{ routeEntryType: 'static', routeDest: '10.0.0.0/8' }], /routeEntryType must be one of/],
      ['unknown field', [{ ...ok, color: 'red' }], /unknown field "color"/],
      ['tunnel of no tunnel', [{ ...ok, nextHopTunnelIds: ['tun-x'] }], /nextHopTunnelIds/],
      ['empty list', [], /non-empty array/],
      ['duplicate in request', [ok, { ...ok, routeDest: '10.1.2.3/8' }], /repeats an earlier route/],
      ['valid then invalid', [ok, { ...ok, routeDest: 'nope' }], /routes\[1\]/],
    ];
    for (const [what, routes, message] of cases) {
      const res = await post(routes);
      assert.equal(res.status, 400, what);
      expectAdminError(res, 400, 'InvalidRequest', message);
    }
    expectAdminError(await raw(server, 'POST', `${CONN_PATH}/vco-v2/routes`, { body: '{"routes":[],"extra":1}' }), 400, 'InvalidRequest', /unknown field "extra"/);
    expectAdminError(await raw(server, 'POST', `${CONN_PATH}/vco-v2/routes`, { body: 'not json' }), 400, 'InvalidRequest', /not valid JSON/);
    expectAdminError(await raw(server, 'POST', `${CONN_PATH}/vco-nosuch/routes`, { body: JSON.stringify({ routes: [ok] }) }), 404, 'NotFound');
    assert.equal((await describeRoutes('vco-v2')).body.TotalCount, 0, 'no partial writes');
  });
});

describe('seeding', () => {
  test('PUT creates (201), replaces (200) keeping routes and creation time; 409 when the account changes', async () => {
    const first = await server.admin('PUT', `${CONN_PATH}/vco-s1`, { regionId: 'cn-hangzhou', state: 'attached' });
    assert.equal(first.status, 201);
    assert.deepEqual({ ...first.body, createTime: 0 }, {
      vpnConnectionId: 'vco-s1', regionId: 'cn-hangzhou', accountId: '1000000000000001', state: 'attached', transitRouterId: null, createTime: 0, tunnels: [],
    });
    await server.admin('POST', `${CONN_PATH}/vco-s1/routes`, { routes: [{ routeEntryType: 'custom', routeDest: '192.168.10.1/24' }] });
    const replaced = await server.admin('PUT', `${CONN_PATH}/vco-s1`, {
      regionId: 'cn-hangzhou', state: 'updating', tunnels: [{ tunnelId: 'tun-s1' }, { tunnelId: 'tun-s2', status: 'ike_sa_not_established' }],
    });
    assert.equal(replaced.status, 200);
    assert.equal(replaced.body.createTime, first.body.createTime);
    assert.deepEqual(replaced.body.tunnels, [{ tunnelId: 'tun-s1', status: 'ipsec_sa_established' }, { tunnelId: 'tun-s2', status: 'ike_sa_not_established' }]);
    const { body } = await describeRoutes('vco-s1');
    assert.equal(body.TotalCount, 1);
    assert.deepEqual(body.VcoRouteEntries[0].NextHopTunnelIdList, ['tun-s1']);
    expectAdminError(await raw(server, 'PUT', `${CONN_PATH}/vco-s1`, { body: '{"regionId":"cn-hangzhou","state":"attached","accountId":"1"}' }), 400, 'InvalidRequest', /does not exist/);
  });

  test('CIDRs are normalised: 192.168.10.1/24 is stored and listed as 192.168.10.0/24', async () => {
    const { body } = await describeRoutes('vco-s1');
    assert.equal(body.VcoRouteEntries[0].RouteDest, '192.168.10.0/24');
    // seeding the same route with host bits again is an update, not a second route
    const again = await server.admin('POST', `${CONN_PATH}/vco-s1/routes`, { routes: [{ routeEntryType: 'custom', routeDest: '192.168.10.77/24' }] });
    assert.deepEqual(again.body, { inserted: 0, updated: 1 });
  });

  test('DELETE routes with filters (type, source, destination normalised), and unknown filters → 400', async () => {
    await server.admin('PUT', `${CONN_PATH}/vco-d1`, { regionId: 'cn-hangzhou', state: 'attached' });
    const seeded = await server.admin('POST', `${CONN_PATH}/vco-d1/routes`, {
      routes: [
        { routeEntryType: 'custom', routeDest: '10.1.0.0/16' },
        { routeEntryType: 'custom', routeDest: '10.1.0.0/16', nextHop: 'vco-d1next', weight: 0 },
        { routeEntryType: 'custom', routeDest: '10.2.0.0/16' },
        { routeEntryType: 'bgp', routeDest: '10.1.0.0/16', source: 'CLOUD' },
        { routeEntryType: 'bgp', routeDest: '10.3.0.0/16', source: 'CLOUD' },
        { routeEntryType: 'bgp', routeDest: '10.4.0.0/16', source: 'VPN_BGP' },
      ],
    });
    assert.deepEqual(seeded.body, { inserted: 6, updated: 0 });
    const del = async (query: string) => (await server.admin('DELETE', `${CONN_PATH}/vco-d1/routes?${query}`)).body;
    const dests = async (type: string) => (await describeRoutes('vco-d1', { RouteEntryType: type })).body.VcoRouteEntries.map((e: any) => e.RouteDest);
    assert.deepEqual(await del('routeEntryType=bgp&source=CLOUD&routeDest=10.3.9.9/16'), { deleted: 1 });
    assert.deepEqual(await dests('bgp'), ['10.1.0.0/16', '10.4.0.0/16']);
    assert.deepEqual(await del('routeEntryType=custom&routeDest=10.1.0.0/16'), { deleted: 2 });
    assert.deepEqual(await dests('custom'), ['10.2.0.0/16']);
    assert.deepEqual(await del('source=VPN_BGP'), { deleted: 1 });
    assert.deepEqual(await del('routeEntryType=bgp&source=VPN_BGP'), { deleted: 0 });
    for (const bad of ['color=red', 'routeEntryType=static', 'source=STATIC', 'routeDest=nope']) {
      expectAdminError(await raw(server, 'DELETE', `${CONN_PATH}/vco-d1/routes?${bad}`), 400, 'InvalidRequest');
    }
    assert.deepEqual(await del(''), { deleted: 2 });
    assert.equal((await describeRoutes('vco-d1')).body.TotalCount, 0);
    assert.equal((await describeRoutes('vco-d1', { RouteEntryType: 'bgp' })).body.TotalCount, 0);
  });

  test('DELETE a connection: the SDK then gets 404, a second DELETE is 404', async () => {
    assert.deepEqual((await server.admin('DELETE', `${CONN_PATH}/vco-d1`)).body, { deleted: true });
    assert.equal((await failure(describeRoutes('vco-d1'))).code, 'InvalidVpnConnectionInstanceId.NotFound');
    expectAdminError(await raw(server, 'DELETE', `${CONN_PATH}/vco-d1`), 404, 'NotFound');
  });

  test('reset empties connections but keeps the root identity (the SDK still authenticates)', async () => {
    assert.equal((await describeRoutes('vco-s1')).status, 200);
    assert.deepEqual((await server.admin('POST', '/_vcoroute/v1/reset')).body, { reset: true });
    expectAdminError(await raw(server, 'GET', `${CONN_PATH}/vco-s1`), 404, 'NotFound');
    const err = await failure(describeRoutes('vco-s1'));
    assert.equal(err.status, 404);
    assert.equal(err.code, 'InvalidVpnConnectionInstanceId.NotFound', 'authenticated, then not found');
    await server.admin('PUT', `${CONN_PATH}/vco-s1`, { regionId: 'cn-hangzhou', state: 'attached' });
    assert.equal((await describeRoutes('vco-s1')).body.TotalCount, 0, 'the old routes are gone too');
  });
});

test('no response in this file had a 5xx status', () => {
  assertNoServerErrors();
});

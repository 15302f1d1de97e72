/**
 * State survives a restart: stop the server, start a new one on the same data directory. Replay protection
 * and ClientTokens survive too (a nonce used before the restart is refused after it).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { v3Client } from '../helpers/clients';
import { assertNoServerErrors, encodeParams, expectJsonError, send, signV1, signV3, v1Get } from '../helpers/http';
import { startTestServer, tempDataDir, type TestServer } from '../helpers/server';

const CONN = 'vco-persist01';
const BIZ = { RegionId: 'cn-hangzhou', VpnConnectionId: CONN };
const dataDir = tempDataDir();
let server: TestServer | undefined;

after(async () => {
  await server?.close();
});

test('connections, routes, nonces and ClientTokens survive a restart on the same data directory', async () => {
  server = await startTestServer(dataDir);
  await server.admin('PUT', `/_vcoroute/v1/vpn-connections/${CONN}`, {
    regionId: 'cn-hangzhou',
    state: 'attached',
    createTime: 1_600_000_000_000,
    tunnels: [{ tunnelId: 'tun-p1', status: 'ipsec_sa_established' }, { tunnelId: 'tun-p2', status: 'ipsec_sa_not_established' }],
  });
  const routes = Array.from({ length: 30 }, (_, i) => ({ routeEntryType: i % 3 ? 'custom' : 'bgp', routeDest: `10.9.${i}.0/24`, ...(i % 3 ? {} : { source: 'CLOUD', asPath: [i + 1] }) }));
  await server.admin('POST', `/_vcoroute/v1/vpn-connections/${CONN}/routes`, { routes });

  const before = {
    custom: (await v3Client(server).describe({ ...BIZ, PageSize: 50 })).body,
    bgp: (await v3Client(server).describe({ ...BIZ, PageSize: 50, RouteEntryType: 'bgp' })).body,
  };
  assert.equal(before.custom.TotalCount, 20);
  assert.equal(before.bgp.TotalCount, 10);

  // Requests we will replay after the restart, each accepted once now.
  const v1Path = `/?${encodeParams(signV1(BIZ))}`;
  assert.equal((await send(server.baseUrl, { path: v1Path })).status, 200);
  const v3 = signV3({ host: server.endpoint, query: BIZ });
  assert.equal((await send(server.baseUrl, v3)).status, 200);
  const token = 'persist-token-1';
  const tokenResult = (await v1Get(server.baseUrl, { ...BIZ, ClientToken: token })).json;

  await server.close();
  server = await startTestServer(dataDir);

  const afterRestart = {
    custom: (await v3Client(server).describe({ ...BIZ, PageSize: 50 })).body,
    bgp: (await v3Client(server).describe({ ...BIZ, PageSize: 50, RouteEntryType: 'bgp' })).body,
  };
  for (const type of ['custom', 'bgp'] as const) {
    assert.notEqual(afterRestart[type].RequestId, before[type].RequestId);
    assert.deepEqual({ ...afterRestart[type], RequestId: '' }, { ...before[type], RequestId: '' });
  }
  assert.equal((await server.admin('GET', `/_vcoroute/v1/vpn-connections/${CONN}`)).body.createTime, 1_600_000_000_000);

  // Nonces used before the restart are refused after it. The V3 request's host header names the old port,
  // so it is sent as it was signed (the server accepts any Host).
  expectJsonError(await send(server.baseUrl, { path: v1Path }), 400, 'SignatureNonceUsed');
  expectJsonError(await send(server.baseUrl, v3), 400, 'SignatureNonceUsed');

  // The ClientToken still returns the first result, and still refuses other parameters.
  const again = (await v1Get(server.baseUrl, { ...BIZ, ClientToken: token })).json;
  assert.deepEqual({ ...again, RequestId: '' }, { ...tokenResult, RequestId: '' });
  expectJsonError(await v1Get(server.baseUrl, { ...BIZ, ClientToken: token, PageNumber: '2' }), 400, 'IdempotentParameterMismatch');
});

test('a second restart with no changes in between still serves the same state', async () => {
  await server!.close();
  server = await startTestServer(dataDir);
  const { body } = await v3Client(server).describe({ ...BIZ, RouteEntryType: 'bgp', PageSize: 3, PageNumber: 4 });
  assert.equal(body.TotalCount, 10);
  assert.deepEqual(body.VcoRouteEntries.map((e: any) => [e.RouteDest, e.AsPath, e.NextHopTunnelIdList]), [['10.9.27.0/24', '[28]', ['tun-p1']]]);
});

test('no response in this file had a 5xx status', () => {
  assertNoServerErrors();
});

/**
 * Read-ahead (src/store/read-ahead.ts; PostgreSQL answers a signed read's look-ups in one statement, claiming
 * the nonce before the signature is checked): the answers and the replay rules are those of the ordinary path.
 * Runs on both backends (on SQLite the ordinary path answers; the outcomes must be the same).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { encodeParams, send, signV1 } from '../helpers/http';
import { startTestServer, type TestServer } from '../helpers/server';

const REGION = 'cn-hangzhou';
const CONN = 'vco-readahead01';

describe('read-ahead: same answers, same replay rules', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    const put = await server.admin('PUT', `/_vcoroute/v1/vpn-connections/${CONN}`, { regionId: REGION, state: 'attached', transitRouterId: 'tr-readahead01' });
    assert.equal(put.status, 201, JSON.stringify(put.body));
    const routes = Array.from({ length: 7 }, (_, i) => ({ routeEntryType: 'custom', routeDest: `10.80.${i}.0/24` }));
    assert.equal((await server.admin('POST', `/_vcoroute/v1/vpn-connections/${CONN}/routes`, { routes })).status, 200);
  });

  after(async () => {
    await server?.close();
  });

  const get = (params: Record<string, string>) => send(server.baseUrl, { path: `/?${encodeParams(params)}` });

  test('a nonce whose request failed its signature check is not used up; once used, it is refused', async () => {
    const nonce = `readahead-${Date.now()}`;
    const good = signV1({ RegionId: REGION, VpnConnectionId: CONN, PageSize: '5' }, { common: { SignatureNonce: nonce } });
    const forged = { ...good, Signature: `${good.Signature!.slice(0, -4)}AAA=` };
    const refused = await get(forged);
    assert.equal(refused.status, 400, refused.text);
    assert.equal(refused.json.Code, 'SignatureDoesNotMatch');
    const first = await get(good);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.json.VcoRouteEntries.map((e: any) => e.RouteDest), ['10.80.0.0/24', '10.80.1.0/24', '10.80.2.0/24', '10.80.3.0/24', '10.80.4.0/24']);
    assert.equal(first.json.TotalCount, 7);
    const replay = await get(good);
    assert.equal(replay.json.Code, 'SignatureNonceUsed');
  });

  test('an unknown key or a foreign connection answers as on the ordinary path; a nonce spent on a 404 stays spent', async () => {
    const unknown = await get(signV1({ RegionId: REGION, VpnConnectionId: CONN }, { accessKeyId: 'LTAInobodyhasthiskey', secret: 'x' }));
    assert.equal(unknown.json.Code, 'InvalidAccessKeyId.NotFound');
    const params = signV1({ RegionId: REGION, VpnConnectionId: 'vco-nosuchconnection' });
    const missing = await get(params);
    assert.equal(missing.status, 404);
    assert.equal(missing.json.Code, 'InvalidVpnConnectionInstanceId.NotFound');
    assert.equal((await get(params)).json.Code, 'SignatureNonceUsed');
  });

  test('one nonce in several concurrent requests (one batch or several): exactly one is answered', async () => {
    const params = signV1({ RegionId: REGION, VpnConnectionId: CONN, PageSize: '2' });
    const answers = await Promise.all(Array.from({ length: 6 }, () => get(params)));
    assert.deepEqual(answers.map((a) => a.json.Code ?? a.status).sort(), [200, 'SignatureNonceUsed', 'SignatureNonceUsed', 'SignatureNonceUsed', 'SignatureNonceUsed', 'SignatureNonceUsed']);
  });

  test('pages other than the first, other sizes and the BGP type are read correctly', async () => {
    const page2 = await get(signV1({ RegionId: REGION, VpnConnectionId: CONN, PageSize: '5', PageNumber: '2' }));
    assert.deepEqual(page2.json.VcoRouteEntries.map((e: any) => e.RouteDest), ['10.80.5.0/24', '10.80.6.0/24']);
    const first3 = await get(signV1({ RegionId: REGION, VpnConnectionId: CONN, PageSize: '3', PageNumber: '01' }));
    assert.deepEqual(first3.json.VcoRouteEntries.map((e: any) => e.RouteDest), ['10.80.0.0/24', '10.80.1.0/24', '10.80.2.0/24']);
    const bgp = await get(signV1({ RegionId: REGION, VpnConnectionId: CONN, RouteEntryType: 'bgp' }));
    assert.equal(bgp.status, 200, bgp.text);
    assert.deepEqual({ total: bgp.json.TotalCount, entries: bgp.json.VcoRouteEntries }, { total: 0, entries: [] });
  });
});

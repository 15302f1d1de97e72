/**
 * Route-change history end to end (ListVcoRouteChanges, WatchVcoRouteChanges, admin equivalents): the official
 * VPC SDK writes custom routes and reads their history with filters and paging (generic callApi, and pop-core),
 * RAM applies as for DescribeVcoRouteEntries, and a real SSE client (fetch reading the stream) receives live
 * events, resumes after a disconnect with no gap and no duplicate, follows changes made through a second
 * server on the same store, and is ended by a graceful shutdown. Runs on both backends (test:postgres).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as $Vpc from '@alicloud/vpc20160428';
import { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import { ADMIN_TOKEN, ROOT, startTestServer, tempDataDir, type TestServer } from '../helpers/server';
import { denied, ramClient, sdkError, userWithKey, vpcClientFor, type Creds } from '../helpers/ram';
import { encodeParams, signV1, signV3 } from '../helpers/http';
import { openSse, type SseStream } from '../helpers/sse';

const Pop = require('@alicloud/pop-core');

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const REGION = 'cn-hangzhou';
const CONN = 'vco-history0001';
/** route writes take effect at once (no `updating` window between the test's writes) */
const ENV = { VCOROUTE_CHANGE_DELAY_MS: '0' };

describe('route-change history through the SDKs and Server-Sent Events', () => {
  const dataDir = tempDataDir();
  let server: TestServer;
  let closed = false;

  const vpc = (creds: Creds = ROOT) => vpcClientFor(server, creds);
  /** A vcoroute extension action through the official SDK's generic callApi (V3 ACS3-HMAC-SHA256). */
  async function callApi(action: string, params: Record<string, string | number>, creds: Creds = ROOT): Promise<any> {
    const apiParams = new $OpenApiUtil.Params({ action, version: '2016-04-28', protocol: 'HTTPS', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC',
      reqBodyType: 'formData', bodyType: 'json' });
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries({ RegionId: REGION, VpnConnectionId: CONN, ...params })) query[k] = String(v);
    const res = await (vpc(creds) as any).callApi(apiParams, new $OpenApiUtil.OpenApiRequest({ query: OpenApiUtil.query(query) }), {});
    assert.equal(res.statusCode, 200);
    return res.body;
  }
  const list = (params: Record<string, string | number> = {}, creds?: Creds) => callApi('ListVcoRouteChanges', params, creds);
  const create = (routeDest: string, weight = 100) =>
    vpc().createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: CONN, routeDest, nextHop: CONN, weight }));
  const modify = (routeDest: string, weight: number, newWeight: number) =>
    vpc().modifyVcoRouteEntryWeight(new $Vpc.ModifyVcoRouteEntryWeightRequest({ regionId: REGION, vpnConnectionId: CONN, routeDest, nextHop: CONN, weight, newWeight }));
  const remove = (routeDest: string, weight: number) =>
    vpc().deleteVcoRouteEntry(new $Vpc.DeleteVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: CONN, routeDest, nextHop: CONN, weight }));
  /** The watch, signed with V1 over GET like any request (the SDKs' signature), read by a real SSE client. */
  const watchUrl = (on: TestServer, params: Record<string, string> = {}, creds: Creds = ROOT) =>
    `${on.baseUrl}/?${encodeParams(signV1({ Action: 'WatchVcoRouteChanges', RegionId: REGION, VpnConnectionId: CONN, ...params },
      { method: 'GET', accessKeyId: creds.accessKeyId, secret: creds.accessKeySecret }))}`;
  const eventOf = async (s: SseStream) => {
    const e = await s.next();
    assert.equal(e.event, 'route-change');
    const body = JSON.parse(e.data);
    assert.equal(body.EventId, e.id);
    return body;
  };

  before(async () => {
    server = await startTestServer(dataDir, ENV);
    assert.equal((await server.admin('PUT', `/_vcoroute/v1/vpn-connections/${CONN}`, { regionId: REGION, state: 'attached' })).status, 201);
  });
  after(async () => {
    if (!closed) await server.close();
  });

  it('records every custom route change and reads it newest first, page by page, and filtered', async () => {
    const before = Date.now();
    await create('10.1.0.0/16');
    await create('10.1.2.0/24');
    await create('192.168.0.0/24', 0);
    await modify('10.1.2.0/24', 100, 0);
    await remove('192.168.0.0/24', 0);

    // Newest first, two per page, to the end.
    const pages: any[] = [];
    let token = '';
    do {
      const body = await list({ MaxResults: 2, ...(token ? { NextToken: token } : {}) });
      assert.equal(body.VpnConnectionId, CONN);
      assert.equal(body.MaxResults, 2);
      assert.ok(body.RouteChanges.length <= 2);
      pages.push(...body.RouteChanges);
      token = body.NextToken;
    } while (token !== '');
    assert.deepEqual(pages.map((e) => `${e.EventId} ${e.ChangeType} ${e.RouteDest}`), [
      '5 Removed 192.168.0.0/24', '4 Modified 10.1.2.0/24', '3 Added 192.168.0.0/24', '2 Added 10.1.2.0/24', '1 Added 10.1.0.0/16',
    ]);
    const modified = pages[1];
    assert.deepEqual(Object.keys(modified), ['EventId', 'ChangeTime', 'VpnConnectionId', 'ChangeType', 'RouteEntryType', 'Source', 'RouteDest', 'NextHop',
      'Old', 'New', 'TunnelId', 'Cause']);
    assert.match(modified.ChangeTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.ok(Date.parse(modified.ChangeTime) >= before - 1000 && Date.parse(modified.ChangeTime) <= Date.now() + 1000);
    assert.deepEqual({ ...modified, ChangeTime: '' }, {
      EventId: '4', ChangeTime: '', VpnConnectionId: CONN, ChangeType: 'Modified', RouteEntryType: 'custom', Source: 'CUSTOM', RouteDest: '10.1.2.0/24',
      NextHop: CONN, Old: { Weight: 100, State: 'published', CreateTime: modified.Old.CreateTime }, New: { Weight: 0, State: 'published', CreateTime: modified.Old.CreateTime },
      TunnelId: '', Cause: 'api',
    });
    assert.equal(pages[0].New, null);
    assert.equal(pages[4].Old, null);

    // Filters: contained in a block, type and source, time range; ascending after an EventId (resume).
    const dests = async (params: Record<string, string | number>) => (await list(params)).RouteChanges.map((e: any) => `${e.EventId}:${e.RouteDest}`);
    assert.deepEqual(await dests({ DestinationCidrBlock: '10.1.0.0/16' }), ['4:10.1.2.0/24', '2:10.1.2.0/24', '1:10.1.0.0/16']);
    assert.deepEqual(await dests({ DestinationCidrBlock: '10.1.2.0/23' }), ['4:10.1.2.0/24', '2:10.1.2.0/24']);
    assert.deepEqual(await dests({ Source: 'CUSTOM', RouteEntryType: 'custom', MaxResults: 1 }), ['5:192.168.0.0/24']);
    assert.deepEqual(await dests({ RouteEntryType: 'bgp' }), []);
    assert.deepEqual(await dests({ Source: 'VPN_BGP' }), []);
    assert.deepEqual(await dests({ AfterEventId: 3 }), ['4:10.1.2.0/24', '5:192.168.0.0/24']);
    const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
    assert.equal((await list({ StartTime: iso(before - 2000), EndTime: iso(Date.now() + 2000) })).RouteChanges.length, 5);
    assert.deepEqual(await dests({ EndTime: iso(before - 2000) }), []);

    // pop-core (V1 GET): the same page.
    const pop = new Pop({ ...ROOT, endpoint: server.baseUrl, apiVersion: '2016-04-28' }, true);
    const [body] = await pop.request('ListVcoRouteChanges', { RegionId: REGION, VpnConnectionId: CONN, DestinationCidrBlock: '192.168.0.0/16' }, { method: 'GET' });
    assert.deepEqual(body.RouteChanges.map((e: any) => e.ChangeType), ['Removed', 'Added']);

    // The admin API (tooling) reads the same history.
    const admin = await server.admin('GET', `/_vcoroute/v1/route-changes?VpnConnectionId=${CONN}&AfterEventId=4`);
    assert.equal(admin.status, 200);
    assert.deepEqual(admin.body.RouteChanges.map((e: any) => e.EventId), ['5']);
    assert.equal(admin.body.NextToken, '');
    const openapi = await server.admin('GET', '/_vcoroute/openapi.json');
    for (const path of ['/_vcoroute/v1/route-changes', '/_vcoroute/v1/route-changes/watch']) assert.ok(openapi.body.paths[path], `openapi.json lists ${path}`);
  });

  it('refuses bad parameters with IllegalParam.{Param}', async () => {
    await sdkError(list({ DestinationCidrBlock: '10.0.0.0/33' }), 'IllegalParam.DestinationCidrBlock', 400);
    await sdkError(list({ MaxResults: 101 }), 'IllegalParam.MaxResults', 400);
    await sdkError(list({ NextToken: 'not-a-token' }), 'IllegalParam.NextToken', 400);
    await sdkError(list({ StartTime: '2026-02-30T00:00:00Z' }), 'IllegalParam.StartTime', 400);
    await sdkError(list({ Source: 'STATIC' }), 'IllegalParam.Source', 400);
    await sdkError(list({ VpnConnectionId: 'vco-unknown' }), 'InvalidVpnConnectionInstanceId.NotFound', 404);
    assert.equal((await server.admin('GET', '/_vcoroute/v1/route-changes?VpnConnectionId=x&MaxResults=0')).status, 400);
  });

  it('RAM: authorized as DescribeVcoRouteEntries on the connection; a user without it gets the same error and sees nothing', async () => {
    const ram = ramClient(server, ROOT);
    const nobody = await userWithKey(ram, 'history-nobody');
    await denied(list({}, nobody), 'Forbbiden.SubUser', { AuthAction: 'vpc:DescribeVcoRouteEntries', NoPermissionType: 'ImplicitDeny' });
    const watch = await fetch(watchUrl(server, {}, nobody), { headers: { accept: 'text/event-stream' } });
    assert.equal(watch.status, 403);
    assert.match(watch.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(((await watch.json()) as any).Code, 'Forbbiden.SubUser');
    const reader = await userWithKey(ram, 'history-reader', [{ type: 'System', name: 'AliyunVPCReadOnlyAccess' }]);
    assert.equal((await list({}, reader)).RouteChanges.length, 5);
  });

  it('watch: live events, resume after a disconnect with no gap and no duplicate, changes through another server, ended by shutdown', async () => {
    const plain = await fetch(watchUrl(server));
    assert.equal(plain.status, 400, 'without Accept: text/event-stream');
    assert.equal(((await plain.json()) as any).Code, 'InvalidParameter.Accept');

    // Live only: history before the watch is not replayed.
    const live = await openSse(watchUrl(server));
    assert.equal(live.status, 200);
    assert.match(live.contentType, /^text\/event-stream/);
    await create('10.2.0.0/16');
    const six = await eventOf(live);
    assert.deepEqual([six.EventId, six.ChangeType, six.RouteDest, six.Cause], ['6', 'Added', '10.2.0.0/16', 'api']);
    live.disconnect();

    // Changes while disconnected, then a reconnect with Last-Event-ID: exactly those, then live ones.
    await modify('10.2.0.0/16', 100, 0);
    await create('10.3.0.0/16');
    const resumed = await openSse(watchUrl(server), { 'last-event-id': six.EventId });
    assert.deepEqual([(await eventOf(resumed)).EventId, (await eventOf(resumed)).EventId], ['7', '8']);
    await remove('10.3.0.0/16', 100);
    assert.equal((await eventOf(resumed)).EventId, '9');

    // Signed with V3 over GET (as a browser console signs it), resumed by the header.
    const v3 = signV3({ method: 'GET', host: new URL(server.baseUrl).host, action: 'WatchVcoRouteChanges',
      query: { RegionId: REGION, VpnConnectionId: CONN, RouteEntryType: 'custom' } });
    const viaV3 = await openSse(`${server.baseUrl}${v3.path}`, { ...v3.headers, 'last-event-id': '8' });
    assert.equal(viaV3.status, 200);
    assert.equal((await eventOf(viaV3)).EventId, '9');
    viaV3.disconnect();

    // A filtered watch resumed by parameter (LastEventId), and the admin watch.
    const filtered = await openSse(watchUrl(server, { LastEventId: '0', DestinationCidrBlock: '10.3.0.0/16' }));
    assert.deepEqual([(await eventOf(filtered)).EventId, (await eventOf(filtered)).EventId], ['8', '9']);
    filtered.disconnect();
    const adminWatch = await openSse(`${server.baseUrl}/_vcoroute/v1/route-changes/watch?VpnConnectionId=${CONN}&LastEventId=8`,
      { authorization: `Bearer ${ADMIN_TOKEN}` });
    assert.equal((await eventOf(adminWatch)).EventId, '9');

    // A second server on the same store: its change reaches the watch held by the first.
    const second = await startTestServer(dataDir, { ...ENV, VCOROUTE_ROUTE_HISTORY_MAX_WATCHERS: '1' });
    try {
      const r = await vpcClientFor(second, ROOT).createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({
        regionId: REGION, vpnConnectionId: CONN, routeDest: '10.4.0.0/16', nextHop: CONN, weight: 100 }));
      assert.ok(r.body?.requestId);
      const ten = await eventOf(resumed);
      assert.deepEqual([ten.EventId, ten.RouteDest], ['10', '10.4.0.0/16']);
      assert.equal((await eventOf(adminWatch)).EventId, '10');
      const onSecond = await openSse(watchUrl(second), { 'last-event-id': '9' });
      assert.equal((await eventOf(onSecond)).EventId, '10');
      // one watcher per server here (--route-history-max-watchers 1): the next is refused until it leaves
      const refused = await fetch(watchUrl(second), { headers: { accept: 'text/event-stream' } });
      assert.equal(refused.status, 503);
      assert.equal(((await refused.json()) as any).Code, 'ServiceUnavailable');
      onSecond.disconnect();
      await waitUntil(async () => (await fetch(watchUrl(second), { headers: { accept: 'text/event-stream' } }).then(async (r) => {
        await r.body?.cancel();
        return r.status;
      })) === 200);
    } finally {
      await second.close();
    }

    // Graceful shutdown ends open streams (the client would resume elsewhere with Last-Event-ID).
    const started = Date.now();
    closed = true;
    await server.close();
    await resumed.ended(3000);
    await adminWatch.ended(3000);
    assert.ok(Date.now() - started < 5000, 'the shutdown did not wait for the streams');
  });

  it('retention: a server started with --route-history-max-events 3 keeps only the newest 3 changes of the connection', async () => {
    server = await startTestServer(dataDir, { ...ENV, VCOROUTE_ROUTE_HISTORY_MAX_EVENTS: '3' });
    closed = false;
    await waitUntil(async () => (await list()).RouteChanges.length === 3);
    assert.deepEqual((await list()).RouteChanges.map((e: any) => e.EventId), ['10', '9', '8']);
    await create('10.5.0.0/16');
    assert.equal((await list()).RouteChanges[0].EventId, '11', 'numbering goes on after pruning');
  });
});

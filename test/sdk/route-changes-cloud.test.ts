/**
 * Route-change history of CLOUD routes, end to end with the official clients: a route created on one connection
 * (VPC SDK) is published to the other connection of the transit router (CEN API) and recorded there as Added
 * CLOUD (cause propagation); detaching the first connection (DeleteTransitRouterVpnAttachment, Force) records
 * its own CLOUD routes Removed with cause detached, and the other's CLOUD route Removed (propagation). Read with
 * ListVcoRouteChanges through the SDK's generic callApi. Runs on both backends (test:postgres).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as $Vpc from '@alicloud/vpc20160428';
import { assertNoServerErrors } from '../helpers/http';
import { startTestServer, type TestServer } from '../helpers/server';
import { vpcClient, type VpcClient } from '../helpers/vpc-client';
import { CbnClient } from '../helpers/cbn-client';
import { attachRouted, bgpConnection, cenWithRouter, REGION } from '../helpers/cen-fixtures';
import { allRouteChanges } from '../helpers/route-changes';

describe('route-change history of CLOUD routes: published by propagation, withdrawn on detach', () => {
  let server: TestServer;
  let vpc: VpcClient;
  let a: string;
  let b: string;
  let attachA: string;
  let cen: CbnClient;
  const cloudChanges = async (id: string) =>
    (await allRouteChanges(vpc, { RegionId: REGION, VpnConnectionId: id, Source: 'CLOUD', AfterEventId: '0' }))
      .map((e) => `${e.ChangeType} ${e.RouteDest} ${e.RouteEntryType} ${e.Source} ${e.Cause}`);
  const addRoute = (id: string, dest: string) =>
    vpc.createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: id, routeDest: dest, nextHop: id, weight: 100 }));

  before(async () => {
    server = await startTestServer(undefined, { VCOROUTE_CHANGE_DELAY_MS: '0' });
    vpc = vpcClient(server);
    cen = new CbnClient(server.endpoint);
    const tr = await cenWithRouter(cen, 'history');
    a = await bgpConnection(vpc, 'history-A');
    b = await bgpConnection(vpc, 'history-B');
    attachA = await attachRouted(cen, tr.transitRouterId, tr.systemTableId, a);
    await attachRouted(cen, tr.transitRouterId, tr.systemTableId, b);
  });
  after(async () => server?.close());

  test('a route of one connection is recorded as a CLOUD route Added (propagation) on the other, with its attributes', async () => {
    await addRoute(a, '10.61.0.0/24');
    await addRoute(b, '10.62.0.0/24');
    assert.deepEqual(await cloudChanges(b), ['Added 10.61.0.0/24 bgp CLOUD propagation']);
    assert.deepEqual(await cloudChanges(a), ['Added 10.62.0.0/24 bgp CLOUD propagation']);
    const [added] = await allRouteChanges(vpc, { RegionId: REGION, VpnConnectionId: b, Source: 'CLOUD' });
    assert.equal(added.Old, null);
    assert.equal(added.New.AsPath, '[45104]');
    assert.equal(added.New.Source, 'CLOUD');
    // The custom route itself is recorded on its own connection, cause api.
    assert.deepEqual((await allRouteChanges(vpc, { RegionId: REGION, VpnConnectionId: a, Source: 'CUSTOM' })).map((e) => `${e.ChangeType} ${e.RouteDest} ${e.Cause}`),
      ['Added 10.61.0.0/24 api']);
  });

  test('detaching a connection records its CLOUD routes Removed (detached) and withdraws its routes from the other (propagation)', async () => {
    await cen.call('DeleteTransitRouterVpnAttachment', { TransitRouterAttachmentId: attachA, Force: true });
    assert.deepEqual(await cloudChanges(a), ['Added 10.62.0.0/24 bgp CLOUD propagation', 'Removed 10.62.0.0/24 bgp CLOUD detached']);
    assert.deepEqual(await cloudChanges(b), ['Added 10.61.0.0/24 bgp CLOUD propagation', 'Removed 10.61.0.0/24 bgp CLOUD propagation']);
    const [removed] = await allRouteChanges(vpc, { RegionId: REGION, VpnConnectionId: a, Source: 'CLOUD' });
    assert.equal(removed.New, null);
    assert.equal(removed.Old.AsPath, '[45104]');
  });

  test('no response was a 5xx', () => assertNoServerErrors());
});

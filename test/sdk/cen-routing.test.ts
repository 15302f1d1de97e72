/**
 * Route propagation through transit routers, end to end over HTTP with official-client-shaped calls (CEN through
 * openapi-core callApi, VPC through @alicloud/vpc20160428): the three-connection scenario of issue 10 — A and B
 * on one transit router, C on another; A's routes become CLOUD routes of B, never of C or A; a static blackhole
 * wins; disabling propagation and detaching withdraw them; a transit router with attachments cannot be deleted —
 * plus hand-seeded CLOUD routes (static routes of the transit router side) surviving every recomputation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as $Vpc from '@alicloud/vpc20160428';
import { assertNoServerErrors } from '../helpers/http';
import { startTestServer, tempDataDir, type TestServer } from '../helpers/server';
import { vpcClient, expectSdkError, type VpcClient } from '../helpers/vpc-client';
import { CbnClient, cenError } from '../helpers/cbn-client';
import { attachRouted, bgpConnection, bgpRoutes, cenWithRouter, REGION, type CenWithRouter } from '../helpers/cen-fixtures';

const ADMIN_CONN = '/_vcoroute/v1/vpn-connections';

describe('CEN routing: three connections on two transit routers (change delay 0)', () => {
  let server: TestServer;
  let vpc: VpcClient;
  let cen: CbnClient;
  let one: CenWithRouter;
  let two: CenWithRouter;
  let a: string; let b: string; let c: string;
  let attachA: string; let attachB: string;

  const addRoute = (id: string, dest: string) =>
    vpc.createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: id, routeDest: dest, nextHop: id, weight: 100, overlayMode: 'Ipsec' }));
  const entries = (tableId: string, extra: Record<string, string> = {}) =>
    cen.call('ListTransitRouterRouteEntries', { TransitRouterRouteTableId: tableId, MaxResults: 100, ...extra });

  before(async () => {
    server = await startTestServer(undefined, { VCOROUTE_CHANGE_DELAY_MS: '0' });
    vpc = vpcClient(server);
    cen = new CbnClient(server.endpoint);
    one = await cenWithRouter(cen, 'one');
    two = await cenWithRouter(cen, 'two');
    a = await bgpConnection(vpc, 'A');
    b = await bgpConnection(vpc, 'B');
    c = await bgpConnection(vpc, 'C');
  });
  after(async () => server.close());

  test('attaching through the CEN API attaches the connection on the VPC side', async () => {
    await expectSdkError(vpc.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: a })), 'Vco.StatusNotSupport', 400);
    attachA = await attachRouted(cen, one.transitRouterId, one.systemTableId, a);
    attachB = await attachRouted(cen, one.transitRouterId, one.systemTableId, b);
    await attachRouted(cen, two.transitRouterId, two.systemTableId, c);
    const conn = (await vpc.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: a }))).body!;
    assert.equal(conn.state, 'attached');
    assert.equal(conn.attachType, 'CEN');
    assert.equal(conn.transitRouterId, one.transitRouterId);
    assert.deepEqual((await bgpRoutes(vpc, a)).cloud, []);
  });

  test("A's custom and BGP routes are propagated entries of the table and CLOUD routes of B, never of A or C", async () => {
    await addRoute(a, '10.1.0.0/24');
    const seeded = await server.admin('POST', `${ADMIN_CONN}/${a}/routes`, {
      routes: [{ routeEntryType: 'bgp', routeDest: '10.2.0.0/24', source: 'VPN_BGP', asPath: [65001], community: '65001:7' }],
    });
    assert.equal(seeded.status, 200);

    const table = await entries(one.systemTableId);
    assert.equal(table.TotalCount, 2);
    const [custom, learned] = table.TransitRouterRouteEntries;
    assert.deepEqual(custom, {
      TransitRouterRouteEntryDestinationCidrBlock: '10.1.0.0/24',
      TransitRouterRouteEntryType: 'Propagated',
      TransitRouterRouteEntryStatus: 'Active',
      TransitRouterRouteEntryNextHopType: 'Attachment',
      TransitRouterRouteEntryNextHopId: attachA,
      TransitRouterRouteEntryNextHopResourceId: a,
      TransitRouterRouteEntryNextHopResourceType: 'VPN',
      TransitRouterRouteEntryOriginResourceId: a,
      TransitRouterRouteEntryOriginResourceType: 'VPN',
      OperationalMode: false,
      PathAttributes: { AsPaths: [], Communities: [], OriginInstanceId: a, OriginInstanceType: 'VPN', OriginRouteType: 'Custom', Preference: 50 },
    });
    assert.equal(learned.TransitRouterRouteEntryDestinationCidrBlock, '10.2.0.0/24');
    assert.deepEqual(learned.PathAttributes.AsPaths, ['65001']);
    assert.deepEqual(learned.PathAttributes.Communities, ['65001:7']);
    assert.equal(learned.PathAttributes.OriginRouteType, 'BGP');

    const onB = await bgpRoutes(vpc, b);
    assert.deepEqual(onB.cloud, [
      { dest: '10.1.0.0/24', asPath: '[45104]', nextHop: b },
      { dest: '10.2.0.0/24', asPath: '[45104,65001]', nextHop: b },
    ]);
    assert.equal(onB.counts.find((x) => x.source === 'CLOUD')!.routeCount, 2);
    assert.deepEqual((await bgpRoutes(vpc, a)).cloud, [], 'split horizon: nothing of its own comes back');
    assert.deepEqual((await bgpRoutes(vpc, c)).cloud, [], 'another transit router sees nothing');
    assert.equal((await entries(two.systemTableId)).TotalCount, 0);
  });

  test("a route added on B is a CLOUD route of A at once; deleting it withdraws it", async () => {
    await addRoute(b, '10.9.0.0/24');
    assert.deepEqual((await bgpRoutes(vpc, a)).cloud.map((r) => r.dest), ['10.9.0.0/24']);
    await vpc.deleteVcoRouteEntry(new $Vpc.DeleteVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: b, routeDest: '10.9.0.0/24', nextHop: b, weight: 100, overlayMode: 'Ipsec' }));
    assert.deepEqual((await bgpRoutes(vpc, a)).cloud, []);
  });

  test('a static blackhole wins over the propagated entry and removes the prefix from B', async () => {
    const { TransitRouterRouteEntryId } = await cen.call('CreateTransitRouterRouteEntry', {
      TransitRouterRouteTableId: one.systemTableId, TransitRouterRouteEntryDestinationCidrBlock: '10.1.0.0/24', TransitRouterRouteEntryNextHopType: 'BlackHole',
      TransitRouterRouteEntryName: 'drop',
    });
    assert.match(TransitRouterRouteEntryId, /^rte-[0-9a-z]{18}$/);
    assert.deepEqual((await bgpRoutes(vpc, b)).cloud.map((r) => r.dest), ['10.2.0.0/24']);
    const active = await entries(one.systemTableId, { TransitRouterRouteEntryDestinationCidrBlock: '10.1.0.0/24' });
    assert.equal(active.TotalCount, 1);
    const blackhole = active.TransitRouterRouteEntries[0];
    assert.equal(blackhole.TransitRouterRouteEntryType, 'Static');
    assert.equal(blackhole.TransitRouterRouteEntryNextHopType, 'BlackHole');
    assert.equal(blackhole.TransitRouterRouteEntryNextHopId, undefined);
    assert.equal(blackhole.OperationalMode, true);
    assert.equal(blackhole.TransitRouterRouteEntryName, 'drop');
    assert.match(blackhole.CreateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/);
    const all = await entries(one.systemTableId, { TransitRouterRouteEntryStatus: 'All', TransitRouterRouteEntryDestinationCidrBlock: '10.1.0.0/24' });
    assert.deepEqual(all.TransitRouterRouteEntries.map((e: any) => [e.TransitRouterRouteEntryType, e.TransitRouterRouteEntryStatus]), [['Static', 'Active'], ['Propagated', 'Candidate']]);
    await cenError(cen.call('DeleteTransitRouterRouteEntry', {
      TransitRouterRouteTableId: one.systemTableId, TransitRouterRouteEntryDestinationCidrBlock: '10.2.0.0/24', TransitRouterRouteEntryNextHopType: 'Attachment',
      TransitRouterRouteEntryNextHopId: attachA,
    }), 'OperationFailed.DeleteTransitRouterRouteEntry');
    await cen.call('DeleteTransitRouterRouteEntry', { TransitRouterRouteEntryId });
    assert.deepEqual((await bgpRoutes(vpc, b)).cloud.map((r) => r.dest), ['10.1.0.0/24', '10.2.0.0/24']);
  });

  test('a static entry towards B sends the prefix to B: A gets it as CLOUD, B does not', async () => {
    await cen.call('CreateTransitRouterRouteEntry', {
      TransitRouterRouteTableId: one.systemTableId, TransitRouterRouteEntryDestinationCidrBlock: '172.16.0.0/16', TransitRouterRouteEntryNextHopType: 'Attachment',
      TransitRouterRouteEntryNextHopId: attachB,
    });
    assert.deepEqual((await bgpRoutes(vpc, a)).cloud.map((r) => r.dest), ['172.16.0.0/16']);
    assert.deepEqual((await bgpRoutes(vpc, b)).cloud.map((r) => r.dest), ['10.1.0.0/24', '10.2.0.0/24']);
    await cenError(cen.call('DeleteTransitRouterVpnAttachment', { TransitRouterAttachmentId: attachB }), 'OperationFailed.RouteTableAssociationExist');
    await cen.call('DeleteTransitRouterRouteEntry', {
      TransitRouterRouteTableId: one.systemTableId, TransitRouterRouteEntryDestinationCidrBlock: '172.16.0.0/16', TransitRouterRouteEntryNextHopType: 'Attachment',
      TransitRouterRouteEntryNextHopId: attachB,
    });
    assert.deepEqual((await bgpRoutes(vpc, a)).cloud, []);
  });

  test('hand-seeded CLOUD routes (static routes of the transit router side) survive recomputation and win', async () => {
    const seeded = await server.admin('POST', `${ADMIN_CONN}/${b}/routes`, {
      routes: [
        { routeEntryType: 'bgp', routeDest: '10.50.0.0/24', source: 'CLOUD', asPath: [12000] },
        { routeEntryType: 'bgp', routeDest: '10.1.0.0/24', source: 'CLOUD', asPath: [12000] },
      ],
    });
    assert.deepEqual(seeded.body, { inserted: 1, updated: 1 });
    await addRoute(a, '10.3.0.0/24');
    const onB = await bgpRoutes(vpc, b);
    assert.deepEqual(onB.cloud, [
      { dest: '10.1.0.0/24', asPath: '[12000]', nextHop: b },
      { dest: '10.2.0.0/24', asPath: '[45104,65001]', nextHop: b },
      { dest: '10.3.0.0/24', asPath: '[45104]', nextHop: b },
      { dest: '10.50.0.0/24', asPath: '[12000]', nextHop: b },
    ]);
    // Removing the seeded 10.1.0.0/24 brings the propagated one back.
    await server.admin('DELETE', `${ADMIN_CONN}/${b}/routes?routeEntryType=bgp&source=CLOUD&routeDest=10.1.0.0/24`);
    assert.equal((await bgpRoutes(vpc, b)).cloud.find((r) => r.dest === '10.1.0.0/24')!.asPath, '[45104]');
  });

  test('AutoPublishRouteEnabled=false withdraws the CLOUD routes; true brings them back', async () => {
    await cen.call('UpdateTransitRouterVpnAttachmentAttribute', { TransitRouterAttachmentId: attachB, AutoPublishRouteEnabled: false });
    assert.deepEqual((await bgpRoutes(vpc, b)).cloud.map((r) => r.dest), ['10.50.0.0/24'], 'only the seeded one stays');
    await cen.call('UpdateTransitRouterVpnAttachmentAttribute', { TransitRouterAttachmentId: attachB, AutoPublishRouteEnabled: true });
    assert.equal((await bgpRoutes(vpc, b)).cloud.length, 4);
  });

  test('disabling propagation of A withdraws its routes from the table and from B', async () => {
    await cen.call('DisableTransitRouterRouteTablePropagation', { TransitRouterAttachmentId: attachA, TransitRouterRouteTableId: one.systemTableId });
    assert.deepEqual((await bgpRoutes(vpc, b)).cloud.map((r) => r.dest), ['10.50.0.0/24']);
    assert.equal((await entries(one.systemTableId)).TotalCount, 0);
    await cen.call('EnableTransitRouterRouteTablePropagation', { TransitRouterAttachmentId: attachA, TransitRouterRouteTableId: one.systemTableId });
    assert.equal((await bgpRoutes(vpc, b)).cloud.length, 4);
  });

  test('detaching A (Force) removes its routes from B and detaches it on the VPC side; the TR with attachments cannot be deleted', async () => {
    await cenError(cen.call('DeleteTransitRouterVpnAttachment', { TransitRouterAttachmentId: attachA }), 'OperationFailed.RouteTableAssociationExist');
    await cen.call('DeleteTransitRouterVpnAttachment', { TransitRouterAttachmentId: attachA, Force: true });
    assert.deepEqual((await bgpRoutes(vpc, b)).cloud.map((r) => r.dest), ['10.50.0.0/24']);
    const conn = (await vpc.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: a }))).body!;
    assert.equal(conn.state, 'init');
    assert.equal(conn.attachType, 'NO_ASSOCIATED');
    const listed = await cen.call('ListTransitRouterVpnAttachments', { TransitRouterAttachmentId: attachA });
    assert.deepEqual([listed.TotalCount, listed.TransitRouterAttachments], [0, []]);
    await cenError(cen.call('DeleteTransitRouter', { TransitRouterId: one.transitRouterId }), 'InvalidOperation.AttachedChildInstanceExist');
  });

  test('the admin attach and detach create and remove the same attachment record', async () => {
    const attached = await server.admin('POST', `${ADMIN_CONN}/${a}/attach`, { transitRouterId: one.transitRouterId });
    assert.equal(attached.status, 200);
    const listed = await cen.call('ListTransitRouterVpnAttachments', { TransitRouterId: one.transitRouterId });
    const record = listed.TransitRouterAttachments.find((x: any) => x.VpnId === a);
    assert.ok(record, 'the admin attach created the VPN attachment');
    assert.equal(record.Status, 'Attached');
    assert.equal(record.AutoPublishRouteEnabled, true);
    await cen.call('AssociateTransitRouterAttachmentWithRouteTable', { TransitRouterAttachmentId: record.TransitRouterAttachmentId, TransitRouterRouteTableId: one.systemTableId });
    assert.deepEqual((await bgpRoutes(vpc, a)).cloud, [], 'B, the only one propagating, has no routes yet');
    await addRoute(b, '10.77.0.0/24');
    assert.deepEqual((await bgpRoutes(vpc, a)).cloud.map((r) => r.dest), ['10.77.0.0/24']);
    assert.equal((await server.admin('POST', `${ADMIN_CONN}/${a}/detach`)).status, 200);
    const after = await cen.call('ListTransitRouterVpnAttachments', { TransitRouterId: one.transitRouterId });
    assert.equal(after.TransitRouterAttachments.some((x: any) => x.VpnId === a), false);
    // An unmanaged transit router ID (no CEN resource) still attaches, without a record and without routing.
    assert.equal((await server.admin('POST', `${ADMIN_CONN}/${a}/attach`, { transitRouterId: 'tr-unmanaged1' })).status, 200);
    assert.deepEqual((await bgpRoutes(vpc, a)).cloud, []);
  });

  test('no response was a 5xx', () => assertNoServerErrors());
});

describe('CEN routing across servers on one data set; --auto-attach creates the attachment record', () => {
  const dataDir = tempDataDir();
  let first: TestServer;
  let second: TestServer;
  let router: CenWithRouter;

  before(async () => {
    first = await startTestServer(dataDir, { VCOROUTE_CHANGE_DELAY_MS: '0' });
    router = await cenWithRouter(new CbnClient(first.endpoint), 'shared');
    // The second server attaches every new connection to the transit router the first one created.
    second = await startTestServer(dataDir, { VCOROUTE_CHANGE_DELAY_MS: '0', VCOROUTE_AUTO_ATTACH: router.transitRouterId });
  });
  after(async () => {
    await second.close();
    await first.close();
  });

  test('a route written through one server changes the CLOUD routes the other server lists, at once (page caches included)', async () => {
    const vpc1 = vpcClient(first);
    const vpc2 = vpcClient(second);
    const cen1 = new CbnClient(first.endpoint);
    const a = await bgpConnection(vpc2, 'auto-A');
    const b = await bgpConnection(vpc2, 'auto-B');
    const attachments = await cen1.call('ListTransitRouterVpnAttachments', { TransitRouterId: router.transitRouterId });
    assert.deepEqual(attachments.TransitRouterAttachments.map((x: any) => [x.VpnId, x.Status]), [[a, 'Attached'], [b, 'Attached']], '--auto-attach created the records');
    for (const x of attachments.TransitRouterAttachments) {
      const link = { TransitRouterAttachmentId: x.TransitRouterAttachmentId, TransitRouterRouteTableId: router.systemTableId };
      await cen1.call('AssociateTransitRouterAttachmentWithRouteTable', link);
      await cen1.call('EnableTransitRouterRouteTablePropagation', link);
    }
    assert.deepEqual((await bgpRoutes(vpc2, b)).cloud, [], 'cached empty page on the second server');
    await vpc1.createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: a, routeDest: '10.60.0.0/24', nextHop: a, weight: 100, overlayMode: 'Ipsec' }));
    assert.deepEqual((await bgpRoutes(vpc2, b)).cloud.map((r) => r.dest), ['10.60.0.0/24']);
    await vpc2.deleteVcoRouteEntry(new $Vpc.DeleteVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: a, routeDest: '10.60.0.0/24', nextHop: a, weight: 100, overlayMode: 'Ipsec' }));
    assert.deepEqual((await bgpRoutes(vpc1, b)).cloud, []);
  });

  test('racing creates through both servers: one transit router per CEN and region, one attachment per connection', async () => {
    const cens = [new CbnClient(first.endpoint), new CbnClient(second.endpoint)];
    const { CenId } = await cens[0]!.call('CreateCen', { Name: 'race' });
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => cens[i % 2]!.call('CreateTransitRouter', { CenId, RegionId: 'cn-shanghai' })));
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    for (const o of outcomes) if (o.status === 'rejected') assert.equal((o.reason as any).code, 'InstanceExist.TransitRouterInstance');
    const other = await cenWithRouter(cens[1]!, 'race-other');
    const vco = await bgpConnection(vpcClient(first), 'race'); // the first server does not auto-attach: init
    const attaches = await Promise.allSettled([
      cens[0]!.call('CreateTransitRouterVpnAttachment', { RegionId: REGION, TransitRouterId: router.transitRouterId, VpnId: vco }),
      cens[1]!.call('CreateTransitRouterVpnAttachment', { RegionId: REGION, TransitRouterId: other.transitRouterId, VpnId: vco }),
    ]);
    assert.equal(attaches.filter((o) => o.status === 'fulfilled').length, 1);
    for (const o of attaches) if (o.status === 'rejected') assert.equal((o.reason as any).code, 'IncorrectStatus.VpnConnection');
    const listed = [
      ...(await cens[0]!.call('ListTransitRouterVpnAttachments', { TransitRouterId: router.transitRouterId })).TransitRouterAttachments,
      ...(await cens[0]!.call('ListTransitRouterVpnAttachments', { TransitRouterId: other.transitRouterId })).TransitRouterAttachments,
    ].filter((x: any) => x.VpnId === vco);
    assert.equal(listed.length, 1);
    await cens[0]!.call('DeleteTransitRouterVpnAttachment', { TransitRouterAttachmentId: listed[0].TransitRouterAttachmentId, Force: true });
  });

  test('routes written concurrently through both servers on two connections end up complete on both sides', async () => {
    const vpc1 = vpcClient(first);
    const vpc2 = vpcClient(second);
    const [a, b] = (await new CbnClient(first.endpoint).call('ListTransitRouterVpnAttachments', { TransitRouterId: router.transitRouterId }))
      .TransitRouterAttachments.map((x: any) => x.VpnId as string).slice(0, 2);
    const add = (client: VpcClient, id: string, dest: string) =>
      client.createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: id, routeDest: dest, nextHop: id, weight: 100, overlayMode: 'Ipsec' }));
    const onA = Array.from({ length: 8 }, (_, i) => `10.70.${i}.0/24`);
    const onB = Array.from({ length: 8 }, (_, i) => `10.80.${i}.0/24`);
    await Promise.all([...onA.map((d, i) => add(i % 2 ? vpc1 : vpc2, a!, d)), ...onB.map((d, i) => add(i % 2 ? vpc2 : vpc1, b!, d))]);
    assert.deepEqual((await bgpRoutes(vpc1, b!)).cloud.map((r) => r.dest), onA);
    assert.deepEqual((await bgpRoutes(vpc2, a!)).cloud.map((r) => r.dest), onB);
  });
});

describe('README example (examples/cen-routing.ts) against a default-delay server: CEN API only', () => {
  test("each data center's connection lists the other's prefix as a CLOUD route", async () => {
    const { execFile } = await import('node:child_process');
    const server = await startTestServer();
    try {
      const output = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, ['--import', 'tsx', 'examples/cen-routing.ts'], { env: { ...process.env, VCOROUTE_ENDPOINT: server.endpoint }, timeout: 60_000 },
          (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
      });
      assert.match(output, /transit router: 192\.168\.10\.0\/24 Propagated via vco-/);
      assert.match(output, /dc1 CLOUD routes: 192\.168\.20\.0\/24 \[45104\]\n/);
      assert.match(output, /dc2 CLOUD routes: 192\.168\.10\.0\/24 \[45104\]\n/);
    } finally {
      await server.close();
    }
  });
});

/**
 * Two data centers on one transit router, with nothing but SDK calls (no admin API, no --auto-attach), against
 *   npx vcoroute serve
 * CEN API: CreateCen → CreateTransitRouter → CreateTransitRouterVpnAttachment → associate + propagate with the
 * system route table; VPC API: a BGP-enabled IPsec connection per data center, one route on each; then each
 * connection's CLOUD routes (DescribeVcoRouteEntries, RouteEntryType=bgp) show the other data center's prefix.
 * Run: npx tsx examples/cen-routing.ts   (VCOROUTE_ENDPOINT overrides 127.0.0.1:8080)
 *
 * The CEN calls go through the same openapi-core call the generated @alicloud/cbn20170912 SDK makes
 * (`new Cbn(config).createCen(new CreateCenRequest({...}))` is this `cen('CreateCen', {...})`).
 */
import OpenApiClient, { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import Vpc, * as $Vpc from '@alicloud/vpc20160428';

const config = {
  endpoint: process.env.VCOROUTE_ENDPOINT ?? '127.0.0.1:8080',
  protocol: 'http',
  regionId: 'cn-hangzhou',
  accessKeyId: process.env.VCOROUTE_ACCESS_KEY_ID ?? 'LTAIvcorouteDevKeyId0001',
  accessKeySecret: process.env.VCOROUTE_ACCESS_KEY_SECRET ?? 'vcorouteDevKeySecret0000000001',
};
const RegionId = 'cn-hangzhou';
const vpc = new Vpc(config as any);
const cbn = new (OpenApiClient as any)(new $OpenApiUtil.Config(config));

/** One CEN (Cbn 2017-09-12) operation, as the generated SDK sends it: RPC, every parameter in the query. */
async function cen(action: string, query: Record<string, string | number | boolean> = {}): Promise<any> {
  const params = new $OpenApiUtil.Params({
    action, version: '2017-09-12', protocol: 'HTTPS', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json',
  });
  const request = new $OpenApiUtil.OpenApiRequest({ query: OpenApiUtil.query(Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)]))) });
  return (await cbn.callApi(params, request, {})).body;
}

/** Changes are asynchronous, as in the cloud (Creating → Active, Attaching → Attached, …): poll until `done`. */
async function waitFor(done: () => Promise<boolean>): Promise<void> {
  while (!(await done())) await new Promise((resolve) => setTimeout(resolve, 100));
}

const connectionState = async (vpnConnectionId: string) =>
  (await vpc.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: RegionId, vpnConnectionId }))).body!.state;

async function dataCenter(name: string, first: number): Promise<string> {
  const gateways: string[] = [];
  for (const host of [first, first + 1]) {
    const req = new $Vpc.CreateCustomerGatewayRequest({ regionId: RegionId, ipAddress: `203.0.113.${host}`, asn: '65001', name: `${name}-${host}` });
    gateways.push((await vpc.createCustomerGateway(req)).body!.customerGatewayId!);
  }
  const { body } = await vpc.createVpnAttachment(new $Vpc.CreateVpnAttachmentRequest({
    regionId: RegionId, name, localSubnet: '0.0.0.0/0', remoteSubnet: '0.0.0.0/0', enableTunnelsBgp: true,
    tunnelOptionsSpecification: gateways.map((customerGatewayId, i) => new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecification({
      customerGatewayId, tunnelIndex: i + 1,
      tunnelBgpConfig: new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecificationTunnelBgpConfig({ tunnelCidr: `169.254.${first + i}.0/30` }),
    })),
  }));
  return body!.vpnConnectionId!;
}

async function main(): Promise<void> {
  const { CenId } = await cen('CreateCen', { Name: 'example' });
  await waitFor(async () => (await cen('DescribeCens', { 'Filter.1.Key': 'CenId', 'Filter.1.Value.1': CenId })).Cens.Cen[0]?.Status === 'Active');
  const { TransitRouterId } = await cen('CreateTransitRouter', { CenId, RegionId });
  await waitFor(async () => (await cen('ListTransitRouters', { TransitRouterId, RegionId })).TransitRouters[0]?.Status === 'Active');
  const tables = await cen('ListTransitRouterRouteTables', { TransitRouterId, TransitRouterRouteTableType: 'System' });
  const TransitRouterRouteTableId = tables.TransitRouterRouteTables[0].TransitRouterRouteTableId;

  const connections = { dc1: await dataCenter('dc1', 11), dc2: await dataCenter('dc2', 21) };
  for (const VpnId of Object.values(connections)) {
    const { TransitRouterAttachmentId } = await cen('CreateTransitRouterVpnAttachment', { RegionId, TransitRouterId, VpnId });
    const attachment = async () => (await cen('ListTransitRouterVpnAttachments', { TransitRouterAttachmentId })).TransitRouterAttachments[0];
    await waitFor(async () => (await attachment()).Status === 'Attached');
    // A new attachment has no association and no propagation: forward with, and learn into, the system table.
    await cen('AssociateTransitRouterAttachmentWithRouteTable', { TransitRouterAttachmentId, TransitRouterRouteTableId });
    await cen('EnableTransitRouterRouteTablePropagation', { TransitRouterAttachmentId, TransitRouterRouteTableId });
  }

  for (const [name, routeDest] of [['dc1', '192.168.10.0/24'], ['dc2', '192.168.20.0/24']] as const) {
    const id = connections[name];
    await waitFor(async () => (await connectionState(id)) === 'attached');
    await vpc.createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({ regionId: RegionId, vpnConnectionId: id, routeDest, nextHop: id, weight: 100 }));
  }

  const entries = await cen('ListTransitRouterRouteEntries', { TransitRouterRouteTableId });
  for (const e of entries.TransitRouterRouteEntries) {
    console.log(`transit router: ${e.TransitRouterRouteEntryDestinationCidrBlock} ${e.TransitRouterRouteEntryType} via ${e.TransitRouterRouteEntryNextHopResourceId}`);
  }
  for (const [name, id] of Object.entries(connections)) {
    await waitFor(async () => (await connectionState(id)) === 'attached');
    const { body } = await vpc.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: RegionId, vpnConnectionId: id, routeEntryType: 'bgp' }));
    const cloud = body!.vcoRouteEntries!.filter((r) => r.source === 'CLOUD').map((r) => `${r.routeDest} ${r.asPath}`);
    console.log(`${name} CLOUD routes: ${cloud.join(', ')}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

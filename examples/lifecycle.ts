/**
 * The whole lifecycle with nothing but the official SDK, against a server started with
 *   VCOROUTE_AUTO_ATTACH=1 npx vcoroute serve
 * Run: npx tsx examples/lifecycle.ts   (VCOROUTE_ENDPOINT overrides 127.0.0.1:8080)
 */
import Vpc, * as $Vpc from '@alicloud/vpc20160428';

const client = new Vpc({
  endpoint: process.env.VCOROUTE_ENDPOINT ?? '127.0.0.1:8080',
  protocol: 'http',
  regionId: 'cn-hangzhou',
  accessKeyId: process.env.VCOROUTE_ACCESS_KEY_ID ?? 'LTAIvcorouteDevKeyId0001',
  accessKeySecret: process.env.VCOROUTE_ACCESS_KEY_SECRET ?? 'vcorouteDevKeySecret0000000001',
} as any);
const RegionId = 'cn-hangzhou';

/** Changes are asynchronous, as in the cloud: wait until the connection is attached again. */
async function waitUntilAttached(vpnConnectionId: string): Promise<void> {
  for (;;) {
    const { body } = await client.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: RegionId, vpnConnectionId }));
    if (body?.state === 'attached') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main(): Promise<void> {
  const gateway = async (ipAddress: string, asn: string) =>
    (await client.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: RegionId, ipAddress, asn }))).body!.customerGatewayId!;
  const [cgw1, cgw2] = [await gateway('203.0.113.1', '65001'), await gateway('203.0.113.2', '65001')];

  const { body } = await client.createVpnAttachment(new $Vpc.CreateVpnAttachmentRequest({
    regionId: RegionId, localSubnet: '0.0.0.0/0', remoteSubnet: '0.0.0.0/0', enableTunnelsBgp: true,
    tunnelOptionsSpecification: [cgw1, cgw2].map((customerGatewayId, i) => new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecification({
      customerGatewayId, tunnelIndex: i + 1,
      tunnelBgpConfig: new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecificationTunnelBgpConfig({ tunnelCidr: `169.254.1${i}.0/30` }),
    })),
  }));
  const id = body!.vpnConnectionId!;
  await waitUntilAttached(id); // auto-attached to the default transit router

  for (const routeDest of ['192.168.10.0/24', '192.168.20.0/24', '10.0.0.0/16']) {
    await client.createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({ regionId: RegionId, vpnConnectionId: id, routeDest, nextHop: id, weight: 100 }));
    await waitUntilAttached(id);
  }
  const list = async () => (await client.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: RegionId, vpnConnectionId: id }))).body!;
  console.log('routes:', (await list()).vcoRouteEntries!.map((r) => `${r.routeDest} w${r.weight}`).join(', '));

  await client.modifyVcoRouteEntryWeight(new $Vpc.ModifyVcoRouteEntryWeightRequest({
    regionId: RegionId, vpnConnectionId: id, routeDest: '10.0.0.0/16', nextHop: id, weight: 100, newWeight: 0,
  }));
  await waitUntilAttached(id);
  await client.deleteVcoRouteEntry(new $Vpc.DeleteVcoRouteEntryRequest({ regionId: RegionId, vpnConnectionId: id, routeDest: '192.168.20.0/24', nextHop: id, weight: 100 }));
  await waitUntilAttached(id);
  const after = await list();
  console.log(`after: ${after.totalCount} routes:`, after.vcoRouteEntries!.map((r) => `${r.routeDest} w${r.weight}`).join(', '));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

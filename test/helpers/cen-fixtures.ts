/** Building blocks of the CEN tests: BGP-enabled dual-tunnel VPN connections (VPC SDK) and a CEN with one transit router. */
import * as $Vpc from '@alicloud/vpc20160428';
import type { VpcClient } from './vpc-client';
import type { CbnClient } from './cbn-client';

export const REGION = 'cn-hangzhou';

let tunnelBlock = 20;
let gatewayHost = 20;

/** A dual-tunnel connection with BGP on (EnableTunnelsBgp), in state init. */
export async function bgpConnection(vpc: VpcClient, name: string): Promise<string> {
  const gateways: string[] = [];
  for (let i = 0; i < 2; i++) {
    const res = await vpc.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: REGION, ipAddress: `203.0.113.${gatewayHost++}`, asn: '65001' }));
    gateways.push(res.body!.customerGatewayId!);
  }
  const created = await vpc.createVpnAttachment(new $Vpc.CreateVpnAttachmentRequest({
    regionId: REGION, localSubnet: '0.0.0.0/0', remoteSubnet: '0.0.0.0/0', name, enableTunnelsBgp: true,
    tunnelOptionsSpecification: gateways.map((customerGatewayId, i) => new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecification({
      customerGatewayId,
      tunnelIndex: i + 1,
      tunnelBgpConfig: new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecificationTunnelBgpConfig({ tunnelCidr: `169.254.${tunnelBlock++}.0/30` }),
    })),
  }));
  return created.body!.vpnConnectionId!;
}

export interface CenWithRouter { cenId: string; transitRouterId: string; systemTableId: string }

export async function cenWithRouter(cen: CbnClient, name: string): Promise<CenWithRouter> {
  const { CenId } = await cen.call('CreateCen', { Name: name });
  const { TransitRouterId } = await cen.call('CreateTransitRouter', { CenId, RegionId: REGION, TransitRouterName: `${name}-tr` });
  const tables = await cen.call('ListTransitRouterRouteTables', { TransitRouterId, TransitRouterRouteTableType: 'System' });
  return { cenId: CenId, transitRouterId: TransitRouterId, systemTableId: tables.TransitRouterRouteTables[0].TransitRouterRouteTableId };
}

/** Attaches a connection, associates it with and propagates it into `tableId`; returns the attachment ID. */
export async function attachRouted(cen: CbnClient, transitRouterId: string, tableId: string, vpnId: string, extra: Record<string, string> = {}): Promise<string> {
  const { TransitRouterAttachmentId } = await cen.call('CreateTransitRouterVpnAttachment', { RegionId: REGION, TransitRouterId: transitRouterId, VpnId: vpnId, ...extra });
  await cen.call('AssociateTransitRouterAttachmentWithRouteTable', { TransitRouterAttachmentId, TransitRouterRouteTableId: tableId });
  await cen.call('EnableTransitRouterRouteTablePropagation', { TransitRouterAttachmentId, TransitRouterRouteTableId: tableId });
  return TransitRouterAttachmentId;
}

/** The BGP routes of a connection as DescribeVcoRouteEntries lists them (first page of 50), and its VpnRouteCounts. */
export async function bgpRoutes(vpc: VpcClient, vpnConnectionId: string) {
  const res = await vpc.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId, routeEntryType: 'bgp', pageSize: 50 }));
  const entries = res.body!.vcoRouteEntries ?? [];
  return {
    cloud: entries.filter((e) => e.source === 'CLOUD').map((e) => ({ dest: e.routeDest!, asPath: e.asPath!, nextHop: e.nextHop! })).sort((a, b) => (a.dest < b.dest ? -1 : 1)),
    counts: res.body!.vpnRouteCounts ?? [],
  };
}


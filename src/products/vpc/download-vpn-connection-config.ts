/**
 * DownloadVpnConnectionConfig: the configuration of the customer's gateway device for a connection. The
 * response is written from the device's side (SDK model remarks): Local/LocalSubnet/LocalId are the data
 * center's, Remote/RemoteSubnet/RemoteId the cloud's — the mirror of DescribeVpnConnection.
 */
import { peerBgpIp } from '../../domain/vpn';
import type { ConnectionRecord, CustomerGatewayRecord, IkeConfig, TunnelBgpConfig } from '../../store/store';
import type { ResponseBody } from '../product';
import { defineOperation } from '../product';
import { connectionGateways, findConnection } from './connection-access';
import { VPC, vpnConnectionArn } from './product';
import { attachedIp, ikeView, ipsecView } from './vpn-connection-views';
import { parseOne, type OneConnectionInput } from './vpn-connections';

type Gateways = ReadonlyMap<string, CustomerGatewayRecord>;

/**
 * Decided: the IKE identities swap sides (the device's LocalId is the connection's RemoteId); an empty
 * cloud-side identity means its default, the VPN gateway's public IP (the documented RemoteId default).
 */
function deviceIke(ike: IkeConfig, publicIp: string): ResponseBody {
  return { ...ikeView(ike, (n) => n), LocalId: ike.remoteId, RemoteId: ike.localId || publicIp };
}

/**
 * Decided: BgpConfigs are written from the device's side like the rest of the response: LocalAsn and
 * LocalBgpIp are the data center's (the customer gateway's Asn, the other address of TunnelCidr), PeerAsn
 * and PeerBgpIp the cloud's (TunnelBgpConfig LocalAsn and LocalBgpIp). All strings, as the model types them.
 */
function deviceBgp(bgp: TunnelBgpConfig, customerAsn: number | null | undefined, tunnelId?: string): ResponseBody {
  const view: ResponseBody = {};
  if (tunnelId !== undefined) view.TunnelId = tunnelId;
  if (customerAsn !== null && customerAsn !== undefined) view.LocalAsn = String(customerAsn);
  return { ...view, LocalBgpIp: peerBgpIp(bgp.tunnelCidr, bgp.localBgpIp), PeerAsn: String(bgp.localAsn), PeerBgpIp: bgp.localBgpIp, TunnelCidr: bgp.tunnelCidr };
}

/**
 * Decided: a dual-tunnel connection has no connection-wide Local/Remote/IkeConfig/IpsecConfig (each tunnel
 * has its own, in TunnelsConfig); BgpConfigs lists the tunnels with a TunnelBgpConfig while EnableTunnelsBgp
 * is on. A single-tunnel connection has the connection-wide fields and, with BgpConfig enabled, one
 * BgpConfigs item without TunnelId (it has no tunnels).
 */
export function deviceConfigView(c: ConnectionRecord, gateways: Gateways): ResponseBody {
  const a = c.attributes;
  const view: ResponseBody = { LocalSubnet: a.remoteSubnet, RemoteSubnet: a.localSubnet };
  const single = a.single;
  if (c.tunnels.length === 0 && single) {
    const gateway = c.customerGatewayId ? gateways.get(c.customerGatewayId) : undefined;
    const publicIp = attachedIp(c, c.connectionId);
    Object.assign(view, { Local: gateway?.ipAddress ?? '', Remote: publicIp, IkeConfig: deviceIke(single.ike, publicIp), IpsecConfig: ipsecView(single.ipsec, (n) => n) });
    if (single.bgp.enableBgp && single.bgp.tunnelCidr) view.BgpConfigs = { BgpConfig: [deviceBgp(single.bgp, gateway?.asn)] };
    return view;
  }
  view.TunnelsConfig = {
    TunnelConfig: c.tunnels.map((t) => {
      const publicIp = attachedIp(c, t.tunnelId);
      return {
        TunnelId: t.tunnelId,
        Local: (t.customerGatewayId ? gateways.get(t.customerGatewayId)?.ipAddress : undefined) ?? '',
        Remote: publicIp,
        IkeConfig: deviceIke(t.options.ike, publicIp),
        IpsecConfig: ipsecView(t.options.ipsec, (n) => n),
      };
    }),
  };
  const bgpTunnels = a.enableTunnelsBgp ? c.tunnels.filter((t) => t.options.bgp.tunnelCidr !== '') : [];
  if (bgpTunnels.length > 0) {
    view.BgpConfigs = {
      BgpConfig: bgpTunnels.map((t) => deviceBgp(t.options.bgp, t.customerGatewayId ? gateways.get(t.customerGatewayId)?.asn : null, t.tunnelId)),
    };
  }
  return view;
}

export const downloadVpnConnectionConfig = defineOperation<OneConnectionInput>({
  product: VPC,
  action: 'DownloadVpnConnectionConfig',
  ramAction: 'vpc:DownloadVpnConnectionConfig',
  resource: (input, principal) => vpnConnectionArn(input.regionId, principal.accountId, input.vpnConnectionId),
  clientToken: false,
  parse: parseOne,
  async run(input, { store, principal }) {
    const c = await findConnection(store, principal.accountId, input.regionId, input.vpnConnectionId);
    return { VpnConnectionConfig: deviceConfigView(c, await connectionGateways(store, c)) };
  },
});

/**
 * How a VPN connection is rendered by each operation. The SDK models differ in small ways that break the
 * client when wrong (pop-protocol.md §7.2): DescribeVpnConnection(s) wrap tunnels as
 * {TunnelOptions:[…]} with string-typed flags and ASNs; ModifyVpnAttachmentAttribute returns a plain array
 * with booleans and numbers; DescribeVpnAttachments has its own short shape.
 */
import { createHash } from 'node:crypto';
import { effectiveState, isChanging, peerBgpIp, reportedTunnelStatus } from '../../domain/vpn';
import type { ConnectionRecord, TunnelRecord } from '../../store/store';
import type { ResponseBody } from '../product';
import type { LiveBgpSessions } from './bgp-sessions';

/**
 * Decided: the public IPs of a connection and its tunnels are derived from their IDs (stable, no storage),
 * in 47.0.0.0/8 like Alibaba's public ranges; assigned only while attached to a transit router.
 */
function derivedPublicIp(id: string): string {
  const h = createHash('sha256').update(id).digest();
  return `47.${h[0]}.${h[1]}.${1 + (h[2]! % 254)}`;
}

/** Decided: the CEN instance of a transit router is named after it (cen- + the same suffix). */
function cenInstanceId(transitRouterId: string): string {
  return `cen-${transitRouterId.slice(3)}`;
}

/** The public IP of a connection or one of its tunnels (the VPN gateway side): only while attached to a transit router. */
export function attachedIp(c: ConnectionRecord, id: string): string {
  return c.transitRouterId ? derivedPublicIp(id) : '';
}

/** Connection-level negotiation status: single-tunnel follows attachment; dual-tunnel is the best tunnel's. */
function connectionStatus(c: ConnectionRecord, now: number): string {
  const order = ['ipsec_sa_established', 'ipsec_sa_not_established', 'ike_sa_established', 'ike_sa_not_established'];
  if (c.tunnels.length === 0) {
    return ['attached', 'updating'].includes(effectiveState(c, now)) ? 'ipsec_sa_established' : 'ike_sa_not_established';
  }
  const statuses = c.tunnels.map((t) => reportedTunnelStatus(c, t, now));
  return order.find((s) => statuses.includes(s)) ?? 'ike_sa_not_established';
}

function tunnelState(c: ConnectionRecord, now: number): string {
  return isChanging(c, now) ? 'updating' : 'active';
}

export const ikeView = (ike: TunnelRecord['options']['ike'], lifetime: (n: number) => number | string) => ({
  IkeVersion: ike.ikeVersion, IkeMode: ike.ikeMode, IkeEncAlg: ike.ikeEncAlg, IkeAuthAlg: ike.ikeAuthAlg, IkePfs: ike.ikePfs,
  IkeLifetime: lifetime(ike.ikeLifetime), LocalId: ike.localId, RemoteId: ike.remoteId, Psk: ike.psk,
});
export const ipsecView = (ipsec: TunnelRecord['options']['ipsec'], lifetime: (n: number) => number | string) => ({
  IpsecEncAlg: ipsec.ipsecEncAlg, IpsecAuthAlg: ipsec.ipsecAuthAlg, IpsecPfs: ipsec.ipsecPfs, IpsecLifetime: lifetime(ipsec.ipsecLifetime),
});

/** One tunnel. `typed` = ModifyVpnAttachmentAttribute's booleans and numbers; otherwise the strings of DescribeVpnConnection. */
/** ASNs of the customer gateways a connection uses (the BGP peers), by gateway ID. */
export type GatewayAsns = ReadonlyMap<string, number | null>;

/**
 * Decided: with the BGP speaker on (`live` given), BgpStatus is `success` exactly while the tunnel's session is
 * Established (on any server) and PeerAsn is the ASN the peer announced; without it, BgpStatus follows the
 * tunnel status and PeerAsn is the customer gateway's.
 */
function tunnelView(c: ConnectionRecord, t: TunnelRecord, now: number, typed: boolean, asns: GatewayAsns, live?: LiveBgpSessions): ResponseBody {
  const o = t.options;
  const flag = (b: boolean) => (typed ? b : String(b));
  const num = (n: number) => (typed ? n : String(n));
  const session = live?.get(t.tunnelId);
  const peerAsn = session?.peerAsn ?? (t.customerGatewayId ? asns.get(t.customerGatewayId) ?? null : null);
  const bgp: ResponseBody = {
    LocalAsn: num(o.bgp.localAsn),
    TunnelCidr: o.bgp.tunnelCidr,
    LocalBgpIp: o.bgp.localBgpIp,
    PeerBgpIp: o.bgp.tunnelCidr ? peerBgpIp(o.bgp.tunnelCidr, o.bgp.localBgpIp) : '',
  };
  if (peerAsn !== null) bgp.PeerAsn = num(peerAsn);
  const bgpUp = live ? session !== undefined : reportedTunnelStatus(c, t, now) === 'ipsec_sa_established';
  if (!typed) bgp.BgpStatus = c.attributes.enableTunnelsBgp && bgpUp ? 'success' : 'false';
  const view: ResponseBody = {
    TunnelId: t.tunnelId,
    TunnelIndex: t.tunnelIndex,
    CustomerGatewayId: t.customerGatewayId ?? '',
    EnableDpd: flag(o.enableDpd),
    EnableNatTraversal: flag(o.enableNatTraversal),
    InternetIp: attachedIp(c, t.tunnelId),
    Role: o.role,
    State: tunnelState(c, now),
    TunnelBgpConfig: bgp,
    TunnelIkeConfig: ikeView(o.ike, num),
    TunnelIpsecConfig: ipsecView(o.ipsec, num),
  };
  // ModifyVpnAttachmentAttribute's tunnel model has no Status, RemoteCaCertificate or ZoneNo.
  if (!typed) {
    view.Status = reportedTunnelStatus(c, t, now);
    view.RemoteCaCertificate = '';
    view.ZoneNo = o.zoneNo;
  }
  return view;
}

/** Fields common to DescribeVpnConnection and ModifyVpnAttachmentAttribute. */
function commonView(c: ConnectionRecord, now: number, asns: GatewayAsns, live?: LiveBgpSessions): ResponseBody {
  const a = c.attributes;
  const single = a.single;
  const view: ResponseBody = {
    VpnConnectionId: c.connectionId,
    CustomerGatewayId: c.customerGatewayId ?? '',
    VpnGatewayId: 'vpn-not-exist',
    Name: a.name,
    LocalSubnet: a.localSubnet,
    RemoteSubnet: a.remoteSubnet,
    CreateTime: c.createTime,
    EffectImmediately: a.effectImmediately,
    EnableDpd: single?.enableDpd ?? true,
    EnableNatTraversal: single?.enableNatTraversal ?? true,
    EnableTunnelsBgp: a.enableTunnelsBgp,
    Status: connectionStatus(c, now),
    AttachType: c.transitRouterId ? 'CEN' : 'NO_ASSOCIATED',
    AttachInstanceId: c.transitRouterId ? cenInstanceId(c.transitRouterId) : '',
    NetworkType: a.networkType,
    ResourceGroupId: a.resourceGroupId,
    Spec: a.tunnelBandwidth === 'Large' ? '3000M' : '1000M',
  };
  if (single) {
    view.IkeConfig = ikeView(single.ike, (n) => n);
    view.IpsecConfig = ipsecView(single.ipsec, (n) => n);
    view.VpnBgpConfig = {
      EnableBgp: String(single.bgp.enableBgp),
      LocalAsn: single.bgp.localAsn,
      TunnelCidr: single.bgp.tunnelCidr,
      LocalBgpIp: single.bgp.localBgpIp,
      PeerBgpIp: single.bgp.tunnelCidr ? peerBgpIp(single.bgp.tunnelCidr, single.bgp.localBgpIp) : '',
      ...(c.customerGatewayId && asns.get(c.customerGatewayId) ? { PeerAsn: asns.get(c.customerGatewayId) } : {}),
      Status: single.bgp.enableBgp && (live ? live.has(c.connectionId) : connectionStatus(c, now) === 'ipsec_sa_established') ? 'success' : 'failed',
    };
    view.VcoHealthCheck = {
      Enable: String(single.healthCheck.enable),
      Dip: single.healthCheck.dip,
      Sip: single.healthCheck.sip,
      Interval: single.healthCheck.interval,
      Retry: single.healthCheck.retry,
      Policy: single.healthCheck.policy,
    };
  }
  return view;
}

/** DescribeVpnConnection, and each item of DescribeVpnConnections. */
export function describeConnectionView(c: ConnectionRecord, now: number, asns: GatewayAsns, live?: LiveBgpSessions): ResponseBody {
  const view = commonView(c, now, asns, live);
  Object.assign(view, {
    State: effectiveState(c, now),
    TransitRouterId: c.transitRouterId ?? '',
    TransitRouterName: '',
    CrossAccountAuthorized: false,
    InternetIp: attachedIp(c, c.connectionId),
    TunnelBandwidth: c.attributes.tunnelBandwidth,
    RemoteCaCertificate: c.attributes.single?.remoteCaCert ?? '',
    ZoneNo: '',
    Tags: { Tag: c.attributes.tags.map((t) => ({ Key: t.key, Value: t.value })) },
  });
  if (c.tunnels.length > 0) view.TunnelOptionsSpecification = { TunnelOptions: c.tunnels.map((t) => tunnelView(c, t, now, false, asns, live)) };
  return view;
}

/**
 * An item of DescribeVpnConnections. Its model differs from DescribeVpnConnection's: the tag wrapper is
 * `Tag` ({Tag:{Tag:[…]}}), and there is no ZoneNo and no VpnBgpConfig.EnableBgp.
 */
export function listedConnectionView(c: ConnectionRecord, now: number, asns: GatewayAsns, live?: LiveBgpSessions): ResponseBody {
  const { ZoneNo: _zoneNo, Tags, ...view } = describeConnectionView(c, now, asns, live);
  view.Tag = Tags;
  if (view.VpnBgpConfig) {
    const { EnableBgp: _enableBgp, ...bgp } = view.VpnBgpConfig as ResponseBody;
    view.VpnBgpConfig = bgp;
  }
  return view;
}

/** ModifyVpnAttachmentAttribute's response. */
export function modifyConnectionView(c: ConnectionRecord, now: number, asns: GatewayAsns): ResponseBody {
  const view = commonView(c, now, asns);
  view.Description = c.attributes.description;
  if (c.tunnels.length > 0) view.TunnelOptionsSpecification = c.tunnels.map((t) => tunnelView(c, t, now, true, asns));
  return view;
}

/** An item of DescribeVpnAttachments. */
export function attachmentView(c: ConnectionRecord): ResponseBody {
  return {
    InstanceId: c.connectionId,
    Name: c.attributes.name,
    Description: c.attributes.description,
    AttachType: 'CEN',
    TransitRouterId: c.transitRouterId ?? '',
    TransitRouterName: '',
    CrossAccountAuthorized: false,
    TunnelBandwidth: c.attributes.tunnelBandwidth,
    // Decided: the system tag says whether the connection supports BGP (the model's Tag is a JSON string).
    Tag: JSON.stringify({ BGPSupport: c.attributes.enableTunnelsBgp ? 'true' : 'false' }),
    Tags: c.attributes.tags.map((t) => ({ Key: t.key, Value: t.value })),
  };
}

/**
 * Which tunnels run a BGP session, with what parameters: from a connection, its customer gateways' ASNs and
 * the time (states derive from timestamps). Pure.
 */
import { PHASE2_UP } from '../../domain/routes';
import { ATTACHED_STATES, effectiveState, peerBgpIp, reportedTunnelStatus } from '../../domain/vpn';
import type { ConnectionRecord } from '../../store/store';

export interface TunnelPlan {
  connectionId: string;
  /** the tunnel ID; a single-tunnel connection's own ID */
  tunnelId: string;
  tunnelIndex: number;
  dual: boolean;
  localAsn: number;
  localBgpIp: string;
  /** the other usable address of the /30 (domain/vpn.ts peerBgpIp) */
  peerBgpIp: string;
  /** the customer gateway's ASN: the only one accepted in the peer's OPEN */
  peerAsn: number;
  tunnelCidr: string;
  /** phase 2 up: a session may run (else it is refused or closed with Cease 6/2) */
  up: boolean;
}

/**
 * The BGP tunnels of a connection: none unless it is attached (or updating) with tunnel BGP on (dual-tunnel
 * EnableTunnelsBgp, single-tunnel BgpConfig.EnableBgp) and the tunnel's customer gateway has an ASN.
 */
export function bgpTunnels(c: ConnectionRecord, gatewayAsn: (customerGatewayId: string) => number | null, now: number): TunnelPlan[] {
  if (!ATTACHED_STATES.has(effectiveState(c, now))) return [];
  const plans: TunnelPlan[] = [];
  if (c.tunnels.length > 0) {
    if (!c.attributes.enableTunnelsBgp) return [];
    for (const t of c.tunnels) {
      const asn = t.customerGatewayId ? gatewayAsn(t.customerGatewayId) : null;
      const b = t.options.bgp;
      if (asn === null || !b.tunnelCidr || !b.localBgpIp) continue;
      plans.push({
        connectionId: c.connectionId, tunnelId: t.tunnelId, tunnelIndex: t.tunnelIndex, dual: true, localAsn: b.localAsn, localBgpIp: b.localBgpIp,
        peerBgpIp: peerBgpIp(b.tunnelCidr, b.localBgpIp), peerAsn: asn, tunnelCidr: b.tunnelCidr, up: reportedTunnelStatus(c, t, now) === PHASE2_UP,
      });
    }
    return plans.sort((a, b) => a.tunnelIndex - b.tunnelIndex);
  }
  const b = c.attributes.single?.bgp;
  const asn = c.customerGatewayId ? gatewayAsn(c.customerGatewayId) : null;
  if (!b?.enableBgp || asn === null || !b.tunnelCidr || !b.localBgpIp) return [];
  return [{
    connectionId: c.connectionId, tunnelId: c.connectionId, tunnelIndex: 1, dual: false, localAsn: b.localAsn, localBgpIp: b.localBgpIp,
    peerBgpIp: peerBgpIp(b.tunnelCidr, b.localBgpIp), peerAsn: asn, tunnelCidr: b.tunnelCidr, up: true,
  }];
}

/** Parameters whose change restarts a tunnel's session (Cease 6/6) and its listener. */
export function sessionIdentity(p: TunnelPlan): string {
  return `${p.localAsn}|${p.localBgpIp}|${p.peerBgpIp}|${p.peerAsn}`;
}

/**
 * What a customer router needs to peer with vcoroute over one tunnel or both: who it talks to (address,
 * port, ASNs), from where, with which timers, and which prefixes it announces as an example. Derived from
 * the stored connection, its customer gateways and where vcoroute's speaker listens. Pure; the renderers
 * (bird.ts, frr.ts, gobgp.ts, exabgp.ts) turn a plan into one daemon's configuration text.
 */
import { cidrsOverlap, formatCidr, formatIpv4, parseCidr, parseIpv4 } from '../../domain/cidr';
import { peerBgpIp } from '../../domain/vpn';
import type { ConnectionRecord, TunnelBgpConfig } from '../../store/store';

export const PEER_CONFIG_FORMATS = ['frr', 'bird', 'gobgp', 'exabgp'] as const;
export type PeerConfigFormat = (typeof PEER_CONFIG_FORMATS)[number];

/** A request that cannot produce a configuration: the message says why and what to do. */
export class PeerConfigError extends Error {}

/** Where vcoroute's BGP speaker can be reached. */
export type SpeakerEndpoint =
  /** each tunnel's LocalBgpIp, one port (default 179): the topology of a real deployment */
  | { mode: 'tunnel'; port: number }
  /** one local address, one port per tunnel */
  | { mode: 'loopback'; host: string; portOf: (tunnelId: string) => number };

/** One BGP session of the customer router. */
export interface PeerSession {
  tunnelId: string;
  tunnelIndex: number;
  /** the customer gateway's ASN: the router's own AS */
  routerAsn: number;
  /** TunnelBgpConfig.LocalAsn: the AS of vcoroute's side */
  cloudAsn: number;
  tunnelCidr: string;
  /** the cloud side's tunnel address (LocalBgpIp) */
  cloudBgpIp: string;
  /** the customer side's tunnel address (PeerBgpIp) */
  routerBgpIp: string;
  /** where the router connects */
  neighborAddress: string;
  neighborPort: number;
  /** the router's source address for the session (and, for BIRD, its listening address) */
  localAddress: string;
  /** the neighbor is not on a directly connected network (loopback mode): eBGP needs multihop */
  multihop: boolean;
}

export interface PeerPlan {
  connectionId: string;
  mode: SpeakerEndpoint['mode'];
  /** the router's BGP identifier: the first session's customer tunnel address */
  routerId: string;
  /** hold time to configure, seconds: the one vcoroute offers, so the negotiated value is the same */
  holdTimeSec: number;
  /** how soon the router retries after a failed connect: vcoroute only accepts, never dials out */
  connectRetrySec: number;
  /** example export: the prefixes the router announces */
  announce: string[];
  sessions: PeerSession[];
}

export interface PlanInput {
  connection: ConnectionRecord;
  /** ASNs of the customer gateways by ID (null: the gateway has no Asn) */
  gatewayAsns: ReadonlyMap<string, number | null>;
  endpoint: SpeakerEndpoint;
  holdTimeSec: number;
  /** only this tunnel (1 or 2); all BGP tunnels when absent */
  tunnelIndex?: number;
  /** prefixes to announce; when absent, the connection's RemoteSubnet (see defaultAnnouncements) */
  announce?: readonly string[];
}

/** Decided: routers retry a failed connect after 5 s (daemon defaults are 120 s for BIRD, FRR and GoBGP). */
export const CONNECT_RETRY_SEC = 5;

/** RFC 5737 TEST-NET-1: announced when the connection names no usable data-center prefix. */
export const DOCUMENTATION_PREFIX = '192.0.2.0/24';

const SHARED_ADDRESS_SPACE = parseCidr('100.64.0.0/10')!;

/**
 * Decided: the example export is the data-center side of the connection (RemoteSubnet), each block
 * normalised, without 0.0.0.0/0 and blocks overlapping 100.64.0.0/10 (the cloud refuses both from a peer);
 * TEST-NET-1 when nothing is left (destination-routing connections have RemoteSubnet 0.0.0.0/0).
 */
export function defaultAnnouncements(remoteSubnet: string): string[] {
  const prefixes: string[] = [];
  for (const text of remoteSubnet.split(',')) {
    const cidr = parseCidr(text.trim(), true);
    if (!cidr || cidr.prefix === 0 || cidrsOverlap(cidr, SHARED_ADDRESS_SPACE)) continue;
    const prefix = formatCidr(cidr);
    if (!prefixes.includes(prefix)) prefixes.push(prefix);
  }
  return prefixes.length > 0 ? prefixes : [DOCUMENTATION_PREFIX];
}

function parseAnnouncements(list: readonly string[]): string[] {
  if (list.length === 0) throw new PeerConfigError('give at least one prefix to announce');
  return list.map((text) => {
    const cidr = parseCidr(text.trim());
    if (!cidr) throw new PeerConfigError(`not an IPv4 prefix (a.b.c.d/n, host bits zero): ${text}`);
    return formatCidr(cidr);
  });
}

/** Loopback mode: tunnel N's router uses the N-th address of 127.0.0.2, 127.0.0.3, … other than vcoroute's. */
function routerLoopbackAddress(speakerHost: string, tunnelIndex: number): string {
  const base = parseIpv4('127.0.0.2')!;
  const candidates = [0, 1, 2].map((i) => formatIpv4(base + i)).filter((a) => a !== speakerHost);
  return candidates[tunnelIndex - 1]!;
}

/** A wildcard listen address is reached through the loopback interface. */
function reachableHost(host: string): string {
  return host === '0.0.0.0' || host === '' ? '127.0.0.1' : host;
}

/** A BGP session's tunnel: a dual-tunnel connection's tunnel, or a single-tunnel connection as its one session. */
interface BgpTunnel {
  /** the session's ID: the tunnel ID, or the connection ID of a single-tunnel connection */
  tunnelId: string;
  tunnelIndex: number;
  customerGatewayId: string | null;
  bgp: TunnelBgpConfig;
}

/** The connection's BGP sessions, in tunnel order. */
function bgpTunnels(c: ConnectionRecord): BgpTunnel[] {
  const single = c.attributes.single;
  if (c.tunnels.length === 0) {
    if (!single?.bgp.enableBgp) throw new PeerConfigError(`VPN connection ${c.connectionId} does not use BGP (BgpConfig EnableBgp is false)`);
    return [{ tunnelId: c.connectionId, tunnelIndex: 1, customerGatewayId: c.customerGatewayId, bgp: single.bgp }];
  }
  if (!c.attributes.enableTunnelsBgp) throw new PeerConfigError(`VPN connection ${c.connectionId} does not use BGP (EnableTunnelsBgp is false)`);
  return [...c.tunnels]
    .sort((a, b) => a.tunnelIndex - b.tunnelIndex)
    .map((t) => ({ tunnelId: t.tunnelId, tunnelIndex: t.tunnelIndex, customerGatewayId: t.customerGatewayId, bgp: t.options.bgp }));
}

export function planPeerConfig(input: PlanInput): PeerPlan {
  const c = input.connection;
  let tunnels = bgpTunnels(c);
  if (input.tunnelIndex !== undefined) {
    tunnels = tunnels.filter((t) => t.tunnelIndex === input.tunnelIndex);
    if (tunnels.length === 0) throw new PeerConfigError(`VPN connection ${c.connectionId} has no tunnel ${input.tunnelIndex}`);
  }
  for (const t of tunnels) {
    if (t.bgp.tunnelCidr === '' || t.bgp.localBgpIp === '') {
      throw new PeerConfigError(`tunnel ${t.tunnelIndex} (${t.tunnelId}) of ${c.connectionId} has no BGP configuration (TunnelCidr and LocalBgpIp)`);
    }
  }
  const sessions = tunnels.map((t): PeerSession => {
    const asn = t.customerGatewayId === null ? null : input.gatewayAsns.get(t.customerGatewayId) ?? null;
    if (asn === null) {
      throw new PeerConfigError(
        `customer gateway ${t.customerGatewayId ?? '(none)'} of tunnel ${t.tunnelIndex} (${t.tunnelId}) has no Asn: BGP needs the customer gateway's ASN (CreateCustomerGateway Asn)`,
      );
    }
    const bgp = t.bgp;
    const routerBgpIp = peerBgpIp(bgp.tunnelCidr, bgp.localBgpIp);
    const base = {
      tunnelId: t.tunnelId, tunnelIndex: t.tunnelIndex, routerAsn: asn, cloudAsn: bgp.localAsn,
      tunnelCidr: bgp.tunnelCidr, cloudBgpIp: bgp.localBgpIp, routerBgpIp,
    };
    const e = input.endpoint;
    if (e.mode === 'tunnel') {
      return { ...base, neighborAddress: bgp.localBgpIp, neighborPort: e.port, localAddress: routerBgpIp, multihop: false };
    }
    const host = reachableHost(e.host);
    return { ...base, neighborAddress: host, neighborPort: e.portOf(t.tunnelId), localAddress: routerLoopbackAddress(host, t.tunnelIndex), multihop: true };
  });
  return {
    connectionId: c.connectionId,
    mode: input.endpoint.mode,
    routerId: sessions[0]!.routerBgpIp,
    holdTimeSec: input.holdTimeSec,
    connectRetrySec: CONNECT_RETRY_SEC,
    announce: input.announce === undefined ? defaultAnnouncements(c.attributes.remoteSubnet) : parseAnnouncements(input.announce),
    sessions,
  };
}

/**
 * Daemons that key neighbors by address alone (FRR, GoBGP) cannot hold two sessions to one address, and
 * FRR runs one AS per instance: such plans need one configuration per tunnel (--tunnel 1|2).
 */
export function requireOneNeighborPerAddress(plan: PeerPlan, daemon: string): void {
  const addresses = new Set(plan.sessions.map((s) => s.neighborAddress));
  if (addresses.size < plan.sessions.length) {
    throw new PeerConfigError(
      `${daemon} keys neighbors by address, and in loopback mode both tunnels are reached at ${plan.sessions[0]!.neighborAddress}: ` +
        'render one configuration per tunnel (--tunnel 1 and --tunnel 2) and run one router instance for each',
    );
  }
}

/** The keepalive interval that goes with a hold time (RFC 4271: a third of it). */
export function keepaliveOf(holdTimeSec: number): number {
  return Math.floor(holdTimeSec / 3);
}

/** One comment line per fact a reader needs to check the configuration against the cloud's view. */
export function describeSessions(plan: PeerPlan): string[] {
  const lines = [`vcoroute peer configuration for ${plan.connectionId} (${plan.mode} mode)`];
  for (const s of plan.sessions) {
    lines.push(
      `tunnel ${s.tunnelIndex} ${s.tunnelId}: TunnelCidr ${s.tunnelCidr}, LocalBgpIp ${s.cloudBgpIp} (AS ${s.cloudAsn}), ` +
        `PeerBgpIp ${s.routerBgpIp} (AS ${s.routerAsn}); vcoroute at ${s.neighborAddress} port ${s.neighborPort}`,
    );
  }
  return lines;
}

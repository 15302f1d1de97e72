/**
 * Business rules for Vco routes and the connections that hold them. Pure; every choice where Alibaba is
 * silent is recorded in docs/compatibility.md.
 */
import type { ConnectionRecord, RouteEntryType, RouteRecord } from '../store/store';
import { ATTACHED_STATES, effectiveState, reportedTunnelStatus } from './vpn';

/** Connection states (`State` of DescribeVpnConnection) — vpc-vco-api.md §9. */
export const CONNECTION_STATES = [
  'init', 'active', 'attaching', 'attached', 'detaching', 'updating', 'provisioning', 'financialLocked', 'Upgrading', 'deleted',
] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

/** Tunnel negotiation statuses; phase 2 up is `ipsec_sa_established`. */
export const TUNNEL_STATUSES = ['ike_sa_not_established', 'ike_sa_established', 'ipsec_sa_not_established', 'ipsec_sa_established'] as const;
export const PHASE2_UP = 'ipsec_sa_established';

/**
 * Decided: routes can be listed while the connection is attached to a transit router, including while a
 * change is being applied (`updating`). Every other state answers Vco.StatusNotSupport.
 */
export function allowsRouteQueries(connection: ConnectionRecord, now: number): boolean {
  return ATTACHED_STATES.has(effectiveState(connection, now));
}

export function isDualTunnel(connection: ConnectionRecord): boolean {
  return connection.tunnels.length === 2;
}

/**
 * A route's identity within its connection and type. Decided: a connection holds one custom route per
 * (destination, next hop) — the weight is an attribute that DeleteVcoRouteEntry and
 * ModifyVcoRouteEntryWeight must state correctly, not part of the identity. BGP routes are identified by
 * source and destination (one best path per prefix and direction).
 */
export function routeKey(route: Pick<RouteRecord, 'routeEntryType' | 'routeDest' | 'nextHop' | 'source'>): string {
  return route.routeEntryType === 'custom' ? `${route.routeDest}|${route.nextHop}` : `${route.source ?? ''}|${route.routeDest}`;
}

/** Route `State` as DescribeVcoRouteEntries reports it (note the capital A of BGP routes). */
export function routeState(type: RouteEntryType): string {
  return type === 'custom' ? 'published' : 'Active';
}

/** Decided: a BGP route's AS path is rendered as the JSON array of ASNs, e.g. "[65001,65002]". */
export function formatAsPath(asPath: readonly number[]): string {
  return `[${asPath.join(',')}]`;
}

/**
 * The tunnels a route's next hop may use that are up (phase 2 established): the route's own list, or every
 * tunnel of the connection when the route names none.
 */
export function activeNextHopTunnels(connection: ConnectionRecord, route: RouteRecord, now: number): string[] {
  return nextHopTunnelsUp(route, upTunnelIds(connection, now));
}

/** The IDs of the connection's tunnels that are up (phase 2 established), in tunnel order. */
export function upTunnelIds(connection: ConnectionRecord, now: number): string[] {
  return connection.tunnels.filter((t) => reportedTunnelStatus(connection, t, now) === PHASE2_UP).map((t) => t.tunnelId);
}

/** activeNextHopTunnels, given the connection's up tunnels (upTunnelIds). */
export function nextHopTunnelsUp(route: RouteRecord, up: readonly string[]): string[] {
  if (route.nextHopTunnelIds === null) return [...up];
  return route.nextHopTunnelIds.filter((id) => up.includes(id));
}

export const MAX_PAGE_SIZE = 50;
export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_NUMBER = 1_000_000_000;

/**
 * Validation of admin seeding payloads: every field checked, CIDRs normalised, enums known.
 * Produces store records; nothing is written unless the whole payload is valid.
 */
import { formatCidr, parseCidr } from '../domain/cidr';
import { seededConnection } from '../domain/vpn';
import { CONNECTION_STATES, TUNNEL_STATUSES, PHASE2_UP, routeKey } from '../domain/routes';
import { BGP_SOURCES, ROUTE_ENTRY_TYPES, type BgpSource, type ConnectionRecord, type KeyedRoute, type RouteEntryType, type RouteFilter, type RouteRecord } from '../store/store';
import { badRequest } from './admin-errors';

export const CONNECTION_ID = /^vco-[0-9a-z]{1,64}$/;
const TUNNEL_ID = /^tun-[0-9a-z]{1,64}$/;
const TRANSIT_ROUTER_ID = /^tr-[0-9a-z]{1,64}$/;
const REGION_ID = /^[a-z]{2,}(-[a-z0-9]+)+$/;
const ACCOUNT_ID = /^\d{1,32}$/;
const COMMUNITY = /^\d{1,5}:\d{1,5}( \d{1,5}:\d{1,5})*$/;
const MAX_ASN = 4294967295;
export const MAX_ROUTES_PER_REQUEST = 200_000;

type Json = Record<string, unknown>;

function object(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest(`${where} must be a JSON object`);
  return value as Json;
}

function onlyKeys(o: Json, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw badRequest(`${where}: unknown field "${k}"`);
}

function str(o: Json, key: string, where: string, pattern?: RegExp): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badRequest(`${where}.${key} must be a string`);
  if (pattern && !pattern.test(v)) throw badRequest(`${where}.${key} is not valid: ${JSON.stringify(v)}`);
  return v;
}

function oneOf<T extends string>(o: Json, key: string, values: readonly T[], where: string): T | undefined {
  const v = str(o, key, where);
  if (v !== undefined && !(values as readonly string[]).includes(v)) {
    throw badRequest(`${where}.${key} must be one of ${values.join(', ')}`);
  }
  return v as T | undefined;
}

function integer(o: Json, key: string, min: number, max: number, where: string): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw badRequest(`${where}.${key} must be an integer from ${min} to ${max}`);
  }
  return v;
}

export function parseConnectionPayload(connectionId: string, body: unknown, defaults: { accountId: string; createTime: number }): ConnectionRecord {
  if (!CONNECTION_ID.test(connectionId)) throw badRequest('vpnConnectionId must look like vco-<lowercase letters and digits>');
  const o = object(body, 'body');
  onlyKeys(o, ['regionId', 'accountId', 'state', 'transitRouterId', 'tunnels', 'createTime'], 'body');
  const regionId = str(o, 'regionId', 'body', REGION_ID);
  if (!regionId) throw badRequest('body.regionId is required (e.g. cn-hangzhou)');
  const state = oneOf(o, 'state', CONNECTION_STATES, 'body');
  if (!state) throw badRequest(`body.state is required: one of ${CONNECTION_STATES.join(', ')}`);
  const tunnelsValue = o.tunnels ?? [];
  if (!Array.isArray(tunnelsValue) || (tunnelsValue.length !== 0 && tunnelsValue.length !== 2)) {
    throw badRequest('body.tunnels must be absent or empty (single-tunnel) or hold exactly two tunnels (dual-tunnel)');
  }
  const tunnels = tunnelsValue.map((t, i) => {
    const where = `body.tunnels[${i}]`;
    const to = object(t, where);
    onlyKeys(to, ['tunnelId', 'status'], where);
    const tunnelId = str(to, 'tunnelId', where, TUNNEL_ID);
    if (!tunnelId) throw badRequest(`${where}.tunnelId is required (tun-…)`);
    return { tunnelId, status: oneOf(to, 'status', TUNNEL_STATUSES, where) ?? PHASE2_UP };
  });
  if (tunnels.length === 2 && tunnels[0]!.tunnelId === tunnels[1]!.tunnelId) throw badRequest('body.tunnels: the two tunnel IDs must differ');
  return seededConnection({
    connectionId,
    regionId,
    accountId: str(o, 'accountId', 'body', ACCOUNT_ID) ?? defaults.accountId,
    state,
    transitRouterId: str(o, 'transitRouterId', 'body', TRANSIT_ROUTER_ID) ?? null,
    createTime: integer(o, 'createTime', 0, 8.64e15, 'body') ?? defaults.createTime,
    tunnels,
  });
}

function cidr(o: Json, key: string, where: string): string {
  const text = str(o, key, where);
  const parsed = text === undefined ? undefined : parseCidr(text, true);
  if (!parsed) throw badRequest(`${where}.${key} must be an IPv4 CIDR block such as 192.168.10.0/24`);
  return formatCidr(parsed);
}

export function parseRoutesPayload(connection: ConnectionRecord, body: unknown, now: number): KeyedRoute[] {
  const o = object(body, 'body');
  onlyKeys(o, ['routes'], 'body');
  if (!Array.isArray(o.routes) || o.routes.length === 0) throw badRequest('body.routes must be a non-empty array');
  if (o.routes.length > MAX_ROUTES_PER_REQUEST) throw badRequest(`body.routes: at most ${MAX_ROUTES_PER_REQUEST} routes per request`);
  const tunnelIds = connection.tunnels.map((t) => t.tunnelId);
  const seen = new Set<string>();
  return o.routes.map((value, i): KeyedRoute => {
    const where = `body.routes[${i}]`;
    const r = object(value, where);
    onlyKeys(r, ['routeEntryType', 'routeDest', 'nextHop', 'weight', 'source', 'asPath', 'community', 'nextHopTunnelIds', 'createTime'], where);
    const type = oneOf(r, 'routeEntryType', ROUTE_ENTRY_TYPES, where);
    if (!type) throw badRequest(`${where}.routeEntryType is required: custom or bgp`);
    const route = type === 'custom' ? customRoute(r, where) : bgpRoute(r, where);
    const nextHopTunnelIds = r.nextHopTunnelIds;
    if (nextHopTunnelIds !== undefined) {
      if (!Array.isArray(nextHopTunnelIds) || nextHopTunnelIds.some((t) => typeof t !== 'string' || !tunnelIds.includes(t))) {
        throw badRequest(`${where}.nextHopTunnelIds must list tunnels of this connection (${tunnelIds.join(', ') || 'it has none'})`);
      }
    }
    const full: RouteRecord = {
      ...route,
      routeEntryType: type,
      nextHop: str(r, 'nextHop', where, /^[A-Za-z0-9.\-:/]{1,128}$/) ?? connection.connectionId,
      nextHopTunnelIds: nextHopTunnelIds === undefined ? null : [...new Set(nextHopTunnelIds as string[])],
      createTime: integer(r, 'createTime', 0, 8.64e15, where) ?? now,
    };
    const key = routeKey(full);
    if (seen.has(`${type}|${key}`)) throw badRequest(`${where} repeats an earlier route of this request`);
    seen.add(`${type}|${key}`);
    return { key, route: full };
  });
}

type RouteSpecifics = Pick<RouteRecord, 'routeDest' | 'weight' | 'source' | 'asPath' | 'community'>;

function customRoute(r: Json, where: string): RouteSpecifics {
  for (const k of ['source', 'asPath', 'community']) {
    if (r[k] !== undefined) throw badRequest(`${where}.${k} applies to BGP routes only`);
  }
  const weight = r.weight ?? 100;
  if (weight !== 0 && weight !== 100) throw badRequest(`${where}.weight must be 0 or 100`);
  return { routeDest: cidr(r, 'routeDest', where), weight: weight as number, source: null, asPath: null, community: null };
}

function bgpRoute(r: Json, where: string): RouteSpecifics {
  const source = oneOf<BgpSource>(r, 'source', BGP_SOURCES, where);
  if (!source) throw badRequest(`${where}.source is required for BGP routes: VPN_BGP or CLOUD`);
  const asPath = r.asPath ?? [];
  if (!Array.isArray(asPath) || asPath.length > 255 || asPath.some((a) => !Number.isInteger(a) || a < 1 || a > MAX_ASN)) {
    throw badRequest(`${where}.asPath must be an array of at most 255 ASNs (integers 1–${MAX_ASN})`);
  }
  const community = str(r, 'community', where) ?? '';
  if (community !== '' && !COMMUNITY.test(community)) {
    throw badRequest(`${where}.community must be "a:b" pairs separated by spaces, e.g. "65535:65510"`);
  }
  return {
    routeDest: cidr(r, 'routeDest', where),
    weight: integer(r, 'weight', 0, 100, where) ?? 100,
    source,
    asPath: asPath as number[],
    community,
  };
}

export function parseRouteFilter(query: URLSearchParams): RouteFilter {
  const filter: RouteFilter = {};
  for (const key of query.keys()) {
    if (!['routeEntryType', 'routeDest', 'source'].includes(key)) throw badRequest(`unknown query parameter "${key}"`);
  }
  const type = query.get('routeEntryType');
  if (type !== null) {
    if (!(ROUTE_ENTRY_TYPES as readonly string[]).includes(type)) throw badRequest('routeEntryType must be custom or bgp');
    filter.routeEntryType = type as RouteEntryType;
  }
  const dest = query.get('routeDest');
  if (dest !== null) {
    const parsed = parseCidr(dest, true);
    if (!parsed) throw badRequest('routeDest must be an IPv4 CIDR block');
    filter.routeDest = formatCidr(parsed);
  }
  const source = query.get('source');
  if (source !== null) {
    if (!(BGP_SOURCES as readonly string[]).includes(source)) throw badRequest('source must be VPN_BGP or CLOUD');
    filter.source = source as BgpSource;
  }
  return filter;
}

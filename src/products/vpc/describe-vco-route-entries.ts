/**
 * DescribeVcoRouteEntries: one page of a connection's custom or BGP routes.
 * Seed: ../shared/reference/seed-DescribeVcoRouteEntries.txt; types: DescribeVcoRouteEntriesResponseBody.ts.
 */
import { E, PopError } from '../../pop/errors';
import { RenderedMembers } from '../../pop/render';
import { defineOperation } from '../product';
import { integerInRange, regionIdParam, requiredString } from '../params';
import { ROUTE_ENTRY_TYPES, type RouteCount, type RouteEntryType, type RouteRecord, type Store } from '../../store/store';
import {
  DEFAULT_PAGE_SIZE, MAX_PAGE_NUMBER, MAX_PAGE_SIZE, allowsRouteQueries, formatAsPath, isDualTunnel, nextHopTunnelsUp, routeState, upTunnelIds,
} from '../../domain/routes';
import { VPC, vpnConnectionArn } from './product';
import { RenderedPageCache } from './rendered-page-cache';
import { cacheOwner } from '../../store/read-ahead';

interface DescribeVcoRouteEntriesInput {
  regionId: string;
  vpnConnectionId: string;
  routeEntryType: RouteEntryType;
  pageNumber: number;
  pageSize: number;
}

/**
 * The response members, rendered straight to JSON from the records (schema-based: no intermediate objects).
 * Key order and JSON types are exactly those of JSON.stringify over the documented body:
 *   TotalCount, PageNumber, PageSize, VcoRouteEntries[], VpnRouteCounts[] (dual-tunnel connections only);
 * test/unit/vco-route-entries-json.test.ts compares the two on random and hostile input.
 */
export function renderPageMembers(page: {
  connectionId: string;
  routeEntryType: RouteEntryType;
  pageNumber: number;
  pageSize: number;
  counts: readonly RouteCount[];
  routes: readonly RouteRecord[];
  /** the connection's tunnels that are up (upTunnelIds); null for a single-tunnel connection */
  upTunnels: readonly string[] | null;
}): string {
  const total = page.counts.reduce((sum, c) => (c.routeEntryType === page.routeEntryType ? sum + c.count : sum), 0);
  const connectionId = str(page.connectionId);
  const parts: string[] = [`"TotalCount":${num(total)},"PageNumber":${num(page.pageNumber)},"PageSize":${num(page.pageSize)},"VcoRouteEntries":[`];
  for (let i = 0; i < page.routes.length; i++) {
    const r = page.routes[i]!;
    let e = `${i === 0 ? '' : ','}{"VpnConnectionId":${connectionId},"RouteDest":${str(r.routeDest)},"NextHop":${str(r.nextHop)},"Weight":${num(r.weight)},` +
      `"State":${str(routeState(r.routeEntryType))},"RouteEntryType":${str(r.routeEntryType)},"CreateTime":${num(r.createTime)}`;
    // Decided: AsPath, Community and Source describe BGP routes only; custom routes omit them.
    if (r.routeEntryType === 'bgp') {
      e += `,"AsPath":${str(formatAsPath(r.asPath ?? []))},"Community":${str(r.community ?? '')},"Source":${r.source === null ? 'null' : str(r.source)}`;
    }
    if (page.upTunnels !== null) {
      const tunnels = nextHopTunnelsUp(r, page.upTunnels);
      if (tunnels.length > 0) e += `,"NextHopTunnelIdList":[${tunnels.map(str).join(',')}]`;
    }
    parts.push(`${e}}`);
  }
  parts.push(']');
  if (page.upTunnels !== null) parts.push(`,"VpnRouteCounts":${vpnRouteCounts(page.counts)}`);
  return parts.join('');
}

/** JSON.stringify(s), with a fast path for strings that need no escaping (CIDRs, IDs: nearly all of them). */
const NO_ESCAPES = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const str = (s: string): string => (NO_ESCAPES.test(s) ? `"${s}"` : JSON.stringify(s));

/** JSON.stringify(n), faster: small integers directly; epoch milliseconds as two small integers (no double-to-string). */
function num(n: number): string {
  if ((n | 0) === n) return `${n}`;
  if (n >= 1e9 && n < 9e15 && Number.isInteger(n)) {
    const high = Math.floor(n / 1e9);
    return `${high}${String(1e9 + (n - high * 1e9)).slice(1)}`;
  }
  return JSON.stringify(n);
}

/** Decided: dual-tunnel connections always list three counters, in this order, zeros included. */
function vpnRouteCounts(counts: readonly RouteCount[]): string {
  const find = (type: RouteEntryType, source: string | null) =>
    counts.find((c) => c.routeEntryType === type && c.source === source)?.count ?? 0;
  return `[{"RouteEntryType":"custom","RouteCount":${num(find('custom', null))}},` +
    `{"RouteEntryType":"bgp","RouteCount":${num(find('bgp', 'VPN_BGP'))},"Source":"VPN_BGP"},` +
    `{"RouteEntryType":"bgp","RouteCount":${num(find('bgp', 'CLOUD'))},"Source":"CLOUD"}]`;
}

/**
 * Rendered pages, one cache per store (a process normally has one; versions of different stores must never
 * meet in one cache), keyed by everything a page shows: the connection and its routes version (which changes
 * with every route change, in the store, so every server sees it), the type, the page, and the tunnels that
 * are up (NextHopTunnelIdList). The routes version is read with the connection on every request, so a cached
 * page is never served after a change.
 */
export const RENDERED_PAGE_CACHE_BYTES = 32 * 1024 * 1024;
const renderedPages = new WeakMap<Store, RenderedPageCache>();

export function renderedPagesOf(store: Store): RenderedPageCache {
  const owner = cacheOwner(store); // a request's read-ahead view shares its store's cache
  let cache = renderedPages.get(owner);
  if (!cache) renderedPages.set(owner, (cache = new RenderedPageCache(RENDERED_PAGE_CACHE_BYTES)));
  return cache;
}

export const describeVcoRouteEntries = defineOperation<DescribeVcoRouteEntriesInput>({
  product: VPC,
  action: 'DescribeVcoRouteEntries',
  ramAction: 'vpc:DescribeVcoRouteEntries',
  resource: (input, principal) => vpnConnectionArn(input.regionId, principal.accountId, input.vpnConnectionId),
  clientToken: true,

  parse(params) {
    const regionId = regionIdParam(params);
    const vpnConnectionId = requiredString(params, 'VpnConnectionId');
    const type = params.RouteEntryType === undefined || params.RouteEntryType === '' ? 'custom' : params.RouteEntryType;
    if (!(ROUTE_ENTRY_TYPES as readonly string[]).includes(type)) throw new PopError(E.IllegalParamRouteEntryType);
    return {
      regionId,
      vpnConnectionId,
      routeEntryType: type as RouteEntryType,
      pageNumber: integerInRange(params, 'PageNumber', 1, MAX_PAGE_NUMBER, 1, () => new PopError(E.IllegalParamPageNumber)),
      pageSize: integerInRange(params, 'PageSize', 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE, () => new PopError(E.IllegalParamPageSize)),
    };
  },

  readAhead(params) {
    const connectionId = params.VpnConnectionId;
    const type = params.RouteEntryType === undefined || params.RouteEntryType === '' ? 'custom' : params.RouteEntryType;
    if (connectionId === undefined || connectionId === '' || !(ROUTE_ENTRY_TYPES as readonly string[]).includes(type)) return undefined;
    // The first page too when it is the one asked for (a guess from raw parameters: the view hands it out only
    // if the operation then asks for exactly offset 0 and this size).
    const size = params.PageSize === undefined || params.PageSize === '' ? DEFAULT_PAGE_SIZE : Number(params.PageSize);
    const first = (params.PageNumber === undefined || params.PageNumber === '' || params.PageNumber === '1') && Number.isInteger(size) && size >= 1 && size <= MAX_PAGE_SIZE;
    return { connectionId, routeEntryType: type as RouteEntryType, firstPageSize: first ? size : undefined };
  },

  async run(input, { store, principal, now }) {
    const connection = await store.getConnection(principal.accountId, input.vpnConnectionId);
    if (!connection || connection.regionId !== input.regionId) throw new PopError(E.VpnConnectionNotFound);
    if (!allowsRouteQueries(connection, now)) throw new PopError(E.VcoStatusNotSupport);
    const upTunnels = isDualTunnel(connection) ? upTunnelIds(connection, now) : null;
    const version = connection.routesVersion;
    const key = version === undefined ? undefined
      : `${connection.connectionId}\n${version}\n${input.routeEntryType}\n${input.pageNumber}\n${input.pageSize}\n${upTunnels === null ? '-' : upTunnels.join(',')}`;
    const pages = renderedPagesOf(store);
    const cached = key === undefined ? undefined : pages.get(key);
    if (cached !== undefined) return new RenderedMembers(cached);

    const offset = (input.pageNumber - 1) * input.pageSize;
    const [counts, routes] = await Promise.all([
      store.countRoutes(connection.connectionId),
      store.listRoutes(connection.connectionId, input.routeEntryType, offset, input.pageSize),
    ]);
    const json = renderPageMembers({ connectionId: connection.connectionId, routeEntryType: input.routeEntryType, pageNumber: input.pageNumber,
      pageSize: input.pageSize, counts, routes, upTunnels });
    // Read after the version: at worst newer than it (a change committed meanwhile), which any request that
    // still reads this version may show, since that change completed during it. Never older.
    if (key !== undefined) pages.set(key, json);
    return new RenderedMembers(json);
  },
});

/**
 * DescribeVcoRouteEntries: one page of a connection's custom or BGP routes.
 * Seed: ../shared/reference/seed-DescribeVcoRouteEntries.txt; types: DescribeVcoRouteEntriesResponseBody.ts.
 */
import { E, PopError } from '../../pop/errors';
import { defineOperation, type ResponseBody } from '../product';
import { integerInRange, requiredString } from '../params';
import { ROUTE_ENTRY_TYPES, type ConnectionRecord, type RouteCount, type RouteEntryType, type RouteRecord } from '../../store/store';
import {
  DEFAULT_PAGE_SIZE, MAX_PAGE_NUMBER, MAX_PAGE_SIZE, activeNextHopTunnels, allowsRouteQueries, formatAsPath, isDualTunnel, routeState,
} from '../../domain/routes';
import { VPC, vpnConnectionArn } from './product';

interface DescribeVcoRouteEntriesInput {
  regionId: string;
  vpnConnectionId: string;
  routeEntryType: RouteEntryType;
  pageNumber: number;
  pageSize: number;
}

function entry(connection: ConnectionRecord, route: RouteRecord, dualTunnel: boolean, now: number): ResponseBody {
  const out: ResponseBody = {
    VpnConnectionId: connection.connectionId,
    RouteDest: route.routeDest,
    NextHop: route.nextHop,
    Weight: route.weight,
    State: routeState(route.routeEntryType),
    RouteEntryType: route.routeEntryType,
    CreateTime: route.createTime,
  };
  // Decided: AsPath, Community and Source describe BGP routes only; custom routes omit them.
  if (route.routeEntryType === 'bgp') {
    out.AsPath = formatAsPath(route.asPath ?? []);
    out.Community = route.community ?? '';
    out.Source = route.source;
  }
  if (dualTunnel) {
    const tunnels = activeNextHopTunnels(connection, route, now);
    if (tunnels.length > 0) out.NextHopTunnelIdList = tunnels;
  }
  return out;
}

/** Decided: dual-tunnel connections always list three counters, in this order, zeros included. */
function vpnRouteCounts(counts: RouteCount[]): ResponseBody[] {
  const find = (type: RouteEntryType, source: string | null) =>
    counts.find((c) => c.routeEntryType === type && c.source === source)?.count ?? 0;
  return [
    { RouteEntryType: 'custom', RouteCount: find('custom', null) },
    { RouteEntryType: 'bgp', RouteCount: find('bgp', 'VPN_BGP'), Source: 'VPN_BGP' },
    { RouteEntryType: 'bgp', RouteCount: find('bgp', 'CLOUD'), Source: 'CLOUD' },
  ];
}

export const describeVcoRouteEntries = defineOperation<DescribeVcoRouteEntriesInput>({
  product: VPC,
  action: 'DescribeVcoRouteEntries',
  ramAction: 'vpc:DescribeVcoRouteEntries',
  resource: (input, principal) => vpnConnectionArn(input.regionId, principal.accountId, input.vpnConnectionId),
  clientToken: true,

  parse(params) {
    const regionId = requiredString(params, 'RegionId');
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

  async run(input, { store, principal, now }) {
    const connection = await store.getConnection(principal.accountId, input.vpnConnectionId);
    if (!connection || connection.regionId !== input.regionId) throw new PopError(E.VpnConnectionNotFound);
    if (!allowsRouteQueries(connection, now)) throw new PopError(E.VcoStatusNotSupport);
    const offset = (input.pageNumber - 1) * input.pageSize;
    const [counts, routes] = await Promise.all([
      store.countRoutes(connection.connectionId),
      store.listRoutes(connection.connectionId, input.routeEntryType, offset, input.pageSize),
    ]);
    const dualTunnel = isDualTunnel(connection);
    const body: ResponseBody = {
      TotalCount: counts.reduce((sum, c) => (c.routeEntryType === input.routeEntryType ? sum + c.count : sum), 0),
      PageNumber: input.pageNumber,
      PageSize: input.pageSize,
      VcoRouteEntries: routes.map((r) => entry(connection, r, dualTunnel, now)),
    };
    if (dualTunnel) body.VpnRouteCounts = vpnRouteCounts(counts);
    return body;
  },
});

/**
 * CreateVcoRouteEntry, DeleteVcoRouteEntry, ModifyVcoRouteEntryWeight (vpc-vco-api.md §10.2–10.4).
 * Rules: the connection must be attached; Weight/NewWeight 0 or 100; RouteDest not 0.0.0.0/0 and not
 * overlapping 100.64.0.0/10; NextHop is the connection itself; OverlayMode only Ipsec; each change puts
 * the connection in `updating`.
 */
import { E, PopError, illegalParam } from '../../pop/errors';
import { cidrsOverlap, formatCidr, parseCidr } from '../../domain/cidr';
import { routeKey } from '../../domain/routes';
import { StoreConflictError, type ConnectionRecord, type RouteRecord } from '../../store/store';
import type { Params } from '../../pop/signature';
import { defineOperation, type OperationContext } from '../product';
import { optionalString, regionIdParam, requiredString } from '../params';
import { beginAttachedChange, checkAttachedChange, findConnection, lostWrite } from './connection-access';
import { enumParam, isDryRun, nameValue } from './vpc-params';
import { VPC, vpnConnectionArn } from './product';
import { propagateFromConnection } from '../../routing';

const SHARED_ADDRESS_SPACE = parseCidr('100.64.0.0/10')!;
/** Decided: at most this many custom routes per connection (Alibaba documents no limit). */
export const MAX_CUSTOM_ROUTES_PER_CONNECTION = 100_000;

function routeDestParam(params: Params): string {
  const text = requiredString(params, 'RouteDest');
  const cidr = parseCidr(text);
  if (!cidr) throw illegalParam('RouteDest', 'The specified RouteDest is not a valid IPv4 CIDR block (host bits must be zero), e.g. 192.168.10.0/24.');
  if (cidr.prefix === 0) throw illegalParam('RouteDest', 'The specified RouteDest 0.0.0.0/0 is not supported.');
  if (cidrsOverlap(cidr, SHARED_ADDRESS_SPACE)) {
    throw illegalParam('RouteDest', 'The specified RouteDest overlaps 100.64.0.0/10 (a subnet of it or a block containing it), which is not supported.');
  }
  return formatCidr(cidr);
}

function weightParam(params: Params, name: 'Weight' | 'NewWeight'): number {
  const text = requiredString(params, name);
  if (text !== '0' && text !== '100') throw illegalParam(name, `The specified ${name} is invalid. Valid values: 0 (low priority), 100 (high priority).`);
  return Number(text);
}

interface RouteAddress {
  regionId: string;
  vpnConnectionId: string;
  routeDest: string;
  nextHop: string;
  weight: number;
  overlayMode: string;
}

function parseAddress(params: Params): RouteAddress {
  const vpnConnectionId = requiredString(params, 'VpnConnectionId');
  const address = {
    regionId: regionIdParam(params),
    vpnConnectionId,
    routeDest: routeDestParam(params),
    nextHop: requiredString(params, 'NextHop'),
    weight: weightParam(params, 'Weight'),
    overlayMode: enumParam(params, 'OverlayMode', ['Ipsec'], 'Ipsec'),
  };
  // Decided: a Vco route's next hop is its own connection (the value DescribeVcoRouteEntries shows).
  if (address.nextHop !== vpnConnectionId) throw illegalParam('NextHop', 'The specified NextHop is invalid. It must be the ID of the VPN connection.');
  return address;
}

const arn = (input: RouteAddress, principal: { accountId: string }) => vpnConnectionArn(input.regionId, principal.accountId, input.vpnConnectionId);

/**
 * The route write re-checks, in its own transaction with the connection locked, that the connection is
 * still attached: a detach or delete that landed after beginAttachedChange wins (Configuring / NotFound).
 */
const STILL_ATTACHED = { whenState: 'attached' };

async function guarded<T>(ctx: OperationContext, c: ConnectionRecord, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof StoreConflictError) throw await lostWrite(ctx.store, c);
    throw err;
  }
}

/** The stored custom route the request names; its weight must match (NotFound otherwise). */
async function existingRoute(ctx: OperationContext, input: RouteAddress): Promise<{ key: string; route: RouteRecord }> {
  const key = routeKey({ routeEntryType: 'custom', routeDest: input.routeDest, nextHop: input.nextHop, source: null });
  const route = await ctx.store.findRoute(input.vpnConnectionId, 'custom', key);
  if (!route || route.weight !== input.weight) throw new PopError(E.VcoRouteEntryNotFound);
  return { key, route };
}

export const createVcoRouteEntry = defineOperation<RouteAddress & { description: string; dryRun: boolean }>({
  product: VPC,
  action: 'CreateVcoRouteEntry',
  ramAction: 'vpc:CreateVcoRouteEntry',
  resource: arn,
  clientToken: true,
  parse: (params) => ({
    ...parseAddress(params),
    description: nameValue('Description', optionalString(params, 'Description')) ?? '',
    dryRun: isDryRun(params),
  }),
  async run(input, ctx) {
    const c = await findConnection(ctx.store, ctx.principal.accountId, input.regionId, input.vpnConnectionId);
    const route: RouteRecord = {
      routeEntryType: 'custom', routeDest: input.routeDest, nextHop: input.nextHop, weight: input.weight,
      source: null, asPath: null, community: null, nextHopTunnelIds: null, createTime: ctx.now,
    };
    const key = routeKey(route);
    if (await ctx.store.findRoute(c.connectionId, 'custom', key)) throw new PopError(E.VcoRouteEntryAlreadyExists);
    const custom = (await ctx.store.countRoutes(c.connectionId)).find((n) => n.routeEntryType === 'custom')?.count ?? 0;
    if (custom >= MAX_CUSTOM_ROUTES_PER_CONNECTION) throw new PopError(E.VcoRouteEntryQuotaExceeded);
    if (input.dryRun) {
      checkAttachedChange(c, ctx.now);
      throw new PopError(E.DryRunOperation);
    }
    const body = {
      VpnConnectionId: c.connectionId,
      RouteDest: route.routeDest,
      NextHop: route.nextHop,
      Weight: route.weight,
      OverlayMode: input.overlayMode,
      Description: input.description,
      State: 'published',
      CreateTime: route.createTime,
    };
    await beginAttachedChange(ctx, c);
    const inserted = await guarded(ctx, c, () => ctx.store.insertRoute(c.connectionId, { key, route }, STILL_ATTACHED, ctx.clientToken?.completion(body)));
    if (!inserted) throw new PopError(E.VcoRouteEntryAlreadyExists);
    await propagateFromConnection(ctx.store, c.connectionId, ctx.now);
    return body;
  },
});

export const deleteVcoRouteEntry = defineOperation<RouteAddress>({
  product: VPC,
  action: 'DeleteVcoRouteEntry',
  ramAction: 'vpc:DeleteVcoRouteEntry',
  resource: arn,
  clientToken: true,
  parse: parseAddress,
  async run(input, ctx) {
    const c = await findConnection(ctx.store, ctx.principal.accountId, input.regionId, input.vpnConnectionId);
    const { key } = await existingRoute(ctx, input);
    await beginAttachedChange(ctx, c);
    const deleted = await guarded(ctx, c, () => ctx.store.deleteRoutes(c.connectionId, { routeEntryType: 'custom', routeKey: key }, STILL_ATTACHED, ctx.clientToken?.completion({})));
    if (deleted === 0) throw new PopError(E.VcoRouteEntryNotFound);
    await propagateFromConnection(ctx.store, c.connectionId, ctx.now);
    return {};
  },
});

export const modifyVcoRouteEntryWeight = defineOperation<RouteAddress & { newWeight: number }>({
  product: VPC,
  action: 'ModifyVcoRouteEntryWeight',
  ramAction: 'vpc:ModifyVcoRouteEntryWeight',
  resource: arn,
  clientToken: true,
  parse: (params) => ({ ...parseAddress(params), newWeight: weightParam(params, 'NewWeight') }),
  async run(input, ctx) {
    const c = await findConnection(ctx.store, ctx.principal.accountId, input.regionId, input.vpnConnectionId);
    const { key, route } = await existingRoute(ctx, input);
    await beginAttachedChange(ctx, c);
    const outcome = await guarded(ctx, c, () => ctx.store.replaceRoute(c.connectionId, 'custom', key, { key, route: { ...route, weight: input.newWeight } }, STILL_ATTACHED, ctx.clientToken?.completion({})));
    if (outcome !== 'ok') throw new PopError(E.VcoRouteEntryNotFound);
    await propagateFromConnection(ctx.store, c.connectionId, ctx.now);
    return {};
  },
});

/**
 * Finding a caller's VPN connection or customer gateway, and starting a change on it — the rules every VPN and Vco route
 * operation shares: unknown, foreign-account and other-region connections are NotFound; a change while
 * another is in progress is VpnConnection.Configuring, decided by the database (transitionConnection).
 */
import { E, PopError } from '../../pop/errors';
import { effectiveState, isChanging, updateTransition } from '../../domain/vpn';
import type { ConnectionRecord, ConnectionTransition, CustomerGatewayRecord, Store } from '../../store/store';
import type { OperationContext } from '../product';
import type { GatewayAsns } from './vpn-connection-views';

export async function findConnection(store: Store, accountId: string, regionId: string, connectionId: string): Promise<ConnectionRecord> {
  const c = await store.getConnection(accountId, connectionId);
  if (!c || c.regionId !== regionId) throw new PopError(E.VpnConnectionNotFound);
  return c;
}

/** The state rules of a change, without starting it (also what DryRun checks). */
export function checkAttachedChange(c: ConnectionRecord, now: number): void {
  if (isChanging(c, now)) throw new PopError(E.VpnConnectionConfiguring);
  if (effectiveState(c, now) !== 'attached') throw new PopError(E.VcoStatusNotSupport);
}

export async function findCustomerGateway(store: Store, accountId: string, regionId: string, id: string): Promise<CustomerGatewayRecord> {
  const g = await store.getCustomerGateway(accountId, id);
  if (!g || g.regionId !== regionId) throw new PopError(E.CustomerGatewayNotFound);
  return g;
}

/**
 * Puts an attached connection into `updating` (or applies the change at once when the delay is 0).
 * Not attached → Vco.StatusNotSupport; another change in progress → VpnConnection.Configuring.
 */
export async function beginAttachedChange(ctx: OperationContext, c: ConnectionRecord): Promise<ConnectionTransition> {
  checkAttachedChange(c, ctx.now);
  const transition = updateTransition(ctx.now, ctx.settings.changeDelayMs);
  if (!(await ctx.store.transitionConnection(c.connectionId, ['attached'], transition, ctx.now))) throw new PopError(E.VpnConnectionConfiguring);
  return transition;
}

/**
 * A conditional write of a connection lost (updateConnection / deleteConnection with a revision): the
 * connection is gone (NotFound) or somebody else changed it meanwhile (VpnConnection.Configuring).
 */
export async function lostWrite(store: Store, c: ConnectionRecord): Promise<PopError> {
  const now = await store.getConnection(c.accountId, c.connectionId);
  return new PopError(now ? E.VpnConnectionConfiguring : E.VpnConnectionNotFound);
}

/** The customer gateways a connection uses (its own and its tunnels'), by ID; a gateway gone meanwhile is absent. */
export async function connectionGateways(store: Store, c: ConnectionRecord): Promise<Map<string, CustomerGatewayRecord>> {
  const ids = new Set([c.customerGatewayId, ...c.tunnels.map((t) => t.customerGatewayId)].filter((id): id is string => id !== null));
  const gateways = new Map<string, CustomerGatewayRecord>();
  for (const id of ids) {
    const g = await store.getCustomerGateway(c.accountId, id);
    if (g) gateways.set(id, g);
  }
  return gateways;
}

/** The ASNs of the customer gateways a connection uses, for the BGP peer fields of its views. */
export async function gatewayAsns(store: Store, c: ConnectionRecord): Promise<GatewayAsns> {
  const gateways = await connectionGateways(store, c);
  return new Map([...gateways].map(([id, g]) => [id, g.asn]));
}

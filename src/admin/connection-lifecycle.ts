/**
 * Admin endpoints for what the CEN API does in the cloud — attaching a connection to a transit router and
 * detaching it — and for tunnel negotiation status, which the cloud derives from real IKE sessions.
 *   POST /_vcoroute/v1/vpn-connections/{id}/attach   { "transitRouterId": "tr-…" }   init → attaching → attached
 *   POST /_vcoroute/v1/vpn-connections/{id}/detach                                   attached → detaching → init
 *   (with a transit router created through the CEN API, attach and detach create and remove its VPN attachment
 *   record exactly as Create/DeleteTransitRouterVpnAttachment do: routing/attach.ts)
 *   PUT  /_vcoroute/v1/vpn-connections/{id}/tunnels/{tunnelId}   { "status": "ipsec_sa_established" | … }
 */
import { TUNNEL_STATUSES } from '../domain/routes';
import { effectiveState } from '../domain/vpn';
import { attachConnection, detachConnection } from '../routing';
import type { ConnectionRecord, Store } from '../store/store';
import { AdminError, badRequest, notFound } from './admin-errors';

const LIFECYCLE_PATH = /^\/_vcoroute\/v1\/vpn-connections\/([^/]+)\/(attach|detach|tunnels\/([^/]+))$/;
const TRANSIT_ROUTER_ID = /^tr-[0-9a-z]{1,64}$/;

export interface LifecycleContext {
  store: Store;
  changeDelayMs: number;
  now: number;
}

function jsonObject(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('the body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('the body must be a JSON object');
  return value as Record<string, unknown>;
}

const conflict = (c: ConnectionRecord, now: number, wanted: string) =>
  new AdminError(409, 'IncorrectState', `${c.connectionId} is ${effectiveState(c, now)}; ${wanted}`);

/** How the admin API shows a connection: the state a client would see now, and the stored tunnel statuses. */
export function adminConnectionView(c: ConnectionRecord, now: number) {
  return {
    vpnConnectionId: c.connectionId,
    regionId: c.regionId,
    accountId: c.accountId,
    state: effectiveState(c, now),
    transitRouterId: c.transitRouterId,
    createTime: c.createTime,
    tunnels: c.tunnels.map((t) => ({ tunnelId: t.tunnelId, status: t.status })),
  };
}

/** Handles a lifecycle path; undefined when the path is not one. */
export async function handleLifecycle(
  ctx: LifecycleContext, method: string, path: string, body: Buffer,
): Promise<{ status: number; body: unknown } | undefined> {
  const m = LIFECYCLE_PATH.exec(path);
  if (!m) return undefined;
  const { store, now } = ctx;
  const c = await store.findConnection(decodeURIComponent(m[1]!));
  if (!c) throw notFound(`${m[1]} does not exist`);
  const action = m[2]!;

  if (action === 'attach' && method === 'POST') {
    const o = jsonObject(body);
    const tr = o.transitRouterId;
    if (typeof tr !== 'string' || !TRANSIT_ROUTER_ID.test(tr)) throw badRequest('transitRouterId is required: tr-<lowercase letters and digits>');
    // The rule the CEN API's CreateTransitRouterVpnAttachment uses (routing/attach.ts): with a transit router
    // that is a CEN resource of the account, the VPN attachment record is created with it.
    const result = await attachConnection(store, c, tr, now, ctx.changeDelayMs);
    if (result.outcome !== 'attached') throw conflict(c, now, result.outcome === 'refused' ? 'only a connection in state init can be attached' : `the transit router refuses it (${result.outcome})`);
  } else if (action === 'detach' && method === 'POST') {
    // As DeleteTransitRouterVpnAttachment with Force=true when the connection has an attachment record.
    if (!(await detachConnection(store, c, now, ctx.changeDelayMs))) throw conflict(c, now, 'only an attached connection can be detached');
  } else if (action.startsWith('tunnels/') && method === 'PUT') {
    const tunnelId = decodeURIComponent(m[3]!);
    const tunnel = c.tunnels.find((t) => t.tunnelId === tunnelId);
    if (!tunnel) throw notFound(`${c.connectionId} has no tunnel ${tunnelId}`);
    const status = jsonObject(body).status;
    if (typeof status !== 'string' || !(TUNNEL_STATUSES as readonly string[]).includes(status)) {
      throw badRequest(`status must be one of ${TUNNEL_STATUSES.join(', ')}`);
    }
    const updated = { ...c, tunnels: c.tunnels.map((t) => (t.tunnelId === tunnelId ? { ...t, status } : t)) };
    if (!(await store.updateConnection(updated, c.revision ?? 0))) throw conflict(c, now, 'it changed meanwhile; try again');
  } else {
    throw new AdminError(405, 'MethodNotAllowed', `${method} is not supported on ${path}`);
  }
  const after = await store.findConnection(c.connectionId);
  return { status: 200, body: adminConnectionView(after!, now) };
}

/**
 * GET /_vcoroute/v1/vpn-connections/{id}/bgp: the connection's BGP tunnels, where this server listens for
 * each, and each session's state (this server's, or the one another server holds).
 */
import type { ConnectionBgpView } from '../bgp/speaker';
import type { ConnectionRecord, Store } from '../store/store';
import { AdminError, notFound } from './admin-errors';

export const BGP_VIEW_PATH = /^\/_vcoroute\/v1\/vpn-connections\/([^/]+)\/bgp$/;

export async function handleBgpView(
  store: Store, describe: (c: ConnectionRecord, now: number) => Promise<ConnectionBgpView>, method: string, connectionId: string, now: number,
): Promise<{ status: number; body: unknown }> {
  if (method !== 'GET') throw new AdminError(405, 'MethodNotAllowed', `${method} is not supported; use GET`);
  const c = await store.findConnection(connectionId);
  if (!c) throw notFound(`${connectionId} does not exist`);
  return { status: 200, body: await describe(c, now) };
}

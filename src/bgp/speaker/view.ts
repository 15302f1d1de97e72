/**
 * The admin view of a connection's BGP tunnels (GET /_vcoroute/v1/vpn-connections/{id}/bgp): configured
 * parameters, where this server listens, and each session — this server's, or the one another server holds.
 */
import type { ConnectionRecord, Store } from '../../store/store';
import type { ListenAddress } from './listener';
import { bgpTunnels } from './tunnel-plan';

export interface TunnelBgpView {
  tunnelId: string;
  tunnelIndex: number;
  localAsn: number;
  localBgpIp: string;
  peerBgpIp: string;
  peerAsn: number;
  tunnelCidr: string;
  listen: ListenAddress | null;
  bindError?: string;
  session: {
    state: string;
    peerAddress?: string;
    prefixesReceived: number;
    prefixesAccepted: number;
    prefixesAdvertised: number;
    establishedAt?: number;
    /** the server holding the session (several servers on one database) */
    holder?: string;
  };
}

export interface LocalTunnelState {
  listen: ListenAddress | null;
  bindError?: string;
  session?: TunnelBgpView['session'];
}

/**
 * The BGP tunnels of a connection as configured (whatever its state), each with where this server listens
 * and its session: this server's if it runs it, else the store's record of another server's live session.
 */
export async function describeTunnels(
  store: Store, c: ConnectionRecord, now: number, local: (tunnelId: string) => LocalTunnelState | undefined,
): Promise<TunnelBgpView[]> {
  const asns = new Map<string, number | null>();
  for (const id of new Set([c.customerGatewayId, ...c.tunnels.map((t) => t.customerGatewayId)])) {
    if (id) asns.set(id, (await store.getCustomerGateway(c.accountId, id))?.asn ?? null);
  }
  const asAttached: ConnectionRecord = { ...c, state: 'attached', pendingState: null, pendingUntil: null };
  const upNow = new Map(bgpTunnels(c, (id) => asns.get(id) ?? null, now).map((p) => [p.tunnelId, p.up]));
  const records = new Map((await store.listBgpSessions(c.connectionId)).filter((r) => r.leaseExpiresAt > now).map((r) => [r.tunnelId, r]));
  return bgpTunnels(asAttached, (id) => asns.get(id) ?? null, now).map((p) => {
    const mine = upNow.has(p.tunnelId) ? local(p.tunnelId) : undefined;
    const r = records.get(p.tunnelId);
    const session = mine?.session ?? (r ? {
      state: r.state, peerAddress: r.peerAddress ?? undefined, prefixesReceived: r.prefixesReceived, prefixesAccepted: r.prefixesAccepted,
      prefixesAdvertised: r.prefixesAdvertised, establishedAt: r.establishedAt ?? undefined, holder: r.holder,
    } : { state: 'Idle', prefixesReceived: 0, prefixesAccepted: 0, prefixesAdvertised: 0 });
    return {
      tunnelId: p.tunnelId, tunnelIndex: p.tunnelIndex, localAsn: p.localAsn, localBgpIp: p.localBgpIp, peerBgpIp: p.peerBgpIp, peerAsn: p.peerAsn,
      tunnelCidr: p.tunnelCidr, listen: mine?.listen ?? null, ...(mine?.bindError ? { bindError: mine.bindError } : {}), session,
    };
  });
}

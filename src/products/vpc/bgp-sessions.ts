/**
 * Live BGP session state for the connection views (BgpStatus, PeerAsn): the store's session records, kept by
 * whichever server holds each session (src/bgp/speaker), so every server shows the same.
 */
import type { ConnectionRecord, Store } from '../../store/store';

/** Tunnel ID (a single-tunnel connection's own ID) → the peer's ASN, for sessions Established under a live lease. */
export type LiveBgpSessions = ReadonlyMap<string, { peerAsn: number | null }>;

export async function liveBgpSessions(store: Store, c: ConnectionRecord, now: number): Promise<LiveBgpSessions> {
  const live = new Map<string, { peerAsn: number | null }>();
  for (const r of await store.listBgpSessions(c.connectionId)) {
    if (r.leaseExpiresAt > now && r.state === 'Established') live.set(r.tunnelId, { peerAsn: r.peerAsn });
  }
  return live;
}

/**
 * Row shape of bgp_sessions, shared by the two SQL backends (sqlite/sqlite-bgp.ts, postgres/postgres-bgp.ts):
 * both schemas use the same column names.
 */
import type { BgpSessionRecord, RouteChangeOrigin } from './store';

export interface BgpSessionRow {
  tunnel_id: string;
  connection_id: string;
  holder: string;
  lease_expires_at: number;
  state: string;
  peer_asn: number | null;
  peer_address: string | null;
  established_at: number | null;
  prefixes_received: number;
  prefixes_accepted: number;
  prefixes_advertised: number;
}

export const BGP_SESSION_COLUMNS = 'tunnel_id, connection_id, holder, lease_expires_at, state, peer_asn, peer_address, established_at, '
  + 'prefixes_received, prefixes_accepted, prefixes_advertised';

export function bgpSessionValues(s: BgpSessionRecord): (string | number | null)[] {
  return [s.tunnelId, s.connectionId, s.holder, s.leaseExpiresAt, s.state, s.peerAsn, s.peerAddress, s.establishedAt,
    s.prefixesReceived, s.prefixesAccepted, s.prefixesAdvertised];
}

export function toBgpSession(r: BgpSessionRow): BgpSessionRecord {
  return {
    tunnelId: r.tunnel_id, connectionId: r.connection_id, holder: r.holder, leaseExpiresAt: Number(r.lease_expires_at), state: r.state,
    peerAsn: r.peer_asn === null ? null : Number(r.peer_asn), peerAddress: r.peer_address,
    establishedAt: r.established_at === null ? null : Number(r.established_at), prefixesReceived: Number(r.prefixes_received),
    prefixesAccepted: Number(r.prefixes_accepted), prefixesAdvertised: Number(r.prefixes_advertised),
  };
}

/** Lowest port of [first, last] not in `taken` (ascending); undefined when the range is full. */
export function lowestFreePort(taken: readonly number[], first: number, last: number): number | undefined {
  let candidate = first;
  for (const p of taken) {
    if (p < candidate) continue;
    if (p > candidate) break;
    candidate++;
  }
  return candidate <= last ? candidate : undefined;
}

const SESSION_DOWN_ORIGIN: RouteChangeOrigin = { cause: 'session-down', tunnelId: '' };
/** The origin of learned rows dropped with a lease (a holder died, or its leases expired). */
export const SESSION_DOWN = (): RouteChangeOrigin => SESSION_DOWN_ORIGIN;

/** The origin the speaker gave a learned row's change, else `fallback` with no tunnel. */
export function learnedOrigin(origins: ReadonlyMap<string, RouteChangeOrigin> | undefined, key: string, fallback: 'bgp-update' | 'bgp-withdraw'): RouteChangeOrigin {
  return origins?.get(key) ?? { cause: fallback, tunnelId: '' };
}

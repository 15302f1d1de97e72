/**
 * The seam between the BGP session layer (codec, stream decoder, FSM, one TCP session per tunnel: the
 * pure core and its thin socket shell) and the speaker service above it (which tunnels listen where,
 * Adj-RIB-In per tunnel, the VPN_BGP route view in the store, CLOUD export). The session layer knows
 * nothing of connections or the store; the service knows nothing of bytes on the wire.
 */
import type { Socket } from 'node:net';

export type FsmState = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

/** What the service tells a session about its tunnel. */
export interface TunnelSessionSettings {
  /** the cloud side's ASN (TunnelBgpConfig.LocalAsn) */
  localAsn: number;
  /** our BGP identifier: the tunnel's LocalBgpIp */
  routerId: string;
  /** the ASN the peer must announce in its OPEN (the customer gateway's); else NOTIFICATION 2/2 */
  peerAsn: number;
  /** the source address the peer must connect from (tunnel-address mode); null accepts any (loopback mode) */
  peerAddress: string | null;
  /** hold time offered in our OPEN, seconds (0 or ≥ 3) */
  holdTimeSec: number;
}

export interface AsPathSegment {
  type: 'sequence' | 'set' | 'confed-sequence' | 'confed-set';
  asns: number[];
}

/** Path attributes of a received or advertised route (IPv4 unicast); AS_PATH already merged with AS4_PATH. */
export interface PathAttributes {
  origin: 0 | 1 | 2;
  asPath: AsPathSegment[];
  /** dotted quad */
  nextHop: string;
  med?: number;
  localPref?: number;
  /** RFC 1997 values as unsigned 32-bit numbers (hi << 16 | lo) */
  communities: number[];
  /** RFC 8092 [globalAdmin, data1, data2] */
  largeCommunities: Array<[number, number, number]>;
}

/** One IPv4 prefix, "a.b.c.d/len" (host bits zero). */
export type Prefix = string;

export interface AnnouncedRoute {
  prefix: Prefix;
  /** shared between the routes of one UPDATE (compare by reference to group) */
  attributes: PathAttributes;
}

/** One UPDATE after RFC 7606 handling: treat-as-withdraw NLRI are already in `withdrawn`. */
export interface RouteUpdate {
  announced: AnnouncedRoute[];
  withdrawn: Prefix[];
  /** true for End-of-RIB */
  endOfRib: boolean;
}

export interface PeerInfo {
  asn: number;
  routerId: string;
  address: string;
  port: number;
  /** negotiated hold time, seconds */
  holdTimeSec: number;
  /** the peer offered 4-octet ASNs (capability 65); without it AS paths travel as AS_TRANS + AS4_PATH */
  fourOctetAs?: boolean;
}

export type SessionDownReason =
  | { kind: 'notification-received'; code: number; subcode: number; message?: string }
  | { kind: 'notification-sent'; code: number; subcode: number; message?: string }
  | { kind: 'hold-timer-expired' }
  | { kind: 'connection-closed' }
  | { kind: 'closed-locally'; cause: SessionCloseCause };

export interface SessionObserver {
  /** the session reached Established */
  established(peer: PeerInfo): void;
  /**
   * Routes received. The session stops reading from the socket until the returned promise settles
   * (back-pressure: a slow store slows the peer down through TCP instead of queueing without bound).
   */
  update(update: RouteUpdate): void | Promise<void>;
  /** a ROUTE-REFRESH for IPv4 unicast arrived: the service re-sends its routes then End-of-RIB */
  refreshRequested(): void;
  /** the session ended (once per session, after Established or before); everything learned is void */
  down(reason: SessionDownReason): void;
}

/** Why vcoroute ends a session: maps to the Cease subcode sent (RFC 4486). */
export type SessionCloseCause =
  | 'shutdown' // 6/2 administrative shutdown (server stopping), with an RFC 8203 message
  | 'tunnel-down' // 6/2 administrative shutdown (tunnel set down)
  | 'deconfigured' // 6/3 peer de-configured (connection detached or deleted)
  | 'config-change' // 6/6 other configuration change
  | 'max-prefixes' // 6/1 maximum number of prefixes reached
  | 'rejected' // 6/5 connection rejected (a second connection for a live tunnel)
  | 'lease-lost' // 6/8 out of resources (another server holds the tunnel now)
  | 'fault-drop' // 6/2 administrative shutdown: a BGP fault rule dropped the session or refuses it (src/chaos)
  | 'fault-flap'; // 6/4 administrative reset: a BGP fault rule flaps the session

export interface TunnelSession {
  readonly state: FsmState;
  readonly peer: PeerInfo | undefined;
  /**
   * Advertises (or replaces) routes and withdraws prefixes (CLOUD export), in as few UPDATEs as fit 4096
   * bytes; waits for the socket to drain. Only in Established; resolves without sending otherwise.
   */
  advertise(routes: readonly AnnouncedRoute[], withdrawn: readonly Prefix[]): Promise<void>;
  sendEndOfRib(): Promise<void>;
  /** Sends Cease with the cause's subcode and closes; `down` fires with closed-locally. */
  close(cause: SessionCloseCause, message?: string): Promise<void>;
}

/** Runs the passive FSM over an accepted socket (see session.ts). */
export type AcceptTunnelSession = (socket: Socket, settings: TunnelSessionSettings, observer: SessionObserver) => TunnelSession;

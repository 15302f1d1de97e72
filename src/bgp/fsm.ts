/**
 * The passive BGP FSM (RFC 4271 §8) as a pure machine: events in, actions out. Timers are actions
 * (start/stop with a duration); the shell (session.ts) owns sockets and setTimeout. Path:
 * Idle → (connection accepted: send OPEN) OpenSent → (valid OPEN: send KEEPALIVE) OpenConfirm →
 * (KEEPALIVE) Established. Every exit sends at most one NOTIFICATION, closes, and reports down once.
 */
import { parseIpv4 } from '../domain/cidr';
import { AFI_IPV4, CeaseSubcode, ErrorCode, FsmSubcode, MessageType, OPEN_SENT_HOLD_SEC, SAFI_UNICAST } from './codec/constants';
import { ceaseNotification, decodeNotification, notification, shutdownMessageOf, type Notification } from './codec/notification';
import { checkOpen, decodeOpen, type OpenMessage } from './codec/open';
import { decodeRouteRefresh } from './codec/route-refresh';
import { decodeUpdate } from './codec/update-decode';
import { ipv4Text } from './codec/prefix';
import type { FsmState, PeerInfo, RouteUpdate, SessionCloseCause, SessionDownReason, TunnelSessionSettings } from './session-api';
import type { StreamItem } from './stream-decoder';

export type TimerName = 'hold' | 'keepalive';

export type FsmEvent =
  | { type: 'connected'; remoteAddress: string; remotePort: number }
  | { type: 'received'; item: StreamItem }
  | { type: 'timer-expired'; timer: TimerName }
  | { type: 'connection-closed' }
  | { type: 'close'; cause: SessionCloseCause; message?: string }
  /** something on our side failed (e.g. the observer rejected an update): Cease 6/8 */
  | { type: 'local-failure' };

export type OutgoingMessage =
  | { type: 'open'; asn: number; holdTimeSec: number; bgpId: number }
  | { type: 'keepalive' }
  | { type: 'notification'; notification: Notification };

export type FsmAction =
  | { type: 'send'; message: OutgoingMessage }
  | { type: 'start-timer'; timer: TimerName; seconds: number }
  | { type: 'stop-timer'; timer: TimerName }
  | { type: 'established'; peer: PeerInfo }
  | { type: 'update'; update: RouteUpdate }
  | { type: 'refresh-requested' }
  | { type: 'close-connection' }
  | { type: 'down'; reason: SessionDownReason };

/** The Cease subcode for each reason vcoroute ends a session (RFC 4486). */
export const CEASE_SUBCODE: Record<SessionCloseCause, number> = {
  shutdown: CeaseSubcode.ADMIN_SHUTDOWN,
  'tunnel-down': CeaseSubcode.ADMIN_SHUTDOWN,
  deconfigured: CeaseSubcode.PEER_DECONFIGURED,
  'config-change': CeaseSubcode.CONFIG_CHANGE,
  'max-prefixes': CeaseSubcode.MAX_PREFIXES,
  rejected: CeaseSubcode.CONNECTION_REJECTED,
  'lease-lost': CeaseSubcode.OUT_OF_RESOURCES,
  'fault-drop': CeaseSubcode.ADMIN_SHUTDOWN,
  'fault-flap': CeaseSubcode.ADMIN_RESET,
};

const FSM_SUBCODE: Partial<Record<FsmState, number>> = {
  OpenSent: FsmSubcode.IN_OPEN_SENT, OpenConfirm: FsmSubcode.IN_OPEN_CONFIRM, Established: FsmSubcode.IN_ESTABLISHED,
};

/** Strips an IPv4-mapped IPv6 prefix so "::ffff:127.0.0.2" compares equal to "127.0.0.2". */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export class SessionFsm {
  private current: FsmState = 'Idle';
  private ended = false;
  private remote = { address: '', port: 0 };
  private negotiated: { holdTimeSec: number; fourOctetAs: boolean } | undefined;
  private peerInfo: PeerInfo | undefined;
  private readonly ourBgpId: number;

  constructor(private readonly settings: TunnelSessionSettings) {
    this.ourBgpId = parseIpv4(settings.routerId) ?? 0;
  }

  get state(): FsmState {
    return this.current;
  }

  get peer(): PeerInfo | undefined {
    return this.peerInfo;
  }

  /** true once the session has gone down (every later event is ignored) */
  get isDown(): boolean {
    return this.ended;
  }

  /** both sides offered 4-octet ASNs (we always do): how UPDATEs are encoded and decoded */
  get fourOctetAs(): boolean {
    return this.negotiated?.fourOctetAs ?? false;
  }

  get ebgp(): boolean {
    return this.settings.localAsn !== this.settings.peerAsn;
  }

  handle(event: FsmEvent): FsmAction[] {
    if (this.ended) return [];
    switch (event.type) {
      case 'connected': return this.onConnected(event.remoteAddress, event.remotePort);
      case 'received': return event.item.ok ? this.onMessage(event.item.frame.type, event.item.frame.body) : this.fail(event.item.notification);
      case 'timer-expired':
        if (event.timer === 'keepalive') return this.current === 'Established' || this.current === 'OpenConfirm' ? this.sendKeepalive() : [];
        return this.down({ kind: 'hold-timer-expired' }, notification(ErrorCode.HOLD_TIMER_EXPIRED, 0));
      case 'connection-closed': return this.down({ kind: 'connection-closed' });
      case 'close': {
        const cease = ceaseNotification(CEASE_SUBCODE[event.cause], event.message);
        return this.down({ kind: 'closed-locally', cause: event.cause }, this.current === 'Idle' && this.remote.address === '' ? undefined : cease);
      }
      case 'local-failure': return this.fail(notification(ErrorCode.CEASE, CeaseSubcode.OUT_OF_RESOURCES));
    }
  }

  private onConnected(address: string, port: number): FsmAction[] {
    if (this.current !== 'Idle' || this.remote.address !== '') return [];
    this.remote = { address: plainAddress(address), port };
    // Not our peer: RFC 4486 §4 "Connection Rejected", sent straight away without an OPEN.
    if (this.settings.peerAddress !== null && plainAddress(this.settings.peerAddress) !== this.remote.address) {
      return this.fail(notification(ErrorCode.CEASE, CeaseSubcode.CONNECTION_REJECTED));
    }
    this.current = 'OpenSent';
    return [
      { type: 'send', message: { type: 'open', asn: this.settings.localAsn, holdTimeSec: this.settings.holdTimeSec, bgpId: this.ourBgpId } },
      { type: 'start-timer', timer: 'hold', seconds: OPEN_SENT_HOLD_SEC },
    ];
  }

  private onMessage(type: number, body: Buffer): FsmAction[] {
    if (type === MessageType.NOTIFICATION) {
      const n = decodeNotification(body);
      const message = shutdownMessageOf(n);
      return this.down({ kind: 'notification-received', code: n.code, subcode: n.subcode, ...(message !== undefined ? { message } : {}) });
    }
    const restartHold = this.restartHold();
    switch (this.current) {
      case 'OpenSent':
        return type === MessageType.OPEN ? this.onOpen(body) : this.fsmError();
      case 'OpenConfirm':
        if (type !== MessageType.KEEPALIVE) return this.fsmError();
        this.current = 'Established';
        return [...restartHold, { type: 'established', peer: this.peerInfo! }];
      case 'Established':
        if (type === MessageType.KEEPALIVE) return restartHold;
        if (type === MessageType.UPDATE) {
          const update = this.onUpdate(body);
          if (update === undefined) return restartHold;
          if (update.type === 'update') restartHold.push(update);
          return update.type === 'update' ? restartHold : update.actions;
        }
        if (type === MessageType.ROUTE_REFRESH) {
          const refresh = decodeRouteRefresh(body);
          // RFC 2918 §4: a refresh for a family we did not advertise is ignored.
          return refresh.afi === AFI_IPV4 && refresh.safi === SAFI_UNICAST ? [...restartHold, { type: 'refresh-requested' }] : restartHold;
        }
        return this.fsmError();
      default:
        return this.fsmError();
    }
  }

  private onOpen(body: Buffer): FsmAction[] {
    const decoded = decodeOpen(body);
    if (!decoded.ok) return this.fail(decoded.notification);
    const open: OpenMessage = decoded.open;
    const refused = checkOpen(open, { peerAsn: this.settings.peerAsn, ourBgpId: this.ourBgpId });
    if (refused !== undefined) return this.fail(refused);
    const holdTimeSec = Math.min(open.holdTimeSec, this.settings.holdTimeSec);
    this.negotiated = { holdTimeSec, fourOctetAs: open.capabilities.fourOctetAsn !== undefined };
    this.peerInfo = {
      asn: open.asn, routerId: ipv4Text(open.bgpId), address: this.remote.address, port: this.remote.port, holdTimeSec,
      fourOctetAs: this.negotiated.fourOctetAs,
    };
    this.current = 'OpenConfirm';
    const timers: FsmAction[] = holdTimeSec === 0
      ? [{ type: 'stop-timer', timer: 'hold' }]
      : [{ type: 'start-timer', timer: 'hold', seconds: holdTimeSec }];
    return [...timers, ...this.sendKeepalive()];
  }

  private sendKeepalive(): FsmAction[] {
    const hold = this.negotiated?.holdTimeSec ?? 0;
    const actions: FsmAction[] = [{ type: 'send', message: { type: 'keepalive' } }];
    if (hold > 0) actions.push({ type: 'start-timer', timer: 'keepalive', seconds: Math.max(1, Math.floor(hold / 3)) });
    return actions;
  }

  private restartHold(): FsmAction[] {
    const hold = this.current === 'OpenSent' ? OPEN_SENT_HOLD_SEC : this.negotiated?.holdTimeSec ?? 0;
    return hold > 0 ? [{ type: 'start-timer', timer: 'hold', seconds: hold }] : [];
  }

  private onUpdate(body: Buffer): { type: 'update'; update: RouteUpdate } | { type: 'failed'; actions: FsmAction[] } | undefined {
    const decoded = decodeUpdate(body, { fourOctetAs: this.fourOctetAs, ebgp: this.ebgp });
    if (!decoded.ok) return { type: 'failed', actions: this.fail(decoded.notification) };
    const u = decoded.update;
    if (u.announced.length === 0 && u.withdrawn.length === 0 && !u.endOfRib) return undefined;
    return { type: 'update', update: u };
  }

  /** RFC 4271 §6.6 with RFC 6608 subcodes: an unexpected message for the state. */
  private fsmError(): FsmAction[] {
    return this.fail(notification(ErrorCode.FSM, FSM_SUBCODE[this.current] ?? FsmSubcode.UNSPECIFIC));
  }

  private fail(sent: Notification): FsmAction[] {
    return this.down({ kind: 'notification-sent', code: sent.code, subcode: sent.subcode }, sent);
  }

  private down(reason: SessionDownReason, send?: Notification): FsmAction[] {
    this.ended = true;
    this.current = 'Idle';
    const actions: FsmAction[] = [{ type: 'stop-timer', timer: 'hold' }, { type: 'stop-timer', timer: 'keepalive' }];
    if (send !== undefined) actions.push({ type: 'send', message: { type: 'notification', notification: send } });
    actions.push({ type: 'close-connection' }, { type: 'down', reason });
    return actions;
  }
}

/**
 * The socket shell around the pure FSM: one accepted TCP connection per tunnel. It feeds socket bytes
 * through the stream decoder into the FSM and carries out the FSM's actions (writes, setTimeout timers,
 * observer calls). Back-pressure both ways: reading pauses while observer.update's promise is pending;
 * advertise() waits for 'drain' when the socket's buffer is full.
 */
import type { Socket } from 'node:net';
import { encodeKeepalive } from './codec/header';
import { encodeNotification } from './codec/notification';
import { encodeOpen } from './codec/open';
import { encodeEndOfRib, encodeUpdates } from './codec/update-encode';
import { SessionFsm, type FsmAction, type FsmEvent, type OutgoingMessage, type TimerName } from './fsm';
import type {
  AcceptTunnelSession, AnnouncedRoute, FsmState, PeerInfo, Prefix, SessionCloseCause, SessionObserver, TunnelSession, TunnelSessionSettings,
} from './session-api';
import { StreamDecoder } from './stream-decoder';

/** How long a closing socket may take to flush our NOTIFICATION before it is destroyed. */
const CLOSE_FLUSH_MS = 2000;

function encodeOutgoing(message: OutgoingMessage): Buffer {
  switch (message.type) {
    case 'open': return encodeOpen({ asn: message.asn, holdTimeSec: message.holdTimeSec, bgpId: message.bgpId });
    case 'keepalive': return encodeKeepalive();
    case 'notification': return encodeNotification(message.notification);
  }
}

class SocketTunnelSession implements TunnelSession {
  private readonly fsm: SessionFsm;
  private readonly decoder = new StreamDecoder();
  private readonly timers = new Map<TimerName, { handle: NodeJS.Timeout; seconds: number }>();
  /** an observer.update promise is pending: no further messages are handled until it settles */
  private waitingForObserver = false;
  private remoteClosed = false;
  private downReported = false;
  /** advertise() and sendEndOfRib() run one after another so UPDATEs keep their order */
  private writeQueue: Promise<void> = Promise.resolve();
  private readonly closed: Promise<void>;

  constructor(private readonly socket: Socket, settings: TunnelSessionSettings, private readonly observer: SessionObserver) {
    this.fsm = new SessionFsm(settings);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk);
      this.pump();
    });
    socket.on('error', () => { /* 'close' follows and ends the session */ });
    socket.on('close', () => {
      this.remoteClosed = true;
      this.pump();
    });
    if (socket.destroyed) {
      this.remoteClosed = true;
      this.pump();
    } else {
      this.dispatch({ type: 'connected', remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0 });
    }
  }

  get state(): FsmState {
    return this.fsm.state;
  }

  get peer(): PeerInfo | undefined {
    return this.fsm.peer;
  }

  advertise(routes: readonly AnnouncedRoute[], withdrawn: readonly Prefix[]): Promise<void> {
    return this.enqueueWrites(() => encodeUpdates(routes, withdrawn, { fourOctetAs: this.fsm.fourOctetAs, ibgp: !this.fsm.ebgp }));
  }

  sendEndOfRib(): Promise<void> {
    return this.enqueueWrites(() => [encodeEndOfRib()]);
  }

  async close(cause: SessionCloseCause, message?: string): Promise<void> {
    this.dispatch({ type: 'close', cause, ...(message !== undefined ? { message } : {}) });
    await this.closed;
  }

  private enqueueWrites(build: () => Buffer[]): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.fsm.state !== 'Established') return;
      for (const message of build()) {
        if (this.fsm.isDown || this.socket.destroyed) return;
        if (!this.socket.write(message)) await this.drained();
      }
    };
    const result = this.writeQueue.then(run);
    this.writeQueue = result.catch(() => undefined);
    return result;
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** Handles buffered messages until one needs the observer to catch up, then the end of the connection. */
  private pump(): void {
    while (!this.waitingForObserver && !this.fsm.isDown) {
      const item = this.decoder.next();
      if (item === undefined) break;
      this.dispatch({ type: 'received', item });
    }
    if (this.remoteClosed && !this.waitingForObserver) this.dispatch({ type: 'connection-closed' });
  }

  private dispatch(event: FsmEvent): void {
    for (const action of this.fsm.handle(event)) this.perform(action);
  }

  private perform(action: FsmAction): void {
    switch (action.type) {
      case 'send':
        if (!this.socket.destroyed && this.socket.writable) this.socket.write(encodeOutgoing(action.message));
        return;
      case 'start-timer': return this.startTimer(action.timer, action.seconds);
      case 'stop-timer': return this.stopTimer(action.timer);
      case 'established': return this.observer.established(action.peer);
      case 'refresh-requested': return this.observer.refreshRequested();
      case 'update': return this.deliver(action);
      case 'close-connection': return this.closeConnection();
      case 'down':
        if (this.downReported) return;
        this.downReported = true;
        this.observer.down(action.reason);
        return;
    }
  }

  private deliver(action: Extract<FsmAction, { type: 'update' }>): void {
    let pending: void | Promise<void>;
    try {
      pending = this.observer.update(action.update);
    } catch {
      this.dispatch({ type: 'local-failure' });
      return;
    }
    if (pending === undefined) return;
    this.waitingForObserver = true;
    this.socket.pause();
    pending.then(
      () => {
        this.waitingForObserver = false;
        if (!this.socket.destroyed) this.socket.resume();
        this.pump();
      },
      () => {
        this.waitingForObserver = false;
        this.dispatch({ type: 'local-failure' });
        this.pump();
      },
    );
  }

  private startTimer(timer: TimerName, seconds: number): void {
    const existing = this.timers.get(timer);
    if (existing !== undefined && existing.seconds === seconds) {
      existing.handle.refresh();
      return;
    }
    if (existing !== undefined) clearTimeout(existing.handle);
    const handle = setTimeout(() => {
      this.timers.delete(timer);
      this.dispatch({ type: 'timer-expired', timer });
    }, seconds * 1000);
    this.timers.set(timer, { handle, seconds });
  }

  private stopTimer(timer: TimerName): void {
    const existing = this.timers.get(timer);
    if (existing !== undefined) clearTimeout(existing.handle);
    this.timers.delete(timer);
  }

  private closeConnection(): void {
    if (this.socket.destroyed) return;
    this.socket.resume(); // keep reading (and discarding) so the peer's FIN is seen
    this.socket.end();
    const force = setTimeout(() => this.socket.destroy(), CLOSE_FLUSH_MS);
    force.unref();
    this.socket.once('close', () => clearTimeout(force));
  }
}

/** Runs the passive FSM over an accepted socket: sends our OPEN at once and reports to `observer`. */
export const acceptTunnelSession: AcceptTunnelSession = (socket, settings, observer) => new SocketTunnelSession(socket, settings, observer);

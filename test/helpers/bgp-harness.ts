/**
 * A loopback BGP harness for tests: a net.Server that runs acceptTunnelSession on every connection and
 * records what the observer sees, and a raw peer that speaks bytes over a net.Socket.
 */
import net from 'node:net';
import { once } from 'node:events';
import { acceptTunnelSession } from '../../src/bgp/session';
import type { PeerInfo, RouteUpdate, SessionDownReason, TunnelSession, TunnelSessionSettings } from '../../src/bgp/session-api';
import { StreamDecoder, type Frame } from '../../src/bgp/stream-decoder';

export interface Recorded {
  established: PeerInfo[];
  updates: RouteUpdate[];
  refreshes: number;
  downs: SessionDownReason[];
}

export interface Harness {
  port: number;
  sessions: TunnelSession[];
  seen: Recorded;
  /** resolves once `predicate(seen)` holds (polled), or rejects after `timeoutMs` */
  until(predicate: (seen: Recorded) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /** makes observer.update asynchronous: the session must wait for it */
  onUpdate?: (update: RouteUpdate) => Promise<void> | void;
  onEstablished?: (session: TunnelSession, peer: PeerInfo) => void;
  onRefresh?: (session: TunnelSession) => void;
  host?: string;
  /** listen port; 0 (any free port) by default */
  port?: number;
}

export async function startHarness(settings: TunnelSessionSettings, options: HarnessOptions = {}): Promise<Harness> {
  const seen: Recorded = { established: [], updates: [], refreshes: 0, downs: [] };
  const sessions: TunnelSession[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const session: TunnelSession = acceptTunnelSession(socket, settings, {
      established: (peer) => {
        seen.established.push(peer);
        options.onEstablished?.(session, peer);
      },
      update: (update) => {
        seen.updates.push(update);
        return options.onUpdate?.(update);
      },
      refreshRequested: () => {
        seen.refreshes++;
        options.onRefresh?.(session);
      },
      down: (reason) => {
        seen.downs.push(reason);
      },
    });
    sessions.push(session);
  });
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    sessions,
    seen,
    until: (predicate, timeoutMs = 10000, what = 'condition') => waitFor(() => predicate(seen), timeoutMs, what),
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A peer that writes raw bytes and reads messages back. */
export class RawPeer {
  readonly socket: net.Socket;
  private readonly decoder = new StreamDecoder();
  private readonly frames: Frame[] = [];
  closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk);
      for (let item = this.decoder.next(); item?.ok; item = this.decoder.next()) this.frames.push({ type: item.frame.type, body: Buffer.from(item.frame.body) });
    });
    socket.on('error', () => undefined);
    socket.on('close', () => { this.closed = true; });
  }

  static async connect(port: number, localAddress = '127.0.0.2'): Promise<RawPeer> {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    await once(socket, 'connect');
    return new RawPeer(socket);
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** the next message received, waiting up to `timeoutMs` */
  async next(timeoutMs = 5000): Promise<Frame> {
    await waitFor(() => this.frames.length > 0 || this.closed, timeoutMs, 'a message from the session');
    const frame = this.frames.shift();
    if (frame === undefined) throw new Error('connection closed without a message');
    return frame;
  }

  /** skips KEEPALIVEs */
  async nextNonKeepalive(timeoutMs = 5000): Promise<Frame> {
    for (;;) {
      const frame = await this.next(timeoutMs);
      if (frame.type !== 4) return frame;
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    await waitFor(() => this.closed, timeoutMs, 'the session to close the connection');
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/**
 * Where a tunnel's session listens, and the TCP listener itself. A port that cannot be bound is reported
 * (admin view, log) and never stops the server.
 */
import net from 'node:net';
import os from 'node:os';

export interface ListenAddress {
  host: string;
  port: number;
}

/** True when `address` is configured on one of this host's (or network namespace's) interfaces. */
export function isLocalAddress(address: string): boolean {
  return Object.values(os.networkInterfaces()).some((list) => (list ?? []).some((i) => i.address === address));
}

/** Binds host:port; resolves with the server, or rejects with the bind error. */
export function listen(at: ListenAddress, onSocket: (socket: net.Socket) => void): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ noDelay: true }, onSocket);
    server.once('error', reject);
    server.listen({ host: at.host, port: at.port, exclusive: true }, () => {
      server.off('error', reject);
      // Accept errors after bind (EMFILE …) are logged by the owner, never thrown.
      resolve(server);
    });
  });
}

export function closeListener(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

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

/**
 * Stops accepting. Does not wait for accepted sockets: those are sessions the speaker closes itself (with the
 * right Cease), and net.Server.close() would otherwise wait for them.
 */
export function closeListener(server: net.Server): void {
  server.close();
}

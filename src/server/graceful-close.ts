/**
 * Graceful shutdown of the HTTP listener: stop accepting, let the requests in flight finish (their answers
 * say `connection: close`), close idle keep-alive connections at once, and cut whatever is still running
 * when the bound (`--shutdown-timeout-ms`) is reached.
 */
import type http from 'node:http';

export interface InFlightTracker {
  /** requests received and not yet answered */
  count(): number;
  /** Resolves when no request is in flight. */
  drained(): Promise<void>;
  /** From now on every answer closes its connection. */
  startClosing(): void;
}

export function trackInFlight(server: http.Server): InFlightTracker {
  let inFlight = 0;
  let closing = false;
  let waiters: Array<() => void> = [];
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    inFlight++;
    if (closing) res.setHeader('connection', 'close');
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) {
        for (const wake of waiters) wake();
        waiters = [];
      }
    });
  };
  server.on('request', onRequest);
  server.on('checkContinue', onRequest); // requests with Expect: 100-continue do not emit 'request'
  return {
    count: () => inFlight,
    drained: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    startClosing: () => {
      closing = true;
    },
  };
}

/** Closes `server` gracefully within `graceMs`; resolves once every connection is gone. */
export async function closeGracefully(server: http.Server, tracker: InFlightTracker, graceMs: number): Promise<void> {
  tracker.startClosing();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([tracker.drained(), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
  clearTimeout(timer);
  server.closeAllConnections();
  await closed;
}

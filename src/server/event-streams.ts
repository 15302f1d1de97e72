/**
 * Streamed answers (Server-Sent Events) in the HTTP shell: the pipeline has answered 200 with a body that is
 * written over time (StreamedBody); this writes it with back-pressure until the body ends, the client leaves
 * or the server closes (graceful shutdown ends every open stream first, so in-flight requests can drain).
 */
import type http from 'node:http';
import type { Logger } from 'pino';
import type { StreamedBody } from '../pop/render';

export class OpenStreams {
  private readonly open = new Set<AbortController>();
  private closed = false;

  get count(): number {
    return this.open.size;
  }

  serve(res: http.ServerResponse, status: number, headers: Record<string, string>, body: StreamedBody, logger: Logger): void {
    const abort = new AbortController();
    if (this.closed) abort.abort(); // started while the server closes: the head, then the end at once
    this.open.add(abort);
    res.once('close', () => abort.abort());
    // no-transform / no buffering: proxies must pass each event on as it comes
    res.writeHead(status, { ...headers, 'content-type': body.contentType, 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    const write = (chunk: string) =>
      new Promise<void>((resolve) => {
        if (abort.signal.aborted || res.write(chunk)) return resolve();
        const done = () => {
          res.off('drain', done);
          abort.signal.removeEventListener('abort', done);
          resolve();
        };
        res.on('drain', done);
        abort.signal.addEventListener('abort', done);
      });
    body.pump(write, abort.signal)
      .catch((err: unknown) => logger.warn({ err }, 'a streamed answer ended with an error'))
      .finally(() => {
        this.open.delete(abort);
        res.end();
      });
  }

  /** Ends every open stream (server closing): clients reconnect elsewhere with Last-Event-ID. */
  closeAll(): void {
    this.closed = true;
    for (const abort of this.open) abort.abort();
  }
}

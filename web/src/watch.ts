/**
 * WatchVcoRouteChanges over fetch + ReadableStream (EventSource cannot send the signed headers). Each
 * (re)connection is a new signed GET carrying Last-Event-ID, so the server replays what was missed: no gap,
 * no duplicate. Reconnects with backoff until stopped.
 */
import { errorOf, signRequest, ApiError, type Params, VPC_VERSION } from './api';
import type { RouteChange } from './model';
import type { SigningKey } from './signer';
import { SseParser } from './sse';

export type WatchStatus = { state: 'connecting' } | { state: 'live' } | { state: 'retrying'; inMs: number; error?: ApiError } | { state: 'stopped'; error: ApiError };

export interface WatchOptions {
  key: SigningKey;
  params: Params;
  /** resume after this event (e.g. the newest one the page already shows) */
  lastEventId?: string;
  onEvent(change: RouteChange): void;
  onStatus(status: WatchStatus): void;
}

const MAX_BACKOFF_MS = 15_000;

/** Starts watching; returns stop(). Client errors (4xx: no permission, bad parameters) stop it; others retry. */
export function watchRouteChanges(options: WatchOptions): () => void {
  const abort = new AbortController();
  let lastEventId = options.lastEventId;
  let backoff = 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const connect = async (): Promise<void> => {
    options.onStatus({ state: 'connecting' });
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
      const { url, init } = await signRequest(options.key, 'GET', 'WatchVcoRouteChanges', VPC_VERSION, options.params, headers);
      const res = await fetch(url, { ...init, signal: abort.signal });
      if (!res.ok) {
        const error = await errorOf(res);
        if (res.status >= 400 && res.status < 500 && !error.code.includes('Throttling')) {
          options.onStatus({ state: 'stopped', error });
          return;
        }
        throw error;
      }
      options.onStatus({ state: 'live' });
      backoff = 1000;
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const ev of parser.feed(value)) {
          if (ev.id !== undefined) lastEventId = ev.id;
          if (ev.event !== 'route-change') continue;
          options.onEvent(JSON.parse(ev.data) as RouteChange);
        }
      }
      throw new ApiError(0, 'StreamClosed', 'The server closed the stream.', '');
    } catch (err) {
      if (abort.signal.aborted) return;
      const inMs = backoff;
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      options.onStatus({ state: 'retrying', inMs, error: err instanceof ApiError ? err : new ApiError(0, 'NetworkError', String((err as Error).message), '') });
      timer = setTimeout(() => void connect(), inMs);
    }
  };
  void connect();
  return () => {
    abort.abort();
    if (timer !== undefined) clearTimeout(timer);
  };
}

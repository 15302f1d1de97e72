/**
 * Watching a connection's changes (WatchVcoRouteChanges, the admin watch): each watcher polls the store after
 * its own cursor every POLL_MS, so a change committed through any server on the same database reaches every
 * watcher, in EventId order; event IDs follow commit order (store.ts), so a cursor never passes a change that
 * commits late. A bounded number of watchers per server; the HTTP shell ends every stream on shutdown.
 */
import type { Store } from '../store/store';
import { routeChangeEvent, SSE_CONTENT_TYPE, SSE_KEEP_ALIVE, sseFrame } from './events';
import { storeQuery, type RouteChangeFilter } from './filter';

/** How often a watcher looks for new changes (the latency of a change made through another server). */
export const POLL_MS = 250;
/** A comment line this often keeps proxies and clients from timing an idle stream out. */
export const KEEP_ALIVE_MS = 15_000;
/** Changes read per store call while catching up. */
const BATCH = 500;

/** Writes a chunk of the response body; resolves when the client may take more (back-pressure). */
export type StreamWrite = (chunk: string) => Promise<void>;

export interface WatchStream {
  contentType: string;
  /** Writes events until `signal` aborts (client gone, server closing) or the store fails. */
  pump(write: StreamWrite, signal: AbortSignal): Promise<void>;
}

export class TooManyWatchersError extends Error {
  constructor(max: number) {
    super(`this server holds ${max} route-change watches already (--route-history-max-watchers); retry later or use another server`);
    this.name = 'TooManyWatchersError';
  }
}

export class RouteChangeFeed {
  private watchers = 0;

  constructor(private readonly store: Store, private readonly maxWatchers: number, private readonly pollMs = POLL_MS) {}

  get active(): number {
    return this.watchers;
  }

  /**
   * A watch of one connection's changes matching `filter`: first every stored change after `resumeAfter`, then
   * live ones; without `resumeAfter`, live ones only (from the last change committed now). Takes a watcher slot
   * at once (TooManyWatchersError when none is free), given back when the pump ends.
   */
  async open(connectionId: string, filter: RouteChangeFilter, resumeAfter: number | undefined): Promise<WatchStream> {
    if (this.watchers >= this.maxWatchers) throw new TooManyWatchersError(this.maxWatchers);
    this.watchers++;
    let released = false;
    const release = () => {
      if (!released) this.watchers--;
      released = true;
    };
    let cursor: number;
    try {
      cursor = resumeAfter ?? (await this.store.listRouteChanges({ connectionId, order: 'desc', limit: 1 }))[0]?.eventId ?? 0;
    } catch (err) {
      release();
      throw err;
    }
    const store = this.store;
    const pollMs = this.pollMs;
    return {
      contentType: SSE_CONTENT_TYPE,
      async pump(write, signal) {
        try {
          let quietSince = Date.now();
          while (!signal.aborted) {
            const batch = await store.listRouteChanges(storeQuery(connectionId, filter, { order: 'asc', limit: BATCH, afterEventId: cursor }));
            for (const change of batch) {
              if (signal.aborted) return;
              await write(sseFrame(routeChangeEvent(change)));
              cursor = change.eventId;
              quietSince = Date.now();
            }
            if (batch.length === BATCH) continue;
            if (Date.now() - quietSince >= KEEP_ALIVE_MS) {
              await write(SSE_KEEP_ALIVE);
              quietSince = Date.now();
            }
            await sleep(pollMs, signal);
          }
        } finally {
          release();
        }
      },
    };
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

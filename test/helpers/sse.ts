/**
 * A real Server-Sent Events client for tests: node's fetch reading the response body stream, parsing events
 * (id, event, data; comment lines skipped) as they arrive. Disconnecting aborts the request.
 */
export interface SseEvent {
  id: string;
  event: string;
  data: string;
}

export interface SseStream {
  status: number;
  contentType: string;
  /** the next event; rejects after `timeoutMs`, or when the stream ends first */
  next(timeoutMs?: number): Promise<SseEvent>;
  /** resolves when the server ends the stream */
  ended(timeoutMs?: number): Promise<void>;
  /** comment lines seen (e.g. keep-alive) */
  comments: string[];
  disconnect(): void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const queue: SseEvent[] = [];
  const comments: string[] = [];
  let waiting: (() => void) | undefined;
  let done = false;
  const wake = () => {
    waiting?.();
    waiting = undefined;
  };
  void (async () => {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const e: SseEvent = { id: '', event: 'message', data: '' };
          let isEvent = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            const m = /^(id|event|data): ?(.*)$/.exec(line);
            if (!m) continue;
            isEvent = true;
            if (m[1] === 'data') e.data = e.data === '' ? m[2]! : `${e.data}\n${m[2]}`;
            else e[m[1] as 'id' | 'event'] = m[2]!;
          }
          if (isEvent) queue.push(e);
        }
        wake();
      }
    } catch {
      // aborted by disconnect()
    } finally {
      done = true;
      wake();
    }
  })();
  const waitFor = async <T>(ready: () => T | undefined, timeoutMs: number, what: string): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = ready();
      if (v !== undefined) return v;
      if (Date.now() >= deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        waiting = resolve;
        setTimeout(resolve, Math.max(1, deadline - Date.now()));
      });
    }
  };
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    comments,
    next: (timeoutMs = 5000) => waitFor(() => {
      if (queue.length > 0) return queue.shift()!;
      if (done) throw new Error('the stream ended');
      return undefined;
    }, timeoutMs, 'an event'),
    ended: (timeoutMs = 5000) => waitFor(() => (done ? true : undefined), timeoutMs, 'the end of the stream').then(() => undefined),
    disconnect: () => abort.abort(),
  };
}

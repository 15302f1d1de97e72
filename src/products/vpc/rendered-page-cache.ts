/**
 * An in-process LRU of rendered DescribeVcoRouteEntries pages, bounded by bytes. It only ever answers for the
 * key it is given; the caller's key includes the connection's routes version, read from the store on every
 * request, so an entry can never be served after the routes it shows have changed (on this server or any
 * other sharing the store): a route change moves the version on, and the old entries are never asked for
 * again and age out.
 */

/** Per-entry bookkeeping beyond the two strings (Map slot, string headers), a rough figure. */
const ENTRY_OVERHEAD_BYTES = 96;

export class RenderedPageCache {
  private readonly entries = new Map<string, string>();
  private bytes = 0;

  constructor(readonly maxBytes: number) {}

  get(key: string): string | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    // Most recently used last.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: string): void {
    const size = entrySize(key, value);
    if (size > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.bytes -= entrySize(key, old);
    }
    this.entries.set(key, value);
    this.bytes += size;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= entrySize(k, v);
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  get usedBytes(): number {
    return this.bytes;
  }
}

/** Rendered pages are ASCII (V8 one-byte strings); anything else counts two bytes a character. */
function entrySize(key: string, value: string): number {
  return key.length + value.length * (isOneByte(value) ? 1 : 2) + ENTRY_OVERHEAD_BYTES;
}

function isOneByte(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[^\x00-\xff]/.test(s);
}

/**
 * An in-process LRU of rendered DescribeVcoRouteEntries pages, bounded by bytes. It only ever answers for the
 * key it is given; the caller's key includes the connection's routes version, read from the store on every
 * request, so an entry can never be served after the routes it shows have changed (on this server or any
 * other sharing the store): a route change moves the version on, and the old entries are never asked for
 * again and age out.
 */

/** Per-entry bookkeeping beyond the key and the bytes (Map slot, Buffer object, headers), a rough figure. */
const ENTRY_OVERHEAD_BYTES = 160;

/**
 * Pages are kept as UTF-8 bytes outside the V8 heap: under churn (more pages than fit, e.g. random
 * connections), evicted pages would otherwise pile up in the old generation between major collections and
 * inflate RSS far beyond the bound.
 */
export class RenderedPageCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  constructor(readonly maxBytes: number) {}

  /** The page's UTF-8 bytes (shared: never to be written to). */
  get(key: string): Buffer | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    // Most recently used last.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, text: string): void {
    // Unpooled: a small pooled Buffer would keep its whole 8 KiB pool slab alive.
    const value = Buffer.allocUnsafeSlow(Buffer.byteLength(text, 'utf8'));
    value.write(text, 'utf8');
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

function entrySize(key: string, value: Buffer): number {
  return 2 * key.length + value.length + ENTRY_OVERHEAD_BYTES;
}

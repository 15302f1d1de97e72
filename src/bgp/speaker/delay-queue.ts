/**
 * Items applied in arrival order, each not before its due time (a BGP delay fault on received UPDATEs). The
 * session keeps reading — KEEPALIVEs still reset the hold timer — while the queue is short; past a limit the
 * caller waits (whenBelow) and back-pressure reaches the peer through TCP, so the queue stays bounded.
 */
export class DelayQueue<T> {
  private readonly items: Array<{ item: T; dueAt: number }> = [];
  private running = false;
  private cleared = false;
  private waiters: Array<{ limit: number; resolve: () => void }> = [];

  constructor(private readonly apply: (item: T) => void | Promise<void>, private readonly onError: (err: unknown) => void) {}

  get size(): number {
    return this.items.length;
  }

  /** Queues `item` for `dueAt` (epoch ms); never before an item queued earlier. */
  push(item: T, dueAt: number): void {
    if (this.cleared) return;
    const last = this.items[this.items.length - 1];
    this.items.push({ item, dueAt: last ? Math.max(dueAt, last.dueAt) : dueAt });
    if (!this.running) void this.run();
  }

  /** Resolves once fewer than `limit` items wait (or the queue was cleared). */
  whenBelow(limit: number): Promise<void> {
    if (this.items.length < limit || this.cleared) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ limit, resolve }));
  }

  /** Drops whatever waits; nothing more is applied (the session is over). */
  clear(): void {
    this.cleared = true;
    this.items.length = 0;
    this.release();
  }

  private release(): void {
    const ready = this.waiters.filter((w) => this.cleared || this.items.length < w.limit);
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  /** Waits until the first item is due; false when the queue was cleared meanwhile. */
  private async headDue(): Promise<boolean> {
    for (;;) {
      if (this.cleared) return false;
      const wait = this.items[0]!.dueAt - Date.now();
      if (wait <= 0) return true;
      // A timer may fire a millisecond early by Date.now(): the loop waits again until the item is due.
      await new Promise((resolve) => setTimeout(resolve, wait).unref());
    }
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.items.length > 0 && !this.cleared) {
        if (!(await this.headDue())) break;
        const { item } = this.items.shift()!;
        try {
          await this.apply(item);
        } catch (err) {
          this.onError(err);
        }
        this.release();
      }
    } finally {
      this.running = false;
    }
  }
}

/**
 * Rows that every signed request reads (access keys, RAM users and their keys, RAM generations, connections
 * with their routes version and tunnels), kept in memory for as long as the database file is unchanged.
 *
 * "Unchanged" is checked before cached reads:
 *   - `data_version` moves whenever ANY other connection — another server process on the same file included —
 *     has committed since this connection last looked (https://sqlite.org/pragma.html#pragma_data_version);
 *     it is read again by the first cached read after each request's arrival (Store.requestArrived), so a
 *     commit made anywhere before a request arrived is seen by that request, and at least once per turn of
 *     the event loop for work that is not a request;
 *   - `total_changes()` counts every row this connection wrote, whatever the path (store methods, triggers,
 *     rolled-back writes too: over-counting only empties the cache); the rows written by the nonce group commit,
 *     which no cached read depends on, are subtracted (`ignoreOwnChanges`), so answering requests does not
 *     empty the cache.
 * Any change empties the whole cache: a revoked key, a changed policy (RAM generation) or a route change
 * (routes version) is seen by the next read in every process. What is cached are the raw rows; callers build
 * fresh records from them each time, so no record is ever shared between requests.
 */
import type Database from 'better-sqlite3';

/**
 * Bound on cached reads (≈ 1.5–2 KB of heap each for a connection with tunnels): the hot set of a server (its
 * keys, the connections polled often). Over it, the oldest entry goes. 16,384 cost ≈ 28 MB of RSS on the
 * 10,000-connection benchmark, over its 256 MB bound; 2,048 cost ≈ 4 MB.
 */
const MAX_ENTRIES = 2_048;

export class ValidatedReadCache {
  /**
   * Every open cache of this process. Another connection in the same process (tests, tools: the server has
   * one) can commit and be awaited within one turn of the event loop, before data_version is read again:
   * its write count (total_changes() less its nonces, a statement that touches no table) is looked at on
   * every read instead.
   */
  private static readonly open = new Set<ValidatedReadCache>();
  private othersSeen = 0;
  private readonly dataVersionOf: Database.Statement;
  private readonly totalChangesOf: Database.Statement;
  private dataVersion = -1;
  private ownChanges = -1;
  private ignored = 0;
  /** data_version was read since the last request arrived and in this turn of the event loop */
  private versionChecked = false;
  private readonly rows = new Map<string, unknown>();

  constructor(db: Database.Database) {
    // Two statements: the pragma's table-valued form costs three times as much. data_version takes the WAL
    // read lock (a system call), total_changes() touches nothing.
    this.dataVersionOf = db.prepare('PRAGMA data_version').pluck();
    this.totalChangesOf = db.prepare('SELECT total_changes()').pluck();
    ValidatedReadCache.open.add(this);
  }

  /** Before the connection closes. */
  close(): void {
    ValidatedReadCache.open.delete(this);
  }

  private ownWrites(): number {
    return (this.totalChangesOf.get() as number) - this.ignored;
  }

  /** Rows this connection wrote that no cached read depends on (the nonces of a group commit). */
  ignoreOwnChanges(rows: number): void {
    this.ignored += rows;
  }

  /**
   * A request has arrived (every byte of it): the next read must look for other processes' commits again.
   * Between arrivals, data_version is read once per turn of the event loop (background work sees commits made
   * before its turn); this process's own writes are looked for on every read.
   */
  requestArrived(): void {
    this.versionChecked = false;
  }

  private readonly nextTurn = (): void => {
    this.versionChecked = false;
  };

  /** The cached result of `load` under `key` (a statement's name and its arguments), if the file is unchanged. */
  read<T>(key: string, load: () => T): T {
    const own = this.ownWrites();
    if (ValidatedReadCache.open.size > 1) {
      let others = 0;
      for (const cache of ValidatedReadCache.open) {
        if (cache === this) continue;
        try {
          others += cache.ownWrites();
        } catch {
          ValidatedReadCache.open.delete(cache); // its connection was closed without close()
        }
      }
      if (others !== this.othersSeen) {
        this.othersSeen = others;
        this.versionChecked = false;
      }
    }
    let version = this.dataVersion;
    if (!this.versionChecked) {
      version = this.dataVersionOf.get() as number;
      this.versionChecked = true;
      setImmediate(this.nextTurn);
    }
    if (version !== this.dataVersion || own !== this.ownChanges) {
      this.rows.clear();
      this.dataVersion = version;
      this.ownChanges = own;
    } else {
      const hit = this.rows.get(key);
      if (hit !== undefined || this.rows.has(key)) return hit as T;
    }
    const value = load();
    if (this.rows.size >= MAX_ENTRIES) this.rows.delete(this.rows.keys().next().value as string);
    this.rows.set(key, value);
    return value;
  }
}

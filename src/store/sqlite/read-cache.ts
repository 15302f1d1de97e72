/**
 * Rows that every signed request reads (access keys, RAM users and their keys, RAM generations, connections
 * with their routes version and tunnels), kept in memory for as long as the database file is unchanged.
 *
 * "Unchanged" is checked before every cached read with one statement that touches no table:
 *   - `data_version` moves whenever ANY other connection — another server process on the same file included —
 *     has committed since this connection last looked (https://sqlite.org/pragma.html#pragma_data_version);
 *   - `total_changes()` counts every row this connection wrote, whatever the path (store methods, triggers,
 *     rolled-back writes too: over-counting only empties the cache); the rows written by the nonce group commit,
 *     which no cached read depends on, are subtracted (`ignoreOwnChanges`), so answering requests does not
 *     empty the cache.
 * Any change empties the whole cache: a revoked key, a changed policy (RAM generation) or a route change
 * (routes version) is seen by the next read in every process. What is cached are the raw rows; callers build
 * fresh records from them each time, so no record is ever shared between requests.
 */
import type Database from 'better-sqlite3';

/** Bound on cached reads (≈ 1 KB each for a connection with tunnels); over it, the cache starts again. */
const MAX_ENTRIES = 16_384;

export class ValidatedReadCache {
  private readonly stamp: Database.Statement;
  private dataVersion = -1;
  private ownChanges = -1;
  private ignored = 0;
  private readonly rows = new Map<string, unknown>();

  constructor(db: Database.Database) {
    this.stamp = db.prepare('SELECT data_version, total_changes() FROM pragma_data_version').raw();
  }

  /** Rows this connection wrote that no cached read depends on (the nonces of a group commit). */
  ignoreOwnChanges(rows: number): void {
    this.ignored += rows;
  }

  /** The cached result of `load` under `key` (a statement's name and its arguments), if the file is unchanged. */
  read<T>(key: string, load: () => T): T {
    const [version, total] = this.stamp.get() as [number, number];
    const own = total - this.ignored;
    if (version !== this.dataVersion || own !== this.ownChanges) {
      this.rows.clear();
      this.dataVersion = version;
      this.ownChanges = own;
    } else {
      const hit = this.rows.get(key);
      if (hit !== undefined || this.rows.has(key)) return hit as T;
    }
    const value = load();
    if (this.rows.size >= MAX_ENTRIES) this.rows.clear();
    this.rows.set(key, value);
    return value;
  }
}

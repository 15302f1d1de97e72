/**
 * The shared store: PostgreSQL through the pg driver and one connection pool per process. Several vcoroute
 * servers may run on one database; everything that must be global is decided by the database:
 *   - nonces and ClientTokens: one INSERT … ON CONFLICT … DO UPDATE … WHERE statement each, so of two
 *     servers racing on one nonce or token exactly one wins;
 *   - routes: every change to a connection's routes first locks the connection row (SELECT … FOR UPDATE),
 *     which serialises sequence numbers, block counts and per-(type, source) counts per connection;
 *   - connection state transitions: one conditional UPDATE (the row is re-checked after a concurrent writer).
 * There is no in-process cache. Semantics mirror sqlite/sqlite-store.ts exactly; both run
 * test/contract/store.test.ts.
 *
 * SQL used beyond SQL-92 (the portable subset; see migrations.ts for the DDL): INSERT … ON CONFLICT (…)
 * DO UPDATE SET … WHERE / DO NOTHING, DELETE … RETURNING, SELECT … FOR UPDATE / FOR SHARE, multi-row
 * VALUES, LIMIT/OFFSET, BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY, pg_advisory_lock/unlock (migrations
 * only), ORDER BY … COLLATE "C" (byte order for ID tie-breaks, as SQLite sorts).
 */
import type { QueryConfig } from 'pg';
import type {
  AccessKeyRecord, BgpSource, ConnectionFilter, ConnectionRecord, ConnectionTransition, CustomerGatewayRecord, IdempotencyRecord,
  KeyedRoute, RouteCount, RouteEntryType, RouteFilter, RouteRecord, RouteWriteGuard, Store,
} from '../store';
import { StoreConflictError } from '../store';
import { blockOf, locateOffset, type BlockCount } from '../route-blocks';
import { PgDatabase, chunks, placeholders, type PostgresOptions, type Sql } from './db';
import { PG_MIGRATIONS } from './migrations';
import { PG_RAM_TABLES, PgRamTables } from './postgres-ram';
import { PgVpnTables } from './postgres-vpn';
import type { RamEntityKind, RamEntityRecord, RamLinkKind, RamLinkRecord, StsSessionRecord, UserAccessKeyRecord } from '../ram-records';
import { type RouteRow, ROUTE_COLUMNS, toRoute } from '../sql-rows';

export type { PostgresOptions } from './db';




/** Key of the session-level advisory lock that serialises migrations across servers ("vcoroute" in ASCII, truncated). */
export const MIGRATION_LOCK_KEY = '8526676432561124';
/** Migrations may wait for another server's migrations and run DDL: longer than the per-query bound. */
const MIGRATION_TIMEOUT_MS = 120_000;

/** Applies pending migrations under pg_advisory_lock; safe when several servers start at once. Returns the schema version. */
export async function migratePostgres(db: PgDatabase): Promise<number> {
  const latest = PG_MIGRATIONS.length === 0 ? 0 : PG_MIGRATIONS[PG_MIGRATIONS.length - 1]!.version;
  await db.session(async (client) => {
    // pg honours a per-query query_timeout (not in its typings).
    const q = (text: string, values?: unknown[]) =>
      client.query<{ version: number }>({ text, values, query_timeout: MIGRATION_TIMEOUT_MS } as QueryConfig);
    await q(`SET statement_timeout = ${MIGRATION_TIMEOUT_MS}`);
    await q('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await q('CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)');
      const applied = new Set((await q('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
      for (const m of PG_MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await q('BEGIN');
        try {
          await q(m.sql);
          await q('INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)', [m.version, m.description, Date.now()]);
          await q('COMMIT');
        } catch (err) {
          await q('ROLLBACK').catch(() => undefined);
          throw err;
        }
      }
    } finally {
      await q('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  });
  return latest;
}

interface PlannedRoute {
  seq: number;
  key: string;
  route: RouteRecord;
}

export class PostgresStore implements Store {
  readonly backend = 'postgres';
  private readonly vpn: PgVpnTables;
  private readonly ram: PgRamTables;

  private constructor(private readonly db: PgDatabase) {
    this.vpn = new PgVpnTables(db);
    this.ram = new PgRamTables(db);
  }

  /** Connects, applies migrations (under an advisory lock) and returns the store. */
  static async open(options: PostgresOptions): Promise<PostgresStore> {
    const db = new PgDatabase(options);
    try {
      await migratePostgres(db);
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
    return new PostgresStore(db);
  }

  async close(): Promise<void> {
    if (this.pendingNonces.length > 0) await this.flushNonces();
    await this.db.close();
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  // ---- identities ----

  async upsertAccount(accountId: string, now: number): Promise<void> {
    await this.db.query('INSERT INTO accounts (account_id, created_at) VALUES ($1, $2) ON CONFLICT (account_id) DO NOTHING', [accountId, now]);
  }

  async hasAccount(accountId: string): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM accounts WHERE account_id = $1', [accountId])).rows.length > 0;
  }

  async getRamGeneration(accountId: string): Promise<number> {
    const rows = (await this.db.query('SELECT ram_generation FROM accounts WHERE account_id = $1', [accountId])).rows as { ram_generation: string }[];
    return rows.length === 0 ? 0 : Number(rows[0]!.ram_generation);
  }

  async bumpRamGeneration(accountId: string): Promise<void> {
    await this.db.query('UPDATE accounts SET ram_generation = ram_generation + 1 WHERE account_id = $1', [accountId]);
  }

  async upsertAccessKey(key: AccessKeyRecord, now: number): Promise<void> {
    await this.db.query(
      `INSERT INTO access_keys (access_key_id, account_id, secret, status, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (access_key_id) DO UPDATE SET account_id = EXCLUDED.account_id, secret = EXCLUDED.secret, status = EXCLUDED.status`,
      [key.accessKeyId, key.accountId, key.secret, key.status, now],
    );
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const row = (
      await this.db.prepared<{ access_key_id: string; account_id: string; secret: string; status: AccessKeyRecord['status'] }>(
        'vcoroute_get_access_key',
        'SELECT access_key_id, account_id, secret, status FROM access_keys WHERE access_key_id = $1',
        [accessKeyId],
      )
    ).rows[0];
    return row && { accessKeyId: row.access_key_id, accountId: row.account_id, secret: row.secret, status: row.status };
  }

  // ---- replay protection ----

  /**
   * Group commit, as SqliteStore does: the nonces of the requests that reach this point in one turn of the
   * event loop go to the database in one statement (one round trip, one commit), and each caller learns its
   * answer only after that commit. One INSERT … ON CONFLICT … DO UPDATE … WHERE per batch: of two servers
   * racing on one nonce, the second waits for the first and sees its row; RETURNING names the fresh ones.
   * A nonce twice in one batch: the first is decided by the database, the later ones are used.
   */
  useNonce(accessKeyId: string, nonce: string, expiresAt: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      if (this.pendingNonces.length === 0) setImmediate(() => void this.flushNonces());
      this.pendingNonces.push({ accessKeyId, nonce, expiresAt, resolve, reject });
    });
  }

  private pendingNonces: { accessKeyId: string; nonce: string; expiresAt: number; resolve(fresh: boolean): void; reject(err: unknown): void }[] = [];

  private async flushNonces(): Promise<void> {
    const batch = this.pendingNonces;
    this.pendingNonces = [];
    const first = new Map<string, (typeof batch)[number]>();
    for (const n of batch) {
      const id = JSON.stringify([n.accessKeyId, n.nonce]);
      if (!first.has(id)) first.set(id, n);
    }
    const unique = [...first.values()];
    let fresh: Set<string>;
    try {
      fresh = new Set<string>();
      for (const part of chunks(unique, 3)) {
        const values: unknown[] = [Date.now()];
        const tuples = part.map((n) => {
          values.push(n.accessKeyId, n.nonce, n.expiresAt);
          return `(${placeholders(values.length - 2, 3)})`;
        });
        const r = await this.db.query<{ access_key_id: string; nonce: string }>(
          `INSERT INTO request_nonces (access_key_id, nonce, expires_at) VALUES ${tuples.join(', ')}
           ON CONFLICT (access_key_id, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE request_nonces.expires_at < $1
           RETURNING access_key_id, nonce`,
          values,
        );
        for (const row of r.rows) fresh.add(JSON.stringify([row.access_key_id, row.nonce]));
      }
    } catch (err) {
      for (const n of batch) n.reject(err);
      return;
    }
    for (const n of batch) {
      const id = JSON.stringify([n.accessKeyId, n.nonce]);
      n.resolve(first.get(id) === n && fresh.has(id));
    }
  }

  async pruneNonces(now: number): Promise<number> {
    return (await this.db.query('DELETE FROM request_nonces WHERE expires_at < $1', [now])).rowCount ?? 0;
  }

  // ---- idempotency (ClientToken) ----

  async claimClientToken(accountId: string, token: string, fingerprint: string, now: number, notBefore: number, stalePendingBefore = notBefore): Promise<IdempotencyRecord | undefined> {
    // A record deleted between the two statements (released by its owner) is claimed again, a few times at most.
    for (let attempt = 0; attempt < 3; attempt++) {
      const claimed = await this.db.query(
        `INSERT INTO client_tokens (account_id, client_token, fingerprint, response_status, response_body, created_at)
         VALUES ($1, $2, $3, NULL, NULL, $4)
         ON CONFLICT (account_id, client_token) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, response_status = NULL,
           response_body = NULL, created_at = EXCLUDED.created_at
         WHERE client_tokens.created_at < $5 OR (client_tokens.response_status IS NULL AND client_tokens.created_at < $6)`,
        [accountId, token, fingerprint, now, notBefore, stalePendingBefore],
      );
      if (claimed.rowCount === 1) return undefined;
      const row = (
        await this.db.query<{ fingerprint: string; response_status: number | null; response_body: string | null; created_at: number }>(
          'SELECT fingerprint, response_status, response_body, created_at FROM client_tokens WHERE account_id = $1 AND client_token = $2',
          [accountId, token],
        )
      ).rows[0];
      if (!row) continue;
      return {
        fingerprint: row.fingerprint,
        createdAt: row.created_at,
        response: row.response_status === null ? undefined : { status: row.response_status, body: JSON.parse(row.response_body ?? '{}') },
      };
    }
    return undefined; // as SQLite: deleted in between, treat as claimed by nobody
  }

  async completeClientToken(accountId: string, token: string, response: { status: number; body: Record<string, unknown> }, claimedAt?: number): Promise<void> {
    await this.db.query(
      `UPDATE client_tokens SET response_status = $1, response_body = $2
       WHERE account_id = $3 AND client_token = $4 AND ($5::bigint IS NULL OR created_at = $5)`,
      [response.status, JSON.stringify(response.body), accountId, token, claimedAt ?? null],
    );
  }

  async releaseClientToken(accountId: string, token: string, claimedAt?: number): Promise<void> {
    await this.db.query(
      'DELETE FROM client_tokens WHERE account_id = $1 AND client_token = $2 AND response_status IS NULL AND ($3::bigint IS NULL OR created_at = $3)',
      [accountId, token, claimedAt ?? null],
    );
  }

  async pruneClientTokens(olderThan: number): Promise<number> {
    return (await this.db.query('DELETE FROM client_tokens WHERE created_at < $1', [olderThan])).rowCount ?? 0;
  }

  // ---- customer gateways and VPN connections (postgres-vpn.ts) ----

  putCustomerGateway(gateway: CustomerGatewayRecord): Promise<void> {
    return this.vpn.putGateway(gateway);
  }

  getCustomerGateway(accountId: string, customerGatewayId: string): Promise<CustomerGatewayRecord | undefined> {
    return this.vpn.getGateway(accountId, customerGatewayId);
  }

  listCustomerGateways(accountId: string, regionId: string, offset: number, limit: number, customerGatewayId?: string) {
    return this.vpn.listGateways(accountId, regionId, offset, limit, customerGatewayId);
  }

  deleteCustomerGateway(accountId: string, customerGatewayId: string): Promise<'deleted' | 'in-use' | 'missing'> {
    return this.vpn.deleteGateway(accountId, customerGatewayId);
  }

  putConnection(connection: ConnectionRecord): Promise<void> {
    return this.vpn.putConnection(connection);
  }

  async getConnection(accountId: string, connectionId: string): Promise<ConnectionRecord | undefined> {
    const c = await this.vpn.getConnection(connectionId);
    return c && c.accountId === accountId ? c : undefined;
  }

  findConnection(connectionId: string): Promise<ConnectionRecord | undefined> {
    return this.vpn.getConnection(connectionId);
  }

  listConnections(accountId: string, regionId: string, filter: ConnectionFilter, offset: number, limit: number) {
    return this.vpn.listConnections(accountId, regionId, filter, offset, limit);
  }

  updateConnection(c: ConnectionRecord, expectedRevision: number): Promise<boolean> {
    return this.vpn.updateConnection(c, expectedRevision);
  }

  transitionConnection(connectionId: string, fromStates: readonly string[], transition: ConnectionTransition, now: number): Promise<boolean> {
    return this.vpn.transition(connectionId, fromStates, transition, now);
  }

  async deleteConnection(connectionId: string, expectedRevision?: number): Promise<boolean> {
    return this.db.tx(async (sql) => {
      // The connection row first, as every route change does: no deadlock with a concurrent upsert.
      const locked = await sql.query<{ revision: string }>('SELECT revision FROM vpn_connections WHERE connection_id = $1 FOR UPDATE', [connectionId]);
      if (expectedRevision !== undefined && (locked.rows.length === 0 || Number(locked.rows[0]!.revision) !== expectedRevision)) return false;
      for (const table of ['vco_routes', 'vco_route_blocks', 'vco_route_counts', 'vpn_tunnels']) {
        await sql.query(`DELETE FROM ${table} WHERE connection_id = $1`, [connectionId]);
      }
      const deleted = (await sql.query('DELETE FROM vpn_connections WHERE connection_id = $1', [connectionId])).rowCount === 1;
      if (deleted) await this.bumpRoutesVersion(sql, connectionId);
      return deleted;
    });
  }

  /** Moves the connection's routes version on; in the transaction of the change, after the connection row is locked. */
  private async bumpRoutesVersion(sql: Sql, connectionId: string): Promise<void> {
    await sql.query(
      `INSERT INTO vco_route_versions (connection_id, routes_version) VALUES ($1, 1)
       ON CONFLICT (connection_id) DO UPDATE SET routes_version = vco_route_versions.routes_version + 1`,
      [connectionId],
    );
  }

  // ---- Vco routes ----

  /** Locks the connection row for the rest of the transaction; its next sequence number, or undefined. */
  /** Locks the connection row for a route change; with a guard, its stored state must be the guard's (else StoreConflictError). */
  private async lockConnection(sql: Sql, connectionId: string, guard?: RouteWriteGuard): Promise<number | undefined> {
    const row = (await sql.query<{ next_route_seq: number; state: string }>(
      'SELECT next_route_seq, state FROM vpn_connections WHERE connection_id = $1 FOR UPDATE', [connectionId],
    )).rows[0];
    if (guard !== undefined && row?.state !== guard.whenState) {
      throw new StoreConflictError(`connection ${connectionId} is ${row?.state ?? 'gone'}, not ${guard.whenState}`);
    }
    return row?.next_route_seq;
  }

  async upsertRoutes(connectionId: string, routes: readonly KeyedRoute[]): Promise<{ inserted: number; updated: number }> {
    return this.db.tx((sql) => this.upsertRoutesIn(sql, connectionId, routes));
  }

  /** The body of upsertRoutes; runs inside the caller's transaction. Same outcome as SQLite's route-by-route loop. */
  private async upsertRoutesIn(sql: Sql, connectionId: string, routes: readonly KeyedRoute[]): Promise<{ inserted: number; updated: number }> {
    let seq = await this.lockConnection(sql, connectionId);
    if (seq === undefined) throw new StoreConflictError(`connection ${connectionId} does not exist`);

    // Sequence numbers of the routes that exist already, by type and key.
    const keysByType = new Map<RouteEntryType, Set<string>>();
    for (const { key, route } of routes) {
      let keys = keysByType.get(route.routeEntryType);
      if (!keys) keysByType.set(route.routeEntryType, (keys = new Set()));
      keys.add(key);
    }
    const existing = new Map<string, number>();
    for (const [type, keys] of keysByType) {
      for (const part of chunks([...keys], 1, 10_000)) {
        const rows = await sql.query<{ route_key: string; seq: number }>(
          `SELECT route_key, seq FROM vco_routes WHERE connection_id = $1 AND route_entry_type = $2 AND route_key IN (${placeholders(3, part.length)})`,
          [connectionId, type, ...part],
        );
        for (const r of rows.rows) existing.set(`${type}|${r.route_key}`, r.seq);
      }
    }

    // Route by route, as SQLite does: a known key is an update in place, a new key goes last.
    let inserted = 0;
    let updated = 0;
    const planned = new Map<string, PlannedRoute>();
    const blockDeltas = new Map<string, number>();
    const countDeltas = new Map<string, number>();
    for (const { key, route: r } of routes) {
      const id = `${r.routeEntryType}|${key}`;
      const known = planned.get(id);
      if (known) {
        known.route = r;
        updated++;
        continue;
      }
      const existingSeq = existing.get(id);
      if (existingSeq !== undefined) {
        planned.set(id, { seq: existingSeq, key, route: r });
        updated++;
        continue;
      }
      planned.set(id, { seq, key, route: r });
      bump(blockDeltas, `${r.routeEntryType}|${blockOf(seq)}`, 1);
      bump(countDeltas, `${r.routeEntryType}|${r.source ?? ''}`, 1);
      seq++;
      inserted++;
    }

    // One upsert per chunk on the primary key (connection, type, seq): new rows are inserted, known ones replaced.
    const WIDTH = 11;
    for (const part of chunks([...planned.values()], WIDTH, 60_000)) {
      const values: unknown[] = [connectionId];
      const tuples: string[] = [];
      for (const p of part) {
        const r = p.route;
        tuples.push(`($1, ${placeholders(values.length + 1, WIDTH)})`);
        values.push(r.routeEntryType, p.seq, p.key, r.routeDest, r.nextHop, r.weight, r.source, r.asPath === null ? null : JSON.stringify(r.asPath),
          r.community, r.nextHopTunnelIds === null ? null : JSON.stringify(r.nextHopTunnelIds), r.createTime);
      }
      await sql.query(
        `INSERT INTO vco_routes (connection_id, route_entry_type, seq, route_key, route_dest, next_hop, weight, source, as_path, community,
           next_hop_tunnel_ids, create_time) VALUES ${tuples.join(', ')}
         ON CONFLICT (connection_id, route_entry_type, seq) DO UPDATE SET route_dest = EXCLUDED.route_dest, next_hop = EXCLUDED.next_hop,
           weight = EXCLUDED.weight, source = EXCLUDED.source, as_path = EXCLUDED.as_path, community = EXCLUDED.community,
           next_hop_tunnel_ids = EXCLUDED.next_hop_tunnel_ids, create_time = EXCLUDED.create_time`,
        values,
      );
    }
    if (inserted > 0) await sql.query('UPDATE vpn_connections SET next_route_seq = $1 WHERE connection_id = $2', [seq, connectionId]);
    await this.applyDeltas(sql, connectionId, blockDeltas, countDeltas);
    if (inserted + updated > 0) await this.bumpRoutesVersion(sql, connectionId);
    return { inserted, updated };
  }

  async deleteRoutes(connectionId: string, filter: RouteFilter, guard?: RouteWriteGuard): Promise<number> {
    const where = ['connection_id = $1'];
    const args: (string | number)[] = [connectionId];
    const add = (column: string, value: string) => {
      args.push(value);
      where.push(`${column} = $${args.length}`);
    };
    if (filter.routeEntryType) add('route_entry_type', filter.routeEntryType);
    if (filter.routeDest) add('route_dest', filter.routeDest);
    if (filter.routeKey) add('route_key', filter.routeKey);
    if (filter.source) add('source', filter.source);
    return this.db.tx(async (sql) => {
      await this.lockConnection(sql, connectionId, guard);
      const rows = (
        await sql.query<{ route_entry_type: string; seq: number; source: string | null }>(
          `DELETE FROM vco_routes WHERE ${where.join(' AND ')} RETURNING route_entry_type, seq, source`,
          args,
        )
      ).rows;
      const blockDeltas = new Map<string, number>();
      const countDeltas = new Map<string, number>();
      for (const row of rows) {
        bump(blockDeltas, `${row.route_entry_type}|${blockOf(row.seq)}`, -1);
        bump(countDeltas, `${row.route_entry_type}|${row.source ?? ''}`, -1);
      }
      await this.applyDeltas(sql, connectionId, blockDeltas, countDeltas);
      if (rows.length > 0) {
        await sql.query('DELETE FROM vco_route_blocks WHERE connection_id = $1 AND route_count <= 0', [connectionId]);
        await this.bumpRoutesVersion(sql, connectionId);
      }
      return rows.length;
    });
  }

  async insertRoute(connectionId: string, route: KeyedRoute, guard?: RouteWriteGuard): Promise<boolean> {
    return this.db.tx(async (sql) => {
      await this.lockConnection(sql, connectionId, guard);
      if ((await this.routeSeq(sql, connectionId, route.route.routeEntryType, route.key)) !== undefined) return false;
      await this.upsertRoutesIn(sql, connectionId, [route]);
      return true;
    });
  }

  async findRoute(connectionId: string, routeEntryType: RouteEntryType, key: string): Promise<RouteRecord | undefined> {
    const row = (
      await this.db.query<RouteRow>(`SELECT ${ROUTE_COLUMNS} FROM vco_routes WHERE connection_id = $1 AND route_entry_type = $2 AND route_key = $3`, [
        connectionId, routeEntryType, key,
      ])
    ).rows[0];
    return row && toRoute(row);
  }

  async replaceRoute(connectionId: string, routeEntryType: RouteEntryType, oldKey: string, route: KeyedRoute, guard?: RouteWriteGuard): Promise<'ok' | 'missing' | 'exists'> {
    return this.db.tx(async (sql) => {
      await this.lockConnection(sql, connectionId, guard);
      const seq = await this.routeSeq(sql, connectionId, routeEntryType, oldKey);
      if (seq === undefined) return 'missing' as const;
      if (route.key !== oldKey && (await this.routeSeq(sql, connectionId, routeEntryType, route.key)) !== undefined) return 'exists' as const;
      const r = route.route;
      await sql.query(
        `UPDATE vco_routes SET route_key = $1, route_dest = $2, next_hop = $3, weight = $4, source = $5, as_path = $6, community = $7,
           next_hop_tunnel_ids = $8, create_time = $9 WHERE connection_id = $10 AND route_entry_type = $11 AND seq = $12`,
        [route.key, r.routeDest, r.nextHop, r.weight, r.source, r.asPath === null ? null : JSON.stringify(r.asPath), r.community,
          r.nextHopTunnelIds === null ? null : JSON.stringify(r.nextHopTunnelIds), r.createTime, connectionId, routeEntryType, seq],
      );
      await this.bumpRoutesVersion(sql, connectionId);
      return 'ok' as const;
    });
  }

  private async routeSeq(sql: Sql, connectionId: string, type: RouteEntryType, key: string): Promise<number | undefined> {
    return (
      await sql.query<{ seq: number }>('SELECT seq FROM vco_routes WHERE connection_id = $1 AND route_entry_type = $2 AND route_key = $3', [
        connectionId, type, key,
      ])
    ).rows[0]?.seq;
  }

  private async applyDeltas(sql: Sql, connectionId: string, blockDeltas: Map<string, number>, countDeltas: Map<string, number>): Promise<void> {
    const blocks = [...blockDeltas].map(([k, delta]) => {
      const [type, block] = k.split('|') as [string, string];
      return [type, Number(block), delta] as const;
    });
    for (const part of chunks(blocks, 3)) {
      const values: unknown[] = [connectionId];
      const tuples = part.map((b) => {
        values.push(...b);
        return `($1, ${placeholders(values.length - 2, 3)})`;
      });
      await sql.query(
        `INSERT INTO vco_route_blocks (connection_id, route_entry_type, block, route_count) VALUES ${tuples.join(', ')}
         ON CONFLICT (connection_id, route_entry_type, block) DO UPDATE SET route_count = vco_route_blocks.route_count + EXCLUDED.route_count`,
        values,
      );
    }
    const counts = [...countDeltas].map(([k, delta]) => {
      const [type, source] = k.split('|') as [string, string];
      return [type, source, delta] as const;
    });
    for (const part of chunks(counts, 3)) {
      const values: unknown[] = [connectionId];
      const tuples = part.map((c) => {
        values.push(...c);
        return `($1, ${placeholders(values.length - 2, 3)})`;
      });
      await sql.query(
        `INSERT INTO vco_route_counts (connection_id, route_entry_type, source, route_count) VALUES ${tuples.join(', ')}
         ON CONFLICT (connection_id, route_entry_type, source) DO UPDATE SET route_count = vco_route_counts.route_count + EXCLUDED.route_count`,
        values,
      );
    }
  }

  async countRoutes(connectionId: string): Promise<RouteCount[]> {
    const rows = (
      await this.db.prepared<{ route_entry_type: RouteEntryType; source: string; route_count: number }>(
        'vcoroute_count_routes',
        'SELECT route_entry_type, source, route_count FROM vco_route_counts WHERE connection_id = $1 AND route_count > 0 ORDER BY route_entry_type, source',
        [connectionId],
      )
    ).rows;
    return rows.map((r) => ({ routeEntryType: r.route_entry_type, source: r.source === '' ? null : (r.source as BgpSource), count: r.route_count }));
  }

  async listRoutes(connectionId: string, routeEntryType: RouteEntryType, offset: number, limit: number): Promise<RouteRecord[]> {
    const page = async (sql: Sql, fromSeq: number, skip: number) =>
      (
        await sql.query<RouteRow>(
          `SELECT ${ROUTE_COLUMNS} FROM vco_routes WHERE connection_id = $1 AND route_entry_type = $2 AND seq >= $3 ORDER BY seq LIMIT $4 OFFSET $5`,
          [connectionId, routeEntryType, fromSeq, limit, skip],
        )
      ).rows.map(toRoute);
    if (offset <= 0) {
      return (await this.db.prepared<RouteRow>(
        'vcoroute_first_page',
        `SELECT ${ROUTE_COLUMNS} FROM vco_routes WHERE connection_id = $1 AND route_entry_type = $2 ORDER BY seq LIMIT $3`,
        [connectionId, routeEntryType, limit],
      )).rows.map(toRoute);
    }
    // Block counts and the page from one snapshot, so a concurrent upsert cannot shift the page.
    return this.db.snapshot(async (sql) => {
      const blocks = (
        await sql.query<BlockCount>('SELECT block, route_count AS count FROM vco_route_blocks WHERE connection_id = $1 AND route_entry_type = $2 ORDER BY block', [
          connectionId, routeEntryType,
        ])
      ).rows;
      const start = locateOffset(blocks, offset);
      return start ? page(sql, start.fromSeq, start.skip) : [];
    });
  }

  async reset(keepAccountId: string, keepAccessKeyId: string): Promise<void> {
    await this.db.tx(async (sql) => {
      // Connection rows first (the order every route change locks in), then everything else.
      await sql.query('SELECT connection_id FROM vpn_connections ORDER BY connection_id FOR UPDATE');
      for (const table of ['vco_routes', 'vco_route_blocks', 'vco_route_counts', 'vpn_tunnels', 'vpn_connections', 'customer_gateways', 'client_tokens', ...PG_RAM_TABLES]) {
        await sql.query(`DELETE FROM ${table}`);
      }
      await sql.query('DELETE FROM access_keys WHERE access_key_id <> $1', [keepAccessKeyId]);
      await sql.query('DELETE FROM accounts WHERE account_id <> $1', [keepAccountId]);
      // Routes versions are kept and moved on (never reused for a connection ID), as deleteConnection does.
      await sql.query('UPDATE vco_route_versions SET routes_version = routes_version + 1');
    });
  }

  // ---- RAM & STS ---- (postgres-ram.ts)

  createRamEntity(entity: RamEntityRecord): Promise<boolean> {
    return this.ram.createEntity(entity);
  }

  getRamEntity(accountId: string, kind: RamEntityKind, name: string): Promise<RamEntityRecord | undefined> {
    return this.ram.getEntity(accountId, kind, name);
  }

  getRamEntityById(accountId: string, kind: RamEntityKind, id: string): Promise<RamEntityRecord | undefined> {
    return this.ram.getEntityById(accountId, kind, id);
  }

  listRamEntities(accountId: string, kind: RamEntityKind, after: string | undefined, limit: number): Promise<RamEntityRecord[]> {
    return this.ram.listEntities(accountId, kind, after, limit);
  }

  countRamEntities(accountId: string, kind: RamEntityKind): Promise<number> {
    return this.ram.countEntities(accountId, kind);
  }

  updateRamEntity(entity: RamEntityRecord): Promise<boolean> {
    return this.ram.updateEntity(entity);
  }

  deleteRamEntity(accountId: string, kind: RamEntityKind, id: string): Promise<boolean> {
    return this.ram.deleteEntity(accountId, kind, id);
  }

  addRamLink(link: RamLinkRecord): Promise<boolean> {
    return this.ram.addLink(link);
  }

  removeRamLink(accountId: string, kind: RamLinkKind, fromId: string, toId: string): Promise<boolean> {
    return this.ram.removeLink(accountId, kind, fromId, toId);
  }

  listRamLinksFrom(accountId: string, kind: RamLinkKind, fromId: string): Promise<RamLinkRecord[]> {
    return this.ram.linksFrom(accountId, kind, fromId);
  }

  listRamLinksTo(accountId: string, kind: RamLinkKind, toId: string): Promise<RamLinkRecord[]> {
    return this.ram.linksTo(accountId, kind, toId);
  }

  putUserAccessKey(key: UserAccessKeyRecord): Promise<void> {
    return this.ram.putKey(key);
  }

  getUserAccessKey(accessKeyId: string): Promise<UserAccessKeyRecord | undefined> {
    return this.ram.getKey(accessKeyId);
  }

  listUserAccessKeys(accountId: string, userId: string): Promise<UserAccessKeyRecord[]> {
    return this.ram.listKeys(accountId, userId);
  }

  setUserAccessKeyStatus(accessKeyId: string, status: UserAccessKeyRecord['status']): Promise<boolean> {
    return this.ram.setKeyStatus(accessKeyId, status);
  }

  deleteUserAccessKey(accessKeyId: string): Promise<boolean> {
    return this.ram.deleteKey(accessKeyId);
  }

  putStsSession(session: StsSessionRecord): Promise<void> {
    return this.ram.putSession(session);
  }

  getStsSession(accessKeyId: string): Promise<StsSessionRecord | undefined> {
    return this.ram.getSession(accessKeyId);
  }

  pruneStsSessions(expiredBefore: number): Promise<number> {
    return this.ram.pruneSessions(expiredBefore);
  }
}

function bump(map: Map<string, number>, key: string, delta: number): void {
  map.set(key, (map.get(key) ?? 0) + delta);
}

/**
 * The shared store: PostgreSQL through the pg driver and one connection pool per process. Several vcoroute
 * servers may run on one database; everything that must be global is decided by the database:
 *   - nonces and ClientTokens: one INSERT … ON CONFLICT … DO UPDATE … WHERE statement each, so of two
 *     servers racing on one nonce or token exactly one wins;
 *   - routes (postgres-routes.ts): every change to a connection's routes first locks the connection row
 *     (SELECT … FOR UPDATE), which serialises sequence numbers, block counts and per-(type, source) counts
 *     per connection;
 *   - connection state transitions: one conditional UPDATE (the row is re-checked after a concurrent writer).
 * There is no in-process cache. Semantics mirror sqlite/sqlite-store.ts exactly; both run
 * test/contract/store.test.ts.
 *
 * SQL used beyond SQL-92 (the portable subset; see migrations.ts for the DDL): INSERT … ON CONFLICT (…)
 * DO UPDATE SET … WHERE / DO NOTHING, DELETE … RETURNING, SELECT … FOR UPDATE / FOR SHARE, multi-row
 * VALUES, LIMIT/OFFSET, BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY, pg_advisory_lock/unlock (migrations),
 * pg_advisory_xact_lock (RAM structure, region quotas), ORDER BY … COLLATE "C" (byte order for ID tie-breaks, as
 * SQLite sorts).
 */
import type { ReadAheadRequest, ReadAheadResult } from '../read-ahead';
import { PostgresReadAhead, releaseNonce } from './postgres-read-ahead';
import type {
  AccessKeyRecord, BgpSessionRecord, ConnectionFilter, ConnectionRecord, ConnectionTransition, CustomerGatewayRecord, IdempotencyRecord, FaultRuleRecord, KeyedRoute, RouteCount, RouteEntryType, RouteFilter, RouteRecord, RouteWriteGuard, Store, TokenCompletion, PropagatedSnapshot, PropagatedSyncResult, BgpSource, CenBlocker, CenDeleteOutcome, CenLinkKind, CenLinkRecord, CenResourceKind, CenResourceRecord,
  RouteChangeOrigin, RouteChangeQuery, RouteChangeRecord,
} from '../store';
import { completeTokenStep } from './client-tokens';
import { PgDatabase, chunks, placeholders, type PostgresOptions } from './db';
import { migratePostgres } from './migrations';
import { PG_RAM_TABLES, PgRamTables } from './postgres-ram';
import { PG_ROUTE_TABLES, PgRouteTables } from './postgres-routes';
import { PgVpnTables } from './postgres-vpn';
import { PgBgpTables } from './postgres-bgp';
import { PgOperationTables } from './postgres-operations';
import { PG_CEN_TABLES, PgCenTables } from './postgres-cen';
import { pgExport, pgImport, pgSchemaVersion } from './postgres-snapshot';
import type { SnapshotBatch } from '../snapshot-tables';
import { HISTORY_TABLES } from '../route-change-batches';
import type {
  RamDependents, RamEntityKind, RamEntityRecord, RamEntityRef, RamLinkKind, RamLinkLimit, RamLinkRecord, StsSessionRecord, UserAccessKeyRecord,
} from '../ram-records';

export type { PostgresOptions } from './db';
export { MIGRATION_LOCK_KEY, migratePostgres } from './migrations';

export class PostgresStore implements Store {
  readonly backend = 'postgres';
  private readonly vpn: PgVpnTables;
  private readonly routes: PgRouteTables;
  private readonly ram: PgRamTables;
  private readonly bgp: PgBgpTables;
  private readonly ops: PgOperationTables;
  private readonly cen: PgCenTables;

  private constructor(private readonly db: PgDatabase) {
    this.vpn = new PgVpnTables(db);
    this.routes = new PgRouteTables(db);
    this.ram = new PgRamTables(db);
    this.bgp = new PgBgpTables(db, this.routes);
    this.ops = new PgOperationTables(db);
    this.readAheads = new PostgresReadAhead(db);
    this.cen = new PgCenTables(db, (sql, id, from, t, now) => this.vpn.transition(id, from, t, now, sql));
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

  // ---- read-ahead: one statement for a signed read (postgres-read-ahead.ts) ----

  private readonly readAheads: PostgresReadAhead;

  readAhead(request: ReadAheadRequest): Promise<ReadAheadResult> {
    return this.readAheads.read(request);
  }

  releaseNonce(accessKeyId: string, nonce: string, expiresAt: number): Promise<void> {
    return releaseNonce(this.db, accessKeyId, nonce, expiresAt);
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

  putCustomerGateway(gateway: CustomerGatewayRecord, completion?: TokenCompletion, maxInRegion?: number): Promise<'stored' | 'limit'> {
    return this.vpn.putGateway(gateway, completion, maxInRegion);
  }

  getCustomerGateway(accountId: string, customerGatewayId: string): Promise<CustomerGatewayRecord | undefined> {
    return this.vpn.getGateway(accountId, customerGatewayId);
  }

  listCustomerGateways(accountId: string, regionId: string, offset: number, limit: number, customerGatewayId?: string) {
    return this.vpn.listGateways(accountId, regionId, offset, limit, customerGatewayId);
  }

  deleteCustomerGateway(accountId: string, customerGatewayId: string, completion?: TokenCompletion): Promise<'deleted' | 'in-use' | 'missing'> {
    return this.vpn.deleteGateway(accountId, customerGatewayId, completion);
  }

  putConnection(connection: ConnectionRecord, completion?: TokenCompletion, maxInRegion?: number): Promise<'stored' | 'limit'> {
    return this.vpn.putConnection(connection, completion, maxInRegion);
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

  updateConnection(c: ConnectionRecord, expectedRevision: number, completion?: TokenCompletion): Promise<boolean> {
    return this.vpn.updateConnection(c, expectedRevision, completion);
  }

  transitionConnection(connectionId: string, fromStates: readonly string[], transition: ConnectionTransition, now: number): Promise<boolean> {
    return this.vpn.transition(connectionId, fromStates, transition, now);
  }

  async deleteConnection(connectionId: string, expectedRevision?: number, completion?: TokenCompletion): Promise<boolean> {
    return this.db.tx(async (sql) => {
      // The connection row first, as every route change does: no deadlock with a concurrent upsert.
      const locked = await sql.query<{ revision: string }>('SELECT revision FROM vpn_connections WHERE connection_id = $1 FOR UPDATE', [connectionId]);
      if (expectedRevision !== undefined && (locked.rows.length === 0 || Number(locked.rows[0]!.revision) !== expectedRevision)) return false;
      await this.bgp.deleteAllOf(sql, connectionId);
      await this.routes.deleteAllOf(sql, connectionId);
      await sql.query('DELETE FROM vpn_tunnels WHERE connection_id = $1', [connectionId]);
      const deleted = (await sql.query('DELETE FROM vpn_connections WHERE connection_id = $1', [connectionId])).rowCount === 1;
      if (deleted) await this.routes.bumpVersion(sql, connectionId);
      return deleted;
    }, 'BEGIN', completeTokenStep(completion, (ok: boolean) => ok));
  }

  // ---- Vco routes (postgres-routes.ts) ----

  upsertRoutes(connectionId: string, routes: readonly KeyedRoute[]): Promise<{ inserted: number; updated: number }> {
    return this.routes.upsert(connectionId, routes);
  }

  deleteRoutes(connectionId: string, filter: RouteFilter, guard?: RouteWriteGuard, completion?: TokenCompletion): Promise<number> {
    return this.routes.delete(connectionId, filter, guard, completion);
  }

  insertRoute(connectionId: string, route: KeyedRoute, guard?: RouteWriteGuard, completion?: TokenCompletion): Promise<boolean> {
    return this.routes.insert(connectionId, route, guard, completion);
  }

  findRoute(connectionId: string, routeEntryType: RouteEntryType, key: string): Promise<RouteRecord | undefined> {
    return this.routes.find(connectionId, routeEntryType, key);
  }

  replaceRoute(
    connectionId: string, routeEntryType: RouteEntryType, oldKey: string, route: KeyedRoute, guard?: RouteWriteGuard, completion?: TokenCompletion,
  ): Promise<'ok' | 'missing' | 'exists'> {
    return this.routes.replace(connectionId, routeEntryType, oldKey, route, guard, completion);
  }

  countRoutes(connectionId: string): Promise<RouteCount[]> {
    return this.routes.count(connectionId);
  }

  listRoutes(connectionId: string, routeEntryType: RouteEntryType, offset: number, limit: number): Promise<RouteRecord[]> {
    return this.routes.list(connectionId, routeEntryType, offset, limit);
  }

  syncPropagatedRoutes(connectionId: string, routes: readonly KeyedRoute[], known?: PropagatedSnapshot, cause?: 'propagation' | 'detached'): Promise<PropagatedSyncResult> {
    return this.routes.syncPropagated(connectionId, routes, known, cause);
  }

  listRoutesOfSource(connectionId: string, routeEntryType: RouteEntryType, source: BgpSource | null, limit: number): Promise<RouteRecord[]> {
    return this.routes.listOfSource(connectionId, routeEntryType, source, limit);
  }

  // ---- CEN (postgres-cen.ts) ----

  createCenResource(resource: CenResourceRecord, completion?: TokenCompletion): Promise<'created' | 'exists' | 'no-parent'> {
    return this.cen.create(resource, completion);
  }

  createVpnAttachment(attachment: CenResourceRecord, transition: ConnectionTransition | null, now: number, completion?: TokenCompletion) {
    return this.cen.createVpnAttachment(attachment, transition, now, completion);
  }

  getCenResource(accountId: string, kind: CenResourceKind, id: string, now: number): Promise<CenResourceRecord | undefined> {
    return this.cen.get(accountId, kind, id, now);
  }

  findCenResourceByUniqueKey(kind: CenResourceKind, uniqueKey: string, now: number): Promise<CenResourceRecord | undefined> {
    return this.cen.findByUniqueKey(kind, uniqueKey, now);
  }

  listCenResources(accountId: string, kind: CenResourceKind, filter: { parentId?: string; regionId?: string; refId?: string }, now: number) {
    return this.cen.list(accountId, kind, filter, now);
  }

  updateCenResource(accountId: string, kind: CenResourceKind, id: string, doc: Record<string, unknown>, _now: number, completion?: TokenCompletion): Promise<boolean> {
    return this.cen.update(accountId, kind, id, doc, completion);
  }

  deleteCenResource(
    accountId: string, kind: CenResourceKind, id: string, goneAt: number, now: number, blockers: readonly CenBlocker[], completion?: TokenCompletion,
  ): Promise<CenDeleteOutcome> {
    return this.cen.delete(accountId, kind, id, goneAt, now, blockers, completion);
  }

  deleteVpnAttachment(accountId: string, id: string, goneAt: number, transition: ConnectionTransition, now: number, force: boolean, completion?: TokenCompletion) {
    return this.cen.deleteVpnAttachment(accountId, id, goneAt, transition, now, force, completion);
  }

  createCenLink(link: CenLinkRecord, completion?: TokenCompletion): Promise<'created' | 'exists' | 'associated' | 'no-parent'> {
    return this.cen.createLink(link, completion);
  }

  deleteCenLink(
    accountId: string, kind: CenLinkKind, attachmentId: string, routeTableId: string, goneAt: number, now: number, completion?: TokenCompletion,
  ): Promise<'deleted' | 'missing' | 'busy'> {
    return this.cen.deleteLink(accountId, kind, attachmentId, routeTableId, goneAt, now, completion);
  }

  listCenLinks(accountId: string, kind: CenLinkKind, filter: { attachmentId?: string; routeTableId?: string; transitRouterId?: string }, now: number) {
    return this.cen.listLinks(accountId, kind, filter, now);
  }

  async reset(keepAccountId: string, keepAccessKeyId: string): Promise<void> {
    await this.db.tx(async (sql) => {
      // Connection rows first (the order every route change locks in), then everything else.
      await sql.query('SELECT connection_id FROM vpn_connections ORDER BY connection_id FOR UPDATE');
      for (const table of [...PG_CEN_TABLES, ...PG_ROUTE_TABLES, 'vpn_tunnels', 'vpn_connections', 'customer_gateways', 'client_tokens', ...PG_RAM_TABLES, 'bgp_ports', 'bgp_sessions', ...HISTORY_TABLES]) {
        await sql.query(`DELETE FROM ${table}`);
      }
      // the history's open tails go with it (the counters stay: event IDs are never reused)
      await sql.query("UPDATE vco_route_versions SET change_tail = '', tail_count = 0 WHERE tail_count > 0");
      await sql.query('DELETE FROM access_keys WHERE access_key_id <> $1', [keepAccessKeyId]);
      await sql.query('DELETE FROM accounts WHERE account_id <> $1', [keepAccountId]);
      // Routes versions are kept and moved on (never reused for a connection ID), as deleteConnection does.
      await sql.query('UPDATE vco_route_versions SET routes_version = routes_version + 1');
    });
  }

  // ---- BGP speaker (postgres-bgp.ts) ----

  assignBgpPort(tunnelId: string, firstPort: number, lastPort: number): Promise<number> {
    return this.bgp.assignPort(tunnelId, firstPort, lastPort);
  }

  getBgpPort(tunnelId: string): Promise<number | undefined> {
    return this.bgp.getPort(tunnelId);
  }

  claimBgpSession(session: BgpSessionRecord, now: number): Promise<boolean> {
    return this.bgp.claim(session, now);
  }

  putBgpSessionStatus(session: BgpSessionRecord, now: number): Promise<boolean> {
    return this.bgp.put(session, now);
  }

  releaseBgpSession(tunnelId: string, holder: string): Promise<void> {
    return this.bgp.release(tunnelId, holder);
  }

  listBgpSessions(connectionId: string): Promise<BgpSessionRecord[]> {
    return this.bgp.list(connectionId);
  }

  writeBgpRoutes(
    connectionId: string, holder: string, upserts: readonly KeyedRoute[], deleteKeys: readonly string[], now: number, origins?: ReadonlyMap<string, RouteChangeOrigin>,
  ): Promise<boolean> {
    return this.bgp.writeRoutes(connectionId, holder, upserts, deleteKeys, now, origins);
  }

  listAttachedConnectionIds(): Promise<string[]> {
    return this.bgp.attachedIds();
  }

  expireBgpSessions(now: number): Promise<string[]> {
    return this.bgp.expire(now);
  }

  // ---- RAM & STS ---- (postgres-ram.ts)

  createRamEntity(entity: RamEntityRecord, maxOfKind?: number): Promise<'created' | 'exists' | 'limit'> {
    return this.ram.createEntity(entity, maxOfKind);
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

  updateRamEntity(entity: RamEntityRecord, expectedRevision?: number): Promise<boolean> {
    return this.ram.updateEntity(entity, expectedRevision);
  }

  deleteRamEntityUnlinked(
    accountId: string, kind: RamEntityKind, id: string, dependents: readonly RamDependents[], expectedRevision?: number,
  ): Promise<'deleted' | 'missing' | RamDependents> {
    return this.ram.deleteEntityUnlinked(accountId, kind, id, dependents, expectedRevision);
  }

  addRamLink(link: RamLinkRecord, to: RamEntityRef | undefined, limit?: RamLinkLimit): Promise<'added' | 'missing-from' | 'missing-to' | 'exists' | 'limit'> {
    return this.ram.addLink(link, to, limit);
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

  createUserAccessKey(key: UserAccessKeyRecord, maxPerUser: number): Promise<'created' | 'missing' | 'limit'> {
    return this.ram.createKey(key, maxPerUser);
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

  // ---- operations (postgres-operations.ts) ----

  countRequest(quotaKey: string, windowStart: number, expiresAt: number): Promise<number> {
    return this.ops.countRequest(quotaKey, windowStart, expiresAt);
  }

  pruneRequestCounts(now: number): Promise<number> {
    return this.ops.pruneRequestCounts(now);
  }

  listFaultRules(kind: FaultRuleRecord['kind'], now: number): Promise<FaultRuleRecord[]> {
    return this.ops.listFaultRules(kind, now);
  }

  replaceFaultRules(kind: FaultRuleRecord['kind'], rules: readonly FaultRuleRecord[]): Promise<void> {
    return this.ops.replaceFaultRules(kind, rules);
  }

  addFaultRules(rules: readonly FaultRuleRecord[]): Promise<void> {
    return this.ops.addFaultRules(rules);
  }

  deleteFaultRules(ruleIds: readonly string[]): Promise<number> {
    return this.ops.deleteFaultRules(ruleIds);
  }

  // ---- state snapshots (postgres-snapshot.ts) ----

  async schemaVersion(): Promise<number> {
    return pgSchemaVersion(this.db);
  }

  async exportSnapshot(accountId: string | null, sink: (batch: SnapshotBatch) => Promise<void>): Promise<void> {
    return pgExport(this.db, accountId, sink);
  }

  async importSnapshot(batches: AsyncIterable<SnapshotBatch>): Promise<Record<string, number>> {
    return pgImport(this.db, batches);
  }

  // ---- route-change history (postgres-route-changes.ts) ----

  setRouteChangeRecording(on: boolean): void {
    this.routes.changes.enabled = on;
  }

  listRouteChanges(query: RouteChangeQuery): Promise<RouteChangeRecord[]> {
    return this.routes.changes.list(query);
  }

  pruneRouteChanges(olderThan: number, keepPerConnection: number): Promise<number> {
    return this.routes.changes.prune(olderThan, keepPerConnection);
  }
}

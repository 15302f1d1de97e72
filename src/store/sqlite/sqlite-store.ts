/**
 * The embedded store: SQLite on disk (better-sqlite3, WAL). better-sqlite3 is synchronous; the methods are
 * async only to honour the backend-neutral interface. Every statement is prepared once.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type {
  AccessKeyRecord, BgpSessionRecord, ConnectionFilter, ConnectionRecord, ConnectionTransition, CustomerGatewayRecord, IdempotencyRecord, KeyedRoute, RouteCount, RouteEntryType, FaultRuleRecord, RouteFilter, RouteRecord, RouteWriteGuard, Store, TokenCompletion, PropagatedSnapshot, PropagatedSyncResult, CenBlocker, CenDeleteOutcome, CenLinkKind, CenLinkRecord, CenResourceKind, CenResourceRecord, BgpSource,
  RouteChangeOrigin, RouteChangeQuery, RouteChangeRecord,
} from '../store';
import { ClientTokenLostError } from '../store';
import { migrate } from './migrations';
import { SqliteVpnTables } from './sqlite-vpn';
import { ROUTE_TABLES, SqliteRouteTables } from './sqlite-routes';
import { RAM_TABLES, SqliteRamTables } from './sqlite-ram';
import { SqliteBgpTables } from './sqlite-bgp';
import { SqliteOperationTables } from './sqlite-operations';
import { CEN_TABLES, SqliteCenTables } from './sqlite-cen';
import { sqliteExport, sqliteImport, sqliteSchemaVersion } from './sqlite-snapshot';
import type { SnapshotBatch } from '../snapshot-tables';
import { HISTORY_TABLES } from '../route-change-batches';
import { ValidatedReadCache } from './read-cache';
import type {
  RamDependents, RamEntityKind, RamEntityRecord, RamEntityRef, RamLinkKind, RamLinkLimit, RamLinkRecord, StsSessionRecord, UserAccessKeyRecord,
} from '../ram-records';

interface PendingNonce {
  accessKeyId: string;
  nonce: string;
  expiresAt: number;
  resolve(fresh: boolean): void;
  reject(err: unknown): void;
}

export const SQLITE_FILE_NAME = 'vcoroute.sqlite';
export { migrate } from './migrations';

export class SqliteStore implements Store {
  readonly backend = 'sqlite';
  private readonly db: Database.Database;
  private readonly s;
  private readonly vpn: SqliteVpnTables;
  private readonly routes: SqliteRouteTables;
  private readonly ram: SqliteRamTables;
  private readonly bgp: SqliteBgpTables;
  private readonly ops: SqliteOperationTables;
  private readonly cen: SqliteCenTables;
  /** the database file; null for ':memory:' */
  private readonly file: string | null;
  /** the request path's reads, valid while the file is unchanged (read-cache.ts) */
  private readonly cache: ValidatedReadCache;

  /** `location` is a data directory, or ':memory:' for throwaway stores. */
  constructor(location: string) {
    let file = location;
    if (location !== ':memory:') {
      fs.mkdirSync(location, { recursive: true });
      file = path.join(location, SQLITE_FILE_NAME);
    }
    this.file = location === ':memory:' ? null : file;
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // WAL + NORMAL: a committed transaction survives a crash of the process (not necessarily of the OS).
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
    const db = this.db;
    this.cache = new ValidatedReadCache(db);
    this.vpn = new SqliteVpnTables(db, this.cache);
    this.routes = new SqliteRouteTables(db);
    this.ram = new SqliteRamTables(db, this.cache);
    this.bgp = new SqliteBgpTables(db, this.routes);
    this.ops = new SqliteOperationTables(db);
    this.cen = new SqliteCenTables(db, (id, from, t, now) => this.vpn.transition(id, from, t, now));
    this.s = {
      getRamGeneration: db.prepare('SELECT ram_generation FROM accounts WHERE account_id = ?').pluck(),
      bumpRamGeneration: db.prepare('UPDATE accounts SET ram_generation = ram_generation + 1 WHERE account_id = ?'),
      upsertAccount: db.prepare('INSERT INTO accounts (account_id, created_at) VALUES (?, ?) ON CONFLICT (account_id) DO NOTHING'),
      hasAccount: db.prepare('SELECT 1 FROM accounts WHERE account_id = ?').pluck(),
      upsertAccessKey: db.prepare(`INSERT INTO access_keys (access_key_id, account_id, secret, status, created_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (access_key_id) DO UPDATE SET account_id = excluded.account_id, secret = excluded.secret, status = excluded.status`),
      getAccessKey: db.prepare('SELECT access_key_id, account_id, secret, status FROM access_keys WHERE access_key_id = ?'),
      useNonce: db.prepare(`INSERT INTO request_nonces (access_key_id, nonce, expires_at) VALUES (?, ?, ?)
        ON CONFLICT (access_key_id, nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE request_nonces.expires_at < ?`),
      pruneNonces: db.prepare('DELETE FROM request_nonces WHERE expires_at < ?'),
      claimToken: db.prepare(`INSERT INTO client_tokens (account_id, client_token, fingerprint, response_status, response_body, created_at)
        VALUES (?, ?, ?, NULL, NULL, ?)
        ON CONFLICT (account_id, client_token) DO UPDATE SET fingerprint = excluded.fingerprint, response_status = NULL,
          response_body = NULL, created_at = excluded.created_at
        WHERE client_tokens.created_at < ? OR (client_tokens.response_status IS NULL AND client_tokens.created_at < ?)`),
      getToken: db.prepare('SELECT fingerprint, response_status, response_body, created_at FROM client_tokens WHERE account_id = ? AND client_token = ?'),
      completeToken: db.prepare(`UPDATE client_tokens SET response_status = ?, response_body = ?
        WHERE account_id = ? AND client_token = ? AND (? IS NULL OR created_at = ?)`),
      completeOwnToken: db.prepare(`UPDATE client_tokens SET response_status = ?, response_body = ?
        WHERE account_id = ? AND client_token = ? AND created_at = ? AND response_status IS NULL`),
      releaseToken: db.prepare('DELETE FROM client_tokens WHERE account_id = ? AND client_token = ? AND response_status IS NULL AND (? IS NULL OR created_at = ?)'),
      pruneTokens: db.prepare('DELETE FROM client_tokens WHERE created_at < ?'),
      deleteTunnels: db.prepare('DELETE FROM vpn_tunnels WHERE connection_id = ?'),
      deleteConnection: db.prepare('DELETE FROM vpn_connections WHERE connection_id = ?'),
      connectionRevision: db.prepare('SELECT revision FROM vpn_connections WHERE connection_id = ?').pluck(),
    };
  }

  get database(): Database.Database {
    return this.db;
  }

  async close(): Promise<void> {
    this.flushNonces();
    this.cache.close();
    if (this.db.open) this.db.close();
  }

  async upsertAccount(accountId: string, now: number): Promise<void> {
    this.s.upsertAccount.run(accountId, now);
  }

  async hasAccount(accountId: string): Promise<boolean> {
    return this.s.hasAccount.get(accountId) !== undefined;
  }

  async getRamGeneration(accountId: string): Promise<number> {
    return this.cache.read(`g\0${accountId}`, () => (this.s.getRamGeneration.get(accountId) as number | undefined) ?? 0);
  }

  async bumpRamGeneration(accountId: string): Promise<void> {
    this.s.bumpRamGeneration.run(accountId);
  }

  async upsertAccessKey(key: AccessKeyRecord, now: number): Promise<void> {
    this.s.upsertAccessKey.run(key.accessKeyId, key.accountId, key.secret, key.status, now);
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const row = this.cache.read(`k\0${accessKeyId}`, () => this.s.getAccessKey.get(accessKeyId)) as
      | { access_key_id: string; account_id: string; secret: string; status: AccessKeyRecord['status'] }
      | undefined;
    return row && { accessKeyId: row.access_key_id, accountId: row.account_id, secret: row.secret, status: row.status };
  }

  /**
   * Group commit: the nonces of the requests that reach this point in one turn of the event loop are
   * recorded in one transaction (one WAL commit instead of one each), in arrival order, and each caller
   * learns its answer only after that commit, so a nonce is as durable as before when its request proceeds.
   */
  useNonce(accessKeyId: string, nonce: string, expiresAt: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      if (this.pendingNonces.length === 0) setImmediate(this.flushNonces);
      this.pendingNonces.push({ accessKeyId, nonce, expiresAt, resolve, reject });
    });
  }

  private pendingNonces: PendingNonce[] = [];

  private readonly flushNonces = (): void => {
    const batch = this.pendingNonces;
    if (batch.length === 0) return;
    this.pendingNonces = [];
    let fresh: boolean[];
    try {
      const now = Date.now();
      fresh = this.db.transaction(() => batch.map((n) => this.s.useNonce.run(n.accessKeyId, n.nonce, n.expiresAt, now).changes === 1)).immediate();
    } catch (err) {
      // Rolled back: whatever it counted is left in total_changes() and empties the read cache once (harmless).
      for (const n of batch) n.reject(err);
      return;
    }
    let written = 0;
    for (let i = 0; i < batch.length; i++) if (fresh[i]) written++;
    this.cache.ignoreOwnChanges(written);
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(fresh[i]!);
  };

  requestArrived(): void {
    this.cache.requestArrived();
  }

  async pruneNonces(now: number): Promise<number> {
    return this.s.pruneNonces.run(now).changes;
  }

  async claimClientToken(accountId: string, token: string, fingerprint: string, now: number, notBefore: number, stalePendingBefore = notBefore): Promise<IdempotencyRecord | undefined> {
    if (this.s.claimToken.run(accountId, token, fingerprint, now, notBefore, stalePendingBefore).changes === 1) return undefined;
    const row = this.s.getToken.get(accountId, token) as
      | { fingerprint: string; response_status: number | null; response_body: string | null; created_at: number }
      | undefined;
    if (!row) return undefined; // deleted in between: treat as claimed by nobody; the caller's run is the first
    return {
      fingerprint: row.fingerprint,
      createdAt: row.created_at,
      response: row.response_status === null ? undefined : { status: row.response_status, body: JSON.parse(row.response_body ?? '{}') },
    };
  }

  async completeClientToken(accountId: string, token: string, response: { status: number; body: Record<string, unknown> }, claimedAt?: number): Promise<void> {
    this.s.completeToken.run(response.status, JSON.stringify(response.body), accountId, token, claimedAt ?? null, claimedAt ?? null);
  }

  /**
   * Runs a write and, when it takes effect, records the ClientToken's response in the same IMMEDIATE
   * transaction (the write's own transaction becomes a savepoint inside it).
   */
  private withCompletion<T>(write: () => T, tookEffect: (result: T) => boolean, completion: TokenCompletion | undefined): T {
    if (!completion) return write();
    return this.db.transaction(() => {
      const result = write();
      if (tookEffect(result)) {
        const { response: r } = completion;
        const own = this.s.completeOwnToken.run(r.status, JSON.stringify(r.body), completion.accountId, completion.token, completion.claimedAt);
        if (own.changes !== 1) throw new ClientTokenLostError();
      }
      return result;
    }).immediate();
  }

  async releaseClientToken(accountId: string, token: string, claimedAt?: number): Promise<void> {
    this.s.releaseToken.run(accountId, token, claimedAt ?? null, claimedAt ?? null);
  }

  async pruneClientTokens(olderThan: number): Promise<number> {
    return this.s.pruneTokens.run(olderThan).changes;
  }

  // ---- customer gateways and VPN connections (sqlite-vpn.ts) ----

  async putCustomerGateway(gateway: CustomerGatewayRecord, completion?: TokenCompletion, maxInRegion?: number): Promise<'stored' | 'limit'> {
    return this.withCompletion(() => this.vpn.putGateway(gateway, maxInRegion), (r) => r === 'stored', completion);
  }

  async getCustomerGateway(accountId: string, customerGatewayId: string): Promise<CustomerGatewayRecord | undefined> {
    return this.vpn.getGateway(accountId, customerGatewayId);
  }

  async listCustomerGateways(accountId: string, regionId: string, offset: number, limit: number, customerGatewayId?: string) {
    return this.vpn.listGateways(accountId, regionId, offset, limit, customerGatewayId);
  }

  async deleteCustomerGateway(accountId: string, customerGatewayId: string, completion?: TokenCompletion): Promise<'deleted' | 'in-use' | 'missing'> {
    return this.withCompletion(() => this.vpn.deleteGateway(accountId, customerGatewayId), (r) => r === 'deleted', completion);
  }

  async putConnection(c: ConnectionRecord, completion?: TokenCompletion, maxInRegion?: number): Promise<'stored' | 'limit'> {
    return this.withCompletion(() => this.vpn.putConnection(c, maxInRegion), (r) => r === 'stored', completion);
  }

  async getConnection(accountId: string, connectionId: string): Promise<ConnectionRecord | undefined> {
    const c = this.vpn.getConnection(connectionId);
    return c && c.accountId === accountId ? c : undefined;
  }

  async findConnection(connectionId: string): Promise<ConnectionRecord | undefined> {
    return this.vpn.getConnection(connectionId);
  }

  async listConnections(accountId: string, regionId: string, filter: ConnectionFilter, offset: number, limit: number) {
    return this.vpn.listConnections(accountId, regionId, filter, offset, limit);
  }

  async updateConnection(c: ConnectionRecord, expectedRevision: number, completion?: TokenCompletion): Promise<boolean> {
    return this.withCompletion(() => this.vpn.updateConnection(c, expectedRevision), (ok) => ok, completion);
  }

  async transitionConnection(connectionId: string, fromStates: readonly string[], transition: ConnectionTransition, now: number): Promise<boolean> {
    return this.vpn.transition(connectionId, fromStates, transition, now);
  }

  async deleteConnection(connectionId: string, expectedRevision?: number, completion?: TokenCompletion): Promise<boolean> {
    return this.withCompletion(() => this.deleteConnectionNow(connectionId, expectedRevision), (ok) => ok, completion);
  }

  private deleteConnectionNow(connectionId: string, expectedRevision?: number): boolean {
    return this.db.transaction(() => {
      if (expectedRevision !== undefined && this.s.connectionRevision.get(connectionId) !== expectedRevision) return false;
      this.routes.deleteAllOf(connectionId);
      this.bgp.deleteAllOf(connectionId);
      this.s.deleteTunnels.run(connectionId);
      const deleted = this.s.deleteConnection.run(connectionId).changes === 1;
      if (deleted) this.routes.bumpVersion(connectionId);
      return deleted;
    }).immediate();
  }

  // ---- Vco routes (sqlite-routes.ts) ----

  async upsertRoutes(connectionId: string, routes: readonly KeyedRoute[]): Promise<{ inserted: number; updated: number }> {
    return this.routes.upsert(connectionId, routes);
  }

  async deleteRoutes(connectionId: string, filter: RouteFilter, guard?: RouteWriteGuard, completion?: TokenCompletion): Promise<number> {
    return this.withCompletion(() => this.routes.delete(connectionId, filter, guard), (n) => n > 0, completion);
  }

  async insertRoute(connectionId: string, route: KeyedRoute, guard?: RouteWriteGuard, completion?: TokenCompletion): Promise<boolean> {
    return this.withCompletion(() => this.routes.insert(connectionId, route, guard), (ok) => ok, completion);
  }

  async findRoute(connectionId: string, routeEntryType: RouteEntryType, key: string): Promise<RouteRecord | undefined> {
    return this.routes.find(connectionId, routeEntryType, key);
  }

  async replaceRoute(
    connectionId: string, routeEntryType: RouteEntryType, oldKey: string, route: KeyedRoute, guard?: RouteWriteGuard, completion?: TokenCompletion,
  ): Promise<'ok' | 'missing' | 'exists'> {
    return this.withCompletion(() => this.routes.replace(connectionId, routeEntryType, oldKey, route, guard), (r) => r === 'ok', completion);
  }

  async countRoutes(connectionId: string): Promise<RouteCount[]> {
    return this.routes.count(connectionId);
  }

  async listRoutes(connectionId: string, routeEntryType: RouteEntryType, offset: number, limit: number): Promise<RouteRecord[]> {
    return this.routes.list(connectionId, routeEntryType, offset, limit);
  }

  async syncPropagatedRoutes(connectionId: string, routes: readonly KeyedRoute[], known?: PropagatedSnapshot, cause?: 'propagation' | 'detached'): Promise<PropagatedSyncResult> {
    return this.routes.syncPropagated(connectionId, routes, known, cause);
  }

  async listRoutesOfSource(connectionId: string, routeEntryType: RouteEntryType, source: BgpSource | null, limit: number): Promise<RouteRecord[]> {
    return this.routes.listOfSource(connectionId, routeEntryType, source, limit);
  }

  // ---- CEN (sqlite-cen.ts) ----

  async createCenResource(resource: CenResourceRecord, completion?: TokenCompletion): Promise<'created' | 'exists' | 'no-parent'> {
    return this.withCompletion(() => this.cen.create(resource), (r) => r === 'created', completion);
  }

  async createVpnAttachment(attachment: CenResourceRecord, transition: ConnectionTransition | null, now: number, completion?: TokenCompletion) {
    return this.withCompletion(() => this.cen.createVpnAttachment(attachment, transition, now), (r) => r === 'created', completion);
  }

  async getCenResource(accountId: string, kind: CenResourceKind, id: string, now: number): Promise<CenResourceRecord | undefined> {
    return this.cen.get(accountId, kind, id, now);
  }

  async findCenResourceByUniqueKey(kind: CenResourceKind, uniqueKey: string, now: number): Promise<CenResourceRecord | undefined> {
    return this.cen.findByUniqueKey(kind, uniqueKey, now);
  }

  async listCenResources(accountId: string, kind: CenResourceKind, filter: { parentId?: string; regionId?: string; refId?: string }, now: number) {
    return this.cen.list(accountId, kind, filter, now);
  }

  async updateCenResource(accountId: string, kind: CenResourceKind, id: string, doc: Record<string, unknown>, _now: number, completion?: TokenCompletion): Promise<boolean> {
    return this.withCompletion(() => this.cen.update(accountId, kind, id, doc), (ok) => ok, completion);
  }

  async deleteCenResource(
    accountId: string, kind: CenResourceKind, id: string, goneAt: number, now: number, blockers: readonly CenBlocker[], completion?: TokenCompletion,
  ): Promise<CenDeleteOutcome> {
    return this.withCompletion(() => this.cen.delete(accountId, kind, id, goneAt, now, blockers), (r) => r.outcome === 'deleted', completion);
  }

  async deleteVpnAttachment(accountId: string, id: string, goneAt: number, transition: ConnectionTransition, now: number, force: boolean, completion?: TokenCompletion) {
    return this.withCompletion(() => this.cen.deleteVpnAttachment(accountId, id, goneAt, transition, now, force), (r) => r.outcome === 'deleted', completion);
  }

  async createCenLink(link: CenLinkRecord, completion?: TokenCompletion): Promise<'created' | 'exists' | 'associated' | 'no-parent'> {
    return this.withCompletion(() => this.cen.createLink(link), (r) => r === 'created', completion);
  }

  async deleteCenLink(
    accountId: string, kind: CenLinkKind, attachmentId: string, routeTableId: string, goneAt: number, now: number, completion?: TokenCompletion,
  ): Promise<'deleted' | 'missing' | 'busy'> {
    return this.withCompletion(() => this.cen.deleteLink(accountId, kind, attachmentId, routeTableId, goneAt, now), (r) => r === 'deleted', completion);
  }

  async listCenLinks(accountId: string, kind: CenLinkKind, filter: { attachmentId?: string; routeTableId?: string; transitRouterId?: string }, now: number) {
    return this.cen.listLinks(accountId, kind, filter, now);
  }

  async reset(keepAccountId: string, keepAccessKeyId: string): Promise<void> {
    this.db.transaction(() => {
      for (const table of [...CEN_TABLES, ...ROUTE_TABLES, 'vpn_tunnels', 'vpn_connections', 'customer_gateways', 'client_tokens', ...RAM_TABLES, 'bgp_ports', 'bgp_sessions', ...HISTORY_TABLES]) {
        this.db.prepare(`DELETE FROM ${table}`).run();
      }
      // the history's open tails go with it (the counters stay: event IDs are never reused)
      this.db.prepare("UPDATE vco_route_versions SET change_tail = '', tail_count = 0 WHERE tail_count > 0").run();
      this.db.prepare('DELETE FROM access_keys WHERE access_key_id <> ?').run(keepAccessKeyId);
      this.db.prepare('DELETE FROM accounts WHERE account_id <> ?').run(keepAccountId);
      // Routes versions are kept and moved on (never reused for a connection ID), as deleteConnection does.
      this.db.prepare('UPDATE vco_route_versions SET routes_version = routes_version + 1').run();
    }).immediate();
  }

  // ---- BGP speaker (sqlite-bgp.ts) ----

  async assignBgpPort(tunnelId: string, firstPort: number, lastPort: number): Promise<number> {
    return this.bgp.assignPort(tunnelId, firstPort, lastPort);
  }

  async getBgpPort(tunnelId: string): Promise<number | undefined> {
    return this.bgp.getPort(tunnelId);
  }

  async claimBgpSession(session: BgpSessionRecord, now: number): Promise<boolean> {
    return this.bgp.claim(session, now);
  }

  async putBgpSessionStatus(session: BgpSessionRecord, now: number): Promise<boolean> {
    return this.bgp.put(session, now);
  }

  async releaseBgpSession(tunnelId: string, holder: string): Promise<void> {
    this.bgp.release(tunnelId, holder);
  }

  async listBgpSessions(connectionId: string): Promise<BgpSessionRecord[]> {
    return this.bgp.list(connectionId);
  }

  async writeBgpRoutes(
    connectionId: string, holder: string, upserts: readonly KeyedRoute[], deleteKeys: readonly string[], now: number, origins?: ReadonlyMap<string, RouteChangeOrigin>,
  ): Promise<boolean> {
    return this.bgp.writeRoutes(connectionId, holder, upserts, deleteKeys, now, origins);
  }

  async listAttachedConnectionIds(): Promise<string[]> {
    return this.bgp.attachedIds();
  }

  async expireBgpSessions(now: number): Promise<string[]> {
    return this.bgp.expire(now);
  }

  // ---- RAM & STS ---- (sqlite-ram.ts)

  async createRamEntity(entity: RamEntityRecord, maxOfKind?: number): Promise<'created' | 'exists' | 'limit'> {
    return this.ram.createEntity(entity, maxOfKind);
  }

  async getRamEntity(accountId: string, kind: RamEntityKind, name: string): Promise<RamEntityRecord | undefined> {
    return this.ram.getEntity(accountId, kind, name);
  }

  async getRamEntityById(accountId: string, kind: RamEntityKind, id: string): Promise<RamEntityRecord | undefined> {
    return this.ram.getEntityById(accountId, kind, id);
  }

  async listRamEntities(accountId: string, kind: RamEntityKind, after: string | undefined, limit: number): Promise<RamEntityRecord[]> {
    return this.ram.listEntities(accountId, kind, after, limit);
  }

  async countRamEntities(accountId: string, kind: RamEntityKind): Promise<number> {
    return this.ram.countEntities(accountId, kind);
  }

  async updateRamEntity(entity: RamEntityRecord, expectedRevision?: number): Promise<boolean> {
    return this.ram.updateEntity(entity, expectedRevision);
  }

  async deleteRamEntityUnlinked(
    accountId: string, kind: RamEntityKind, id: string, dependents: readonly RamDependents[], expectedRevision?: number,
  ): Promise<'deleted' | 'missing' | RamDependents> {
    return this.ram.deleteEntityUnlinked(accountId, kind, id, dependents, expectedRevision);
  }

  async addRamLink(link: RamLinkRecord, to: RamEntityRef | undefined, limit?: RamLinkLimit): Promise<'added' | 'missing-from' | 'missing-to' | 'exists' | 'limit'> {
    return this.ram.addLink(link, to, limit);
  }

  async removeRamLink(accountId: string, kind: RamLinkKind, fromId: string, toId: string): Promise<boolean> {
    return this.ram.removeLink(accountId, kind, fromId, toId);
  }

  async listRamLinksFrom(accountId: string, kind: RamLinkKind, fromId: string): Promise<RamLinkRecord[]> {
    return this.ram.linksFrom(accountId, kind, fromId);
  }

  async listRamLinksTo(accountId: string, kind: RamLinkKind, toId: string): Promise<RamLinkRecord[]> {
    return this.ram.linksTo(accountId, kind, toId);
  }

  async createUserAccessKey(key: UserAccessKeyRecord, maxPerUser: number): Promise<'created' | 'missing' | 'limit'> {
    return this.ram.createKey(key, maxPerUser);
  }

  async getUserAccessKey(accessKeyId: string): Promise<UserAccessKeyRecord | undefined> {
    return this.ram.getKey(accessKeyId);
  }

  async listUserAccessKeys(accountId: string, userId: string): Promise<UserAccessKeyRecord[]> {
    return this.ram.listKeys(accountId, userId);
  }

  async setUserAccessKeyStatus(accessKeyId: string, status: UserAccessKeyRecord['status']): Promise<boolean> {
    return this.ram.setKeyStatus(accessKeyId, status);
  }

  async deleteUserAccessKey(accessKeyId: string): Promise<boolean> {
    return this.ram.deleteKey(accessKeyId);
  }

  async putStsSession(session: StsSessionRecord): Promise<void> {
    this.ram.putSession(session);
  }

  async getStsSession(accessKeyId: string): Promise<StsSessionRecord | undefined> {
    return this.ram.getSession(accessKeyId);
  }

  async pruneStsSessions(expiredBefore: number): Promise<number> {
    return this.ram.pruneSessions(expiredBefore);
  }

  // ---- operations (sqlite-operations.ts) ----

  async countRequest(quotaKey: string, windowStart: number, expiresAt: number): Promise<number> {
    return this.ops.countRequest(quotaKey, windowStart, expiresAt);
  }

  async pruneRequestCounts(now: number): Promise<number> {
    return this.ops.pruneRequestCounts(now);
  }

  async listFaultRules(kind: FaultRuleRecord['kind'], now: number): Promise<FaultRuleRecord[]> {
    return this.ops.listFaultRules(kind, now);
  }

  async replaceFaultRules(kind: FaultRuleRecord['kind'], rules: readonly FaultRuleRecord[]): Promise<void> {
    this.ops.replaceFaultRules(kind, rules);
  }

  async addFaultRules(rules: readonly FaultRuleRecord[]): Promise<void> {
    this.ops.addFaultRules(rules);
  }

  async deleteFaultRules(ruleIds: readonly string[]): Promise<number> {
    return this.ops.deleteFaultRules(ruleIds);
  }

  // ---- state snapshots (sqlite-snapshot.ts) ----

  async schemaVersion(): Promise<number> {
    return sqliteSchemaVersion(this.db);
  }

  async exportSnapshot(accountId: string | null, sink: (batch: SnapshotBatch) => Promise<void>): Promise<void> {
    return sqliteExport(this.db, this.file, accountId, sink);
  }

  async importSnapshot(batches: AsyncIterable<SnapshotBatch>): Promise<Record<string, number>> {
    return sqliteImport(this.db, batches);
  }

  // ---- route-change history (sqlite-route-changes.ts) ----

  setRouteChangeRecording(on: boolean): void {
    this.routes.changes.enabled = on;
  }

  async listRouteChanges(query: RouteChangeQuery): Promise<RouteChangeRecord[]> {
    return this.routes.changes.list(query);
  }

  async pruneRouteChanges(olderThan: number, keepPerConnection: number): Promise<number> {
    return this.routes.changes.prune(olderThan, keepPerConnection);
  }
}

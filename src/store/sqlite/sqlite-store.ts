/**
 * The embedded store: SQLite on disk (better-sqlite3, WAL). better-sqlite3 is synchronous; the methods are
 * async only to honour the backend-neutral interface. Every statement is prepared once.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type {
  AccessKeyRecord, BgpSource, ConnectionFilter, ConnectionRecord, ConnectionTransition, CustomerGatewayRecord, IdempotencyRecord, KeyedRoute, RouteCount, RouteEntryType,
  RouteFilter, RouteRecord, RouteWriteGuard, Store,
} from '../store';
import { StoreConflictError } from '../store';
import { blockOf, locateOffset, type BlockCount } from '../route-blocks';
import { MIGRATIONS } from './migrations';
import { SqliteVpnTables } from './sqlite-vpn';
import { RAM_TABLES, SqliteRamTables } from './sqlite-ram';
import type { RamEntityKind, RamEntityRecord, RamLinkKind, RamLinkRecord, StsSessionRecord, UserAccessKeyRecord } from '../ram-records';
import { type RouteRow, ROUTE_COLUMNS, toRoute } from '../sql-rows';




/**
 * A listed page is read as one JSON array per row, built by SQLite (json_array, the stored AS path and tunnel
 * lists embedded as they are) and parsed by JSON.parse: better-sqlite3 turns each of a row's 8 values into a
 * JS value one by one, which costs more than the query (50 rows: ≈ 45 → 34 µs). Lossless: strings, nulls and
 * integers round-trip exactly (contract suite).
 */
const PAGE_JSON = 'json_array(route_dest, next_hop, weight, source, json(as_path), community, json(next_hop_tunnel_ids), create_time)';
type PageRow = [string, string, number, string | null, number[] | null, string | null, string[] | null, number];

function pageRowToRoute(type: RouteEntryType, json: string): RouteRecord {
  const r = JSON.parse(json) as PageRow;
  return {
    routeEntryType: type,
    routeDest: r[0],
    nextHop: r[1],
    weight: r[2],
    source: r[3] as BgpSource | null,
    asPath: r[4],
    community: r[5],
    nextHopTunnelIds: r[6],
    createTime: r[7],
  };
}

interface PendingNonce {
  accessKeyId: string;
  nonce: string;
  expiresAt: number;
  resolve(fresh: boolean): void;
  reject(err: unknown): void;
}

export const SQLITE_FILE_NAME = 'vcoroute.sqlite';

export function migrate(db: Database.Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  const record = db.prepare('INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)');
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.description, Date.now());
    }).immediate();
  }
  return MIGRATIONS.length === 0 ? 0 : MIGRATIONS[MIGRATIONS.length - 1]!.version;
}

export class SqliteStore implements Store {
  readonly backend = 'sqlite';
  private readonly db: Database.Database;
  private readonly s;
  private readonly vpn: SqliteVpnTables;
  private readonly ram: SqliteRamTables;

  /** `location` is a data directory, or ':memory:' for throwaway stores. */
  constructor(location: string) {
    let file = location;
    if (location !== ':memory:') {
      fs.mkdirSync(location, { recursive: true });
      file = path.join(location, SQLITE_FILE_NAME);
    }
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // WAL + NORMAL: a committed transaction survives a crash of the process (not necessarily of the OS).
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
    const db = this.db;
    this.vpn = new SqliteVpnTables(db);
    this.ram = new SqliteRamTables(db);
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
      releaseToken: db.prepare('DELETE FROM client_tokens WHERE account_id = ? AND client_token = ? AND response_status IS NULL AND (? IS NULL OR created_at = ?)'),
      pruneTokens: db.prepare('DELETE FROM client_tokens WHERE created_at < ?'),
      deleteTunnels: db.prepare('DELETE FROM vpn_tunnels WHERE connection_id = ?'),
      deleteConnection: db.prepare('DELETE FROM vpn_connections WHERE connection_id = ?'),
      connectionRevision: db.prepare('SELECT revision FROM vpn_connections WHERE connection_id = ?').pluck(),
      connectionState: db.prepare('SELECT state FROM vpn_connections WHERE connection_id = ?').pluck(),
      deleteAllRoutes: db.prepare('DELETE FROM vco_routes WHERE connection_id = ?'),
      deleteAllBlocks: db.prepare('DELETE FROM vco_route_blocks WHERE connection_id = ?'),
      deleteAllCounts: db.prepare('DELETE FROM vco_route_counts WHERE connection_id = ?'),
      bumpRoutesVersion: db.prepare(`INSERT INTO vco_route_versions (connection_id, routes_version) VALUES (?, 1)
        ON CONFLICT (connection_id) DO UPDATE SET routes_version = routes_version + 1`),
      nextSeq: db.prepare('SELECT next_route_seq FROM vpn_connections WHERE connection_id = ?').pluck(),
      setNextSeq: db.prepare('UPDATE vpn_connections SET next_route_seq = ? WHERE connection_id = ?'),
      findRouteRow: db.prepare(`SELECT ${ROUTE_COLUMNS} FROM vco_routes WHERE connection_id = ? AND route_entry_type = ? AND route_key = ?`),
      replaceRoute: db.prepare(`UPDATE vco_routes SET route_key = ?, route_dest = ?, next_hop = ?, weight = ?, source = ?, as_path = ?, community = ?,
        next_hop_tunnel_ids = ?, create_time = ? WHERE connection_id = ? AND route_entry_type = ? AND seq = ?`),
      findRoute: db.prepare('SELECT seq FROM vco_routes WHERE connection_id = ? AND route_entry_type = ? AND route_key = ?').pluck(),
      insertRoute: db.prepare(`INSERT INTO vco_routes (connection_id, route_entry_type, seq, route_key, ${ROUTE_COLUMNS.replace('route_entry_type, ', '')})
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      updateRoute: db.prepare(`UPDATE vco_routes SET route_dest = ?, next_hop = ?, weight = ?, source = ?, as_path = ?, community = ?,
        next_hop_tunnel_ids = ?, create_time = ? WHERE connection_id = ? AND route_entry_type = ? AND seq = ?`),
      addBlockCount: db.prepare(`INSERT INTO vco_route_blocks (connection_id, route_entry_type, block, route_count) VALUES (?, ?, ?, ?)
        ON CONFLICT (connection_id, route_entry_type, block) DO UPDATE SET route_count = route_count + excluded.route_count`),
      dropEmptyBlocks: db.prepare('DELETE FROM vco_route_blocks WHERE connection_id = ? AND route_count <= 0'),
      addRouteCount: db.prepare(`INSERT INTO vco_route_counts (connection_id, route_entry_type, source, route_count) VALUES (?, ?, ?, ?)
        ON CONFLICT (connection_id, route_entry_type, source) DO UPDATE SET route_count = route_count + excluded.route_count`),
      countRoutes: db.prepare('SELECT route_entry_type, source, route_count FROM vco_route_counts WHERE connection_id = ? AND route_count > 0'),
      blocks: db.prepare('SELECT block, route_count FROM vco_route_blocks WHERE connection_id = ? AND route_entry_type = ? ORDER BY block').raw(),
      pageFrom: db.prepare(`SELECT ${PAGE_JSON} FROM vco_routes WHERE connection_id = ? AND route_entry_type = ? AND seq >= ?
        ORDER BY seq LIMIT ? OFFSET ?`).pluck(),
    };
  }

  get database(): Database.Database {
    return this.db;
  }

  async close(): Promise<void> {
    this.flushNonces();
    if (this.db.open) this.db.close();
  }

  async upsertAccount(accountId: string, now: number): Promise<void> {
    this.s.upsertAccount.run(accountId, now);
  }

  async hasAccount(accountId: string): Promise<boolean> {
    return this.s.hasAccount.get(accountId) !== undefined;
  }

  async getRamGeneration(accountId: string): Promise<number> {
    return (this.s.getRamGeneration.get(accountId) as number | undefined) ?? 0;
  }

  async bumpRamGeneration(accountId: string): Promise<void> {
    this.s.bumpRamGeneration.run(accountId);
  }

  async upsertAccessKey(key: AccessKeyRecord, now: number): Promise<void> {
    this.s.upsertAccessKey.run(key.accessKeyId, key.accountId, key.secret, key.status, now);
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const row = this.s.getAccessKey.get(accessKeyId) as
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
      for (const n of batch) n.reject(err);
      return;
    }
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(fresh[i]!);
  };

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

  async releaseClientToken(accountId: string, token: string, claimedAt?: number): Promise<void> {
    this.s.releaseToken.run(accountId, token, claimedAt ?? null, claimedAt ?? null);
  }

  async pruneClientTokens(olderThan: number): Promise<number> {
    return this.s.pruneTokens.run(olderThan).changes;
  }

  // ---- customer gateways and VPN connections (sqlite-vpn.ts) ----

  async putCustomerGateway(gateway: CustomerGatewayRecord): Promise<void> {
    this.vpn.putGateway(gateway);
  }

  async getCustomerGateway(accountId: string, customerGatewayId: string): Promise<CustomerGatewayRecord | undefined> {
    return this.vpn.getGateway(accountId, customerGatewayId);
  }

  async listCustomerGateways(accountId: string, regionId: string, offset: number, limit: number, customerGatewayId?: string) {
    return this.vpn.listGateways(accountId, regionId, offset, limit, customerGatewayId);
  }

  async deleteCustomerGateway(accountId: string, customerGatewayId: string): Promise<'deleted' | 'in-use' | 'missing'> {
    return this.vpn.deleteGateway(accountId, customerGatewayId);
  }

  async putConnection(c: ConnectionRecord): Promise<void> {
    this.vpn.putConnection(c);
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

  async updateConnection(c: ConnectionRecord, expectedRevision: number): Promise<boolean> {
    return this.vpn.updateConnection(c, expectedRevision);
  }

  async transitionConnection(connectionId: string, fromStates: readonly string[], transition: ConnectionTransition, now: number): Promise<boolean> {
    return this.vpn.transition(connectionId, fromStates, transition, now);
  }

  async deleteConnection(connectionId: string, expectedRevision?: number): Promise<boolean> {
    return this.db.transaction(() => {
      if (expectedRevision !== undefined && this.s.connectionRevision.get(connectionId) !== expectedRevision) return false;
      this.s.deleteAllRoutes.run(connectionId);
      this.s.deleteAllBlocks.run(connectionId);
      this.s.deleteAllCounts.run(connectionId);
      this.s.deleteTunnels.run(connectionId);
      const deleted = this.s.deleteConnection.run(connectionId).changes === 1;
      if (deleted) this.s.bumpRoutesVersion.run(connectionId);
      return deleted;
    }).immediate();
  }

  async upsertRoutes(connectionId: string, routes: readonly KeyedRoute[]): Promise<{ inserted: number; updated: number }> {
    return this.db.transaction(() => this.upsertRoutesNow(connectionId, routes)).immediate();
  }

  /** The body of upsertRoutes; runs inside the caller's transaction. */
  private upsertRoutesNow(connectionId: string, routes: readonly KeyedRoute[]): { inserted: number; updated: number } {
    let seq = this.s.nextSeq.get(connectionId) as number | undefined;
    if (seq === undefined) throw new StoreConflictError(`connection ${connectionId} does not exist`);
    let inserted = 0;
    let updated = 0;
    const blockDeltas = new Map<string, number>();
    const countDeltas = new Map<string, number>();
    for (const { key, route: r } of routes) {
      const asPath = r.asPath === null ? null : JSON.stringify(r.asPath);
      const tunnels = r.nextHopTunnelIds === null ? null : JSON.stringify(r.nextHopTunnelIds);
      const existing = this.s.findRoute.get(connectionId, r.routeEntryType, key) as number | undefined;
      if (existing !== undefined) {
        this.s.updateRoute.run(r.routeDest, r.nextHop, r.weight, r.source, asPath, r.community, tunnels, r.createTime,
          connectionId, r.routeEntryType, existing);
        updated++;
        continue;
      }
      this.s.insertRoute.run(connectionId, r.routeEntryType, seq, key, r.routeDest, r.nextHop, r.weight, r.source, asPath,
        r.community, tunnels, r.createTime);
      bump(blockDeltas, `${r.routeEntryType}|${blockOf(seq)}`, 1);
      bump(countDeltas, `${r.routeEntryType}|${r.source ?? ''}`, 1);
      seq++;
      inserted++;
    }
    this.s.setNextSeq.run(seq, connectionId);
    this.applyDeltas(connectionId, blockDeltas, countDeltas);
    if (inserted + updated > 0) this.s.bumpRoutesVersion.run(connectionId);
    return { inserted, updated };
  }

  async deleteRoutes(connectionId: string, filter: RouteFilter, guard?: RouteWriteGuard): Promise<number> {
    const where = ['connection_id = ?'];
    const args: (string | number)[] = [connectionId];
    if (filter.routeEntryType) { where.push('route_entry_type = ?'); args.push(filter.routeEntryType); }
    if (filter.routeDest) { where.push('route_dest = ?'); args.push(filter.routeDest); }
    if (filter.routeKey) { where.push('route_key = ?'); args.push(filter.routeKey); }
    if (filter.source) { where.push('source = ?'); args.push(filter.source); }
    const del = this.db.prepare(`DELETE FROM vco_routes WHERE ${where.join(' AND ')} RETURNING route_entry_type, seq, source`);
    return this.db.transaction(() => {
      this.checkGuard(connectionId, guard);
      const rows = del.all(...args) as { route_entry_type: string; seq: number; source: string | null }[];
      const blockDeltas = new Map<string, number>();
      const countDeltas = new Map<string, number>();
      for (const row of rows) {
        bump(blockDeltas, `${row.route_entry_type}|${blockOf(row.seq)}`, -1);
        bump(countDeltas, `${row.route_entry_type}|${row.source ?? ''}`, -1);
      }
      this.applyDeltas(connectionId, blockDeltas, countDeltas);
      this.s.dropEmptyBlocks.run(connectionId);
      if (rows.length > 0) this.s.bumpRoutesVersion.run(connectionId);
      return rows.length;
    }).immediate();
  }

  async insertRoute(connectionId: string, route: KeyedRoute, guard?: RouteWriteGuard): Promise<boolean> {
    return this.db.transaction(() => {
      this.checkGuard(connectionId, guard);
      if (this.s.findRoute.get(connectionId, route.route.routeEntryType, route.key) !== undefined) return false;
      this.upsertRoutesNow(connectionId, [route]);
      return true;
    }).immediate();
  }

  async findRoute(connectionId: string, routeEntryType: RouteEntryType, key: string): Promise<RouteRecord | undefined> {
    const row = this.s.findRouteRow.get(connectionId, routeEntryType, key) as RouteRow | undefined;
    return row && toRoute(row);
  }

  async replaceRoute(connectionId: string, routeEntryType: RouteEntryType, oldKey: string, route: KeyedRoute, guard?: RouteWriteGuard): Promise<'ok' | 'missing' | 'exists'> {
    return this.db.transaction(() => {
      this.checkGuard(connectionId, guard);
      const seq = this.s.findRoute.get(connectionId, routeEntryType, oldKey) as number | undefined;
      if (seq === undefined) return 'missing' as const;
      if (route.key !== oldKey && this.s.findRoute.get(connectionId, routeEntryType, route.key) !== undefined) return 'exists' as const;
      const r = route.route;
      this.s.replaceRoute.run(route.key, r.routeDest, r.nextHop, r.weight, r.source, r.asPath === null ? null : JSON.stringify(r.asPath), r.community,
        r.nextHopTunnelIds === null ? null : JSON.stringify(r.nextHopTunnelIds), r.createTime, connectionId, routeEntryType, seq);
      this.s.bumpRoutesVersion.run(connectionId);
      return 'ok' as const;
    }).immediate();
  }

  /** Inside a route write's transaction: the connection's stored state must be the guard's. */
  private checkGuard(connectionId: string, guard: RouteWriteGuard | undefined): void {
    if (guard === undefined) return;
    const state = this.s.connectionState.get(connectionId) as string | undefined;
    if (state !== guard.whenState) throw new StoreConflictError(`connection ${connectionId} is ${state ?? 'gone'}, not ${guard.whenState}`);
  }

  private applyDeltas(connectionId: string, blockDeltas: Map<string, number>, countDeltas: Map<string, number>): void {
    for (const [k, delta] of blockDeltas) {
      const [type, block] = k.split('|') as [string, string];
      this.s.addBlockCount.run(connectionId, type, Number(block), delta);
    }
    for (const [k, delta] of countDeltas) {
      const [type, source] = k.split('|') as [string, string];
      this.s.addRouteCount.run(connectionId, type, source, delta);
    }
  }

  async countRoutes(connectionId: string): Promise<RouteCount[]> {
    return (this.s.countRoutes.all(connectionId) as { route_entry_type: RouteEntryType; source: string; route_count: number }[]).map(
      (r) => ({ routeEntryType: r.route_entry_type, source: r.source === '' ? null : (r.source as BgpSource), count: r.route_count }),
    );
  }

  async listRoutes(connectionId: string, routeEntryType: RouteEntryType, offset: number, limit: number): Promise<RouteRecord[]> {
    let start: { fromSeq: number; skip: number } | undefined = { fromSeq: 0, skip: 0 };
    if (offset > 0) {
      const blocks = (this.s.blocks.all(connectionId, routeEntryType) as [number, number][]).map(([block, count]): BlockCount => ({ block, count }));
      start = locateOffset(blocks, offset);
    }
    if (!start) return [];
    const rows = this.s.pageFrom.all(connectionId, routeEntryType, start.fromSeq, limit, start.skip) as string[];
    const routes = new Array<RouteRecord>(rows.length);
    for (let i = 0; i < rows.length; i++) routes[i] = pageRowToRoute(routeEntryType, rows[i]!);
    return routes;
  }

  async reset(keepAccountId: string, keepAccessKeyId: string): Promise<void> {
    this.db.transaction(() => {
      for (const table of ['vco_routes', 'vco_route_blocks', 'vco_route_counts', 'vpn_tunnels', 'vpn_connections', 'customer_gateways', 'client_tokens', ...RAM_TABLES]) {
        this.db.prepare(`DELETE FROM ${table}`).run();
      }
      this.db.prepare('DELETE FROM access_keys WHERE access_key_id <> ?').run(keepAccessKeyId);
      this.db.prepare('DELETE FROM accounts WHERE account_id <> ?').run(keepAccountId);
      // Routes versions are kept and moved on (never reused for a connection ID), as deleteConnection does.
      this.db.prepare('UPDATE vco_route_versions SET routes_version = routes_version + 1').run();
    }).immediate();
  }

  // ---- RAM & STS ---- (sqlite-ram.ts)

  async createRamEntity(entity: RamEntityRecord): Promise<boolean> {
    return this.ram.createEntity(entity);
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

  async updateRamEntity(entity: RamEntityRecord): Promise<boolean> {
    return this.ram.updateEntity(entity);
  }

  async deleteRamEntity(accountId: string, kind: RamEntityKind, id: string): Promise<boolean> {
    return this.ram.deleteEntity(accountId, kind, id);
  }

  async addRamLink(link: RamLinkRecord): Promise<boolean> {
    return this.ram.addLink(link);
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

  async putUserAccessKey(key: UserAccessKeyRecord): Promise<void> {
    this.ram.putKey(key);
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
}

function bump(map: Map<string, number>, key: string, delta: number): void {
  map.set(key, (map.get(key) ?? 0) + delta);
}

/**
 * SQLite storage of the BGP speaker's loopback ports and session leases (store.ts "BGP speaker"). Used by
 * SqliteStore; learned routes go through SqliteRouteTables inside the same transaction as the lease check.
 */
import type Database from 'better-sqlite3';
import type { BgpSessionRecord, KeyedRoute, RouteChangeOrigin } from '../store';
import { StoreConflictError } from '../store';
import { BGP_SESSION_COLUMNS, type BgpSessionRow, bgpSessionValues, lowestFreePort, toBgpSession } from '../bgp-rows';
import type { OriginOf, SqliteRouteTables } from './sqlite-routes';
import { learnedOrigin, SESSION_DOWN } from '../bgp-rows';

const LEARNED = { routeEntryType: 'bgp', source: 'VPN_BGP' } as const;

export class SqliteBgpTables {
  private readonly s;

  constructor(private readonly db: Database.Database, private readonly routes: SqliteRouteTables) {
    this.s = {
      getPort: db.prepare('SELECT port FROM bgp_ports WHERE tunnel_id = ?').pluck(),
      portsInRange: db.prepare('SELECT port FROM bgp_ports WHERE port BETWEEN ? AND ? ORDER BY port').pluck(),
      insertPort: db.prepare('INSERT INTO bgp_ports (tunnel_id, port) VALUES (?, ?)'),
      deletePortsOf: db.prepare(`DELETE FROM bgp_ports WHERE tunnel_id = ? OR tunnel_id IN (SELECT tunnel_id FROM vpn_tunnels WHERE connection_id = ?)`),
      deleteSessionsOf: db.prepare('DELETE FROM bgp_sessions WHERE connection_id = ?'),
      connectionExists: db.prepare('SELECT 1 FROM vpn_connections WHERE connection_id = ?').pluck(),
      otherLiveHolder: db.prepare('SELECT 1 FROM bgp_sessions WHERE connection_id = ? AND holder <> ? AND lease_expires_at > ? LIMIT 1').pluck(),
      anyLive: db.prepare('SELECT 1 FROM bgp_sessions WHERE connection_id = ? AND lease_expires_at > ? LIMIT 1').pluck(),
      holderLive: db.prepare('SELECT 1 FROM bgp_sessions WHERE connection_id = ? AND holder = ? AND lease_expires_at > ? LIMIT 1').pluck(),
      deleteExpiredOf: db.prepare('DELETE FROM bgp_sessions WHERE connection_id = ? AND lease_expires_at <= ?'),
      putSession: db.prepare(`INSERT OR REPLACE INTO bgp_sessions (${BGP_SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      updateSession: db.prepare(`UPDATE bgp_sessions SET lease_expires_at = ?, state = ?, peer_asn = ?, peer_address = ?, established_at = ?,
        prefixes_received = ?, prefixes_accepted = ?, prefixes_advertised = ? WHERE tunnel_id = ? AND holder = ? AND lease_expires_at > ?`),
      release: db.prepare('DELETE FROM bgp_sessions WHERE tunnel_id = ? AND holder = ?'),
      list: db.prepare(`SELECT ${BGP_SESSION_COLUMNS} FROM bgp_sessions WHERE connection_id = ? ORDER BY tunnel_id`),
      attachedIds: db.prepare('SELECT connection_id FROM vpn_connections WHERE transit_router_id IS NOT NULL ORDER BY connection_id').pluck(),
      expiredConnections: db.prepare('SELECT DISTINCT connection_id FROM bgp_sessions WHERE lease_expires_at <= ? ORDER BY connection_id').pluck(),
    };
  }

  assignPort(tunnelId: string, first: number, last: number): number {
    return this.db.transaction(() => {
      const existing = this.s.getPort.get(tunnelId) as number | undefined;
      if (existing !== undefined) return existing;
      const port = lowestFreePort(this.s.portsInRange.all(first, last) as number[], first, last);
      if (port === undefined) throw new StoreConflictError(`no free BGP port in ${first}-${last}`);
      this.s.insertPort.run(tunnelId, port);
      return port;
    }).immediate();
  }

  getPort(tunnelId: string): number | undefined {
    return this.s.getPort.get(tunnelId) as number | undefined;
  }

  /** Inside deleteConnection's transaction, before the tunnels go: frees the connection's ports and leases. */
  deleteAllOf(connectionId: string): void {
    this.s.deletePortsOf.run(connectionId, connectionId);
    this.s.deleteSessionsOf.run(connectionId);
  }

  claim(session: BgpSessionRecord, now: number): boolean {
    return this.db.transaction(() => {
      const c = session.connectionId;
      if (this.s.connectionExists.get(c) === undefined) return false;
      if (this.s.otherLiveHolder.get(c, session.holder, now) !== undefined) return false;
      if (this.s.anyLive.get(c, now) === undefined) this.routes.delete(c, LEARNED, undefined, undefined, SESSION_DOWN);
      this.s.deleteExpiredOf.run(c, now);
      this.s.putSession.run(...bgpSessionValues(session));
      return true;
    }).immediate();
  }

  put(s: BgpSessionRecord, now: number): boolean {
    return this.s.updateSession.run(s.leaseExpiresAt, s.state, s.peerAsn, s.peerAddress, s.establishedAt, s.prefixesReceived, s.prefixesAccepted,
      s.prefixesAdvertised, s.tunnelId, s.holder, now).changes === 1;
  }

  release(tunnelId: string, holder: string): void {
    this.s.release.run(tunnelId, holder);
  }

  list(connectionId: string): BgpSessionRecord[] {
    return (this.s.list.all(connectionId) as BgpSessionRow[]).map(toBgpSession);
  }

  writeRoutes(
    connectionId: string, holder: string, upserts: readonly KeyedRoute[], deleteKeys: readonly string[], now: number, origins?: ReadonlyMap<string, RouteChangeOrigin>,
  ): boolean {
    return this.db.transaction(() => {
      if (this.s.holderLive.get(connectionId, holder, now) === undefined) return false;
      const originOf = (fallback: 'bgp-update' | 'bgp-withdraw'): OriginOf => (key) => learnedOrigin(origins, key, fallback);
      if (upserts.length > 0) this.routes.upsert(connectionId, upserts, originOf('bgp-update'));
      if (deleteKeys.length > 0) this.routes.delete(connectionId, { routeEntryType: 'bgp' }, undefined, deleteKeys, originOf('bgp-withdraw'));
      return true;
    }).immediate();
  }

  attachedIds(): string[] {
    return this.s.attachedIds.all() as string[];
  }

  expire(now: number): string[] {
    return this.db.transaction(() => {
      const cleared: string[] = [];
      for (const c of this.s.expiredConnections.all(now) as string[]) {
        this.s.deleteExpiredOf.run(c, now);
        if (this.s.anyLive.get(c, now) !== undefined) continue;
        this.routes.delete(c, LEARNED, undefined, undefined, SESSION_DOWN);
        cleared.push(c);
      }
      return cleared;
    }).immediate();
  }
}

/**
 * PostgreSQL storage of the BGP speaker's loopback ports and session leases: mirrors sqlite/sqlite-bgp.ts.
 * Every lease decision and every learned-route write first locks the connection row (as every route change
 * does), so claims, renewals, expiry and route writes of one connection are serialised across servers.
 */
import type { BgpSessionRecord, KeyedRoute, RouteChangeOrigin } from '../store';
import { StoreConflictError } from '../store';
import { BGP_SESSION_COLUMNS, type BgpSessionRow, bgpSessionValues, learnedOrigin, lowestFreePort, SESSION_DOWN, toBgpSession } from '../bgp-rows';
import { placeholders, type PgDatabase, type Sql } from './db';
import type { OriginOf, PgRouteTables } from './postgres-routes';

const LEARNED = { routeEntryType: 'bgp', source: 'VPN_BGP' } as const;
/** Two servers picking the same lowest port: the loser re-reads and takes the next one. */
const MAX_PORT_ATTEMPTS = 20;

export class PgBgpTables {
  constructor(private readonly db: PgDatabase, private readonly routes: PgRouteTables) {}

  async assignPort(tunnelId: string, first: number, last: number): Promise<number> {
    for (let attempt = 0; attempt < MAX_PORT_ATTEMPTS; attempt++) {
      const existing = await this.getPort(tunnelId);
      if (existing !== undefined) return existing;
      const taken = (await this.db.query<{ port: number }>('SELECT port FROM bgp_ports WHERE port BETWEEN $1 AND $2 ORDER BY port', [first, last]))
        .rows.map((r) => Number(r.port));
      const port = lowestFreePort(taken, first, last);
      if (port === undefined) throw new StoreConflictError(`no free BGP port in ${first}-${last}`);
      // Conflicts on the tunnel (another server assigned it meanwhile) or on the port (taken meanwhile): re-read.
      const inserted = await this.db.query('INSERT INTO bgp_ports (tunnel_id, port) VALUES ($1, $2) ON CONFLICT DO NOTHING', [tunnelId, port]);
      if (inserted.rowCount === 1) return port;
    }
    throw new StoreConflictError(`could not assign a BGP port to ${tunnelId}: too much contention`);
  }

  async getPort(tunnelId: string): Promise<number | undefined> {
    const row = (await this.db.query<{ port: number }>('SELECT port FROM bgp_ports WHERE tunnel_id = $1', [tunnelId])).rows[0];
    return row === undefined ? undefined : Number(row.port);
  }

  /** Inside deleteConnection's transaction, before the tunnels go: frees the connection's ports and leases. */
  async deleteAllOf(sql: Sql, connectionId: string): Promise<void> {
    await sql.query('DELETE FROM bgp_ports WHERE tunnel_id = $1 OR tunnel_id IN (SELECT tunnel_id FROM vpn_tunnels WHERE connection_id = $1)', [connectionId]);
    await sql.query('DELETE FROM bgp_sessions WHERE connection_id = $1', [connectionId]);
  }

  claim(session: BgpSessionRecord, now: number): Promise<boolean> {
    const c = session.connectionId;
    return this.db.tx(async (sql) => {
      if (!(await lockConnection(sql, c))) return false;
      const other = await sql.query('SELECT 1 FROM bgp_sessions WHERE connection_id = $1 AND holder <> $2 AND lease_expires_at > $3 LIMIT 1', [c, session.holder, now]);
      if (other.rows.length > 0) return false;
      const live = await sql.query('SELECT 1 FROM bgp_sessions WHERE connection_id = $1 AND lease_expires_at > $2 LIMIT 1', [c, now]);
      if (live.rows.length === 0) await this.routes.deleteIn(sql, c, LEARNED, undefined, undefined, SESSION_DOWN);
      await sql.query('DELETE FROM bgp_sessions WHERE connection_id = $1 AND lease_expires_at <= $2', [c, now]);
      const columns = BGP_SESSION_COLUMNS.split(', ');
      await sql.query(
        `INSERT INTO bgp_sessions (${BGP_SESSION_COLUMNS}) VALUES (${placeholders(1, columns.length)})
         ON CONFLICT (tunnel_id) DO UPDATE SET ${columns.slice(1).map((col) => `${col} = EXCLUDED.${col}`).join(', ')}`,
        bgpSessionValues(session),
      );
      return true;
    });
  }

  async put(s: BgpSessionRecord, now: number): Promise<boolean> {
    const updated = await this.db.query(
      `UPDATE bgp_sessions SET lease_expires_at = $1, state = $2, peer_asn = $3, peer_address = $4, established_at = $5, prefixes_received = $6,
         prefixes_accepted = $7, prefixes_advertised = $8 WHERE tunnel_id = $9 AND holder = $10 AND lease_expires_at > $11`,
      [s.leaseExpiresAt, s.state, s.peerAsn, s.peerAddress, s.establishedAt, s.prefixesReceived, s.prefixesAccepted, s.prefixesAdvertised,
        s.tunnelId, s.holder, now],
    );
    return updated.rowCount === 1;
  }

  async release(tunnelId: string, holder: string): Promise<void> {
    await this.db.query('DELETE FROM bgp_sessions WHERE tunnel_id = $1 AND holder = $2', [tunnelId, holder]);
  }

  async list(connectionId: string): Promise<BgpSessionRecord[]> {
    const rows = await this.db.query<BgpSessionRow>(
      `SELECT ${BGP_SESSION_COLUMNS} FROM bgp_sessions WHERE connection_id = $1 ORDER BY tunnel_id COLLATE "C"`, [connectionId]);
    return rows.rows.map(toBgpSession);
  }

  writeRoutes(
    connectionId: string, holder: string, upserts: readonly KeyedRoute[], deleteKeys: readonly string[], now: number, origins?: ReadonlyMap<string, RouteChangeOrigin>,
  ): Promise<boolean> {
    const originOf = (fallback: 'bgp-update' | 'bgp-withdraw'): OriginOf => (key) => learnedOrigin(origins, key, fallback);
    return this.db.tx(async (sql) => {
      if (!(await lockConnection(sql, connectionId))) return false;
      const held = await sql.query('SELECT 1 FROM bgp_sessions WHERE connection_id = $1 AND holder = $2 AND lease_expires_at > $3 LIMIT 1', [connectionId, holder, now]);
      if (held.rows.length === 0) return false;
      if (upserts.length > 0) await this.routes.upsertIn(sql, connectionId, upserts, originOf('bgp-update'));
      if (deleteKeys.length > 0) await this.routes.deleteIn(sql, connectionId, { routeEntryType: 'bgp' }, undefined, deleteKeys, originOf('bgp-withdraw'));
      return true;
    });
  }

  async attachedIds(): Promise<string[]> {
    const rows = await this.db.query<{ connection_id: string }>(
      'SELECT connection_id FROM vpn_connections WHERE transit_router_id IS NOT NULL ORDER BY connection_id COLLATE "C"');
    return rows.rows.map((r) => r.connection_id);
  }

  async expire(now: number): Promise<string[]> {
    const expired = await this.db.query<{ connection_id: string }>('SELECT DISTINCT connection_id FROM bgp_sessions WHERE lease_expires_at <= $1', [now]);
    const cleared: string[] = [];
    for (const { connection_id: c } of expired.rows) {
      const dropped = await this.db.tx(async (sql) => {
        const exists = await lockConnection(sql, c);
        await sql.query('DELETE FROM bgp_sessions WHERE connection_id = $1 AND lease_expires_at <= $2', [c, now]);
        if (!exists) return false;
        const live = await sql.query('SELECT 1 FROM bgp_sessions WHERE connection_id = $1 AND lease_expires_at > $2 LIMIT 1', [c, now]);
        if (live.rows.length > 0) return false;
        await this.routes.deleteIn(sql, c, LEARNED, undefined, undefined, SESSION_DOWN);
        return true;
      });
      if (dropped) cleared.push(c);
    }
    return cleared;
  }
}

async function lockConnection(sql: Sql, connectionId: string): Promise<boolean> {
  return (await sql.query('SELECT 1 FROM vpn_connections WHERE connection_id = $1 FOR UPDATE', [connectionId])).rows.length > 0;
}

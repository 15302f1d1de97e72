/**
 * SQLite storage of customer gateways and VPN connections (with their tunnels). Used by SqliteStore;
 * kept apart so each file stays small. Configuration documents are JSON columns: nothing queries inside.
 */
import type Database from 'better-sqlite3';
import type {
  ConnectionAttributes, ConnectionFilter, ConnectionRecord, ConnectionTransition, CustomerGatewayRecord, TunnelOptions, TunnelRecord,
} from '../store';
import { StoreConflictError } from '../store';
import type { ValidatedReadCache } from './read-cache';
import { type GatewayRow, toGateway, type ConnectionRow, CONNECTION_COLUMNS, type TunnelRow, toTunnel, toConnection } from '../sql-rows';

/** getConnectionWithTunnels: CONNECTION_COLUMNS, routes version, revision, then the tunnel's columns (null without tunnels). */
type JoinedRow = [string, string, string, string, string | null, number | null, string | null, string | null, number, string, number, number,
  string | null, number | null, string | null, string | null, string | null];

export class SqliteVpnTables {
  private readonly s;

  constructor(private readonly db: Database.Database, private readonly cache: ValidatedReadCache) {
    this.s = {
      putGateway: db.prepare(`INSERT OR REPLACE INTO customer_gateways (customer_gateway_id, account_id, region_id, ip_address, asn, auth_key,
        name, description, resource_group_id, tags, create_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      getGateway: db.prepare('SELECT * FROM customer_gateways WHERE customer_gateway_id = ? AND account_id = ?'),
      countGateways: db.prepare('SELECT COUNT(*) FROM customer_gateways WHERE account_id = ? AND region_id = ?').pluck(),
      countOtherGateways: db.prepare('SELECT COUNT(*) FROM customer_gateways WHERE account_id = ? AND region_id = ? AND customer_gateway_id <> ?').pluck(),
      countOtherConnections: db.prepare('SELECT COUNT(*) FROM vpn_connections WHERE account_id = ? AND region_id = ? AND connection_id <> ?').pluck(),
      listGateways: db.prepare(`SELECT * FROM customer_gateways WHERE account_id = ? AND region_id = ?
        ORDER BY create_time, customer_gateway_id LIMIT ? OFFSET ?`),
      gatewayInUse: db.prepare(`SELECT 1 FROM vpn_connections WHERE customer_gateway_id = ?
        UNION ALL SELECT 1 FROM vpn_tunnels WHERE customer_gateway_id = ? LIMIT 1`).pluck(),
      deleteGateway: db.prepare('DELETE FROM customer_gateways WHERE customer_gateway_id = ? AND account_id = ?'),
      putConnection: db.prepare(`INSERT OR REPLACE INTO vpn_connections (${CONNECTION_COLUMNS}, next_route_seq, revision)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE((SELECT next_route_seq FROM vpn_connections WHERE connection_id = ?), 0),
        COALESCE((SELECT revision + 1 FROM vpn_connections WHERE connection_id = ?), 0))`),
      updateConnection: db.prepare(`UPDATE vpn_connections SET state = ?, pending_state = ?, pending_until = ?, transit_router_id = ?,
        customer_gateway_id = ?, attributes = ?, revision = revision + 1 WHERE connection_id = ? AND revision = ?`),
      gatewayExists: db.prepare('SELECT 1 FROM customer_gateways WHERE customer_gateway_id = ?').pluck(),
      deleteTunnels: db.prepare('DELETE FROM vpn_tunnels WHERE connection_id = ?'),
      tunnelOwner: db.prepare('SELECT connection_id FROM vpn_tunnels WHERE tunnel_id = ?').pluck(),
      insertTunnel: db.prepare('INSERT INTO vpn_tunnels (connection_id, tunnel_index, tunnel_id, status, customer_gateway_id, options) VALUES (?, ?, ?, ?, ?, ?)'),
      getConnection: db.prepare(`SELECT ${CONNECTION_COLUMNS} FROM vpn_connections WHERE connection_id = ?`),
      getTunnels: db.prepare('SELECT tunnel_id, tunnel_index, status, customer_gateway_id, options FROM vpn_tunnels WHERE connection_id = ? ORDER BY tunnel_index'),
      // One statement for the connection, its routes version and its tunnels (the listing path), read as raw rows.
      getConnectionWithTunnels: db.prepare(`SELECT ${CONNECTION_COLUMNS.split(', ').map((c) => `c.${c}`).join(', ')},
        COALESCE((SELECT routes_version FROM vco_route_versions v WHERE v.connection_id = c.connection_id), 0), c.revision,
        t.tunnel_id, t.tunnel_index, t.status, t.customer_gateway_id, t.options
        FROM vpn_connections c LEFT JOIN vpn_tunnels t ON t.connection_id = c.connection_id WHERE c.connection_id = ? ORDER BY t.tunnel_index`).raw(),
      transition: db.prepare(`UPDATE vpn_connections SET state = ?, pending_state = ?, pending_until = ?, transit_router_id = ?, revision = revision + 1
        WHERE connection_id = ? AND (pending_until IS NULL OR pending_until <= ?) AND state IN (SELECT value FROM json_each(?))`),
    };
  }

  /** Store.putCustomerGateway: counted and written in one IMMEDIATE transaction (SQLite's single writer is the region lock). */
  putGateway(g: CustomerGatewayRecord, maxInRegion?: number): 'stored' | 'limit' {
    return this.db.transaction(() => {
      if (maxInRegion !== undefined && (this.s.countOtherGateways.get(g.accountId, g.regionId, g.customerGatewayId) as number) >= maxInRegion) {
        return 'limit' as const;
      }
      this.s.putGateway.run(g.customerGatewayId, g.accountId, g.regionId, g.ipAddress, g.asn, g.authKey, g.name, g.description,
        g.resourceGroupId, JSON.stringify(g.tags), g.createTime);
      return 'stored' as const;
    }).immediate();
  }

  getGateway(accountId: string, id: string): CustomerGatewayRecord | undefined {
    const row = this.s.getGateway.get(id, accountId) as GatewayRow | undefined;
    return row && toGateway(row);
  }

  listGateways(accountId: string, regionId: string, offset: number, limit: number, id?: string): { total: number; items: CustomerGatewayRecord[] } {
    if (id !== undefined) {
      const one = this.getGateway(accountId, id);
      const items = one && one.regionId === regionId ? [one] : [];
      return { total: items.length, items: items.slice(offset, offset + limit) };
    }
    return {
      total: this.s.countGateways.get(accountId, regionId) as number,
      items: (this.s.listGateways.all(accountId, regionId, limit, offset) as GatewayRow[]).map(toGateway),
    };
  }

  deleteGateway(accountId: string, id: string): 'deleted' | 'in-use' | 'missing' {
    return this.db.transaction(() => {
      if (!this.s.getGateway.get(id, accountId)) return 'missing' as const;
      if (this.s.gatewayInUse.get(id, id) !== undefined) return 'in-use' as const;
      this.s.deleteGateway.run(id, accountId);
      return 'deleted' as const;
    }).immediate();
  }

  putConnection(c: ConnectionRecord, maxInRegion?: number): 'stored' | 'limit' {
    return this.db.transaction(() => {
      if (maxInRegion !== undefined && (this.s.countOtherConnections.get(c.accountId, c.regionId, c.connectionId) as number) >= maxInRegion) {
        return 'limit' as const;
      }
      this.checkReferences(c);
      this.s.putConnection.run(c.connectionId, c.accountId, c.regionId, c.state, c.pendingState, c.pendingUntil, c.transitRouterId,
        c.customerGatewayId, c.createTime, JSON.stringify(c.attributes), c.connectionId, c.connectionId);
      this.replaceTunnels(c);
      return 'stored' as const;
    }).immediate();
  }

  updateConnection(c: ConnectionRecord, expectedRevision: number): boolean {
    return this.db.transaction(() => {
      this.checkReferences(c);
      const updated = this.s.updateConnection.run(c.state, c.pendingState, c.pendingUntil, c.transitRouterId, c.customerGatewayId,
        JSON.stringify(c.attributes), c.connectionId, expectedRevision).changes === 1;
      if (updated) this.replaceTunnels(c);
      return updated;
    }).immediate();
  }

  /** Tunnel IDs of other connections and missing customer gateways are conflicts (checked inside the write's transaction). */
  private checkReferences(c: ConnectionRecord): void {
    for (const t of c.tunnels) {
      const owner = this.s.tunnelOwner.get(t.tunnelId) as string | undefined;
      if (owner !== undefined && owner !== c.connectionId) throw new StoreConflictError(`tunnel ${t.tunnelId} belongs to ${owner}`);
    }
    for (const id of new Set([c.customerGatewayId, ...c.tunnels.map((t) => t.customerGatewayId)])) {
      if (id !== null && this.s.gatewayExists.get(id) === undefined) throw new StoreConflictError(`customer gateway ${id} does not exist`);
    }
  }

  private replaceTunnels(c: ConnectionRecord): void {
    this.s.deleteTunnels.run(c.connectionId);
    for (const t of c.tunnels) {
      this.s.insertTunnel.run(c.connectionId, t.tunnelIndex, t.tunnelId, t.status, t.customerGatewayId, JSON.stringify(t.options));
    }
  }

  getConnection(id: string): ConnectionRecord | undefined {
    const rows = this.cache.read(`c\0${id}`, () => this.s.getConnectionWithTunnels.all(id)) as JoinedRow[];
    if (rows.length === 0) return undefined;
    const r = rows[0]!;
    const tunnels: TunnelRecord[] = [];
    for (const t of rows) {
      if (t[12] !== null) tunnels.push({ tunnelId: t[12], tunnelIndex: t[13]!, status: t[14]!, customerGatewayId: t[15], options: JSON.parse(t[16]!) as TunnelOptions });
    }
    return {
      connectionId: r[0], accountId: r[1], regionId: r[2], state: r[3], pendingState: r[4], pendingUntil: r[5], transitRouterId: r[6],
      customerGatewayId: r[7], createTime: r[8], tunnels, attributes: JSON.parse(r[9]) as ConnectionAttributes, routesVersion: r[10], revision: r[11],
    };
  }

  listConnections(accountId: string, regionId: string, filter: ConnectionFilter, offset: number, limit: number): { total: number; items: ConnectionRecord[] } {
    const where = ['account_id = ?', 'region_id = ?'];
    const args: (string | number)[] = [accountId, regionId];
    if (filter.connectionId !== undefined) { where.push('connection_id = ?'); args.push(filter.connectionId); }
    if (filter.customerGatewayId !== undefined) {
      where.push('(customer_gateway_id = ? OR connection_id IN (SELECT connection_id FROM vpn_tunnels WHERE customer_gateway_id = ?))');
      args.push(filter.customerGatewayId, filter.customerGatewayId);
    }
    if (filter.attachedToTransitRouter) where.push('transit_router_id IS NOT NULL');
    const clause = where.join(' AND ');
    const total = this.db.prepare(`SELECT COUNT(*) FROM vpn_connections WHERE ${clause}`).pluck().get(...args) as number;
    const rows = this.db
      .prepare(`SELECT ${CONNECTION_COLUMNS}, revision FROM vpn_connections WHERE ${clause} ORDER BY create_time, connection_id LIMIT ? OFFSET ?`)
      .all(...args, limit, offset) as ConnectionRow[];
    return { total, items: rows.map((r) => this.toConnection(r)) };
  }

  transition(id: string, fromStates: readonly string[], t: ConnectionTransition, now: number): boolean {
    return this.db.transaction(() => {
      const current = this.s.getConnection.get(id) as ConnectionRow | undefined;
      if (!current) return false;
      const transitRouterId = t.transitRouterId === undefined ? current.transit_router_id : t.transitRouterId;
      return this.s.transition.run(t.state, t.pendingState, t.pendingUntil, transitRouterId, id, now, JSON.stringify(fromStates)).changes === 1;
    }).immediate();
  }

  private toConnection(row: ConnectionRow): ConnectionRecord {
    return toConnection(row, (this.s.getTunnels.all(row.connection_id) as TunnelRow[]).map(toTunnel));
  }

}

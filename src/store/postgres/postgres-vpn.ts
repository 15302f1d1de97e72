/**
 * PostgreSQL storage of customer gateways and VPN connections (with their tunnels). Used by PostgresStore;
 * mirrors sqlite/sqlite-vpn.ts. Configuration documents are TEXT holding JSON: nothing queries inside.
 */
import type {
  ConnectionFilter, ConnectionRecord, ConnectionTransition, CustomerGatewayRecord, TokenCompletion, TunnelRecord,
} from '../store';
import { completeTokenStep } from './client-tokens';
import { StoreConflictError } from '../store';
import { placeholders, type PgDatabase, type Sql } from './db';
import { type GatewayRow, GATEWAY_COLUMNS, toGateway, type ConnectionRow, CONNECTION_COLUMNS, type TunnelRow, toTunnel, toConnection } from '../sql-rows';

/**
 * First key of the (kind, account, region) advisory locks of region quotas ("QTA" in ASCII); the second is
 * hashtext('<table>/<account>/<region>'). Apart from the RAM locks' and the migration lock's key spaces.
 */
const REGION_QUOTA_LOCK_CLASS = 0x515441;

/**
 * Store.putCustomerGateway / putConnection with `maxInRegion`: takes the (table, account, region) lock for the
 * rest of the transaction, then counts the others of the region. Under READ COMMITTED the count (a statement
 * after the lock) sees every earlier holder's commit, so the figure holds across servers.
 */
async function roomInRegion(sql: Sql, table: 'customer_gateways' | 'vpn_connections', idColumn: string, row: { accountId: string; regionId: string; id: string }, max: number): Promise<boolean> {
  await sql.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [REGION_QUOTA_LOCK_CLASS, `${table}/${row.accountId}/${row.regionId}`]);
  const others = await sql.query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM ${table} WHERE account_id = $1 AND region_id = $2 AND ${idColumn} <> $3`, [row.accountId, row.regionId, row.id],
  );
  return Number(others.rows[0]!.n) < max;
}

export class PgVpnTables {
  constructor(private readonly db: PgDatabase) {}

  async putGateway(g: CustomerGatewayRecord, completion?: TokenCompletion, maxInRegion?: number): Promise<'stored' | 'limit'> {
    return this.db.tx(async (sql) => {
      if (maxInRegion !== undefined && !(await roomInRegion(sql, 'customer_gateways', 'customer_gateway_id',
        { accountId: g.accountId, regionId: g.regionId, id: g.customerGatewayId }, maxInRegion))) return 'limit' as const;
      await sql.query(
      `INSERT INTO customer_gateways (${GATEWAY_COLUMNS}) VALUES (${placeholders(1, 11)})
       ON CONFLICT (customer_gateway_id) DO UPDATE SET account_id = EXCLUDED.account_id, region_id = EXCLUDED.region_id,
         ip_address = EXCLUDED.ip_address, asn = EXCLUDED.asn, auth_key = EXCLUDED.auth_key, name = EXCLUDED.name,
         description = EXCLUDED.description, resource_group_id = EXCLUDED.resource_group_id, tags = EXCLUDED.tags,
         create_time = EXCLUDED.create_time`,
      [g.customerGatewayId, g.accountId, g.regionId, g.ipAddress, g.asn, g.authKey, g.name, g.description, g.resourceGroupId,
        JSON.stringify(g.tags), g.createTime],
      );
      return 'stored' as const;
    }, 'BEGIN', completeTokenStep(completion, (r) => r === 'stored'));
  }

  async getGateway(accountId: string, id: string): Promise<CustomerGatewayRecord | undefined> {
    const row = (
      await this.db.query<GatewayRow>(`SELECT ${GATEWAY_COLUMNS} FROM customer_gateways WHERE customer_gateway_id = $1 AND account_id = $2`, [id, accountId])
    ).rows[0];
    return row && toGateway(row);
  }

  async listGateways(accountId: string, regionId: string, offset: number, limit: number, id?: string): Promise<{ total: number; items: CustomerGatewayRecord[] }> {
    if (id !== undefined) {
      const one = await this.getGateway(accountId, id);
      const items = one && one.regionId === regionId ? [one] : [];
      return { total: items.length, items: items.slice(offset, offset + limit) };
    }
    return this.db.snapshot(async (sql) => {
      const total = (await sql.query<{ n: number }>('SELECT COUNT(*) AS n FROM customer_gateways WHERE account_id = $1 AND region_id = $2', [
        accountId, regionId,
      ])).rows[0]!.n;
      const rows = (
        await sql.query<GatewayRow>(
          `SELECT ${GATEWAY_COLUMNS} FROM customer_gateways WHERE account_id = $1 AND region_id = $2
           ORDER BY create_time, customer_gateway_id COLLATE "C" LIMIT $3 OFFSET $4`,
          [accountId, regionId, limit, offset],
        )
      ).rows;
      return { total, items: rows.map(toGateway) };
    });
  }

  async deleteGateway(accountId: string, id: string, completion?: TokenCompletion): Promise<'deleted' | 'in-use' | 'missing'> {
    return this.db.tx(async (sql) => {
      // The gateway row locked: a connection being stored with it (FOR SHARE in putConnection) waits or is seen.
      const found = await sql.query('SELECT 1 FROM customer_gateways WHERE customer_gateway_id = $1 AND account_id = $2 FOR UPDATE', [id, accountId]);
      if (found.rows.length === 0) return 'missing' as const;
      const inUse = await sql.query(
        `SELECT 1 FROM vpn_connections WHERE customer_gateway_id = $1
         UNION ALL SELECT 1 FROM vpn_tunnels WHERE customer_gateway_id = $1 LIMIT 1`,
        [id],
      );
      if (inUse.rows.length > 0) return 'in-use' as const;
      await sql.query('DELETE FROM customer_gateways WHERE customer_gateway_id = $1 AND account_id = $2', [id, accountId]);
      return 'deleted' as const;
    }, 'BEGIN', completeTokenStep(completion, (r) => r === 'deleted'));
  }

  async putConnection(c: ConnectionRecord, completion?: TokenCompletion, maxInRegion?: number): Promise<'stored' | 'limit'> {
    return this.db.tx(async (sql) => {
      if (maxInRegion !== undefined && !(await roomInRegion(sql, 'vpn_connections', 'connection_id',
        { accountId: c.accountId, regionId: c.regionId, id: c.connectionId }, maxInRegion))) return 'limit' as const;
      await this.checkReferences(sql, c);
      // Replacing keeps the route sequence counter (next_route_seq is not among the updated columns).
      await sql.query(
        `INSERT INTO vpn_connections (${CONNECTION_COLUMNS}) VALUES (${placeholders(1, 10)})
         ON CONFLICT (connection_id) DO UPDATE SET account_id = EXCLUDED.account_id, region_id = EXCLUDED.region_id,
           state = EXCLUDED.state, pending_state = EXCLUDED.pending_state, pending_until = EXCLUDED.pending_until,
           transit_router_id = EXCLUDED.transit_router_id, customer_gateway_id = EXCLUDED.customer_gateway_id,
           create_time = EXCLUDED.create_time, attributes = EXCLUDED.attributes, revision = vpn_connections.revision + 1`,
        [c.connectionId, c.accountId, c.regionId, c.state, c.pendingState, c.pendingUntil, c.transitRouterId, c.customerGatewayId, c.createTime,
          JSON.stringify(c.attributes)],
      );
      await this.replaceTunnels(sql, c);
      return 'stored' as const;
    }, 'BEGIN', completeTokenStep(completion, (r) => r === 'stored'));
  }

  async updateConnection(c: ConnectionRecord, expectedRevision: number, completion?: TokenCompletion): Promise<boolean> {
    return this.db.tx(async (sql) => {
      await this.checkReferences(sql, c);
      const r = await sql.query(
        `UPDATE vpn_connections SET state = $1, pending_state = $2, pending_until = $3, transit_router_id = $4, customer_gateway_id = $5,
           attributes = $6, revision = revision + 1 WHERE connection_id = $7 AND revision = $8`,
        [c.state, c.pendingState, c.pendingUntil, c.transitRouterId, c.customerGatewayId, JSON.stringify(c.attributes), c.connectionId, expectedRevision],
      );
      if (r.rowCount !== 1) return false;
      await this.replaceTunnels(sql, c);
      return true;
    }, 'BEGIN', completeTokenStep(completion, (ok: boolean) => ok));
  }

  /**
   * Tunnel IDs of other connections and missing customer gateways are conflicts. The gateways stay locked
   * (FOR SHARE) until the write commits, so a concurrent DeleteCustomerGateway waits and then sees them in use.
   */
  private async checkReferences(sql: Sql, c: ConnectionRecord): Promise<void> {
    if (c.tunnels.length > 0) {
      const ids = c.tunnels.map((t) => t.tunnelId);
      const taken = await sql.query<{ tunnel_id: string; connection_id: string }>(
        `SELECT tunnel_id, connection_id FROM vpn_tunnels WHERE tunnel_id IN (${placeholders(1, ids.length)}) AND connection_id <> $${ids.length + 1}`,
        [...ids, c.connectionId],
      );
      if (taken.rows.length > 0) throw new StoreConflictError(`tunnel ${taken.rows[0]!.tunnel_id} belongs to ${taken.rows[0]!.connection_id}`);
    }
    const gateways = [...new Set([c.customerGatewayId, ...c.tunnels.map((t) => t.customerGatewayId)].filter((g): g is string => g !== null))];
    if (gateways.length > 0) {
      const found = await sql.query<{ customer_gateway_id: string }>(
        `SELECT customer_gateway_id FROM customer_gateways WHERE customer_gateway_id IN (${placeholders(1, gateways.length)}) FOR SHARE`,
        gateways,
      );
      const missing = gateways.find((g) => !found.rows.some((r) => r.customer_gateway_id === g));
      if (missing !== undefined) throw new StoreConflictError(`customer gateway ${missing} does not exist`);
    }
  }

  private async replaceTunnels(sql: Sql, c: ConnectionRecord): Promise<void> {
    await sql.query('DELETE FROM vpn_tunnels WHERE connection_id = $1', [c.connectionId]);
    for (const t of c.tunnels) {
      await sql.query('INSERT INTO vpn_tunnels (connection_id, tunnel_index, tunnel_id, status, customer_gateway_id, options) VALUES ($1, $2, $3, $4, $5, $6)', [
        c.connectionId, t.tunnelIndex, t.tunnelId, t.status, t.customerGatewayId, JSON.stringify(t.options),
      ]);
    }
  }

  async getConnection(id: string): Promise<ConnectionRecord | undefined> {
    // Connection and tunnels in one statement (one snapshot): a concurrent putConnection is seen whole or not at all.
    const rows = (
      await this.db.prepared<ConnectionRow & { t_id: string | null; t_index: number; t_status: string; t_gateway: string | null; t_options: string }>(
        'vcoroute_get_connection',
        `SELECT ${CONNECTION_COLUMNS.split(', ').map((c) => `c.${c}`).join(', ')}, t.tunnel_id AS t_id, t.tunnel_index AS t_index,
           t.status AS t_status, t.customer_gateway_id AS t_gateway, t.options AS t_options,
           COALESCE((SELECT v.routes_version FROM vco_route_versions v WHERE v.connection_id = c.connection_id), 0) AS routes_version,
           c.revision
         FROM vpn_connections c LEFT JOIN vpn_tunnels t ON t.connection_id = c.connection_id
         WHERE c.connection_id = $1 ORDER BY t.tunnel_index`,
        [id],
      )
    ).rows;
    if (rows.length === 0) return undefined;
    const tunnels = rows
      .filter((r) => r.t_id !== null)
      .map((r) => toTunnel({ tunnel_id: r.t_id!, tunnel_index: r.t_index, status: r.t_status, customer_gateway_id: r.t_gateway, options: r.t_options }));
    return toConnection(rows[0]!, tunnels);
  }

  private async tunnelsOf(sql: Sql, connectionIds: readonly string[]): Promise<Map<string, TunnelRecord[]>> {
    const out = new Map<string, TunnelRecord[]>();
    if (connectionIds.length === 0) return out;
    const rows = (
      await sql.query<TunnelRow & { connection_id: string }>(
        `SELECT connection_id, tunnel_id, tunnel_index, status, customer_gateway_id, options FROM vpn_tunnels WHERE connection_id IN (${placeholders(1, connectionIds.length)}) ORDER BY connection_id, tunnel_index`,
        connectionIds,
      )
    ).rows;
    for (const t of rows) {
      let list = out.get(t.connection_id);
      if (!list) out.set(t.connection_id, (list = []));
      list.push(toTunnel(t));
    }
    return out;
  }

  async listConnections(accountId: string, regionId: string, filter: ConnectionFilter, offset: number, limit: number): Promise<{ total: number; items: ConnectionRecord[] }> {
    const where = ['account_id = $1', 'region_id = $2'];
    const args: (string | number)[] = [accountId, regionId];
    if (filter.connectionId !== undefined) {
      args.push(filter.connectionId);
      where.push(`connection_id = $${args.length}`);
    }
    if (filter.customerGatewayId !== undefined) {
      args.push(filter.customerGatewayId);
      const n = args.length;
      where.push(`(customer_gateway_id = $${n} OR connection_id IN (SELECT connection_id FROM vpn_tunnels WHERE customer_gateway_id = $${n}))`);
    }
    if (filter.attachedToTransitRouter) where.push('transit_router_id IS NOT NULL');
    const clause = where.join(' AND ');
    return this.db.snapshot(async (sql) => {
      const total = (await sql.query<{ n: number }>(`SELECT COUNT(*) AS n FROM vpn_connections WHERE ${clause}`, args)).rows[0]!.n;
      const rows = (
        await sql.query<ConnectionRow>(
          `SELECT ${CONNECTION_COLUMNS}, revision FROM vpn_connections WHERE ${clause} ORDER BY create_time, connection_id COLLATE "C"
           LIMIT $${args.length + 1} OFFSET $${args.length + 2}`,
          [...args, limit, offset],
        )
      ).rows;
      const tunnels = await this.tunnelsOf(sql, rows.map((r) => r.connection_id));
      return { total, items: rows.map((r) => toConnection(r, tunnels.get(r.connection_id) ?? [])) };
    });
  }

  /**
   * One conditional UPDATE: under READ COMMITTED a writer that waited for a concurrent one re-evaluates the
   * WHERE clause on the row that writer committed, so of two racing transitions exactly one applies.
   */
  async transition(id: string, fromStates: readonly string[], t: ConnectionTransition, now: number, sql: Sql = this.db): Promise<boolean> {
    if (fromStates.length === 0) return false;
    const keepRouter = t.transitRouterId === undefined;
    const r = await sql.query(
      `UPDATE vpn_connections SET state = $1, pending_state = $2, pending_until = $3, revision = revision + 1,
         transit_router_id = CASE WHEN $4 = 1 THEN transit_router_id ELSE $5 END
       WHERE connection_id = $6 AND (pending_until IS NULL OR pending_until <= $7) AND state IN (${placeholders(8, fromStates.length)})`,
      [t.state, t.pendingState, t.pendingUntil, keepRouter ? 1 : 0, keepRouter ? null : t.transitRouterId, id, now, ...fromStates],
    );
    return r.rowCount === 1;
  }
}

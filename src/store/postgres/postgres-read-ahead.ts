/**
 * PostgreSQL read-ahead (../read-ahead.ts): one prepared statement, one round trip and one snapshot for
 * everything a signed read needs before it answers. The nonce is claimed by a data-modifying CTE (run
 * exactly once, whether referenced or not) with Store.useNonce's own INSERT … ON CONFLICT … WHERE: of two
 * servers racing on one nonce, the second waits for the first's commit and finds its row. Every other part is
 * a primary-key look-up; the key's account is whichever of the three key tables holds the key.
 * EXPLAIN ANALYZE of the statement: BENCHMARKS.md.
 */
import type { ReadAheadRequest, ReadAheadResult } from '../read-ahead';
import type { AccessKeyRecord, BgpSource, RouteEntryType } from '../store';
import {
  CONNECTION_COLUMNS, ENTITY_READ_COLUMNS, KEY_COLUMNS, ROUTE_COLUMNS, SESSION_COLUMNS, toConnection, toEntity, toKey, toRoute, toSession, toTunnel,
  type ConnectionRow, type EntityRow, type KeyRow, type RouteRow, type SessionRow, type TunnelRow,
} from '../sql-rows';
import type { PgDatabase } from './db';

export const READ_AHEAD_SQL = `WITH claimed AS (
    INSERT INTO request_nonces (access_key_id, nonce, expires_at) VALUES ($1, $2, $3)
    ON CONFLICT (access_key_id, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE request_nonces.expires_at < $4
    RETURNING 1
  ),
  root_key AS (SELECT access_key_id, account_id, secret, status FROM access_keys WHERE access_key_id = $1),
  user_key AS (SELECT ${KEY_COLUMNS} FROM ram_access_keys WHERE access_key_id = $1),
  session AS (SELECT ${SESSION_COLUMNS} FROM sts_sessions WHERE access_key_id = $1),
  account AS (SELECT account_id FROM root_key UNION ALL SELECT account_id FROM user_key UNION ALL SELECT account_id FROM session LIMIT 1)
SELECT
  EXISTS (SELECT 1 FROM claimed) AS fresh,
  (SELECT row_to_json(k) FROM root_key k) AS root_key,
  (SELECT row_to_json(k) FROM user_key k) AS user_key,
  (SELECT row_to_json(e) FROM (SELECT ${ENTITY_READ_COLUMNS.split(', ').map((c) => `e.${c}`).join(', ')} FROM ram_entities e JOIN user_key k
     ON e.account_id = k.account_id AND e.kind = 'user' AND e.entity_id = k.user_id) e) AS ram_user,
  (SELECT row_to_json(s) FROM session s) AS session,
  (SELECT account_id FROM account) AS account_id,
  (SELECT ram_generation FROM accounts WHERE account_id = (SELECT account_id FROM account)) AS ram_generation,
  (SELECT row_to_json(c) FROM (SELECT ${CONNECTION_COLUMNS}, revision,
     COALESCE((SELECT v.routes_version FROM vco_route_versions v WHERE v.connection_id = $5), 0) AS routes_version
     FROM vpn_connections WHERE connection_id = $5) c) AS connection,
  (SELECT json_agg(t ORDER BY t.tunnel_index) FROM (SELECT tunnel_id, tunnel_index, status, customer_gateway_id, options
     FROM vpn_tunnels WHERE connection_id = $5) t) AS tunnels,
  (SELECT json_agg(n ORDER BY n.route_entry_type, n.source) FROM (SELECT route_entry_type, source, route_count
     FROM vco_route_counts WHERE connection_id = $5 AND route_count > 0) n) AS counts,
  (SELECT json_agg(p ORDER BY p.seq) FROM (SELECT seq, ${ROUTE_COLUMNS} FROM vco_routes
     WHERE $7::int > 0 AND connection_id = $5 AND route_entry_type = $6 ORDER BY seq LIMIT $7) p) AS first_page`;

interface ReadAheadRow {
  fresh: boolean;
  root_key: { access_key_id: string; account_id: string; secret: string; status: AccessKeyRecord['status'] } | null;
  user_key: KeyRow | null;
  ram_user: EntityRow | null;
  session: SessionRow | null;
  account_id: string | null;
  ram_generation: number | null;
  connection: ConnectionRow | null;
  tunnels: TunnelRow[] | null;
  counts: { route_entry_type: RouteEntryType; source: string; route_count: number }[] | null;
  first_page: RouteRow[] | null;
}

export async function readAhead(db: PgDatabase, q: ReadAheadRequest, now: number): Promise<ReadAheadResult> {
  const row = (await db.prepared<ReadAheadRow>('vcoroute_read_ahead', READ_AHEAD_SQL, [
    q.accessKeyId, q.nonce, q.nonceExpiresAt, now, q.connectionId, q.routeEntryType, q.firstPageSize ?? 0,
  ])).rows[0]!;
  const r: ReadAheadResult = { nonceFresh: row.fresh };
  if (row.root_key) {
    const k = row.root_key;
    r.accessKey = { accessKeyId: k.access_key_id, accountId: k.account_id, secret: k.secret, status: k.status };
  }
  if (row.user_key) r.userAccessKey = toKey(row.user_key);
  if (row.ram_user) r.user = toEntity(row.ram_user);
  if (row.session) r.stsSession = toSession(row.session);
  if (row.account_id !== null) r.ramGeneration = { accountId: row.account_id, generation: Number(row.ram_generation ?? 0) };
  if (row.connection) r.connection = toConnection(row.connection, (row.tunnels ?? []).map(toTunnel));
  r.counts = (row.counts ?? []).map((c) => ({ routeEntryType: c.route_entry_type, source: c.source === '' ? null : (c.source as BgpSource), count: c.route_count }));
  if (row.first_page || (q.firstPageSize ?? 0) > 0) r.firstPage = (row.first_page ?? []).map(toRoute);
  return r;
}

export async function releaseNonce(db: PgDatabase, accessKeyId: string, nonce: string, expiresAt: number): Promise<void> {
  await db.prepared('vcoroute_release_nonce', 'DELETE FROM request_nonces WHERE access_key_id = $1 AND nonce = $2 AND expires_at = $3', [accessKeyId, nonce, expiresAt]);
}

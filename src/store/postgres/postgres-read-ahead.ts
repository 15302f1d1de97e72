/**
 * PostgreSQL read-ahead (../read-ahead.ts): one prepared statement, one round trip and one snapshot for
 * everything a signed read needs before it answers — for every request that reached this point in the same
 * turn of the event loop. The nonce is claimed by a data-modifying CTE (run
 * exactly once, whether referenced or not) with Store.useNonce's own INSERT … ON CONFLICT … WHERE: of two
 * servers racing on one nonce, the second waits for the first's commit and finds its row. Every other part is
 * a primary-key look-up (joins; the rare parts — a RAM user's key, an STS session — only when they apply),
 * and JSON only for the parts that are lists (tunnels, counts, the first page).
 * EXPLAIN ANALYZE of the statement: BENCHMARKS.md.
 */
import type { ReadAheadRequest, ReadAheadResult } from '../read-ahead';
import type { AccessKeyRecord, BgpSource, RouteEntryType } from '../store';
import {
  ROUTE_COLUMNS, toConnection, toEntity, toKey, toRoute, toSession, toTunnel,
  type ConnectionRow, type EntityRow, type KeyRow, type RouteRow, type SessionRow, type TunnelRow,
} from '../sql-rows';
import type { PgDatabase } from './db';
import { STS_KEY_PREFIX } from '../../iam/ids';

/**
 * One row per request of the batch ($1…$6 are arrays, one element per request, in order). `claim` is false for
 * a nonce that an earlier request of the same batch also carries (decided in JS: one INSERT may not touch a
 * row twice); that request's nonce is used whatever the database says.
 */
export const READ_AHEAD_SQL = `WITH request AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::boolean[], $5::text[], $6::text[], $7::int[])
      WITH ORDINALITY AS r(access_key_id, nonce, expires_at, claim, connection_id, route_entry_type, first_page_size, i)
  ),
  claimed AS (
    INSERT INTO request_nonces (access_key_id, nonce, expires_at) SELECT access_key_id, nonce, expires_at FROM request WHERE claim
    ON CONFLICT (access_key_id, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE request_nonces.expires_at < $8
    RETURNING access_key_id, nonce
  )
SELECT
  r.i,
  r.claim AND EXISTS (SELECT 1 FROM claimed x WHERE x.access_key_id = r.access_key_id AND x.nonce = r.nonce) AS fresh,
  k.account_id AS root_account_id, k.secret AS root_secret, k.status AS root_status,
  CASE WHEN u.access_key_id IS NULL THEN NULL ELSE row_to_json(u) END AS user_key,
  CASE WHEN e.entity_id IS NULL THEN NULL ELSE row_to_json(e) END AS ram_user,
  CASE WHEN s.access_key_id IS NULL THEN NULL ELSE row_to_json(s) END AS session,
  COALESCE(k.account_id, u.account_id, s.account_id) AS account_id,
  a.ram_generation,
  CASE WHEN c.connection_id IS NULL THEN NULL ELSE row_to_json(c) END AS connection,
  COALESCE(v.routes_version, 0) AS routes_version,
  CASE WHEN c.connection_id IS NULL THEN NULL ELSE (SELECT json_agg(t ORDER BY t.tunnel_index) FROM (SELECT tunnel_id, tunnel_index, status,
    customer_gateway_id, options FROM vpn_tunnels WHERE connection_id = r.connection_id) t) END AS tunnels,
  CASE WHEN c.connection_id IS NULL THEN NULL ELSE (SELECT json_agg(n ORDER BY n.route_entry_type, n.source) FROM (SELECT route_entry_type,
    source, route_count FROM vco_route_counts WHERE connection_id = r.connection_id AND route_count > 0) n) END AS counts,
  CASE WHEN c.connection_id IS NULL OR r.first_page_size <= 0 THEN NULL ELSE (SELECT json_agg(p ORDER BY p.seq) FROM (SELECT seq, ${ROUTE_COLUMNS}
    FROM vco_routes WHERE connection_id = r.connection_id AND route_entry_type = r.route_entry_type ORDER BY seq LIMIT r.first_page_size) p) END AS first_page
FROM request r
LEFT JOIN access_keys k ON k.access_key_id = r.access_key_id
LEFT JOIN ram_access_keys u ON k.access_key_id IS NULL AND u.access_key_id = r.access_key_id
LEFT JOIN ram_entities e ON e.account_id = u.account_id AND e.kind = 'user' AND e.entity_id = u.user_id
LEFT JOIN sts_sessions s ON starts_with(r.access_key_id, '${STS_KEY_PREFIX}') AND s.access_key_id = r.access_key_id
LEFT JOIN accounts a ON a.account_id = COALESCE(k.account_id, u.account_id, s.account_id)
LEFT JOIN vpn_connections c ON c.connection_id = r.connection_id
LEFT JOIN vco_route_versions v ON v.connection_id = r.connection_id
ORDER BY r.i`;

interface ReadAheadRow {
  i: number;
  fresh: boolean;
  root_account_id: string | null;
  root_secret: string;
  root_status: AccessKeyRecord['status'];
  user_key: KeyRow | null;
  ram_user: EntityRow | null;
  session: SessionRow | null;
  account_id: string | null;
  ram_generation: number | null;
  connection: ConnectionRow | null;
  routes_version: number;
  tunnels: TunnelRow[] | null;
  counts: { route_entry_type: RouteEntryType; source: string; route_count: number }[] | null;
  first_page: RouteRow[] | null;
}

interface Pending {
  request: ReadAheadRequest;
  resolve(result: ReadAheadResult): void;
  reject(err: unknown): void;
}

/**
 * Group commit, as Store.useNonce does: the read-aheads that reach the store in one turn of the event loop go
 * to the database as one statement (one round trip, one commit for all their nonces); each request gets its
 * own row. A request learns its answer only after the commit, so its nonce is as durable as before.
 */
export class PostgresReadAhead {
  private pending: Pending[] = [];

  constructor(private readonly db: PgDatabase) {}

  read(request: ReadAheadRequest): Promise<ReadAheadResult> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({ request, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    const seen = new Set<string>();
    const columns: unknown[][] = [[], [], [], [], [], [], []];
    for (const { request: q } of batch) {
      const id = `${q.accessKeyId}\0${q.nonce}`;
      columns[0]!.push(q.accessKeyId);
      columns[1]!.push(q.nonce);
      columns[2]!.push(q.nonceExpiresAt);
      columns[3]!.push(!seen.has(id));
      columns[4]!.push(q.connectionId);
      columns[5]!.push(q.routeEntryType);
      columns[6]!.push(q.firstPageSize ?? 0);
      seen.add(id);
    }
    let rows: ReadAheadRow[];
    try {
      rows = (await this.db.prepared<ReadAheadRow>('vcoroute_read_ahead', READ_AHEAD_SQL, [...columns, Date.now()])).rows;
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(toResult(batch[i]!.request, rows[i]!));
  }
}

function toResult(q: ReadAheadRequest, row: ReadAheadRow): ReadAheadResult {
  const r: ReadAheadResult = { nonceFresh: row.fresh };
  if (row.root_account_id !== null) r.accessKey = { accessKeyId: q.accessKeyId, accountId: row.root_account_id, secret: row.root_secret, status: row.root_status };
  if (row.user_key) r.userAccessKey = toKey(row.user_key);
  if (row.ram_user) r.user = toEntity(row.ram_user);
  if (row.session) r.stsSession = toSession(row.session);
  if (row.account_id !== null) r.ramGeneration = { accountId: row.account_id, generation: Number(row.ram_generation ?? 0) };
  if (row.connection) r.connection = toConnection({ ...row.connection, routes_version: row.routes_version }, (row.tunnels ?? []).map(toTunnel));
  r.counts = (row.counts ?? []).map((c) => ({ routeEntryType: c.route_entry_type, source: c.source === '' ? null : (c.source as BgpSource), count: c.route_count }));
  if ((q.firstPageSize ?? 0) > 0) r.firstPage = (row.first_page ?? []).map(toRoute);
  return r;
}

export async function releaseNonce(db: PgDatabase, accessKeyId: string, nonce: string, expiresAt: number): Promise<void> {
  await db.prepared('vcoroute_release_nonce', 'DELETE FROM request_nonces WHERE access_key_id = $1 AND nonce = $2 AND expires_at = $3', [accessKeyId, nonce, expiresAt]);
}

/**
 * PostgreSQL schema: the same version numbers as src/store/sqlite/migrations.ts for the same logical schema.
 * Append a migration; never edit an applied one. Applied at start under pg_advisory_lock (see
 * migratePostgres below), each in its own transaction, recorded in schema_migrations.
 *
 * Portable subset (PostgreSQL 12+, and engines speaking its protocol and dialect):
 *   - types: TEXT, BIGINT only (every integer is BIGINT: epoch ms and ASNs exceed 32 bits; JSON documents
 *     are TEXT, nothing queries inside them); no SERIAL/identity, no JSONB, no arrays, no enums;
 *   - PRIMARY KEY, UNIQUE, NOT NULL, DEFAULT constants, one REFERENCES (access_keys → accounts, enforced
 *     by both backends: better-sqlite3 turns foreign keys on), plain B-tree CREATE INDEX; no triggers, no
 *     functions, no sequences;
 *   - ALTER TABLE … ADD COLUMN.
 * The statements the store runs are listed in postgres-store.ts.
 */
import type { QueryConfig } from 'pg';
import type { PgDatabase } from './db';

export interface PgMigration {
  version: number;
  description: string;
  sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    description: 'identities, replay protection, idempotency, VPN connections, Vco routes',
    sql: `
      CREATE TABLE accounts (
        account_id TEXT PRIMARY KEY,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE access_keys (
        access_key_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(account_id),
        secret TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE request_nonces (
        access_key_id TEXT NOT NULL,
        nonce TEXT NOT NULL,
        expires_at BIGINT NOT NULL,
        PRIMARY KEY (access_key_id, nonce)
      );
      CREATE INDEX request_nonces_expiry ON request_nonces (expires_at);
      CREATE TABLE client_tokens (
        account_id TEXT NOT NULL,
        client_token TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        response_status BIGINT,
        response_body TEXT,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, client_token)
      );
      CREATE INDEX client_tokens_age ON client_tokens (created_at);
      CREATE TABLE vpn_connections (
        connection_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        region_id TEXT NOT NULL,
        state TEXT NOT NULL,
        transit_router_id TEXT,
        create_time BIGINT NOT NULL,
        next_route_seq BIGINT NOT NULL DEFAULT 0
      );
      CREATE TABLE vpn_tunnels (
        connection_id TEXT NOT NULL,
        tunnel_index BIGINT NOT NULL,
        tunnel_id TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        PRIMARY KEY (connection_id, tunnel_index)
      );
      CREATE TABLE vco_routes (
        connection_id TEXT NOT NULL,
        route_entry_type TEXT NOT NULL,
        seq BIGINT NOT NULL,
        route_key TEXT NOT NULL,
        route_dest TEXT NOT NULL,
        next_hop TEXT NOT NULL,
        weight BIGINT NOT NULL,
        source TEXT,
        as_path TEXT,
        community TEXT,
        next_hop_tunnel_ids TEXT,
        create_time BIGINT NOT NULL,
        PRIMARY KEY (connection_id, route_entry_type, seq)
      );
      CREATE UNIQUE INDEX vco_routes_identity ON vco_routes (connection_id, route_entry_type, route_key);
      CREATE TABLE vco_route_blocks (
        connection_id TEXT NOT NULL,
        route_entry_type TEXT NOT NULL,
        block BIGINT NOT NULL,
        route_count BIGINT NOT NULL,
        PRIMARY KEY (connection_id, route_entry_type, block)
      );
      CREATE TABLE vco_route_counts (
        connection_id TEXT NOT NULL,
        route_entry_type TEXT NOT NULL,
        source TEXT NOT NULL, -- '' for custom routes
        route_count BIGINT NOT NULL,
        PRIMARY KEY (connection_id, route_entry_type, source)
      );
    `,
  },
  {
    version: 2,
    description: 'customer gateways, VPN connection configuration and asynchronous state',
    sql: `
      CREATE TABLE customer_gateways (
        customer_gateway_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        region_id TEXT NOT NULL,
        ip_address TEXT NOT NULL,
        asn BIGINT,
        auth_key TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        resource_group_id TEXT NOT NULL,
        tags TEXT NOT NULL,
        create_time BIGINT NOT NULL
      );
      CREATE INDEX customer_gateways_owner ON customer_gateways (account_id, region_id, create_time, customer_gateway_id);
      ALTER TABLE vpn_connections ADD COLUMN pending_state TEXT;
      ALTER TABLE vpn_connections ADD COLUMN pending_until BIGINT;
      ALTER TABLE vpn_connections ADD COLUMN customer_gateway_id TEXT;
      ALTER TABLE vpn_connections ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
      CREATE INDEX vpn_connections_owner ON vpn_connections (account_id, region_id, create_time, connection_id);
      CREATE INDEX vpn_connections_gateway ON vpn_connections (customer_gateway_id);
      ALTER TABLE vpn_tunnels ADD COLUMN customer_gateway_id TEXT;
      ALTER TABLE vpn_tunnels ADD COLUMN options TEXT NOT NULL DEFAULT '{}';
      CREATE INDEX vpn_tunnels_gateway ON vpn_tunnels (customer_gateway_id);
    `,
  },
  {
    version: 3,
    description: 'RAM & STS: users, groups, roles, custom policies, attachments, user AccessKeys, STS sessions',
    sql: `
      CREATE TABLE ram_entities (
        account_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        name TEXT NOT NULL,
        data TEXT NOT NULL,
        create_date BIGINT NOT NULL,
        update_date BIGINT NOT NULL,
        PRIMARY KEY (account_id, kind, entity_id)
      );
      CREATE UNIQUE INDEX ram_entities_name ON ram_entities (account_id, kind, name);
      CREATE TABLE ram_links (
        account_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        from_id TEXT NOT NULL,
        to_id TEXT NOT NULL,
        create_date BIGINT NOT NULL,
        PRIMARY KEY (account_id, kind, from_id, to_id)
      );
      CREATE INDEX ram_links_to ON ram_links (account_id, kind, to_id);
      CREATE TABLE ram_access_keys (
        access_key_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        secret TEXT NOT NULL,
        status TEXT NOT NULL,
        create_date BIGINT NOT NULL
      );
      CREATE INDEX ram_access_keys_user ON ram_access_keys (account_id, user_id);
      CREATE TABLE sts_sessions (
        access_key_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        secret TEXT NOT NULL,
        token TEXT NOT NULL,
        role_id TEXT NOT NULL,
        role_name TEXT NOT NULL,
        session_name TEXT NOT NULL,
        session_policy TEXT,
        source_identity TEXT,
        expires_at BIGINT NOT NULL,
        create_date BIGINT NOT NULL
      );
      CREATE INDEX sts_sessions_expiry ON sts_sessions (expires_at);
    `,
  },
  {
    version: 4,
    description: 'routes version per connection ID: rendered-page caches of every server compare it to stay fresh',
    sql: `
      -- One row per connection ID ever given routes; kept when the connection is deleted (and through reset),
      -- so a re-created connection never shows a version that an earlier one with the same ID had.
      CREATE TABLE vco_route_versions (
        connection_id TEXT PRIMARY KEY,
        routes_version BIGINT NOT NULL
      );
    `,
  },
  {
    version: 5,
    description: 'RAM generation per account: policy caches of every server compare it to stay fresh',
    sql: `
      ALTER TABLE accounts ADD COLUMN ram_generation BIGINT NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 6,
    description: 'revision per VPN connection: conditional writes (optimistic concurrency) for read-modify-write changes',
    sql: `
      ALTER TABLE vpn_connections ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 7,
    description: 'revision per RAM entity: conditional writes (optimistic concurrency) for read-modify-write changes',
    sql: `
      ALTER TABLE ram_entities ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 8,
    description: 'origin of each STS session (the RAM user at the root of its role chain): chaining stops when that user is deleted',
    sql: `
      ALTER TABLE sts_sessions ADD COLUMN origin_account_id TEXT;
      ALTER TABLE sts_sessions ADD COLUMN origin_user_id TEXT;
    `,
  },
  {
    version: 9,
    description: 'operations: API flow-control counters per (region, API, account) and window; fault-injection rules',
    sql: `
      CREATE TABLE request_counts (
        quota_key TEXT NOT NULL,
        window_start BIGINT NOT NULL,
        request_count BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        PRIMARY KEY (quota_key, window_start)
      );
      CREATE INDEX request_counts_expiry ON request_counts (expires_at);
      CREATE TABLE fault_rules (
        rule_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        rule TEXT NOT NULL,
        expires_at BIGINT,
        created_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 10,
    description: 'BGP speaker: loopback-mode port per tunnel, session leases and status per tunnel',
    sql: `
      CREATE TABLE bgp_ports (
        tunnel_id TEXT PRIMARY KEY,
        port BIGINT NOT NULL UNIQUE
      );
      CREATE TABLE bgp_sessions (
        tunnel_id TEXT PRIMARY KEY,
        connection_id TEXT NOT NULL,
        holder TEXT NOT NULL,
        lease_expires_at BIGINT NOT NULL,
        state TEXT NOT NULL,
        peer_asn BIGINT,
        peer_address TEXT,
        established_at BIGINT,
        prefixes_received BIGINT NOT NULL,
        prefixes_accepted BIGINT NOT NULL,
        prefixes_advertised BIGINT NOT NULL
      );
      CREATE INDEX bgp_sessions_connection ON bgp_sessions (connection_id);
      CREATE INDEX bgp_sessions_expiry ON bgp_sessions (lease_expires_at);
    `,
  },
  {
    version: 11,
    description: 'CEN: resources (CEN instances, transit routers, route tables, VPN attachments, static entries) and links; propagated CLOUD routes',
    sql: `
      -- Route propagation (src/routing): CLOUD routes materialised from a transit router's route tables carry
      -- propagated = 1, so recomputing them never touches hand-seeded CLOUD routes (admin API).
      ALTER TABLE vco_routes ADD COLUMN propagated BIGINT NOT NULL DEFAULT 0;
      CREATE TABLE cen_resources (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        account_id TEXT NOT NULL,
        parent_id TEXT,
        region_id TEXT NOT NULL,
        unique_key TEXT,
        ref_id TEXT,
        create_time BIGINT NOT NULL,
        ready_at BIGINT,
        gone_at BIGINT,
        doc TEXT NOT NULL
      );
      CREATE UNIQUE INDEX cen_resources_unique ON cen_resources (kind, unique_key) WHERE unique_key IS NOT NULL;
      CREATE INDEX cen_resources_account ON cen_resources (account_id, kind, create_time, id);
      CREATE INDEX cen_resources_parent ON cen_resources (parent_id, kind);
      CREATE INDEX cen_resources_ref ON cen_resources (ref_id, kind);
      CREATE INDEX cen_resources_gone ON cen_resources (gone_at) WHERE gone_at IS NOT NULL;
      CREATE TABLE cen_links (
        seq BIGSERIAL PRIMARY KEY,
        kind TEXT NOT NULL,
        account_id TEXT NOT NULL,
        attachment_id TEXT NOT NULL,
        route_table_id TEXT NOT NULL,
        transit_router_id TEXT NOT NULL,
        create_time BIGINT NOT NULL,
        ready_at BIGINT,
        gone_at BIGINT
      );
      CREATE UNIQUE INDEX cen_links_pair ON cen_links (kind, attachment_id, route_table_id) WHERE gone_at IS NULL;
      CREATE UNIQUE INDEX cen_links_one_association ON cen_links (attachment_id) WHERE kind = 'association' AND gone_at IS NULL;
      CREATE INDEX cen_links_table ON cen_links (route_table_id, kind);
      CREATE INDEX cen_links_router ON cen_links (transit_router_id, kind);
      CREATE INDEX cen_links_gone ON cen_links (gone_at) WHERE gone_at IS NOT NULL;
    `,
  },
  {
    version: 12,
    description: 'Route-change history (src/history): every change of a Vco route, numbered per connection',
    sql: `
      -- The event counter lives beside the routes version: that row outlives the connection (IDs never repeat
      -- after a delete and re-create) and is locked by every route-changing transaction, so event IDs follow commit order.
      ALTER TABLE vco_route_versions ADD COLUMN last_change_id BIGINT NOT NULL DEFAULT 0;
      CREATE TABLE vco_route_changes (
        connection_id TEXT NOT NULL,
        event_id BIGINT NOT NULL,
        change_time BIGINT NOT NULL,
        change_type TEXT NOT NULL,
        route_entry_type TEXT NOT NULL,
        source TEXT NOT NULL,
        route_dest TEXT NOT NULL,
        dest_first BIGINT,
        dest_prefix INTEGER,
        dest16 INTEGER,
        next_hop TEXT NOT NULL,
        old_route TEXT,
        new_route TEXT,
        tunnel_id TEXT NOT NULL,
        cause TEXT NOT NULL,
        PRIMARY KEY (connection_id, event_id)
      );
      -- Filters by source (and type: custom = source '') and by destination block, newest first. The block index
      -- is keyed by the /16 the destination lies in (dest16), then the event: a write appends to the end of a few
      -- ranges instead of inserting at a random place per prefix (what made an index by address cost BGP flushes
      -- most); it also holds the address, prefix length and source, so a block filter (with a source) is answered from it. No index on
      -- time: it would cost every write a page; age pruning walks each connection's oldest changes instead.
      CREATE INDEX vco_route_changes_source ON vco_route_changes (connection_id, source, event_id);
      CREATE INDEX vco_route_changes_dest ON vco_route_changes (connection_id, dest16, event_id, dest_first, dest_prefix, source);
    `,
  },
  {
    version: 13,
    description: 'Route-change history in batches: an open tail on vco_route_versions, sealed rows of many changes',
    sql: `
      -- As SQLite's migration 13: small writes append to the open tail on the row every route change updates
      -- already; the tail and large writes are sealed into rows of up to 256 changes (route-change-batches.ts).
      ALTER TABLE vco_route_versions ADD COLUMN change_tail TEXT NOT NULL DEFAULT '';
      ALTER TABLE vco_route_versions ADD COLUMN tail_count INTEGER NOT NULL DEFAULT 0;
      -- A sealed row's summary (what reads walk and filter on: small rows, dense pages) and, apart, its lines.
      CREATE TABLE vco_route_change_batches (
        connection_id TEXT NOT NULL,
        last_event_id BIGINT NOT NULL,
        first_event_id BIGINT NOT NULL,
        time_min BIGINT NOT NULL,
        time_max BIGINT NOT NULL,
        sources INTEGER NOT NULL, -- bits: 1 custom, 2 VPN_BGP, 4 CLOUD
        dest_min BIGINT NOT NULL,
        dest_max BIGINT NOT NULL,
        PRIMARY KEY (connection_id, last_event_id)
      );
      CREATE TABLE vco_route_change_lines (
        connection_id TEXT NOT NULL,
        last_event_id BIGINT NOT NULL,
        changes TEXT NOT NULL, -- one JSON array per change, each ending in a newline
        PRIMARY KEY (connection_id, last_event_id)
      );
      -- The recorded history is kept: each change becomes a row of its own (the line format of route-change-batches.ts).
      INSERT INTO vco_route_change_batches (connection_id, last_event_id, first_event_id, time_min, time_max, sources, dest_min, dest_max)
        SELECT connection_id, event_id, event_id, change_time, change_time, CASE source WHEN '' THEN 1 WHEN 'VPN_BGP' THEN 2 WHEN 'CLOUD' THEN 4 ELSE 7 END,
          coalesce(dest_first, 0), coalesce(dest_first, 4294967295)
        FROM vco_route_changes;
      INSERT INTO vco_route_change_lines (connection_id, last_event_id, changes)
        SELECT connection_id, event_id,
          json_build_array(route_dest, source, change_type, route_entry_type, next_hop, change_time, old_route::json, new_route::json, tunnel_id, cause)::text || E'\\n'
        FROM vco_route_changes;
      DROP TABLE vco_route_changes;
    `,
  },
];

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

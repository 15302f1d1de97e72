/**
 * SQLite schema, versioned from day one. Append a migration; never edit an applied one.
 * The PostgreSQL backend keeps the same version numbers for the same logical schema.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'identities, replay protection, idempotency, VPN connections, Vco routes',
    sql: `
      CREATE TABLE accounts (
        account_id TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE access_keys (
        access_key_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(account_id),
        secret TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE request_nonces (
        access_key_id TEXT NOT NULL,
        nonce TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (access_key_id, nonce)
      ) WITHOUT ROWID;
      CREATE INDEX request_nonces_expiry ON request_nonces (expires_at);
      CREATE TABLE client_tokens (
        account_id TEXT NOT NULL,
        client_token TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        response_status INTEGER,
        response_body TEXT,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, client_token)
      ) WITHOUT ROWID;
      CREATE INDEX client_tokens_age ON client_tokens (created_at);
      CREATE TABLE vpn_connections (
        connection_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        region_id TEXT NOT NULL,
        state TEXT NOT NULL,
        transit_router_id TEXT,
        create_time INTEGER NOT NULL,
        next_route_seq INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE vpn_tunnels (
        connection_id TEXT NOT NULL,
        tunnel_index INTEGER NOT NULL,
        tunnel_id TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        PRIMARY KEY (connection_id, tunnel_index)
      ) WITHOUT ROWID;
      CREATE TABLE vco_routes (
        connection_id TEXT NOT NULL,
        route_entry_type TEXT NOT NULL,
        seq INTEGER NOT NULL,
        route_key TEXT NOT NULL,
        route_dest TEXT NOT NULL,
        next_hop TEXT NOT NULL,
        weight INTEGER NOT NULL,
        source TEXT,
        as_path TEXT,
        community TEXT,
        next_hop_tunnel_ids TEXT,
        create_time INTEGER NOT NULL,
        PRIMARY KEY (connection_id, route_entry_type, seq)
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX vco_routes_identity ON vco_routes (connection_id, route_entry_type, route_key);
      CREATE TABLE vco_route_blocks (
        connection_id TEXT NOT NULL,
        route_entry_type TEXT NOT NULL,
        block INTEGER NOT NULL,
        route_count INTEGER NOT NULL,
        PRIMARY KEY (connection_id, route_entry_type, block)
      ) WITHOUT ROWID;
      CREATE TABLE vco_route_counts (
        connection_id TEXT NOT NULL,
        route_entry_type TEXT NOT NULL,
        source TEXT NOT NULL, -- '' for custom routes
        route_count INTEGER NOT NULL,
        PRIMARY KEY (connection_id, route_entry_type, source)
      ) WITHOUT ROWID;
    `,
  },
];

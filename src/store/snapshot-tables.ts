/**
 * State snapshots (src/snapshot, README "Snapshots"): which tables are durable state, exported and imported
 * row by row, and which are ephemeral and left out. Table-driven: both backends read and write every table
 * of SNAPSHOT_TABLES the same way (columns come from the schema itself), so a new table is one line here —
 * and test/contract/store.test.ts fails until every table of the schema is in exactly one of the two lists.
 */

import { batchOfRetiredChange } from './route-change-batches';

/** A row as it appears in a snapshot: column name → TEXT as a string (JSON documents verbatim), INTEGER as a number, or null. */
export type SnapshotRow = Record<string, string | number | null>;


export interface SnapshotBatch {
  table: string;
  rows: SnapshotRow[];
}

/** A snapshot cannot be written into this store, or is malformed: nothing was changed. */
export class SnapshotImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotImportError';
  }
}

/** The store's schema is newer than this code: it cannot say which tables are state. */
export class SnapshotExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotExportError';
  }
}

export interface SnapshotTable {
  name: string;
  /** the primary key: rows are exported in its (byte) order, so both backends write the same document */
  key: readonly string[];
  /**
   * The condition selecting one account's rows, given the placeholder of the account ID (SQLite `@account`,
   * PostgreSQL `$1`); null for a table no account owns, exported only with the whole state.
   */
  account: ((p: string) => string) | null;
  /**
   * Identities a server creates at start (its root account and AccessKey): an import merges them (a snapshot
   * row replaces the store's row with the same key) instead of requiring the table to be empty.
   */
  merge?: boolean;
  /** PostgreSQL: a BIGSERIAL column, whose sequence an import moves past the imported values */
  serial?: string;
}

const ownedBy = (p: string) => `account_id = ${p}`;
const ofConnections = (p: string) => `connection_id IN (SELECT connection_id FROM vpn_connections WHERE account_id = ${p})`;

/** Durable state, in the order an import writes it (access_keys references accounts). */
export const SNAPSHOT_TABLES: readonly SnapshotTable[] = [
  { name: 'accounts', key: ['account_id'], account: ownedBy, merge: true },
  { name: 'access_keys', key: ['access_key_id'], account: ownedBy, merge: true },
  { name: 'customer_gateways', key: ['customer_gateway_id'], account: ownedBy },
  { name: 'vpn_connections', key: ['connection_id'], account: ownedBy },
  { name: 'vpn_tunnels', key: ['connection_id', 'tunnel_index'], account: ofConnections },
  // Routes with their sequence numbers (listing order), block counts, per-source counts and versions, as stored.
  // Learned VPN_BGP routes too: shown until a BGP session of the connection is established on the new store,
  // which drops and relearns them (as after the death of the server that held the session).
  { name: 'vco_routes', key: ['connection_id', 'route_entry_type', 'seq'], account: ofConnections },
  { name: 'vco_route_blocks', key: ['connection_id', 'route_entry_type', 'block'], account: ofConnections },
  { name: 'vco_route_counts', key: ['connection_id', 'route_entry_type', 'source'], account: ofConnections },
  { name: 'vco_route_versions', key: ['connection_id'], account: ofConnections },
  // the route-change history: sealed rows here, the event counter and open tail on vco_route_versions
  // (last_change_id, change_tail, tail_count: exported with it); an account's export holds the history of its
  // existing connections only
  { name: 'vco_route_change_batches', key: ['connection_id', 'last_event_id'], account: ofConnections },
  { name: 'vco_route_change_lines', key: ['connection_id', 'last_event_id'], account: ofConnections },
  // Loopback-mode BGP ports: router configurations made by `vcoroute peer-config` name them.
  {
    name: 'bgp_ports', key: ['tunnel_id'],
    account: (p) => `tunnel_id IN (SELECT tunnel_id FROM vpn_tunnels WHERE ${ofConnections(p)}) OR tunnel_id IN (SELECT connection_id FROM vpn_connections WHERE account_id = ${p})`,
  },
  { name: 'ram_entities', key: ['account_id', 'kind', 'entity_id'], account: ownedBy },
  { name: 'ram_links', key: ['account_id', 'kind', 'from_id', 'to_id'], account: ownedBy },
  { name: 'ram_access_keys', key: ['access_key_id'], account: ownedBy },
  // Issued STS credentials keep working until they expire, as they would have.
  { name: 'sts_sessions', key: ['access_key_id'], account: ownedBy },
  { name: 'cen_resources', key: ['id'], account: ownedBy },
  { name: 'cen_links', key: ['seq'], account: ownedBy, serial: 'seq' },
  // Fault-injection rules belong to the server, not to an account.
  { name: 'fault_rules', key: ['rule_id'], account: null },
];

/** Tables left out of snapshots, and why (README "Snapshots"). */
export const EPHEMERAL_TABLES: Readonly<Record<string, string>> = {
  schema_migrations: 'the document carries the schema version; the target store migrates itself',
  request_nonces: 'replay protection lasts the 15-minute timestamp window; a new store starts with none',
  client_tokens: 'ClientToken results are a 24-hour retry aid, not resources',
  request_counts: 'flow-control windows last 60 s',
  bgp_sessions: 'leases of live BGP sessions held by running servers',
};

export const snapshotTable = (name: string): SnapshotTable | undefined => SNAPSHOT_TABLES.find((t) => t.name === name);

/**
 * Tables an older schema had and a migration replaced: a snapshot of that schema still imports, its rows
 * converted as the migration converted them in place (vco_route_changes, schema ≤ 12 → migration 13).
 */
export const RETIRED_TABLES: Readonly<Record<string, (row: SnapshotRow) => Record<string, SnapshotRow>>> = {
  vco_route_changes: batchOfRetiredChange,
};

/** The batches of a snapshot with the rows of retired tables converted (see RETIRED_TABLES). */
export async function* withRetiredTablesConverted(batches: AsyncIterable<SnapshotBatch>): AsyncGenerator<SnapshotBatch> {
  for await (const batch of batches) {
    const retired = RETIRED_TABLES[batch.table];
    if (retired === undefined) {
      yield batch;
      continue;
    }
    const byTable = new Map<string, SnapshotRow[]>();
    for (const row of batch.rows) {
      let converted: Record<string, SnapshotRow>;
      try {
        converted = retired(row);
      } catch {
        throw new SnapshotImportError(`table ${batch.table}: a row does not fit the schema it was exported from`);
      }
      for (const [table, r] of Object.entries(converted)) byTable.set(table, [...(byTable.get(table) ?? []), r]);
    }
    for (const [table, rows] of byTable) yield { table, rows };
  }
}

/** A column as the backend declares it: INTEGER/BIGINT columns hold numbers, the others text. */
export interface SnapshotColumn {
  name: string;
  integer: boolean;
}

/** Rows per export batch and per import statement group: memory stays bounded whatever the table size. */
export const SNAPSHOT_BATCH_ROWS = 1000;

/**
 * The values of a snapshot row in `columns` order, checked against the schema: unknown columns, wrong types
 * and non-integer numbers are refused with the row's place in the document. Missing columns are not listed
 * in `present` (they take the column's default, e.g. a snapshot of an older schema).
 */
export function snapshotRowValues(table: string, columns: readonly SnapshotColumn[], row: unknown, index: number): { present: string[]; values: (string | number | null)[] } {
  const where = `table ${table}, row ${index + 1}`;
  if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new SnapshotImportError(`${where}: a row must be a JSON object`);
  const byName = new Map(columns.map((c) => [c.name, c]));
  const present: string[] = [];
  const values: (string | number | null)[] = [];
  for (const [name, value] of Object.entries(row)) {
    const column = byName.get(name);
    if (!column) throw new SnapshotImportError(`${where}: unknown column ${name}`);
    if (value !== null) {
      if (column.integer ? !Number.isSafeInteger(value) : typeof value !== 'string') {
        throw new SnapshotImportError(`${where}: column ${name} must be ${column.integer ? 'an integer' : 'a string'} or null`);
      }
    }
    present.push(name);
    values.push(value as string | number | null);
  }
  return { present, values };
}

/**
 * State snapshots without a server: every table of the schema is classified (state or ephemeral), and the
 * document reader takes the streamed layout, a reformatted document, and refuses broken ones by line.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { MIGRATIONS } from '../../src/store/sqlite/migrations';
import { PG_MIGRATIONS } from '../../src/store/postgres/migrations';
import { EPHEMERAL_TABLES, SNAPSHOT_TABLES, SnapshotImportError, type SnapshotBatch, type SnapshotRow, withRetiredTablesConverted } from '../../src/store/snapshot-tables';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { KNOWN_SCHEMA_VERSION, checkHeader, openSnapshot, writeSnapshot } from '../../src/snapshot/document';

/** The tables the migrations leave: created and not dropped by a later one. */
const tablesCreatedBy = (sqls: readonly { sql: string }[]) => {
  const dropped = new Set(sqls.flatMap((m) => [...m.sql.matchAll(/DROP TABLE (?:IF EXISTS )?(\w+)/g)].map((x) => x[1]!)));
  return new Set(sqls.flatMap((m) => [...m.sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?(\w+)/g)].map((x) => x[1]!)).filter((t) => !dropped.has(t)));
};

function tempFile(text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vcoroute-snapshot-')), 'snapshot.json');
  fs.writeFileSync(file, text);
  return file;
}

async function readAll(file: string): Promise<{ header: unknown; batches: SnapshotBatch[] }> {
  const opened = await openSnapshot(file);
  const batches: SnapshotBatch[] = [];
  try {
    for await (const b of opened.batches) batches.push(b);
  } finally {
    opened.close();
  }
  return { header: opened.header, batches };
}

async function sampleDocument(): Promise<string> {
  const store = new SqliteStore(':memory:');
  await store.upsertAccount('1000000000000001', 1);
  await store.upsertAccessKey({ accessKeyId: 'LTAIk', accountId: '1000000000000001', secret: 's\n"x"', status: 'Active' }, 1);
  await store.addFaultRules([{ ruleId: 'f-1', kind: 'fault', rule: '{"a":"\\u2028"}', expiresAt: null, createdAt: 2 }]);
  let text = '';
  await writeSnapshot(store, null, { write: (chunk) => ((text += chunk), true), once: () => undefined }, new Date(0));
  await store.close();
  return text;
}

describe('state snapshot tables', () => {
  test('every table of both schemas is either state or ephemeral, never both', () => {
    const sqlite = tablesCreatedBy(MIGRATIONS);
    assert.deepEqual([...tablesCreatedBy(PG_MIGRATIONS)].sort(), [...sqlite].sort(), 'both backends have the same tables');
    const state = SNAPSHOT_TABLES.map((t) => t.name);
    const ephemeral = Object.keys(EPHEMERAL_TABLES).filter((t) => t !== 'schema_migrations');
    assert.equal(state.filter((t) => ephemeral.includes(t)).length, 0);
    assert.deepEqual([...sqlite].sort(), [...state, ...ephemeral].sort(), 'classify each new table in src/store/snapshot-tables.ts');
  });

  test('a snapshot of schema 12 imports: its vco_route_changes rows become history, as migration 13 converts them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcoroute-snapshot-'));
    const store = new SqliteStore(dir);
    try {
      const connection = { connection_id: 'vco-old', account_id: '1000000000000001', region_id: 'cn-hangzhou', state: 'attached', create_time: 1 };
      const change = (eventId: number, over: SnapshotRow) => ({
        connection_id: 'vco-old', event_id: eventId, change_time: 1_000 + eventId, change_type: 'Added', route_entry_type: 'custom', source: '',
        route_dest: '10.0.0.0/24', dest_first: 167772160, dest_prefix: 24, dest16: 2560, next_hop: 'vco-old', old_route: null, new_route: '[100,null,null,null,5]',
        tunnel_id: '', cause: 'api', ...over,
      });
      async function* batches(): AsyncGenerator<SnapshotBatch> {
        yield { table: 'vpn_connections', rows: [connection] };
        yield { table: 'vco_route_versions', rows: [{ connection_id: 'vco-old', routes_version: 2, last_change_id: 2 }] };
        yield { table: 'vco_route_changes', rows: [change(1, {}), change(2, { change_type: 'Removed', old_route: '[100,null,null,null,5]', new_route: null })] };
      }
      await store.importSnapshot(withRetiredTablesConverted(batches()));
      const changes = await store.listRouteChanges({ connectionId: 'vco-old', order: 'asc', limit: 10 });
      const route = { routeEntryType: 'custom', routeDest: '10.0.0.0/24', nextHop: 'vco-old', weight: 100, source: null, asPath: null, community: null, nextHopTunnelIds: null, createTime: 5 };
      assert.deepEqual(changes.map((c) => [c.eventId, c.changeTime, c.changeType, c.old, c.new, c.cause]), [[1, 1001, 'Added', null, route, 'api'], [2, 1002, 'Removed', route, null, 'api']]);
      assert.equal((await store.listRouteChanges({ connectionId: 'vco-old', order: 'desc', limit: 10, within: { first: 167772160, last: 167772415, minPrefix: 24 } })).length, 2);
      const bad = async function* (): AsyncGenerator<SnapshotBatch> {
        yield { table: 'vco_route_changes', rows: [change(3, { old_route: '[100,' })] };
      };
      await assert.rejects(withRetiredTablesConverted(bad()).next(), SnapshotImportError);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('state snapshot document', () => {
  test('the streamed layout: one header line, one row per line; read back in batches; the same as a whole-document parse', async () => {
    const text = await sampleDocument();
    const lines = text.split('\n');
    assert.match(lines[0]!, /^\{"format":"vcoroute-state","version":1,"schemaVersion":\d+,"exportedAt":"1970-01-01T00:00:00.000Z","account":null,"tables":\{$/);
    assert.ok(lines.includes('{"account_id":"1000000000000001","created_at":1,"ram_generation":0}'));
    const doc = JSON.parse(text);
    assert.equal(doc.schemaVersion, KNOWN_SCHEMA_VERSION);
    assert.deepEqual(Object.keys(doc.tables), SNAPSHOT_TABLES.map((t) => t.name));
    assert.equal(doc.tables.access_keys[0].secret, 's\n"x"');

    const streamed = await readAll(tempFile(text));
    const reformatted = await readAll(tempFile(JSON.stringify(doc, null, 2)));
    assert.deepEqual(streamed.header, reformatted.header);
    const rowsOf = (batches: SnapshotBatch[]) => Object.fromEntries(SNAPSHOT_TABLES.map((t) => [t.name, batches.filter((b) => b.table === t.name).flatMap((b) => b.rows)]));
    assert.deepEqual(rowsOf(streamed.batches), doc.tables);
    assert.deepEqual(rowsOf(reformatted.batches), doc.tables);
    checkHeader(streamed.header, KNOWN_SCHEMA_VERSION);
  });

  test('broken documents are refused by line; headers are checked before anything is written', async () => {
    const text = await sampleDocument();
    const refuse = async (body: string, message: RegExp) =>
      assert.rejects(readAll(tempFile(body)), (err: unknown) => err instanceof SnapshotImportError && message.test(err.message));
    await refuse(text.slice(0, text.indexOf('"ram_entities"')), /ends early \(truncated file\?\)/);
    await refuse(text.replace('"created_at":1,"ram_generation":0}', '"created_at":1,'), /line 3: table accounts: a row is not valid JSON/);
    await refuse(text.replace('}}\n', '}}\nmore\n'), /text after the end/);
    await refuse('{"format": "vcoroute-state", "tables": ', /not a JSON document/);

    const header = (over: Record<string, unknown>) => ({ format: 'vcoroute-state', version: 1, schemaVersion: 11, exportedAt: 'x', account: null, ...over });
    const refused = (h: unknown, message: RegExp) => assert.throws(() => checkHeader(h, 11), (err: unknown) => err instanceof SnapshotImportError && message.test(err.message));
    refused([], /not a vcoroute state snapshot/);
    refused(header({ format: 'moto' }), /not a vcoroute state snapshot/);
    refused(header({ version: 2 }), /format version 2 is not supported: this vcoroute reads version 1/);
    refused(header({ schemaVersion: 12 }), /schema 12, newer than this store's \(11\)/);
    refused(header({ schemaVersion: 'x' }), /no valid "schemaVersion"/);
    refused(header({ account: 5 }), /"account"/);
    assert.equal(checkHeader(header({ schemaVersion: 10 }), 11).schemaVersion, 10, 'an older schema is accepted: newer columns take their defaults');
  });
});

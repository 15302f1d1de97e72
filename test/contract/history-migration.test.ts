/**
 * Migration 13 on both backends: a store whose history was recorded one row per change (schema 12) keeps it —
 * every change reads back the same after the upgrade, filters included — and numbering goes on after it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { MIGRATIONS } from '../../src/store/sqlite/migrations';
import { PG_MIGRATIONS } from '../../src/store/postgres/migrations';
import { SQLITE_FILE_NAME, SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { PostgresStore } from '../../src/store/postgres/postgres-store';
import type { RouteRecord, Store } from '../../src/store/store';
import { createTestDatabase, postgresSkipReason, TEST_PG_OPTIONS } from '../helpers/backends';

const CONNECTION = 'vco-migrated';

/** Schema 12: the connection, its counter at 3, and three recorded changes (custom added, BGP learned then withdrawn). */
const SCHEMA_12_ROWS = [
  `INSERT INTO accounts (account_id, created_at) VALUES ('1000000000000001', 1)`,
  `INSERT INTO vpn_connections (connection_id, account_id, region_id, state, create_time) VALUES ('${CONNECTION}', '1000000000000001', 'cn-hangzhou', 'attached', 1)`,
  `INSERT INTO vco_route_versions (connection_id, routes_version, last_change_id) VALUES ('${CONNECTION}', 3, 3)`,
  `INSERT INTO vco_route_changes (connection_id, event_id, change_time, change_type, route_entry_type, source, route_dest, dest_first, dest_prefix, dest16, next_hop,
     old_route, new_route, tunnel_id, cause) VALUES
   ('${CONNECTION}', 1, 1001, 'Added', 'custom', '', '10.0.0.0/24', 167772160, 24, 2560, '${CONNECTION}', NULL, '[100,null,null,null,5]', '', 'api'),
   ('${CONNECTION}', 2, 1002, 'Added', 'bgp', 'VPN_BGP', '192.168.1.0/24', 3232235776, 24, 49320, '${CONNECTION}', NULL,
    '[100,[65001,65002],"65535:1",["tun-1"],6]', 'tun-1', 'bgp-update'),
   ('${CONNECTION}', 3, 1003, 'Removed', 'bgp', 'VPN_BGP', '192.168.1.0/24', 3232235776, 24, 49320, '${CONNECTION}',
    '[100,[65001,65002],"65535:1",["tun-1"],6]', NULL, 'tun-1', 'session-down')`,
];

const custom: RouteRecord = { routeEntryType: 'custom', routeDest: '10.0.0.0/24', nextHop: CONNECTION, weight: 100, source: null, asPath: null, community: null,
  nextHopTunnelIds: null, createTime: 5 };
const learned: RouteRecord = { routeEntryType: 'bgp', routeDest: '192.168.1.0/24', nextHop: CONNECTION, weight: 100, source: 'VPN_BGP', asPath: [65001, 65002],
  community: '65535:1', nextHopTunnelIds: ['tun-1'], createTime: 6 };

async function checkUpgraded(store: Store): Promise<void> {
  const all = await store.listRouteChanges({ connectionId: CONNECTION, order: 'asc', limit: 10 });
  assert.deepEqual(all.map((c) => [c.eventId, c.changeTime, c.changeType, c.source, c.old, c.new, c.tunnelId, c.cause]), [
    [1, 1001, 'Added', null, null, custom, '', 'api'],
    [2, 1002, 'Added', 'VPN_BGP', null, learned, 'tun-1', 'bgp-update'],
    [3, 1003, 'Removed', 'VPN_BGP', learned, null, 'tun-1', 'session-down'],
  ]);
  const within = await store.listRouteChanges({ connectionId: CONNECTION, order: 'desc', limit: 10, within: { first: 3232235520, last: 3232301055, minPrefix: 16 } });
  assert.deepEqual(within.map((c) => c.eventId), [3, 2]);
  assert.deepEqual((await store.listRouteChanges({ connectionId: CONNECTION, order: 'asc', limit: 10, source: null })).map((c) => c.eventId), [1]);
  await store.insertRoute(CONNECTION, { key: 'k-new', route: { ...custom, routeDest: '10.0.1.0/24' } });
  assert.deepEqual((await store.listRouteChanges({ connectionId: CONNECTION, order: 'desc', limit: 1 })).map((c) => [c.eventId, c.routeDest]), [[4, '10.0.1.0/24']]);
}

describe('migration 13 keeps the recorded history', () => {
  test('sqlite', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcoroute-migration-'));
    try {
      const db = new Database(path.join(dir, SQLITE_FILE_NAME));
      db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)');
      for (const m of MIGRATIONS.filter((x) => x.version <= 12)) {
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.description);
      }
      for (const sql of SCHEMA_12_ROWS) db.exec(sql);
      db.close();
      const store = new SqliteStore(dir);
      try {
        await checkUpgraded(store);
      } finally {
        await store.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('postgres', async (t) => {
    const skip = await postgresSkipReason();
    if (skip) return t.skip(skip);
    const database = await createTestDatabase();
    try {
      const client = new Client({ connectionString: database.url });
      await client.connect();
      await client.query('CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)');
      for (const m of PG_MIGRATIONS.filter((x) => x.version <= 12)) {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations VALUES ($1, $2, 0)', [m.version, m.description]);
      }
      for (const sql of SCHEMA_12_ROWS) await client.query(sql);
      await client.end();
      const store = await PostgresStore.open({ connectionString: database.url, ...TEST_PG_OPTIONS });
      try {
        await checkUpgraded(store);
      } finally {
        await store.close();
      }
    } finally {
      await database.drop();
    }
  });
});

/**
 * The SQLite statements on the DescribeVcoRouteEntries path search by primary key, never scan a table:
 * EXPLAIN QUERY PLAN of the store's own prepared statements (issue 6; numbers in BENCHMARKS.md), and the
 * replay-protection nonces still behave as one statement per request did (group commit in useNonce).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import type Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';

/** The prepared statements (private) of the store and its route tables: checked as they are, not copies of their SQL. */
function statements(store: SqliteStore): Record<string, Database.Statement> {
  const s = store as unknown as { s: Record<string, Database.Statement>; routes: { s: Record<string, Database.Statement> } };
  return { ...s.s, ...s.routes.s };
}

function plan(db: Database.Database, stmt: Database.Statement, args: unknown[]): string[] {
  return (db.prepare(`EXPLAIN QUERY PLAN ${stmt.source}`).all(...args) as { detail: string }[]).map((r) => r.detail);
}

describe('SQLite query plans of the route listing', () => {
  const cases: [string, unknown[], RegExp][] = [
    ['countRoutes', ['vco-1'], /^SEARCH vco_route_counts USING PRIMARY KEY \(connection_id=\?\)$/],
    ['blocks', ['vco-1', 'custom'], /^SEARCH vco_route_blocks USING PRIMARY KEY \(connection_id=\? AND route_entry_type=\?\)$/],
    ['pageFrom', ['vco-1', 'custom', 0, 50, 0], /^SEARCH vco_routes USING PRIMARY KEY \(connection_id=\? AND route_entry_type=\? AND seq>\?\)$/],
    ['getAccessKey', ['LTAI'], /^SEARCH access_keys USING (INDEX sqlite_autoindex_access_keys_1|PRIMARY KEY) \(access_key_id=\?\)$/],
  ];
  for (const [name, args, expected] of cases) {
    test(`${name} searches by key, no scan, no temporary sort`, async () => {
      const store = new SqliteStore(':memory:');
      try {
        const stmt = statements(store)[name];
        assert.ok(stmt, `statement ${name} exists`);
        const details = plan(store.database, stmt, args);
        assert.equal(details.length, 1, details.join(' | '));
        assert.match(details[0]!, expected);
      } finally {
        await store.close();
      }
    });
  }
});

describe('SQLite query plan of the connection read (with routes version and tunnels)', () => {
  test('getConnectionWithTunnels searches by key only, no scan, no temporary sort', async () => {
    const store = new SqliteStore(':memory:');
    try {
      const stmt = (store as unknown as { vpn: { s: Record<string, Database.Statement> } }).vpn.s.getConnectionWithTunnels;
      assert.ok(stmt, 'statement getConnectionWithTunnels exists');
      const details = plan(store.database, stmt, ['vco-1']).filter((d) => !d.startsWith('CORRELATED SCALAR SUBQUERY'));
      assert.equal(details.length, 3, details.join(' | '));
      for (const d of details) assert.match(d, /^SEARCH (c|t|v) USING (INDEX sqlite_autoindex_vpn_connections_1|PRIMARY KEY) \(connection_id=\?\)( LEFT-JOIN)?$/);
    } finally {
      await store.close();
    }
  });
});

describe('SQLite query plan of a BGP withdrawal (routes deleted by key)', () => {
  for (const recording of [true, false]) {
    test(`searches the identity index per key, never the connection's routes of the type (history ${recording ? 'on' : 'off'})`, async () => {
      // Without the index named, SQLite (no statistics) walked every route of the connection and type for each
      // withdrawal flush: withdrawing N routes in flushes of 1,000 cost O(N²).
      const store = new SqliteStore(':memory:');
      try {
        store.setRouteChangeRecording(recording);
        const routes = (store as unknown as { routes: { delete(c: string, f: object, g: undefined, keys: string[]): number; deletes: Map<string, Database.Statement> } }).routes;
        assert.equal(routes.delete('vco-1', { routeEntryType: 'bgp' }, undefined, ['10.0.0.0/24|vco-1']), 0);
        const byKeys = [...routes.deletes.values()].filter((stmt) => stmt.source.includes('json_each'));
        assert.equal(byKeys.length, 1);
        const details = plan(store.database, byKeys[0]!, ['vco-1', 'bgp', '["10.0.0.0/24|vco-1"]']);
        assert.match(details[0]!, /^SEARCH vco_routes USING INDEX vco_routes_identity \(connection_id=\? AND route_entry_type=\? AND route_key=\?\)$/, details.join(' | '));
        assert.ok(!details.some((d) => /^SCAN vco_routes|USING PRIMARY KEY/.test(d)), details.join(' | '));
      } finally {
        await store.close();
      }
    });
  }
});

describe('nonces under group commit', () => {
  test('concurrent uses of one nonce: exactly the first wins; other nonces are independent', async () => {
    const store = new SqliteStore(':memory:');
    try {
      const expires = Date.now() + 60_000;
      const results = await Promise.all([
        store.useNonce('k1', 'n1', expires), store.useNonce('k1', 'n1', expires), store.useNonce('k1', 'n2', expires),
        store.useNonce('k2', 'n1', expires),
      ]);
      assert.deepEqual(results, [true, false, true, true]);
      assert.equal(await store.useNonce('k1', 'n1', expires), false);
    } finally {
      await store.close();
    }
  });

  test('an expired nonce may be used again', async () => {
    const store = new SqliteStore(':memory:');
    try {
      assert.equal(await store.useNonce('k1', 'old', Date.now() - 1), true);
      assert.equal(await store.useNonce('k1', 'old', Date.now() + 60_000), true);
      assert.equal(await store.useNonce('k1', 'old', Date.now() + 60_000), false);
    } finally {
      await store.close();
    }
  });

  test('a nonce pending at close is committed first and survives a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcoroute-nonce-'));
    try {
      const store = new SqliteStore(dir);
      const pending = store.useNonce('k1', 'last', Date.now() + 60_000);
      await store.close();
      assert.equal(await pending, true);
      const reopened = new SqliteStore(dir);
      assert.equal(await reopened.useNonce('k1', 'last', Date.now() + 60_000), false);
      await reopened.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

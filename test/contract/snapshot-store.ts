/**
 * Store contract, state snapshots part (store.ts "state snapshots"): export in one view and key order, import
 * into an empty store only, all or nothing. Called from store.test.ts for every backend.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { routeKey } from '../../src/domain/routes';
import { SNAPSHOT_BATCH_ROWS, SNAPSHOT_TABLES, SnapshotImportError, type SnapshotBatch, type SnapshotRow } from '../../src/store/snapshot-tables';
import type { CenLinkRecord, CenResourceRecord, ConnectionRecord, KeyedRoute, RouteRecord, Store, TunnelRecord } from '../../src/store/store';

const ACCOUNT = '1000000000000001';
const OTHER = '2000000000000002';
const T0 = 1_700_000_000_000;
const ROUTES = 2 * SNAPSHOT_BATCH_ROWS + 17; // several export batches

function tunnel(id: string, index: number): TunnelRecord {
  return { tunnelId: id, tunnelIndex: index, status: 'ipsec_sa_established', customerGatewayId: null, options: { role: index === 1 ? 'master' : 'slave' } as TunnelRecord['options'] };
}

function connection(id: string, accountId: string, tunnels: TunnelRecord[]): ConnectionRecord {
  return {
    connectionId: id, accountId, regionId: 'cn-hangzhou', state: 'attached', pendingState: null, pendingUntil: null, transitRouterId: 'tr-1',
    customerGatewayId: null, createTime: T0, tunnels, attributes: { name: id, tags: [{ key: 'k', value: 'v' }] } as unknown as ConnectionRecord['attributes'],
  };
}

function route(i: number, type: 'custom' | 'bgp' = 'custom'): KeyedRoute {
  const r: RouteRecord = {
    routeEntryType: type, routeDest: `10.${(i >> 8) & 255}.${i & 255}.0/24`, nextHop: 'vco-nexthop', weight: 100, source: type === 'bgp' ? 'CLOUD' : null,
    asPath: type === 'bgp' ? [65001, 4200000000] : null, community: type === 'bgp' ? '65000:1' : null, nextHopTunnelIds: null, createTime: T0 + i,
  };
  return { key: routeKey(r), route: r };
}

const cen = (id: string, kind: CenResourceRecord['kind'], accountId: string, over: Partial<CenResourceRecord> = {}): CenResourceRecord => ({
  id, kind, accountId, parentId: null, regionId: 'cn-hangzhou', uniqueKey: null, refId: null, createTime: T0, readyAt: null, goneAt: null, doc: { name: id, n: [1, 'é'] }, ...over,
});
const link = (attachmentId: string, routeTableId: string, accountId = ACCOUNT): CenLinkRecord => ({
  kind: 'propagation', accountId, attachmentId, routeTableId, transitRouterId: 'tr-1', createTime: T0, readyAt: null, goneAt: null,
});

/** State in every snapshot table, for two accounts. */
async function populate(s: Store): Promise<void> {
  for (const account of [ACCOUNT, OTHER]) {
    const tag = account === ACCOUNT ? 'a' : 'o';
    await s.upsertAccount(account, T0);
    await s.upsertAccessKey({ accessKeyId: `LTAI${tag}`, accountId: account, secret: `secret-${tag}`, status: 'Active' }, T0);
    await s.putCustomerGateway({ customerGatewayId: `cgw-${tag}`, accountId: account, regionId: 'cn-hangzhou', ipAddress: '8.8.8.8', asn: 4294967295, authKey: '',
      name: 'g', description: '', resourceGroupId: 'rg', tags: [], createTime: T0 });
    await s.putConnection(connection(`vco-${tag}`, account, [tunnel(`tun-${tag}1`, 1), tunnel(`tun-${tag}2`, 2)]));
    await s.putConnection(connection(`vco-${tag}single`, account, []));
    const count = account === ACCOUNT ? ROUTES : 3;
    await s.upsertRoutes(`vco-${tag}`, Array.from({ length: count }, (_, i) => route(i)));
    await s.upsertRoutes(`vco-${tag}`, [route(1, 'bgp'), route(2, 'bgp')]);
    await s.deleteRoutes(`vco-${tag}`, { routeKey: route(0).key });
    await s.assignBgpPort(`tun-${tag}1`, 17900, 18000);
    await s.assignBgpPort(`vco-${tag}single`, 17900, 18000);
    await s.createRamEntity({ accountId: account, kind: 'user', id: `u-${tag}`, name: 'bob', createDate: T0, updateDate: T0, data: { displayName: 'Bob' } });
    await s.createRamEntity({ accountId: account, kind: 'policy', id: `p-${tag}`, name: 'pol', createDate: T0, updateDate: T0, data: { v: 1 } });
    await s.addRamLink({ accountId: account, kind: 'user-policy', fromId: `u-${tag}`, toId: `p-${tag}`, createDate: T0 }, undefined);
    await s.createUserAccessKey({ accessKeyId: `LTAIuser${tag}`, accountId: account, userId: `u-${tag}`, secret: 'user-secret', status: 'Active', createDate: T0 }, 2);
    await s.putStsSession({ accessKeyId: `STS.${tag}`, accountId: account, secret: 's', token: 't', roleId: 'r', roleName: 'role', sessionName: 'x', sessionPolicy: null,
      sourceIdentity: null, expiresAt: T0 + 3600_000, createDate: T0, originAccountId: null, originUserId: null });
    await s.createCenResource(cen(`cen-${tag}`, 'cen', account, { regionId: '' }));
    await s.createCenResource(cen(`tr-${tag}`, 'transitRouter', account, { parentId: `cen-${tag}`, uniqueKey: `cen-${tag}|cn-hangzhou` }));
    await s.createCenResource(cen(`vtb-${tag}`, 'routeTable', account, { parentId: `tr-${tag}` }));
    await s.createCenResource(cen(`att-${tag}`, 'vpnAttachment', account, { parentId: `tr-${tag}`, refId: `vco-${tag}`, uniqueKey: `vco-${tag}` }));
    assert.equal(await s.createCenLink(link(`att-${tag}`, `vtb-${tag}`, account)), 'created');
  }
  await s.addFaultRules([{ ruleId: 'f-1', kind: 'fault', rule: '{"probability":1}', expiresAt: null, createdAt: T0 }]);
}

async function exported(s: Store, accountId: string | null = null): Promise<Record<string, SnapshotRow[]>> {
  const tables: Record<string, SnapshotRow[]> = {};
  const order: string[] = [];
  await s.exportSnapshot(accountId, async ({ table, rows }) => {
    assert.ok(rows.length <= SNAPSHOT_BATCH_ROWS);
    if (!(table in tables)) order.push(table);
    (tables[table] ??= []).push(...rows.map((r) => ({ ...r })));
  });
  assert.deepEqual(order, SNAPSHOT_TABLES.map((t) => t.name), 'every table, in order');
  return tables;
}

async function* batchesOf(tables: Record<string, SnapshotRow[]>): AsyncGenerator<SnapshotBatch> {
  for (const [table, rows] of Object.entries(tables)) {
    for (let i = 0; i < rows.length || i === 0; i += 700) yield { table, rows: rows.slice(i, i + 700) };
  }
}

async function refused(s: Store, tables: Record<string, SnapshotRow[]>, message: RegExp): Promise<void> {
  await assert.rejects(s.importSnapshot(batchesOf(tables)), (err: unknown) => err instanceof SnapshotImportError && message.test(err.message));
}

export function snapshotStoreContract(fresh: () => Promise<Store>): void {
  describe('state snapshots', () => {
    test('the schema version is the last migration', async () => {
      const s = await fresh();
      assert.ok((await s.schemaVersion()) >= 11);
    });

    test('export → import into an empty store → the same rows, the same reads; sequences go on after the imported rows', async () => {
      const source = await fresh();
      await populate(source);
      const rows = await exported(source);
      assert.equal(rows.vco_routes!.filter((r) => r.connection_id === 'vco-a').length, ROUTES - 1 + 2);
      // key order: byte order of text keys, numeric order of integers
      const seqs = rows.vco_routes!.filter((r) => r.connection_id === 'vco-a' && r.route_entry_type === 'custom').map((r) => r.seq as number);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
      assert.equal(typeof rows.accounts![0]!.created_at, 'number');
      assert.equal(typeof rows.vpn_connections![0]!.attributes, 'string', 'JSON documents verbatim, as text');

      const target = await fresh();
      const written = await target.importSnapshot(batchesOf(rows));
      assert.equal(written.vco_routes, rows.vco_routes!.length);
      assert.deepEqual(await exported(target), rows);

      const [before, after] = [source, target];
      for (const s of [before, after]) assert.equal((await s.listRoutes('vco-a', 'custom', 1995, 10)).length, 10);
      assert.deepEqual(await after.listRoutes('vco-a', 'custom', 0, 5000), await before.listRoutes('vco-a', 'custom', 0, 5000));
      assert.deepEqual(await after.countRoutes('vco-a'), await before.countRoutes('vco-a'));
      assert.deepEqual(await after.getConnection(ACCOUNT, 'vco-a'), await before.getConnection(ACCOUNT, 'vco-a'));
      assert.deepEqual(await after.getUserAccessKey('LTAIusera'), await before.getUserAccessKey('LTAIusera'));
      assert.deepEqual(await after.getAccessKey('LTAIo'), await before.getAccessKey('LTAIo'));
      assert.equal(await after.getBgpPort('vco-osingle'), await before.getBgpPort('vco-osingle'));
      assert.deepEqual(await after.listFaultRules('fault', T0), await before.listFaultRules('fault', T0));

      // New writes continue where the source left off: route sequence (listing order) and CEN link order.
      for (const s of [before, after]) {
        await s.upsertRoutes('vco-a', [route(60000)]);
        await s.createCenResource(cen('vtb-a2', 'routeTable', ACCOUNT, { parentId: 'tr-a', createTime: T0 + 1 }));
        assert.equal(await s.createCenLink(link('att-a', 'vtb-a2')), 'created');
      }
      assert.deepEqual(await after.listRoutes('vco-a', 'custom', ROUTES - 1, 10), await before.listRoutes('vco-a', 'custom', ROUTES - 1, 10));
      assert.deepEqual(
        (await after.listCenLinks(ACCOUNT, 'propagation', {}, T0)).map((l) => l.routeTableId),
        (await before.listCenLinks(ACCOUNT, 'propagation', {}, T0)).map((l) => l.routeTableId),
      );
      assert.deepEqual((await after.listCenLinks(ACCOUNT, 'propagation', {}, T0)).map((l) => l.routeTableId), ['vtb-a', 'vtb-a2']);
    });

    test('one account: only its rows, no account-less table', async () => {
      const s = await fresh();
      await populate(s);
      const rows = await exported(s, OTHER);
      for (const [table, list] of Object.entries(rows)) {
        for (const row of list) {
          const text = JSON.stringify(row);
          assert.ok(!text.includes(ACCOUNT) && !/vco-a|tun-a|LTAIa|u-a|cen-a|tr-a|vtb-a|STS\.a/.test(text), `${table}: ${text}`);
        }
      }
      assert.deepEqual(rows.fault_rules, []);
      assert.deepEqual(rows.bgp_ports!.map((r) => r.tunnel_id).sort(), ['tun-o1', 'vco-osingle']);
      assert.equal(rows.vco_routes!.length, 2 - 1 + 2 + 1);
      for (const table of ['accounts', 'access_keys', 'vpn_connections', 'vpn_tunnels', 'ram_entities', 'ram_links', 'ram_access_keys', 'sts_sessions', 'cen_resources', 'cen_links']) {
        assert.ok(rows[table]!.length > 0, `${table} has the account's rows`);
      }
      const target = await fresh();
      await target.importSnapshot(batchesOf(rows));
      assert.equal(await target.hasAccount(ACCOUNT), false);
      assert.deepEqual(await target.getConnection(OTHER, 'vco-o'), await s.getConnection(OTHER, 'vco-o'));
    });

    test('a store with state refuses, changing nothing; a server\'s own identity is merged', async () => {
      const source = await fresh();
      await populate(source);
      const rows = await exported(source);

      const busy = await fresh();
      await busy.upsertAccount(OTHER, T0);
      await busy.putCustomerGateway({ customerGatewayId: 'cgw-x', accountId: OTHER, regionId: 'cn-hangzhou', ipAddress: '1.1.1.1', asn: null, authKey: '', name: 'x',
        description: '', resourceGroupId: 'rg', tags: [], createTime: T0 });
      const state = await exported(busy);
      await refused(busy, rows, /not empty \(table customer_gateways has rows\)/);
      assert.deepEqual(await exported(busy), state, 'nothing changed');

      // A server started on the store created its root identity: that is no state, and the snapshot's rows replace it.
      const started = await fresh();
      await started.upsertAccount(ACCOUNT, T0 + 5);
      await started.upsertAccessKey({ accessKeyId: 'LTAIa', accountId: ACCOUNT, secret: 'configured', status: 'Active' }, T0 + 5);
      await started.upsertAccessKey({ accessKeyId: 'LTAIroot', accountId: ACCOUNT, secret: 'root', status: 'Active' }, T0 + 5);
      await started.importSnapshot(batchesOf(rows));
      assert.equal((await started.getAccessKey('LTAIa'))?.secret, 'secret-a');
      assert.equal((await started.getAccessKey('LTAIroot'))?.secret, 'root', 'the server\'s own key stays');
    });

    test('rows that do not fit are refused with their place; nothing is written', async () => {
      const source = await fresh();
      await populate(source);
      const rows = await exported(source);
      const bad = (table: string, patch: (row: SnapshotRow) => SnapshotRow, index = 0) => {
        const copy = { ...rows, [table]: rows[table]!.map((r, i) => (i === index ? patch({ ...r }) : r)) };
        return copy;
      };
      const target = await fresh();
      await refused(target, bad('vco_routes', (r) => ({ ...r, color: 'red' }), 1500), /table vco_routes, row 1501: unknown column color/);
      await refused(target, bad('vco_routes', (r) => ({ ...r, weight: '100' }), 3), /table vco_routes, row 4: column weight must be an integer/);
      await refused(target, bad('ram_entities', (r) => ({ ...r, data: { v: 1 } }) as unknown as SnapshotRow), /column data must be a string/);
      await refused(target, bad('customer_gateways', (r) => ({ ...r, name: null })), /table customer_gateways/);
      await refused(target, { ...rows, mystery: [{ a: 1 }] }, /unknown table mystery/);
      await refused(target, bad('vco_routes', (r) => ({ ...r, seq: 1.5 })), /must be an integer/);
      const empty = await exported(target);
      for (const [table, list] of Object.entries(empty)) assert.deepEqual(list, [], `${table} stays empty`);
      await target.importSnapshot(batchesOf(rows));
      assert.deepEqual(await exported(target), rows, 'then a good snapshot imports');
    });
  });
}

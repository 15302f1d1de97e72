/**
 * The Store contract (src/store/store.ts): one suite, run against every backend (test/helpers/backends.ts).
 * Whatever a backend does, the business rules above the interface see exactly this behaviour.
 */
import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import { routeKey } from '../../src/domain/routes';
import { BLOCK_SIZE } from '../../src/store/route-blocks';
import type {
  CenLinkRecord, CenResourceRecord, ConnectionAttributes, ConnectionRecord, CustomerGatewayRecord, KeyedRoute, RouteCount, RouteRecord, Store, TokenCompletion, TunnelOptions, TunnelRecord,
} from '../../src/store/store';
import type { RamDependents, RamEntityRecord, RamLinkKind, RamLinkRecord, StsSessionRecord, UserAccessKeyRecord } from '../../src/store/ram-records';
import { ClientTokenLostError, StoreConflictError } from '../../src/store/store';
import { postgresBackend, sqliteBackend, type StoreBackend } from '../helpers/backends';
import { bgpStoreContract } from './bgp-store';
import { snapshotStoreContract } from './snapshot-store';
import { routeChangesStoreContract } from './route-changes-store';

const ACCOUNT = '1000000000000001';
const OTHER = '2000000000000002';
const REGION = 'cn-hangzhou';
const T0 = 1_700_000_000_000;

const ATTRIBUTES = { name: 'conn', description: '', localSubnet: '10.0.0.0/8', remoteSubnet: '192.168.0.0/16', networkType: 'public',
  effectImmediately: false, autoConfigRoute: true, enableTunnelsBgp: false, tunnelBandwidth: 'Standard', resourceGroupId: 'rg-default',
  tags: [{ key: 'k', value: 'v' }], internetIp: '1.2.3.4' } as ConnectionAttributes;
const TUNNEL_OPTIONS = { enableDpd: true, enableNatTraversal: true, role: 'master', internetIp: '1.2.3.5', zoneNo: 'cn-hangzhou-h' } as TunnelOptions;

function tunnel(id: string, index: number, status = 'ipsec_sa_established', customerGatewayId: string | null = null): TunnelRecord {
  return { tunnelId: id, tunnelIndex: index, status, customerGatewayId, options: { ...TUNNEL_OPTIONS, role: index === 1 ? 'master' : 'slave' } };
}

function connection(id: string, over: Partial<ConnectionRecord> = {}): ConnectionRecord {
  return {
    connectionId: id, accountId: ACCOUNT, regionId: REGION, state: 'attached', pendingState: null, pendingUntil: null,
    transitRouterId: 'tr-1', customerGatewayId: null, createTime: T0, tunnels: [], attributes: ATTRIBUTES, ...over,
  };
}

function gateway(id: string, over: Partial<CustomerGatewayRecord> = {}): CustomerGatewayRecord {
  return { customerGatewayId: id, accountId: ACCOUNT, regionId: REGION, ipAddress: '8.8.8.8', asn: 4294967295, authKey: '', name: id,
    description: 'd', resourceGroupId: 'rg-default', tags: [], createTime: T0, ...over };
}

function custom(i: number, over: Partial<RouteRecord> = {}): KeyedRoute {
  const route: RouteRecord = {
    routeEntryType: 'custom', routeDest: `10.${(i >> 8) & 255}.${i & 255}.0/24`, nextHop: 'vco-a', weight: 100, source: null, asPath: null,
    community: null, nextHopTunnelIds: null, createTime: T0 + i, ...over,
  };
  return { key: routeKey(route), route };
}

function bgp(i: number, source: 'VPN_BGP' | 'CLOUD', over: Partial<RouteRecord> = {}): KeyedRoute {
  const route: RouteRecord = {
    routeEntryType: 'bgp', routeDest: `172.16.${i & 255}.0/24`, nextHop: 'vco-a', weight: 100, source, asPath: [65001, 4200000000],
    community: '65000:1', nextHopTunnelIds: ['tun-1'], createTime: T0 + i, ...over,
  };
  return { key: routeKey(route), route };
}

const sortCounts = (c: RouteCount[]) => [...c].sort((a, b) => `${a.routeEntryType}|${a.source}`.localeCompare(`${b.routeEntryType}|${b.source}`));
const dests = (routes: RouteRecord[]) => routes.map((r) => r.routeDest);

async function all(store: Store, id: string, type: 'custom' | 'bgp'): Promise<RouteRecord[]> {
  return store.listRoutes(id, type, 0, 1_000_000);
}

function contract(backend: StoreBackend): void {
  const open: Store[] = [];
  const fresh = async () => {
    const s = await backend.create();
    open.push(s);
    return s;
  };
  const twin = async (s: Store) => {
    const t = await backend.twin(s);
    open.push(t);
    return t;
  };
  // Each test closes what it opened (PostgreSQL connections are a bounded resource shared with other runs).
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });
  after(async () => {
    for (const s of open.splice(0)) await s.close();
    await backend.cleanup();
  });

  describe('identities', () => {
    test('accounts: upsert is idempotent; unknown accounts do not exist', async () => {
      const s = await fresh();
      assert.equal(await s.hasAccount(ACCOUNT), false);
      await s.upsertAccount(ACCOUNT, T0);
      await s.upsertAccount(ACCOUNT, T0 + 1);
      assert.equal(await s.hasAccount(ACCOUNT), true);
      assert.equal(await s.hasAccount(OTHER), false);
    });

    test('access keys: insert, replace secret/status/account, unknown is undefined', async () => {
      const s = await fresh();
      await s.upsertAccount(ACCOUNT, T0);
      await s.upsertAccount(OTHER, T0);
      assert.equal(await s.getAccessKey('LTAIx'), undefined);
      await assert.rejects(s.upsertAccessKey({ accessKeyId: 'LTAIy', accountId: '999', secret: 's', status: 'Active' }, T0), 'the account must exist');
      await s.upsertAccessKey({ accessKeyId: 'LTAIx', accountId: ACCOUNT, secret: 's1', status: 'Active' }, T0);
      assert.deepEqual(await s.getAccessKey('LTAIx'), { accessKeyId: 'LTAIx', accountId: ACCOUNT, secret: 's1', status: 'Active' });
      await s.upsertAccessKey({ accessKeyId: 'LTAIx', accountId: OTHER, secret: 's2', status: 'Inactive' }, T0 + 1);
      assert.deepEqual(await s.getAccessKey('LTAIx'), { accessKeyId: 'LTAIx', accountId: OTHER, secret: 's2', status: 'Inactive' });
    });
  });

  describe('nonces', () => {
    test('a nonce is accepted once while unexpired, per access key', async () => {
      const s = await fresh();
      const later = Date.now() + 60_000;
      assert.equal(await s.useNonce('AK1', 'n1', later), true);
      assert.equal(await s.useNonce('AK1', 'n1', later), false);
      assert.equal(await s.useNonce('AK1', 'n1', later + 1), false);
      assert.equal(await s.useNonce('AK2', 'n1', later), true, 'another key has its own nonces');
      assert.equal(await s.useNonce('AK1', 'n2', later), true);
    });

    test('an expired nonce may be used again (and is then remembered again)', async () => {
      const s = await fresh();
      assert.equal(await s.useNonce('AK1', 'old', Date.now() - 1000), true);
      assert.equal(await s.useNonce('AK1', 'old', Date.now() + 60_000), true, 'expired record is replaced');
      assert.equal(await s.useNonce('AK1', 'old', Date.now() + 60_000), false);
    });

    test('pruneNonces deletes expired nonces only', async () => {
      const s = await fresh();
      await s.useNonce('AK1', 'a', 100);
      await s.useNonce('AK1', 'b', 200);
      await s.useNonce('AK1', 'c', Date.now() + 60_000);
      assert.equal(await s.pruneNonces(150), 1);
      assert.equal(await s.pruneNonces(Date.now()), 1);
      assert.equal(await s.useNonce('AK1', 'c', Date.now() + 60_000), false);
    });

    test('two stores on one data set: a nonce is accepted by exactly one of them', async () => {
      const a = await fresh();
      const b = await twin(a);
      const until = Date.now() + 60_000;
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).useNonce('AK1', 'race', until)));
      assert.equal(results.filter(Boolean).length, 1);
    });

    test('many uses at once (one group commit): the first use of each nonce wins, in arrival order; a closed store kept them', async () => {
      const s = await fresh();
      const until = Date.now() + 60_000;
      await s.useNonce('AK1', 'seen', until);
      const calls: [string, string][] = [['AK1', 'x'], ['AK1', 'x'], ['AK2', 'x'], ['AK1', 'seen'], ['AK1', 'y'], ['AK1', 'x'], ['AK1', 'z']];
      const results = await Promise.all(calls.map(([key, nonce]) => s.useNonce(key, nonce, until)));
      assert.deepEqual(results, [true, false, true, false, true, false, true]);
      const pending = s.useNonce('AK1', 'at-close', until);
      const t = await twin(s);
      await s.close();
      assert.equal(await pending, true, 'a nonce pending at close is recorded before the store closes');
      assert.equal(await t.useNonce('AK1', 'at-close', until), false);
      assert.equal(await t.useNonce('AK1', 'y', until), false);
    });
  });

  describe('idempotency records (ClientToken)', () => {
    test('claim, pending, complete, replay; release only while pending', async () => {
      const s = await fresh();
      assert.equal(await s.claimClientToken(ACCOUNT, 't1', 'fp1', T0, T0 - 1000), undefined, 'first claim wins');
      assert.deepEqual(await s.claimClientToken(ACCOUNT, 't1', 'fp2', T0 + 1, T0 - 1000), { fingerprint: 'fp1', createdAt: T0, response: undefined });
      assert.equal(await s.claimClientToken(OTHER, 't1', 'fp1', T0, T0 - 1000), undefined, 'tokens are per account');
      await s.completeClientToken(ACCOUNT, 't1', { status: 200, body: { RequestId: 'r1', Nested: { A: [1, 'x'] } } });
      assert.deepEqual(await s.claimClientToken(ACCOUNT, 't1', 'fp1', T0 + 2, T0 - 1000), {
        fingerprint: 'fp1', createdAt: T0, response: { status: 200, body: { RequestId: 'r1', Nested: { A: [1, 'x'] } } },
      });
      await s.releaseClientToken(ACCOUNT, 't1');
      assert.ok((await s.claimClientToken(ACCOUNT, 't1', 'fp1', T0 + 3, T0 - 1000))?.response, 'a completed record is not released');

      assert.equal(await s.claimClientToken(ACCOUNT, 't2', 'fp', T0, T0 - 1000), undefined);
      await s.releaseClientToken(ACCOUNT, 't2');
      assert.equal(await s.claimClientToken(ACCOUNT, 't2', 'fp', T0 + 5, T0 - 1000), undefined, 'released: claimable again');
    });

    test('records older than the retention window are replaced by a new claim; prune removes them', async () => {
      const s = await fresh();
      await s.claimClientToken(ACCOUNT, 'old', 'fp1', T0, T0 - 10);
      await s.completeClientToken(ACCOUNT, 'old', { status: 200, body: { X: 1 } });
      // notBefore after the record's creation: the retention has passed
      assert.equal(await s.claimClientToken(ACCOUNT, 'old', 'fp2', T0 + 100, T0 + 1), undefined);
      assert.deepEqual(await s.claimClientToken(ACCOUNT, 'old', 'fp3', T0 + 101, T0 + 1), { fingerprint: 'fp2', createdAt: T0 + 100, response: undefined });
      await s.claimClientToken(ACCOUNT, 'young', 'fp', T0 + 500, 0);
      assert.equal(await s.pruneClientTokens(T0 + 200), 1);
      assert.equal(await s.claimClientToken(ACCOUNT, 'old', 'fp9', T0 + 600, 0), undefined, 'pruned');
      assert.equal((await s.claimClientToken(ACCOUNT, 'young', 'fpx', T0 + 600, 0))?.fingerprint, 'fp');
    });

    test('a pending record older than stalePendingBefore is claimed again; a completed one is not', async () => {
      const s = await fresh();
      await s.claimClientToken(ACCOUNT, 'stuck', 'fp1', T0, 0);
      assert.equal((await s.claimClientToken(ACCOUNT, 'stuck', 'fp1', T0 + 10, 0, T0))?.fingerprint, 'fp1', 'not yet stale');
      assert.equal(await s.claimClientToken(ACCOUNT, 'stuck', 'fp1', T0 + 20, 0, T0 + 1), undefined, 'stale pending: claimed');
      await s.completeClientToken(ACCOUNT, 'stuck', { status: 200, body: { Y: 2 } });
      assert.deepEqual((await s.claimClientToken(ACCOUNT, 'stuck', 'fp1', T0 + 30, 0, T0 + 25))?.response, { status: 200, body: { Y: 2 } });
    });

    test('complete and release with claimedAt touch only that claim (a stale claim taken over by a retry stays the retry\'s)', async () => {
      const s = await fresh();
      await s.claimClientToken(ACCOUNT, 'over', 'fp', T0, 0);
      assert.equal(await s.claimClientToken(ACCOUNT, 'over', 'fp', T0 + 100, 0, T0 + 50), undefined, 'the retry takes the stale claim over');
      await s.completeClientToken(ACCOUNT, 'over', { status: 200, body: { Old: true } }, T0);
      await s.releaseClientToken(ACCOUNT, 'over', T0);
      assert.deepEqual(await s.claimClientToken(ACCOUNT, 'over', 'fp', T0 + 101, 0), { fingerprint: 'fp', createdAt: T0 + 100, response: undefined },
        'the first request neither completed nor released the retry\'s claim');
      await s.completeClientToken(ACCOUNT, 'over', { status: 200, body: { New: true } }, T0 + 100);
      assert.deepEqual((await s.claimClientToken(ACCOUNT, 'over', 'fp', T0 + 102, 0))?.response, { status: 200, body: { New: true } });
    });

    test('two stores racing on one token: exactly one claims it', async () => {
      const a = await fresh();
      const b = await twin(a);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).claimClientToken(ACCOUNT, 'race', 'fp', T0, T0 - 1)));
      assert.equal(results.filter((r) => r === undefined).length, 1);
    });

    const completion = (token: string, claimedAt: number, body: Record<string, unknown>): TokenCompletion =>
      ({ accountId: ACCOUNT, token, claimedAt, response: { status: 200, body } });
    const responseOf = async (s: Store, token: string) => (await s.claimClientToken(ACCOUNT, token, 'fp', T0 + 1000, 0))?.response;

    test('a write with a completion records the response in its own transaction, only when it takes effect', async () => {
      const s = await fresh();
      await s.claimClientToken(ACCOUNT, 'create', 'fp', T0, 0);
      await s.putCustomerGateway(gateway('cgw-tok'), completion('create', T0, { CustomerGatewayId: 'cgw-tok' }));
      assert.deepEqual(await responseOf(s, 'create'), { status: 200, body: { CustomerGatewayId: 'cgw-tok' } });

      await s.putConnection(connection('vco-tok'));
      await s.claimClientToken(ACCOUNT, 'ins', 'fp', T0, 0);
      assert.equal(await s.insertRoute('vco-tok', custom(1), undefined, completion('ins', T0, { Ins: 1 })), true);
      assert.deepEqual(await responseOf(s, 'ins'), { status: 200, body: { Ins: 1 } });

      // A write that does not take effect leaves the claim pending (the request fails and releases it).
      await s.claimClientToken(ACCOUNT, 'dup', 'fp', T0, 0);
      assert.equal(await s.insertRoute('vco-tok', custom(1), undefined, completion('dup', T0, { Dup: 1 })), false);
      await s.claimClientToken(ACCOUNT, 'del', 'fp', T0, 0);
      assert.equal(await s.deleteRoutes('vco-tok', { routeKey: custom(99).key }, undefined, completion('del', T0, {})), 0);
      await s.claimClientToken(ACCOUNT, 'gone', 'fp', T0, 0);
      assert.equal(await s.deleteCustomerGateway(ACCOUNT, 'cgw-none', completion('gone', T0, {})), 'missing');
      for (const token of ['dup', 'del', 'gone']) {
        assert.deepEqual(await s.claimClientToken(ACCOUNT, token, 'fp', T0 + 1, 0), { fingerprint: 'fp', createdAt: T0, response: undefined }, token);
      }
    });

    test('a write whose claim was taken over by a retry is rolled back whole (ClientTokenLostError)', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-lost'));
      await s.claimClientToken(ACCOUNT, 'lost', 'fp', T0, 0);
      assert.equal(await s.claimClientToken(ACCOUNT, 'lost', 'fp', T0 + 100, 0, T0 + 50), undefined, 'the retry takes the stale claim over');
      await assert.rejects(s.insertRoute('vco-lost', custom(7), undefined, completion('lost', T0, { Old: 1 })), ClientTokenLostError);
      await assert.rejects(s.putCustomerGateway(gateway('cgw-lost'), completion('lost', T0, { Old: 1 })), ClientTokenLostError);
      await assert.rejects(s.deleteConnection('vco-lost', undefined, completion('lost', T0, {})), ClientTokenLostError);
      assert.deepEqual(await all(s, 'vco-lost', 'custom'), [], 'the route insert was rolled back');
      assert.equal(await s.getCustomerGateway(ACCOUNT, 'cgw-lost'), undefined, 'the gateway put was rolled back');
      assert.ok(await s.getConnection(ACCOUNT, 'vco-lost'), 'the delete was rolled back');
      assert.deepEqual(await s.claimClientToken(ACCOUNT, 'lost', 'fp', T0 + 101, 0), { fingerprint: 'fp', createdAt: T0 + 100, response: undefined },
        'the retry\'s claim is untouched');
    });

    test('every write that takes a completion honours it', async () => {
      const s = await fresh();
      await s.putCustomerGateway(gateway('cgw-w'));
      await s.putConnection(connection('vco-w'));
      await s.insertRoute('vco-w', custom(1));
      const c = (await s.getConnection(ACCOUNT, 'vco-w'))!;
      const writes: Array<[string, (t: TokenCompletion) => Promise<unknown>]> = [
        ['update', (t) => s.updateConnection({ ...c, attributes: { ...ATTRIBUTES, name: 'renamed' } }, c.revision!, t)],
        ['replace', (t) => s.replaceRoute('vco-w', 'custom', custom(1).key, custom(1, { weight: 0 }), undefined, t)],
        ['delete-route', (t) => s.deleteRoutes('vco-w', { routeKey: custom(1).key }, undefined, t)],
        ['delete-connection', (t) => s.deleteConnection('vco-w', undefined, t)],
        ['delete-gateway', (t) => s.deleteCustomerGateway(ACCOUNT, 'cgw-w', t)],
      ];
      for (const [token, write] of writes) {
        await s.claimClientToken(ACCOUNT, token, 'fp', T0, 0);
        await write(completion(token, T0, { Done: token }));
        assert.deepEqual(await responseOf(s, token), { status: 200, body: { Done: token } }, token);
      }
    });
    test('a put refused by its region quota completes no token: the claim stays pending', async () => {
      const s = await fresh();
      await s.putCustomerGateway(gateway('cgw-full'));
      await s.putConnection(connection('vco-full'));
      for (const [token, put] of [
        ['quota-cgw', (t?: TokenCompletion, max?: number) => s.putCustomerGateway(gateway('cgw-tok-q'), t, max)],
        ['quota-vco', (t?: TokenCompletion, max?: number) => s.putConnection(connection('vco-tok-q'), t, max)],
      ] as const) {
        await s.claimClientToken(ACCOUNT, token, 'fp', T0, 0);
        assert.equal(await put(completion(token, T0, { Done: token }), 1), 'limit', token);
        assert.deepEqual(await s.claimClientToken(ACCOUNT, token, 'fp', T0 + 1, 0), { fingerprint: 'fp', createdAt: T0, response: undefined }, token);
        assert.equal(await put(completion(token, T0, { Done: token }), 2), 'stored', token);
        assert.deepEqual(await responseOf(s, token), { status: 200, body: { Done: token } }, token);
      }
    });
  });


  describe('operations: request counters and fault rules', () => {
    test('countRequest counts per key and window, atomically across two stores; expired counters are pruned', async () => {
      const a = await fresh();
      const b = await twin(a);
      const counts = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).countRequest('r|DescribeVcoRouteEntries|1', T0, T0 + 120_000)));
      assert.deepEqual([...counts].sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i + 1), 'every call sees its own count');
      assert.equal(await a.countRequest('r|DescribeVcoRouteEntries|1', T0 + 60_000, T0 + 180_000), 1, 'a new window starts at 1');
      assert.equal(await a.countRequest('r|DescribeVcoRouteEntries|2', T0, T0 + 120_000), 1, 'another account has its own');
      assert.equal(await a.pruneRequestCounts(T0 + 150_000), 2);
      assert.equal(await a.countRequest('r|DescribeVcoRouteEntries|1', T0, T0 + 120_000), 1, 'pruned: counts afresh');
    });

    test('fault rules: add, replace per kind, delete by id, expired ones left out, in creation order then ID', async () => {
      const s = await fresh();
      const rule = (id: string, kind: 'fault' | 'effect' | 'bgp', createdAt = T0, expiresAt: number | null = null) => ({ ruleId: id, kind, rule: `{"id":"${id}"}`, expiresAt, createdAt });
      await s.addFaultRules([rule('f-2', 'fault'), rule('f-1', 'fault'), rule('f-0', 'fault', T0 + 1), rule('e-1', 'effect'), rule('b-1', 'bgp')]);
      await s.addFaultRules([rule('f-x', 'fault', T0, T0 + 10)]);
      assert.deepEqual((await s.listFaultRules('fault', T0 + 5)).map((r) => r.ruleId), ['f-1', 'f-2', 'f-x', 'f-0']);
      assert.deepEqual((await s.listFaultRules('fault', T0 + 10)).map((r) => r.ruleId), ['f-1', 'f-2', 'f-0'], 'expired at expiresAt');
      assert.deepEqual(await s.listFaultRules('effect', T0), [rule('e-1', 'effect')]);
      assert.equal(await s.deleteFaultRules(['f-1', 'nope']), 1);
      await s.replaceFaultRules('fault', [rule('g-1', 'fault')]);
      assert.deepEqual((await s.listFaultRules('fault', T0)).map((r) => r.ruleId), ['g-1']);
      assert.deepEqual((await s.listFaultRules('effect', T0)).map((r) => r.ruleId), ['e-1'], 'the other kind is untouched');
      assert.deepEqual(await s.listFaultRules('bgp', T0), [rule('b-1', 'bgp')], 'BGP fault rules are a kind of their own');
      assert.equal(await s.deleteFaultRules([]), 0);
    });
  });

  describe('customer gateways', () => {
    test('put/get/replace; other accounts do not see them', async () => {
      const s = await fresh();
      await s.putCustomerGateway(gateway('cgw-1'));
      assert.deepEqual(await s.getCustomerGateway(ACCOUNT, 'cgw-1'), gateway('cgw-1'));
      assert.equal(await s.getCustomerGateway(OTHER, 'cgw-1'), undefined);
      await s.putCustomerGateway(gateway('cgw-1', { name: 'renamed', asn: null, tags: [{ key: 'a', value: 'b' }] }));
      assert.deepEqual(await s.getCustomerGateway(ACCOUNT, 'cgw-1'), gateway('cgw-1', { name: 'renamed', asn: null, tags: [{ key: 'a', value: 'b' }] }));
    });

    test('list in creation order then ID (byte order), per account and region, with total and narrowing', async () => {
      const s = await fresh();
      await s.putCustomerGateway(gateway('cgw-b', { createTime: T0 }));
      await s.putCustomerGateway(gateway('cgw-a', { createTime: T0 + 5 }));
      await s.putCustomerGateway(gateway('cgw-C', { createTime: T0 }));
      await s.putCustomerGateway(gateway('cgw-x', { regionId: 'cn-shanghai' }));
      await s.putCustomerGateway(gateway('cgw-y', { accountId: OTHER }));
      const page = await s.listCustomerGateways(ACCOUNT, REGION, 0, 10);
      assert.equal(page.total, 3);
      assert.deepEqual(page.items.map((g) => g.customerGatewayId), ['cgw-C', 'cgw-b', 'cgw-a']);
      assert.deepEqual((await s.listCustomerGateways(ACCOUNT, REGION, 1, 1)).items.map((g) => g.customerGatewayId), ['cgw-b']);
      assert.deepEqual(await s.listCustomerGateways(ACCOUNT, REGION, 0, 10, 'cgw-a'), { total: 1, items: [gateway('cgw-a', { createTime: T0 + 5 })] });
      assert.deepEqual(await s.listCustomerGateways(ACCOUNT, REGION, 0, 10, 'cgw-x'), { total: 0, items: [] });
    });

    test('delete: missing, in use by a connection or a tunnel, deleted', async () => {
      const s = await fresh();
      await s.putCustomerGateway(gateway('cgw-1'));
      await s.putCustomerGateway(gateway('cgw-2'));
      await s.putCustomerGateway(gateway('cgw-3'));
      await s.putConnection(connection('vco-single', { customerGatewayId: 'cgw-1' }));
      await s.putConnection(connection('vco-dual', { tunnels: [tunnel('tun-1', 1, 'x', 'cgw-2'), tunnel('tun-2', 2, 'x', 'cgw-2')] }));
      assert.equal(await s.deleteCustomerGateway(ACCOUNT, 'cgw-9'), 'missing');
      assert.equal(await s.deleteCustomerGateway(OTHER, 'cgw-3'), 'missing');
      assert.equal(await s.deleteCustomerGateway(ACCOUNT, 'cgw-1'), 'in-use');
      assert.equal(await s.deleteCustomerGateway(ACCOUNT, 'cgw-2'), 'in-use');
      assert.equal(await s.deleteCustomerGateway(ACCOUNT, 'cgw-3'), 'deleted');
      assert.equal(await s.getCustomerGateway(ACCOUNT, 'cgw-3'), undefined);
      await s.deleteConnection('vco-single');
      assert.equal(await s.deleteCustomerGateway(ACCOUNT, 'cgw-1'), 'deleted');
    });
  });

  describe('connections', () => {
    test('put/find/get with tunnels in index order; get checks the account', async () => {
      const s = await fresh();
      const dual = connection('vco-dual', { tunnels: [tunnel('tun-2', 2, 'ike_sa_not_established'), tunnel('tun-1', 1)], pendingState: 'attaching', pendingUntil: T0 + 10 });
      await s.putConnection(dual);
      const expected = { ...dual, tunnels: [tunnel('tun-1', 1), tunnel('tun-2', 2, 'ike_sa_not_established')], routesVersion: 0, revision: 0 };
      assert.deepEqual(await s.findConnection('vco-dual'), expected);
      assert.deepEqual(await s.getConnection(ACCOUNT, 'vco-dual'), expected);
      assert.equal(await s.getConnection(OTHER, 'vco-dual'), undefined);
      assert.equal(await s.findConnection('vco-none'), undefined);
      await s.putConnection(connection('vco-single'));
      assert.deepEqual((await s.findConnection('vco-single'))?.tunnels, []);
    });

    test("a tunnel ID of another connection is a StoreConflictError and changes nothing; a connection may keep its own", async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-one', { tunnels: [tunnel('tun-a', 1), tunnel('tun-b', 2)] }));
      await assert.rejects(s.putConnection(connection('vco-two', { tunnels: [tunnel('tun-c', 1), tunnel('tun-b', 2)] })), StoreConflictError);
      assert.equal(await s.findConnection('vco-two'), undefined);
      await s.putConnection(connection('vco-one', { state: 'init', tunnels: [tunnel('tun-a', 1), tunnel('tun-b', 2)] }));
      assert.equal((await s.findConnection('vco-one'))?.state, 'init');
    });

    test('replacing a connection replaces its tunnels and keeps its routes and their sequence', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a', { tunnels: [tunnel('tun-1', 1), tunnel('tun-2', 2)] }));
      await s.upsertRoutes('vco-a', [custom(1), custom(2)]);
      await s.putConnection(connection('vco-a', { state: 'updating', transitRouterId: null }));
      const c = await s.findConnection('vco-a');
      assert.equal(c?.state, 'updating');
      assert.equal(c?.transitRouterId, null);
      assert.deepEqual(c?.tunnels, []);
      await s.upsertRoutes('vco-a', [custom(0)]);
      assert.deepEqual(dests(await all(s, 'vco-a', 'custom')), [custom(1), custom(2), custom(0)].map((r) => r.route.routeDest));
    });

    test('tunnel IDs are unique across connections', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a', { tunnels: [tunnel('tun-1', 1), tunnel('tun-2', 2)] }));
      await assert.rejects(s.putConnection(connection('vco-b', { tunnels: [tunnel('tun-1', 1), tunnel('tun-3', 2)] })));
      assert.equal(await s.findConnection('vco-b'), undefined, 'the failed put left nothing behind');
    });

    test('delete removes the connection, its tunnels, routes and counts', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a', { tunnels: [tunnel('tun-1', 1), tunnel('tun-2', 2)] }));
      await s.upsertRoutes('vco-a', [custom(1), bgp(1, 'CLOUD')]);
      assert.equal(await s.deleteConnection('vco-a'), true);
      assert.equal(await s.deleteConnection('vco-a'), false);
      assert.equal(await s.findConnection('vco-a'), undefined);
      assert.deepEqual(await s.countRoutes('vco-a'), []);
      assert.deepEqual(await all(s, 'vco-a', 'custom'), []);
      await s.putConnection(connection('vco-a', { tunnels: [tunnel('tun-1', 1), tunnel('tun-2', 2)] }));
      assert.deepEqual(await s.countRoutes('vco-a'), [], 'a new connection with the same ID starts empty');
    });

    test('list: creation order then ID, per account and region, filters, total', async () => {
      const s = await fresh();
      await s.putCustomerGateway(gateway('cgw-1'));
      await s.putCustomerGateway(gateway('cgw-2'));
      await s.putConnection(connection('vco-b', { createTime: T0 }));
      await s.putConnection(connection('vco-a', { createTime: T0 + 1, transitRouterId: null, customerGatewayId: 'cgw-1' }));
      await s.putConnection(connection('vco-C', { createTime: T0, tunnels: [tunnel('tun-1', 1, 'x', 'cgw-1'), tunnel('tun-2', 2, 'x', 'cgw-2')] }));
      await s.putConnection(connection('vco-x', { regionId: 'cn-shanghai' }));
      await s.putConnection(connection('vco-y', { accountId: OTHER }));
      const ids = (r: { items: ConnectionRecord[] }) => r.items.map((c) => c.connectionId);
      const everything = await s.listConnections(ACCOUNT, REGION, {}, 0, 10);
      assert.equal(everything.total, 3);
      assert.deepEqual(ids(everything), ['vco-C', 'vco-b', 'vco-a']);
      assert.equal(everything.items[0]!.tunnels.length, 2);
      assert.deepEqual(ids(await s.listConnections(ACCOUNT, REGION, {}, 1, 1)), ['vco-b']);
      assert.deepEqual(await s.listConnections(ACCOUNT, REGION, { connectionId: 'vco-a' }, 0, 10).then((r) => [r.total, ids(r)]), [1, ['vco-a']]);
      assert.deepEqual(ids(await s.listConnections(ACCOUNT, REGION, { customerGatewayId: 'cgw-1' }, 0, 10)), ['vco-C', 'vco-a']);
      assert.deepEqual(ids(await s.listConnections(ACCOUNT, REGION, { customerGatewayId: 'cgw-2' }, 0, 10)), ['vco-C']);
      assert.deepEqual(await s.listConnections(ACCOUNT, REGION, { attachedToTransitRouter: true }, 0, 10).then((r) => [r.total, ids(r)]), [2, ['vco-C', 'vco-b']]);
    });

    test('region quotas: counted with the insert, per account and region; racing puts from two stores never overshoot', async () => {
      const s = await fresh();
      const b = await twin(s);
      // Customer gateways: 12 racing puts (half on each store) against a quota of 5.
      const gateways = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? b : s).putCustomerGateway(gateway(`cgw-q${i}`), undefined, 5)));
      assert.equal(gateways.filter((r) => r === 'stored').length, 5, gateways.join());
      assert.equal(gateways.filter((r) => r === 'limit').length, 7);
      assert.equal((await s.listCustomerGateways(ACCOUNT, REGION, 0, 50)).total, 5);
      const kept = (await s.listCustomerGateways(ACCOUNT, REGION, 0, 50)).items[0]!;
      assert.equal(await s.putCustomerGateway({ ...kept, name: 'renamed' }, undefined, 5), 'stored', 'replacing one does not count itself');
      assert.equal(await s.putCustomerGateway(gateway('cgw-other-region', { regionId: 'cn-shanghai' }), undefined, 5), 'stored', 'per region');
      assert.equal(await s.putCustomerGateway(gateway('cgw-other-account', { accountId: OTHER }), undefined, 5), 'stored', 'per account');
      assert.equal(await s.putCustomerGateway(gateway('cgw-zero', { regionId: 'cn-beijing' }), undefined, 0), 'limit', 'a quota of 0 refuses');
      assert.equal(await s.putCustomerGateway(gateway('cgw-unbounded')), 'stored', 'no figure: no quota');

      // Connections: the same for puts with tunnels, 10 racing against 4.
      const connections = await Promise.all(Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? b : s).putConnection(connection(`vco-q${i}`, { tunnels: [tunnel(`tun-q${i}a`, 1), tunnel(`tun-q${i}b`, 2)] }), undefined, 4)));
      assert.equal(connections.filter((r) => r === 'stored').length, 4, connections.join());
      assert.equal((await s.listConnections(ACCOUNT, REGION, {}, 0, 50)).total, 4);
      const refused = connections.findIndex((r) => r === 'limit');
      assert.equal(await s.findConnection(`vco-q${refused}`), undefined, 'a refused put writes nothing');
      assert.equal(await s.putConnection(connection(`vco-q${refused}x`, { tunnels: [tunnel(`tun-q${refused}a`, 1), tunnel(`tun-q${refused}b`, 2)] })), 'stored',
        'nor keeps its tunnel IDs');
      assert.equal(await s.putConnection(connection('vco-q-more'), undefined, 5), 'limit', 'the unbounded put counts towards the figure');
    });

    test('a customer gateway that does not exist is a StoreConflictError and changes nothing', async () => {
      const s = await fresh();
      await assert.rejects(s.putConnection(connection('vco-g', { customerGatewayId: 'cgw-gone' })), StoreConflictError);
      await assert.rejects(s.putConnection(connection('vco-g', { tunnels: [tunnel('tun-g1', 1, 'x', 'cgw-gone'), tunnel('tun-g2', 2)] })), StoreConflictError);
      assert.equal(await s.findConnection('vco-g'), undefined);
    });

    test('revision: every write moves it on; updateConnection and deleteConnection apply only to the revision read', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-r', { state: 'init', transitRouterId: null, tunnels: [tunnel('tun-r1', 1), tunnel('tun-r2', 2)] }));
      const first = (await s.findConnection('vco-r'))!;
      assert.equal(first.revision, 0);
      const renamed = { ...first, attributes: { ...first.attributes, name: 'renamed' }, tunnels: [tunnel('tun-r1', 1, 'ike_sa_established'), tunnel('tun-r2', 2)] };
      assert.equal(await s.updateConnection(renamed, 0), true);
      const second = (await s.findConnection('vco-r'))!;
      assert.equal(second.revision, 1);
      assert.equal(second.attributes.name, 'renamed');
      assert.equal(second.tunnels[0]!.status, 'ike_sa_established');
      assert.equal(await s.updateConnection({ ...first, attributes: { ...first.attributes, name: 'stale' } }, 0), false, 'a stale revision loses');
      assert.equal((await s.findConnection('vco-r'))!.attributes.name, 'renamed');
      assert.equal(await s.transitionConnection('vco-r', ['init'], { state: 'attached', pendingState: null, pendingUntil: null, transitRouterId: 'tr-r' }, T0), true);
      assert.equal((await s.findConnection('vco-r'))!.revision, 2, 'a transition is a write');
      assert.equal(await s.deleteConnection('vco-r', 1), false, 'deleting a stale read changes nothing');
      assert.ok(await s.findConnection('vco-r'));
      assert.equal(await s.deleteConnection('vco-r', 2), true);
      assert.equal(await s.updateConnection(second, 2), false, 'gone');
      assert.equal(await s.findConnection('vco-r'), undefined);
    });

    test('a route write with a state guard changes nothing unless the connection is in that state', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a', { state: 'init', transitRouterId: null }));
      await s.upsertRoutes('vco-a', [custom(1)]);
      const guard = { whenState: 'attached' };
      await assert.rejects(s.insertRoute('vco-a', custom(2), guard), StoreConflictError);
      await assert.rejects(s.deleteRoutes('vco-a', { routeKey: custom(1).key }, guard), StoreConflictError);
      await assert.rejects(s.replaceRoute('vco-a', 'custom', custom(1).key, custom(1, { weight: 0 }), guard), StoreConflictError);
      await assert.rejects(s.insertRoute('vco-none', custom(2), guard), StoreConflictError);
      assert.deepEqual((await s.listRoutes('vco-a', 'custom', 0, 10)).map((r) => [r.routeDest, r.weight]), [[custom(1).route.routeDest, 100]]);
      assert.equal(await s.transitionConnection('vco-a', ['init'], { state: 'attached', pendingState: null, pendingUntil: null, transitRouterId: 'tr-1' }, T0), true);
      assert.equal(await s.insertRoute('vco-a', custom(2), guard), true);
      assert.equal(await s.replaceRoute('vco-a', 'custom', custom(1).key, custom(1, { weight: 0 }), guard), 'ok');
      assert.equal(await s.deleteRoutes('vco-a', { routeKey: custom(2).key }, guard), 1);
    });

    test('route writes to a connection that does not exist are a StoreConflictError', async () => {
      const s = await fresh();
      await assert.rejects(s.upsertRoutes('vco-none', [custom(1)]), StoreConflictError);
      await assert.rejects(s.insertRoute('vco-none', custom(1)), StoreConflictError);
    });

    test('transition: only from the given states, only when no change is in progress', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a', { state: 'active', transitRouterId: null }));
      assert.equal(await s.transitionConnection('vco-none', ['active'], { state: 'attached', pendingState: null, pendingUntil: null }, T0), false);
      assert.equal(await s.transitionConnection('vco-a', ['init'], { state: 'attached', pendingState: null, pendingUntil: null }, T0), false);
      assert.equal(await s.transitionConnection('vco-a', ['init', 'active'], { state: 'attached', pendingState: 'attaching', pendingUntil: T0 + 100, transitRouterId: 'tr-9' }, T0), true);
      let c = await s.findConnection('vco-a');
      assert.deepEqual([c?.state, c?.pendingState, c?.pendingUntil, c?.transitRouterId], ['attached', 'attaching', T0 + 100, 'tr-9']);
      assert.equal(await s.transitionConnection('vco-a', ['attached'], { state: 'attached', pendingState: 'updating', pendingUntil: T0 + 200 }, T0 + 99), false, 'still attaching');
      assert.equal(await s.transitionConnection('vco-a', ['attached'], { state: 'attached', pendingState: 'updating', pendingUntil: T0 + 200 }, T0 + 100), true, 'pendingUntil <= now');
      c = await s.findConnection('vco-a');
      assert.equal(c?.transitRouterId, 'tr-9', 'transitRouterId kept when the transition does not set it');
      assert.equal(await s.transitionConnection('vco-a', ['attached'], { state: 'active', pendingState: null, pendingUntil: null, transitRouterId: null }, T0 + 200), true);
      c = await s.findConnection('vco-a');
      assert.deepEqual([c?.state, c?.pendingState, c?.pendingUntil, c?.transitRouterId], ['active', null, null, null]);
    });

    test('two stores racing on one transition: exactly one applies', async () => {
      const a = await fresh();
      const b = await twin(a);
      await a.putConnection(connection('vco-a'));
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).transitionConnection('vco-a', ['attached'], { state: 'attached', pendingState: 'updating', pendingUntil: T0 + 1000 + i }, T0)));
      assert.equal(results.filter(Boolean).length, 1);
    });
  });

  describe('routes', () => {
    test('listing order is insertion order; upserts of known keys keep their position and do not count twice', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a'));
      assert.deepEqual(await s.upsertRoutes('vco-a', [custom(3), custom(1), custom(2)]), { inserted: 3, updated: 0 });
      assert.deepEqual(await s.upsertRoutes('vco-a', [custom(4), custom(1, { weight: 0, createTime: T0 + 99 })]), { inserted: 1, updated: 1 });
      const routes = await all(s, 'vco-a', 'custom');
      assert.deepEqual(dests(routes), [3, 1, 2, 4].map((i) => custom(i).route.routeDest));
      assert.deepEqual(routes[1], custom(1, { weight: 0, createTime: T0 + 99 }).route);
      assert.deepEqual(await s.countRoutes('vco-a'), [{ routeEntryType: 'custom', source: null, count: 4 }]);
    });

    test('the same key twice in one batch: inserted once, the last one wins', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a'));
      assert.deepEqual(await s.upsertRoutes('vco-a', [custom(1), custom(2), custom(1, { weight: 7 })]), { inserted: 2, updated: 1 });
      const routes = await all(s, 'vco-a', 'custom');
      assert.deepEqual(routes.map((r) => [r.routeDest, r.weight]), [[custom(1).route.routeDest, 7], [custom(2).route.routeDest, 100]]);
      assert.deepEqual(await s.countRoutes('vco-a'), [{ routeEntryType: 'custom', source: null, count: 2 }]);
    });

    test('records round-trip exactly (AS paths beyond 32 bits, tunnel lists, nulls)', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a'));
      const r = bgp(1, 'VPN_BGP', { asPath: [], community: null, nextHopTunnelIds: ['tun-1', 'tun-2'], weight: 0, createTime: 4_102_444_800_000 });
      await s.upsertRoutes('vco-a', [r, custom(1)]);
      assert.deepEqual(await all(s, 'vco-a', 'bgp'), [r.route]);
      assert.deepEqual(await all(s, 'vco-a', 'custom'), [custom(1).route]);
      assert.deepEqual(await s.findRoute('vco-a', 'bgp', r.key), r.route);
      assert.equal(await s.findRoute('vco-a', 'custom', r.key), undefined, 'keys are per type');
    });

    test('counts per (type, source); zero counts are not reported', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a'));
      await s.upsertRoutes('vco-a', [custom(1), custom(2), bgp(1, 'VPN_BGP'), bgp(2, 'VPN_BGP'), bgp(3, 'CLOUD')]);
      assert.deepEqual(sortCounts(await s.countRoutes('vco-a')), [
        { routeEntryType: 'bgp', source: 'CLOUD', count: 1 },
        { routeEntryType: 'bgp', source: 'VPN_BGP', count: 2 },
        { routeEntryType: 'custom', source: null, count: 2 },
      ]);
      await s.deleteRoutes('vco-a', { source: 'CLOUD' });
      assert.deepEqual(sortCounts(await s.countRoutes('vco-a')), [
        { routeEntryType: 'bgp', source: 'VPN_BGP', count: 2 },
        { routeEntryType: 'custom', source: null, count: 2 },
      ]);
      assert.deepEqual(await s.countRoutes('vco-none'), []);
    });

    test('pagination across blocks, before and after deletions', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a'));
      const n = 2 * BLOCK_SIZE + 300;
      const routes = Array.from({ length: n }, (_, i) => custom(i));
      assert.deepEqual(await s.upsertRoutes('vco-a', routes), { inserted: n, updated: 0 });
      let expected = routes.map((r) => r.route.routeDest);
      const check = async (offset: number, limit: number) =>
        assert.deepEqual(dests(await s.listRoutes('vco-a', 'custom', offset, limit)), expected.slice(offset, offset + limit), `offset ${offset}`);
      for (const offset of [0, 1, BLOCK_SIZE - 5, BLOCK_SIZE, 2 * BLOCK_SIZE - 1, n - 3, n, n + 10]) await check(offset, 10);
      // Delete a run inside the first block and a whole second block: offsets shift, blocks empty out.
      const gone = new Set<string>();
      for (let i = 10; i < 60; i++) gone.add(custom(i).route.routeDest);
      for (let i = BLOCK_SIZE; i < 2 * BLOCK_SIZE; i++) gone.add(custom(i).route.routeDest);
      let deleted = 0;
      for (const dest of gone) deleted += await s.deleteRoutes('vco-a', { routeEntryType: 'custom', routeDest: dest });
      assert.equal(deleted, gone.size);
      expected = expected.filter((d) => !gone.has(d));
      for (const offset of [0, 5, 10, BLOCK_SIZE - 60, BLOCK_SIZE - 50, BLOCK_SIZE - 49, expected.length - 1, expected.length]) await check(offset, 50);
      assert.deepEqual(await s.countRoutes('vco-a'), [{ routeEntryType: 'custom', source: null, count: expected.length }]);
      // New routes go last, after the gaps.
      await s.upsertRoutes('vco-a', [custom(5000)]);
      expected.push(custom(5000).route.routeDest);
      await check(expected.length - 2, 10);
      assert.deepEqual(dests(await all(s, 'vco-a', 'custom')), expected);
    });

    test('types are listed separately', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a'));
      await s.upsertRoutes('vco-a', [bgp(1, 'CLOUD'), custom(1), bgp(2, 'VPN_BGP'), custom(2)]);
      assert.deepEqual(dests(await all(s, 'vco-a', 'custom')), [custom(1), custom(2)].map((r) => r.route.routeDest));
      assert.deepEqual(dests(await s.listRoutes('vco-a', 'bgp', 1, 5)), [bgp(2, 'VPN_BGP').route.routeDest]);
    });

    test('deleteRoutes filters: type, destination, key, source, everything; other connections untouched', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a'));
      await s.putConnection(connection('vco-b'));
      const same = custom(1, { nextHop: 'vco-other' });
      await s.upsertRoutes('vco-a', [custom(1), same, custom(2), bgp(1, 'CLOUD'), bgp(1, 'VPN_BGP'), bgp(2, 'CLOUD')]);
      await s.upsertRoutes('vco-b', [custom(1)]);
      assert.equal(await s.deleteRoutes('vco-a', { routeEntryType: 'custom', routeKey: same.key }), 1);
      assert.deepEqual(dests(await all(s, 'vco-a', 'custom')), [custom(1), custom(2)].map((r) => r.route.routeDest));
      assert.equal(await s.deleteRoutes('vco-a', { routeEntryType: 'bgp', routeDest: bgp(1, 'CLOUD').route.routeDest }), 2);
      assert.equal(await s.deleteRoutes('vco-a', { routeEntryType: 'bgp', source: 'VPN_BGP' }), 0);
      assert.equal(await s.deleteRoutes('vco-a', { routeEntryType: 'custom' }), 2);
      assert.deepEqual(await s.countRoutes('vco-a'), [{ routeEntryType: 'bgp', source: 'CLOUD', count: 1 }]);
      assert.equal(await s.deleteRoutes('vco-a', {}), 1);
      assert.deepEqual(await s.countRoutes('vco-a'), []);
      assert.equal(await s.deleteRoutes('vco-none', {}), 0);
      assert.deepEqual(await s.countRoutes('vco-b'), [{ routeEntryType: 'custom', source: null, count: 1 }]);
    });

    test('insertRoute: only when the key is free; new routes go last', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a'));
      await s.upsertRoutes('vco-a', [custom(1)]);
      assert.equal(await s.insertRoute('vco-a', custom(1, { weight: 0 })), false);
      assert.equal((await s.findRoute('vco-a', 'custom', custom(1).key))?.weight, 100, 'unchanged');
      assert.equal(await s.insertRoute('vco-a', custom(0)), true);
      assert.deepEqual(dests(await all(s, 'vco-a', 'custom')), [custom(1), custom(0)].map((r) => r.route.routeDest));
      assert.deepEqual(await s.countRoutes('vco-a'), [{ routeEntryType: 'custom', source: null, count: 2 }]);
    });

    test('replaceRoute: in place under a new key; missing; new key taken', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a'));
      await s.upsertRoutes('vco-a', [custom(1), custom(2), custom(3)]);
      const moved = custom(9, { weight: 0 });
      assert.equal(await s.replaceRoute('vco-a', 'custom', custom(2).key, moved), 'ok');
      assert.deepEqual(dests(await all(s, 'vco-a', 'custom')), [custom(1), moved, custom(3)].map((r) => r.route.routeDest));
      assert.equal(await s.findRoute('vco-a', 'custom', custom(2).key), undefined);
      assert.deepEqual(await s.findRoute('vco-a', 'custom', moved.key), moved.route);
      assert.equal(await s.replaceRoute('vco-a', 'custom', custom(2).key, custom(8)), 'missing');
      assert.equal(await s.replaceRoute('vco-a', 'custom', custom(1).key, custom(3)), 'exists');
      assert.equal(await s.replaceRoute('vco-a', 'custom', custom(1).key, custom(1, { weight: 5 })), 'ok', 'same key, new attributes');
      assert.equal((await s.findRoute('vco-a', 'custom', custom(1).key))?.weight, 5);
      assert.deepEqual(await s.countRoutes('vco-a'), [{ routeEntryType: 'custom', source: null, count: 3 }]);
    });

    test('route writes to a connection that does not exist are rejected', async () => {
      const s = await fresh();
      await assert.rejects(s.upsertRoutes('vco-none', [custom(1)]));
      await assert.rejects(s.insertRoute('vco-none', custom(1)));
      assert.deepEqual(await all(s, 'vco-none', 'custom'), []);
    });

    test('routesVersion: moved on by every route change, in any store on the data set; never repeated for a connection ID', async () => {
      const s = await fresh();
      const other = await twin(s);
      const version = async () => (await other.getConnection(ACCOUNT, 'vco-a'))!.routesVersion!;
      const seen: number[] = [];
      const expectChange = async (what: string, changed = true) => {
        const v = await version();
        assert.equal(typeof v, 'number', what);
        if (changed) assert.ok(!seen.includes(v), `${what}: a new version (${v} after ${seen.join(', ')})`);
        else assert.equal(v, seen[seen.length - 1], `${what}: unchanged`);
        if (changed) seen.push(v);
      };
      await s.putConnection(connection('vco-a', { tunnels: [tunnel('tun-1', 1), tunnel('tun-2', 2)] }));
      await expectChange('created');
      assert.equal((await s.findConnection('vco-a'))!.routesVersion, seen[0], 'findConnection shows it too');
      await s.upsertRoutes('vco-a', [custom(1), custom(2), bgp(1, 'CLOUD')]);
      await expectChange('upsert (inserts)');
      await s.upsertRoutes('vco-a', [custom(1, { weight: 0 })]);
      await expectChange('upsert (update in place)');
      await s.upsertRoutes('vco-a', []);
      await expectChange('empty upsert', false);
      assert.equal(await s.insertRoute('vco-a', custom(3)), true);
      await expectChange('insertRoute');
      assert.equal(await s.insertRoute('vco-a', custom(3)), false);
      await expectChange('insertRoute of a known key', false);
      assert.equal(await s.replaceRoute('vco-a', 'custom', custom(3).key, custom(4)), 'ok');
      await expectChange('replaceRoute');
      assert.equal(await s.replaceRoute('vco-a', 'custom', custom(99).key, custom(5)), 'missing');
      await expectChange('replaceRoute of a missing route', false);
      assert.equal(await s.deleteRoutes('vco-a', { routeKey: custom(4).key, routeEntryType: 'custom' }), 1);
      await expectChange('deleteRoutes');
      assert.equal(await s.deleteRoutes('vco-a', { routeKey: custom(4).key, routeEntryType: 'custom' }), 0);
      await expectChange('deleteRoutes that deletes nothing', false);
      await s.transitionConnection('vco-a', ['attached'], { state: 'attached', pendingState: 'updating', pendingUntil: T0 + 1 }, T0);
      await s.putConnection(connection('vco-a', { tunnels: [tunnel('tun-1', 1, 'ike_sa_not_established'), tunnel('tun-2', 2)] }));
      await expectChange('state and tunnel changes (not route changes)', false);
      // Deleted and created again with the same ID (also through reset): a version the old one never had.
      assert.equal(await s.deleteConnection('vco-a'), true);
      await s.putConnection(connection('vco-a'));
      await expectChange('re-created');
      await s.upsertRoutes('vco-a', [custom(1)]);
      await expectChange('routes of the new connection');
      await s.reset(ACCOUNT, 'ROOT');
      await s.putConnection(connection('vco-a'));
      await expectChange('re-created after reset');
      assert.equal((await s.findConnection('vco-a'))!.routesVersion, seen[seen.length - 1]);
    });

    test('concurrent upserts to one connection from two stores stay consistent', async () => {
      const a = await fresh();
      const b = await twin(a);
      await a.putConnection(connection('vco-a'));
      const batches = Array.from({ length: 8 }, (_, k) => Array.from({ length: 50 }, (_, i) => custom(k * 50 + i)));
      // every batch also re-upserts route 0 (an update for all but the first writer)
      const results = await Promise.all(batches.map((batch, k) => (k % 2 ? a : b).upsertRoutes('vco-a', [...batch, custom(0)])));
      assert.equal(results.reduce((n, r) => n + r.inserted, 0), 400);
      const routes = await all(b, 'vco-a', 'custom');
      assert.equal(routes.length, 400);
      assert.equal(new Set(dests(routes)).size, 400);
      assert.deepEqual(await a.countRoutes('vco-a'), [{ routeEntryType: 'custom', source: null, count: 400 }]);
      for (const offset of [0, 49, 50, 199, 399]) {
        assert.deepEqual(dests(await a.listRoutes('vco-a', 'custom', offset, 3)), dests(routes).slice(offset, offset + 3));
      }
    });
  });

  describe('RAM & STS records', () => {
    const entity = (id: string, name: string, over: Partial<RamEntityRecord> = {}): RamEntityRecord =>
      ({ accountId: ACCOUNT, kind: 'user', id, name, createDate: T0, updateDate: T0, data: { Comments: 'c', N: [1] }, ...over });
    const key = (id: string, userId: string, t = T0): UserAccessKeyRecord =>
      ({ accessKeyId: id, accountId: ACCOUNT, userId, secret: 'sec', status: 'Active', createDate: t });

    test('entities: unique names per account and kind, byte-order listing after a marker, update, delete', async () => {
      const s = await fresh();
      assert.equal(await s.createRamEntity(entity('u1', 'bob')), 'created');
      assert.equal(await s.createRamEntity(entity('u2', 'bob')), 'exists', 'name taken');
      assert.equal(await s.createRamEntity(entity('u1', 'other')), 'exists', 'id taken');
      assert.equal(await s.createRamEntity(entity('g1', 'bob', { kind: 'group' })), 'created', 'names are per kind');
      assert.equal(await s.createRamEntity(entity('u3', 'Zed')), 'created');
      assert.equal(await s.createRamEntity(entity('u4', 'alice')), 'created');
      assert.deepEqual(await s.getRamEntity(ACCOUNT, 'user', 'bob'), entity('u1', 'bob', { revision: 0 }));
      assert.deepEqual(await s.getRamEntityById(ACCOUNT, 'user', 'u4'), entity('u4', 'alice', { revision: 0 }));
      assert.equal(await s.getRamEntity(OTHER, 'user', 'bob'), undefined);
      assert.deepEqual((await s.listRamEntities(ACCOUNT, 'user', undefined, 10)).map((e) => e.name), ['Zed', 'alice', 'bob']);
      assert.deepEqual((await s.listRamEntities(ACCOUNT, 'user', 'Zed', 1)).map((e) => e.name), ['alice']);
      assert.equal(await s.countRamEntities(ACCOUNT, 'user'), 3);
      assert.equal(await s.updateRamEntity(entity('u4', 'bob', { updateDate: T0 + 1 })), false, 'new name taken');
      assert.equal(await s.updateRamEntity(entity('u4', 'carol', { updateDate: T0 + 1, data: { X: true } })), true);
      assert.deepEqual(await s.getRamEntityById(ACCOUNT, 'user', 'u4'), entity('u4', 'carol', { updateDate: T0 + 1, data: { X: true }, revision: 1 }));
      assert.equal(await s.updateRamEntity(entity('u9', 'dave')), false, 'missing');
      assert.equal(await s.deleteRamEntityUnlinked(ACCOUNT, 'user', 'u4', []), 'deleted');
      assert.equal(await s.deleteRamEntityUnlinked(ACCOUNT, 'user', 'u4', []), 'missing');
    });

    test('entity revision: every update moves it on; updateRamEntity with expectedRevision applies only to the revision read', async () => {
      const s = await fresh();
      const b = await twin(s);
      await s.createRamEntity(entity('p1', 'pol', { kind: 'policy', data: { v: 1 } }));
      const read = (await s.getRamEntity(ACCOUNT, 'policy', 'pol'))!;
      assert.equal(read.revision, 0);
      assert.equal(await b.updateRamEntity({ ...read, data: { v: 2 } }, 0), true, 'the revision read wins');
      assert.equal(await s.updateRamEntity({ ...read, data: { v: 3 } }, 0), false, 'a stale revision loses');
      assert.deepEqual((await s.getRamEntity(ACCOUNT, 'policy', 'pol'))!.data, { v: 2 });
      assert.equal(await s.updateRamEntity({ ...read, data: { v: 4 } }), true, 'unconditional without expectedRevision');
      assert.equal((await s.getRamEntity(ACCOUNT, 'policy', 'pol'))!.revision, 2);
      assert.equal(await s.updateRamEntity({ ...read, id: 'p9' }, 0), false, 'missing');
      // racing conditional writers from two stores: exactly one wins each round
      const rev = (await s.getRamEntity(ACCOUNT, 'policy', 'pol'))!.revision!;
      const wins = await Promise.all([s, b, s, b].map((x, i) => x.updateRamEntity({ ...read, data: { v: 10 + i } }, rev)));
      assert.equal(wins.filter(Boolean).length, 1);
      assert.equal((await s.getRamEntity(ACCOUNT, 'policy', 'pol'))!.revision, rev + 1);
    });

    const link = (kind: RamLinkKind, from: string, to: string, t = T0): RamLinkRecord => ({ accountId: ACCOUNT, kind, fromId: from, toId: to, createDate: t });
    const POLICY_LINKS = ['user-policy', 'group-policy', 'role-policy'] as const;
    const attachedTo = (key: string): RamDependents[] => POLICY_LINKS.map((links) => ({ links, to: key }));

    test('policy links and deletes decided together: addRamLink to a policy by name, deleteRamEntityUnlinked', async () => {
      const s = await fresh();
      const b = await twin(s);
      await s.createRamEntity(entity('g1', 'grp', { kind: 'group' }));
      await s.createRamEntity(entity('u1', 'usr'));
      await s.createRamEntity(entity('r1', 'rol', { kind: 'role' }));
      await s.createRamEntity(entity('p1', 'pol', { kind: 'policy' }));
      const pol = { kind: 'policy', name: 'pol' } as const;
      assert.equal(await s.addRamLink(link('group-policy', 'g1', 'Custom:pol'), pol), 'added');
      assert.equal(await s.addRamLink(link('group-policy', 'g1', 'Custom:pol'), pol), 'exists');
      assert.equal(await s.addRamLink(link('user-policy', 'u1', 'Custom:nope'), { kind: 'policy', name: 'nope' }), 'missing-to');
      assert.deepEqual(await s.listRamLinksFrom(ACCOUNT, 'user-policy', 'u1'), [], 'nothing added for a missing entity');
      assert.equal(await s.addRamLink({ ...link('user-policy', 'u1', 'Custom:pol'), accountId: OTHER }, pol), 'missing-from', 'per account');
      const blocker = attachedTo('Custom:pol');
      assert.equal(await s.deleteRamEntityUnlinked(ACCOUNT, 'policy', 'p1', blocker), blocker[1], 'the dependent found, as given');
      assert.equal(await s.removeRamLink(ACCOUNT, 'group-policy', 'g1', 'Custom:pol'), true);
      assert.equal(await s.addRamLink(link('user-policy', 'u1', 'Custom:other'), undefined), 'added', 'links to other keys do not count');
      assert.equal(await s.deleteRamEntityUnlinked(ACCOUNT, 'policy', 'p1', attachedTo('Custom:pol'), 5), 'missing', 'a stale revision');
      assert.equal(await s.deleteRamEntityUnlinked(ACCOUNT, 'policy', 'p1', attachedTo('Custom:pol'), 0), 'deleted');
      assert.equal(await s.getRamEntity(ACCOUNT, 'policy', 'pol'), undefined);
      assert.equal(await s.deleteRamEntityUnlinked(ACCOUNT, 'policy', 'p1', attachedTo('Custom:pol')), 'missing');

      // racing attach and delete from two stores: never a link to a deleted entity
      for (let round = 0; round < 10; round++) {
        const name = `race${round}`;
        const key = `Custom:${name}`;
        await s.createRamEntity(entity(`p-${round}`, name, { kind: 'policy' }));
        const [added, deleted] = await Promise.all([
          b.addRamLink(link('role-policy', 'r1', key), { kind: 'policy', name }),
          s.deleteRamEntityUnlinked(ACCOUNT, 'policy', `p-${round}`, attachedTo(key)),
        ]);
        const links = await s.listRamLinksTo(ACCOUNT, 'role-policy', key);
        const exists = (await s.getRamEntity(ACCOUNT, 'policy', name)) !== undefined;
        if (added === 'added') {
          assert.deepEqual(deleted, { links: 'role-policy', to: key }, `round ${round}: the attach won`);
          assert.equal(exists, true);
          assert.equal(links.length, 1);
        } else {
          assert.equal(added, 'missing-to', `round ${round}`);
          assert.equal(deleted, 'deleted');
          assert.equal(exists, false);
          assert.equal(links.length, 0);
        }
      }
    });

    test('links need both ends: the entity they go from (by id) and the one they go to', async () => {
      const s = await fresh();
      await s.createRamEntity(entity('u1', 'usr'));
      await s.createRamEntity(entity('g1', 'grp', { kind: 'group' }));
      assert.equal(await s.addRamLink(link('user-group', 'u9', 'g1'), { kind: 'group', id: 'g1' }), 'missing-from');
      assert.equal(await s.addRamLink(link('user-group', 'g1', 'g1'), { kind: 'group', id: 'g1' }), 'missing-from', 'user-group goes from a user');
      assert.equal(await s.addRamLink(link('user-group', 'u1', 'g9'), { kind: 'group', id: 'g9' }), 'missing-to');
      assert.equal(await s.addRamLink(link('user-group', 'u1', 'g1'), { kind: 'user', id: 'g1' }), 'missing-to', 'the kind is part of the end');
      assert.equal(await s.addRamLink(link('group-policy', 'u1', 'System:P'), undefined), 'missing-from', 'group-policy goes from a group');
      assert.equal(await s.addRamLink(link('role-policy', 'r1', 'System:P'), undefined), 'missing-from');
      assert.equal(await s.addRamLink(link('user-policy', 'u1', 'System:P'), undefined), 'added', 'no entity to check for a system policy');
      assert.deepEqual((await s.listRamLinksFrom(ACCOUNT, 'user-group', 'u1')).length, 0);
    });

    test('link limits count links of the kind from one entity whose key starts with the prefix', async () => {
      const s = await fresh();
      await s.createRamEntity(entity('u1', 'usr'));
      await s.createRamEntity(entity('u2', 'usr2'));
      const sys = { toPrefix: 'System:', max: 2 };
      assert.equal(await s.addRamLink(link('user-policy', 'u1', 'System:A'), undefined, sys), 'added');
      assert.equal(await s.addRamLink(link('user-policy', 'u1', 'Custom:A'), undefined, { toPrefix: 'Custom:', max: 1 }), 'added');
      assert.equal(await s.addRamLink(link('user-policy', 'u1', 'System:B'), undefined, sys), 'added');
      assert.equal(await s.addRamLink(link('user-policy', 'u1', 'System:C'), undefined, sys), 'limit');
      assert.equal(await s.addRamLink(link('user-policy', 'u1', 'System:A'), undefined, sys), 'exists', 'an existing link is "exists", not "limit"');
      assert.equal(await s.addRamLink(link('user-policy', 'u2', 'System:C'), undefined, sys), 'added', 'per entity');
      assert.equal(await s.addRamLink(link('user-policy', 'u1', 'Custom:B'), undefined, { toPrefix: 'Custom:', max: 1 }), 'limit');
      assert.equal(await s.addRamLink(link('user-policy', 'u1', 'Custom:B'), undefined, { toPrefix: 'Custom:', max: 2 }), 'added');
      assert.deepEqual((await s.listRamLinksFrom(ACCOUNT, 'user-policy', 'u1')).map((l) => l.toId).sort(), ['Custom:A', 'Custom:B', 'System:A', 'System:B']);
    });

    test('deleteRamEntityUnlinked refuses while any dependent exists and reports the first in the order given', async () => {
      const s = await fresh();
      await s.createRamEntity(entity('u1', 'usr'));
      await s.createRamEntity(entity('g1', 'grp', { kind: 'group' }));
      await s.createRamEntity(entity('r1', 'rol', { kind: 'role' }));
      const userDeps: RamDependents[] = [{ accessKeysOf: 'u1' }, { links: 'user-policy', from: 'u1' }, { links: 'user-group', from: 'u1' }];
      const groupDeps: RamDependents[] = [{ links: 'user-group', to: 'g1' }, { links: 'group-policy', from: 'g1' }];
      assert.equal(await s.addRamLink(link('user-group', 'u1', 'g1'), { kind: 'group', id: 'g1' }), 'added');
      assert.equal(await s.addRamLink(link('group-policy', 'g1', 'System:P'), undefined), 'added');
      assert.equal(await s.addRamLink(link('user-policy', 'u1', 'System:P'), undefined), 'added');
      assert.equal(await s.createUserAccessKey(key('LTAI1', 'u1'), 2), 'created');
      assert.equal(await s.deleteRamEntityUnlinked(ACCOUNT, 'user', 'u1', userDeps), userDeps[0]);
      assert.equal(await s.deleteRamEntityUnlinked(ACCOUNT, 'user', 'u1', userDeps.slice(1)), userDeps[1]);
      assert.equal(await s.deleteRamEntityUnlinked(ACCOUNT, 'group', 'g1', groupDeps), groupDeps[0]);
      await s.deleteUserAccessKey('LTAI1');
      await s.removeRamLink(ACCOUNT, 'user-policy', 'u1', 'System:P');
      assert.equal(await s.deleteRamEntityUnlinked(ACCOUNT, 'user', 'u1', userDeps), userDeps[2]);
      await s.removeRamLink(ACCOUNT, 'user-group', 'u1', 'g1');
      assert.equal(await s.deleteRamEntityUnlinked(ACCOUNT, 'group', 'g1', groupDeps), groupDeps[1]);
      assert.equal(await s.deleteRamEntityUnlinked(ACCOUNT, 'user', 'u1', userDeps), 'deleted');
      assert.equal(await s.deleteRamEntityUnlinked(ACCOUNT, 'role', 'r1', [{ links: 'role-policy', from: 'r1' }]), 'deleted');
      assert.equal(await s.deleteRamEntityUnlinked(ACCOUNT, 'role', 'r1', []), 'missing');
      assert.equal(await s.deleteRamEntityUnlinked(ACCOUNT, 'user', 'g1', []), 'missing', 'the kind is part of the entity');
      assert.ok(await s.getRamEntityById(ACCOUNT, 'group', 'g1'));
    });

    test('racing deletes and links from two stores never leave a link to a deleted entity', async () => {
      const s = await fresh();
      const b = await twin(s);
      await s.createRamEntity(entity('g0', 'grp0', { kind: 'group' }));
      await s.createRamEntity(entity('u0', 'usr0'));
      for (let round = 0; round < 10; round++) {
        const [u, g, r] = [`u-${round}`, `g-${round}`, `r-${round}`];
        await s.createRamEntity(entity(u, u));
        await s.createRamEntity(entity(g, g, { kind: 'group' }));
        await s.createRamEntity(entity(r, r, { kind: 'role' }));
        const outcomes = await Promise.all([
          b.addRamLink(link('role-policy', r, 'System:P'), undefined),
          s.deleteRamEntityUnlinked(ACCOUNT, 'role', r, [{ links: 'role-policy', from: r }]),
          b.addRamLink(link('user-group', u, 'g0'), { kind: 'group', id: 'g0' }),
          b.createUserAccessKey(key(`LTAI-${round}`, u), 2),
          s.deleteRamEntityUnlinked(ACCOUNT, 'user', u, [{ accessKeysOf: u }, { links: 'user-group', from: u }]),
          b.addRamLink(link('user-group', 'u0', g), { kind: 'group', id: g }),
          s.deleteRamEntityUnlinked(ACCOUNT, 'group', g, [{ links: 'user-group', to: g }]),
        ]);
        const [roleLinked, roleDeleted, userLinked, keyCreated, userDeleted, groupLinked, groupDeleted] = outcomes;
        const seen = `round ${round}: ${JSON.stringify(outcomes)}`;
        assert.notEqual(roleLinked === 'added', roleDeleted === 'deleted', `role: exactly one of link and delete, ${seen}`);
        assert.equal(userDeleted === 'deleted', userLinked !== 'added' && keyCreated !== 'created', `user: deleted only if nothing was added, ${seen}`);
        assert.notEqual(groupLinked === 'added', groupDeleted === 'deleted', `group: exactly one of link and delete, ${seen}`);
        const gone = async (kind: 'user' | 'group' | 'role', id: string) => (await s.getRamEntityById(ACCOUNT, kind, id)) === undefined;
        assert.equal(await gone('role', r), roleDeleted === 'deleted');
        assert.equal(await gone('user', u), userDeleted === 'deleted');
        assert.equal(await gone('group', g), groupDeleted === 'deleted');
        if (roleDeleted === 'deleted') assert.deepEqual(await s.listRamLinksFrom(ACCOUNT, 'role-policy', r), [], `round ${round}: no link of the deleted role`);
        if (userDeleted === 'deleted') {
          assert.deepEqual(await s.listRamLinksFrom(ACCOUNT, 'user-group', u), [], `round ${round}: no membership of the deleted user`);
          assert.deepEqual(await s.listUserAccessKeys(ACCOUNT, u), [], `round ${round}: no key of the deleted user`);
        }
        if (groupDeleted === 'deleted') assert.deepEqual(await s.listRamLinksTo(ACCOUNT, 'user-group', g), [], `round ${round}: no member of the deleted group`);
      }
    });

    test('limits are decided with the insert: racing creates from two stores never overshoot', async () => {
      const s = await fresh();
      const b = await twin(s);
      await s.createRamEntity(entity('u0', 'u0'));
      for (let i = 1; i < 5; i++) assert.equal(await s.createRamEntity(entity(`u${i}`, `u${i}`), 6), 'created');
      assert.equal(await s.createRamEntity(entity('g1', 'g1', { kind: 'group' }), 1), 'created', 'per kind');
      assert.equal(await s.createRamEntity({ ...entity('u1', 'u1'), accountId: OTHER }, 1), 'created', 'per account');
      const created = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? b : s).createRamEntity(entity(`n${i}`, `n${i}`), 6)));
      assert.equal(created.filter((c) => c === 'created').length, 1, created.join());
      assert.equal(created.filter((c) => c === 'limit').length, 7);
      assert.equal(await s.countRamEntities(ACCOUNT, 'user'), 6);
      assert.equal(await s.createRamEntity(entity('u1', 'u1'), 6), 'limit', 'the limit is checked first');
      assert.equal(await s.createRamEntity(entity('u1', 'u1')), 'exists');

      const keys = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? b : s).createUserAccessKey(key(`LTAI${i}`, 'u0'), 2)));
      assert.equal(keys.filter((k) => k === 'created').length, 2, keys.join());
      assert.equal((await s.listUserAccessKeys(ACCOUNT, 'u0')).length, 2);
      assert.equal(await s.createUserAccessKey(key('LTAI9', 'nobody'), 2), 'missing');
      assert.equal(await s.getUserAccessKey('LTAI9'), undefined);

      const links = await Promise.all(Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? b : s).addRamLink(link('user-policy', 'u1', `System:P${i}`), undefined, { toPrefix: 'System:', max: 3 })));
      assert.equal(links.filter((l) => l === 'added').length, 3, links.join());
      assert.equal((await s.listRamLinksFrom(ACCOUNT, 'user-policy', 'u1')).length, 3);
    });

    test('links: add once, list both ways in creation order, remove', async () => {
      const s = await fresh();
      for (const id of ['u1', 'u2']) await s.createRamEntity(entity(id, id));
      for (const id of ['g1', 'g2']) await s.createRamEntity(entity(id, id, { kind: 'group' }));
      const member = (from: string, to: string, t: number) => s.addRamLink(link('user-group', from, to, t), { kind: 'group', id: to });
      assert.equal(await member('u1', 'g2', T0 + 1), 'added');
      assert.equal(await member('u1', 'g1', T0 + 2), 'added');
      assert.equal(await member('u1', 'g1', T0 + 3), 'exists');
      assert.equal(await member('u2', 'g1', T0), 'added');
      assert.deepEqual((await s.listRamLinksFrom(ACCOUNT, 'user-group', 'u1')).map((l) => l.toId), ['g2', 'g1']);
      assert.deepEqual(await s.listRamLinksTo(ACCOUNT, 'user-group', 'g1'), [link('user-group', 'u2', 'g1', T0), link('user-group', 'u1', 'g1', T0 + 2)]);
      assert.deepEqual(await s.listRamLinksFrom(ACCOUNT, 'user-policy', 'u1'), []);
      assert.equal(await s.removeRamLink(ACCOUNT, 'user-group', 'u1', 'g1'), true);
      assert.equal(await s.removeRamLink(ACCOUNT, 'user-group', 'u1', 'g1'), false);
    });

    test('user AccessKeys and STS sessions', async () => {
      const s = await fresh();
      await s.createRamEntity(entity('u1', 'usr'));
      assert.equal(await s.createUserAccessKey(key('LTAI2', 'u1', T0 + 1), 2), 'created');
      assert.equal(await s.createUserAccessKey(key('LTAI1', 'u1', T0 + 1), 2), 'created');
      assert.equal(await s.setUserAccessKeyStatus('LTAI2', 'Inactive'), true);
      assert.deepEqual(await s.getUserAccessKey('LTAI2'), { ...key('LTAI2', 'u1', T0 + 1), status: 'Inactive' }, 'only the status changes');
      assert.deepEqual((await s.listUserAccessKeys(ACCOUNT, 'u1')).map((k) => k.accessKeyId), ['LTAI1', 'LTAI2']);
      assert.equal(await s.deleteUserAccessKey('LTAI1'), true);
      assert.equal(await s.deleteUserAccessKey('LTAI1'), false);
      assert.equal(await s.setUserAccessKeyStatus('LTAI2', 'Active'), true);
      assert.equal((await s.getUserAccessKey('LTAI2'))?.status, 'Active');
      assert.equal(await s.setUserAccessKeyStatus('LTAI1', 'Active'), false, 'a deleted key is not re-created');
      assert.equal(await s.getUserAccessKey('LTAI1'), undefined);
      const session: StsSessionRecord = { accessKeyId: 'STS.1', accountId: ACCOUNT, secret: 's', token: 'tok', roleId: 'r1', roleName: 'role',
        sessionName: 'sess', sessionPolicy: null, sourceIdentity: 'me', originAccountId: ACCOUNT, originUserId: 'u1', expiresAt: T0 + 3600_000, createDate: T0 };
      await s.putStsSession(session);
      const legacy = { ...session, accessKeyId: 'STS.3', originAccountId: null, originUserId: null };
      await s.putStsSession(legacy);
      await s.putStsSession({ ...session, accessKeyId: 'STS.2', expiresAt: T0 + 10, sessionPolicy: '{"Version":"1"}', sourceIdentity: null });
      assert.deepEqual(await s.getStsSession('STS.1'), session);
      assert.deepEqual(await s.getStsSession('STS.3'), legacy, 'a session without a recorded origin (stored before migration 8)');
      assert.equal(await s.pruneStsSessions(T0 + 11), 1);
      assert.equal(await s.getStsSession('STS.2'), undefined);
    });
  });

  bgpStoreContract(fresh, twin);
  snapshotStoreContract(fresh);
  routeChangesStoreContract(fresh, twin);

  describe('propagated CLOUD routes', () => {
    test('sync replaces only propagated rows; a seeded CLOUD route with the same key wins and is never removed', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a'));
      await s.upsertRoutes('vco-a', [bgp(1, 'CLOUD', { asPath: [12000] }), bgp(2, 'VPN_BGP')]);
      const v0 = (await s.findConnection('vco-a'))!.routesVersion;
      const first = await s.syncPropagatedRoutes('vco-a', [bgp(1, 'CLOUD'), bgp(3, 'CLOUD'), bgp(4, 'CLOUD')]);
      const v1 = (await s.findConnection('vco-a'))!.routesVersion;
      assert.deepEqual(first, { inserted: 2, updated: 0, deleted: 0, skipped: [bgp(1, 'CLOUD').key], routesVersion: v1 });
      assert.notEqual(v1, v0, 'a change moves the routes version on');
      assert.deepEqual((await s.findRoute('vco-a', 'bgp', bgp(1, 'CLOUD').key))!.asPath, [12000], 'the seeded route is kept');
      assert.deepEqual(await s.syncPropagatedRoutes('vco-a', [bgp(3, 'CLOUD'), bgp(4, 'CLOUD')]), { inserted: 0, updated: 0, deleted: 0, skipped: [], routesVersion: v1 });
      assert.equal((await s.findConnection('vco-a'))!.routesVersion, v1, 'no change, same version');
      // attributes change in place (position and creation time kept); a row no longer wanted goes
      const changed = await s.syncPropagatedRoutes('vco-a', [bgp(3, 'CLOUD', { asPath: [45104, 65001], createTime: T0 + 99 })]);
      assert.deepEqual([changed.inserted, changed.updated, changed.deleted], [0, 1, 1]);
      const listed = await all(s, 'vco-a', 'bgp');
      assert.deepEqual(dests(listed), ['172.16.1.0/24', '172.16.2.0/24', '172.16.3.0/24']);
      assert.deepEqual([listed[2]!.asPath, listed[2]!.createTime], [[45104, 65001], T0 + 3]);
      assert.deepEqual(sortCounts(await s.countRoutes('vco-a')), [
        { routeEntryType: 'bgp', source: 'CLOUD', count: 2 }, { routeEntryType: 'bgp', source: 'VPN_BGP', count: 1 },
      ]);
      // seeding over a propagated row makes it a seeded one: sync no longer removes it
      await s.upsertRoutes('vco-a', [bgp(3, 'CLOUD', { asPath: [7] })]);
      const none = await s.syncPropagatedRoutes('vco-a', []);
      assert.deepEqual([none.inserted, none.updated, none.deleted], [0, 0, 0]);
      assert.deepEqual(dests(await all(s, 'vco-a', 'bgp')), ['172.16.1.0/24', '172.16.2.0/24', '172.16.3.0/24']);
      await assert.rejects(s.syncPropagatedRoutes('vco-gone', []), StoreConflictError);
    });

    test('a snapshot known at the current routes version is trusted; at another version the rows are read', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a'));
      const synced = await s.syncPropagatedRoutes('vco-a', [bgp(1, 'CLOUD'), bgp(2, 'CLOUD')]);
      const rows = new Map([bgp(1, 'CLOUD'), bgp(2, 'CLOUD')].map((r) => [r.key, r.route]));
      // Trusted: a diff against the snapshot (bgp 2 goes, bgp 3 comes), no full read.
      const diff = await s.syncPropagatedRoutes('vco-a', [bgp(1, 'CLOUD'), bgp(3, 'CLOUD')], { routesVersion: synced.routesVersion, rows });
      assert.deepEqual([diff.inserted, diff.deleted], [1, 1]);
      assert.deepEqual(dests(await all(s, 'vco-a', 'bgp')), ['172.16.1.0/24', '172.16.3.0/24']);
      // A stale snapshot (the version moved on) is ignored: the rows are read, so nothing is lost or duplicated.
      const stale = await s.syncPropagatedRoutes('vco-a', [bgp(4, 'CLOUD')], { routesVersion: synced.routesVersion, rows });
      assert.deepEqual([stale.inserted, stale.deleted], [1, 2]);
      assert.deepEqual(dests(await all(s, 'vco-a', 'bgp')), ['172.16.4.0/24']);
      assert.equal(stale.routesVersion, (await s.findConnection('vco-a'))!.routesVersion);
    });

    test('listRoutesOfSource: one type and source, in listing order, bounded', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a'));
      await s.upsertRoutes('vco-a', [bgp(1, 'CLOUD'), bgp(2, 'VPN_BGP'), custom(1), bgp(3, 'VPN_BGP'), bgp(4, 'VPN_BGP')]);
      assert.deepEqual(dests(await s.listRoutesOfSource('vco-a', 'bgp', 'VPN_BGP', 2)), ['172.16.2.0/24', '172.16.3.0/24']);
      assert.deepEqual(dests(await s.listRoutesOfSource('vco-a', 'custom', null, 10)), ['10.0.1.0/24']);
    });
  });

  describe('CEN resources and links', () => {
    const resource = (id: string, kind: CenResourceRecord['kind'], over: Partial<CenResourceRecord> = {}): CenResourceRecord => ({
      id, kind, accountId: ACCOUNT, parentId: null, regionId: REGION, uniqueKey: null, refId: null, createTime: T0, readyAt: null, goneAt: null,
      doc: { name: id, nested: { list: [1, 'x'] } }, ...over,
    });
    const link = (kind: CenLinkRecord['kind'], attachmentId: string, routeTableId: string, over: Partial<CenLinkRecord> = {}): CenLinkRecord => ({
      kind, accountId: ACCOUNT, attachmentId, routeTableId, transitRouterId: 'tr-1', createTime: T0, readyAt: null, goneAt: null, ...over,
    });

    test('create, get, list by parent and region in creation order; unique keys among live resources; parents must exist', async () => {
      const s = await fresh();
      assert.equal(await s.createCenResource(resource('cen-1', 'cen', { regionId: '' })), 'created');
      assert.equal(await s.createCenResource(resource('tr-1', 'transitRouter', { parentId: 'cen-1', uniqueKey: 'cen-1|cn-hangzhou' })), 'created');
      assert.equal(await s.createCenResource(resource('tr-2', 'transitRouter', { parentId: 'cen-1', uniqueKey: 'cen-1|cn-hangzhou', createTime: T0 + 1 })), 'exists');
      assert.equal(await s.createCenResource(resource('tr-3', 'transitRouter', { parentId: 'cen-9', createTime: T0 + 1 })), 'no-parent');
      assert.equal(await s.createCenResource(resource('tr-4', 'transitRouter', { parentId: 'cen-1', uniqueKey: 'cen-1|cn-beijing', regionId: 'cn-beijing', createTime: T0 + 2 })), 'created');
      assert.deepEqual(await s.getCenResource(ACCOUNT, 'cen', 'cen-1', T0), resource('cen-1', 'cen', { regionId: '' }));
      assert.equal(await s.getCenResource(OTHER, 'cen', 'cen-1', T0), undefined, 'other accounts do not see it');
      assert.equal(await s.getCenResource(ACCOUNT, 'transitRouter', 'cen-1', T0), undefined, 'kinds do not mix');
      assert.deepEqual((await s.listCenResources(ACCOUNT, 'transitRouter', { parentId: 'cen-1' }, T0)).map((r) => r.id), ['tr-1', 'tr-4']);
      assert.deepEqual((await s.listCenResources(ACCOUNT, 'transitRouter', { regionId: 'cn-beijing' }, T0)).map((r) => r.id), ['tr-4']);
      assert.equal((await s.findCenResourceByUniqueKey('transitRouter', 'cen-1|cn-beijing', T0))?.id, 'tr-4');
      assert.equal(await s.updateCenResource(ACCOUNT, 'transitRouter', 'tr-1', { name: 'renamed' }, T0), true);
      assert.deepEqual((await s.getCenResource(ACCOUNT, 'transitRouter', 'tr-1', T0))!.doc, { name: 'renamed' });
      assert.equal(await s.updateCenResource(OTHER, 'transitRouter', 'tr-1', {}, T0), false);
    });

    test('delete: blockers, busy while transient, Deleting until goneAt then absent; the unique key is free at once', async () => {
      const s = await fresh();
      await s.createCenResource(resource('cen-1', 'cen'));
      await s.createCenResource(resource('tr-1', 'transitRouter', { parentId: 'cen-1', uniqueKey: 'k', readyAt: T0 + 100 }));
      assert.deepEqual(await s.deleteCenResource(ACCOUNT, 'cen', 'cen-1', T0 + 50, T0, [{ kind: 'transitRouter', parentId: 'cen-1' }]), { outcome: 'blocked', blocker: 0 });
      assert.deepEqual(await s.deleteCenResource(ACCOUNT, 'transitRouter', 'tr-1', T0 + 50, T0, []), { outcome: 'busy' }, 'still being created');
      await s.createCenResource(resource('vtb-sys', 'routeTable', { parentId: 'tr-1' }));
      assert.deepEqual(await s.deleteCenResource(ACCOUNT, 'transitRouter', 'tr-1', T0 + 250, T0 + 200, [{ kind: 'routeTable', parentId: 'tr-1', exceptId: 'vtb-sys' }]), { outcome: 'deleted' });
      assert.equal((await s.getCenResource(ACCOUNT, 'transitRouter', 'tr-1', T0 + 210))!.goneAt, T0 + 250, 'shown while Deleting');
      assert.deepEqual(await s.deleteCenResource(ACCOUNT, 'transitRouter', 'tr-1', T0 + 300, T0 + 210, []), { outcome: 'busy' });
      assert.equal(await s.findCenResourceByUniqueKey('transitRouter', 'k', T0 + 210), undefined);
      assert.equal(await s.createCenResource(resource('tr-2', 'transitRouter', { parentId: 'cen-1', uniqueKey: 'k', createTime: T0 + 210 })), 'created');
      assert.equal(await s.createCenResource(resource('vtb-x', 'routeTable', { parentId: 'tr-1', createTime: T0 + 220 })), 'no-parent', 'a parent being deleted takes no child');
      assert.equal(await s.getCenResource(ACCOUNT, 'transitRouter', 'tr-1', T0 + 250), undefined, 'gone at goneAt');
      assert.deepEqual(await s.deleteCenResource(ACCOUNT, 'transitRouter', 'tr-1', T0 + 400, T0 + 300, []), { outcome: 'missing' });
    });

    test('VPN attachments: created with the connection transition, deleted with links and pointing entries (force) or blocked', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a', { state: 'init', transitRouterId: null }));
      await s.createCenResource(resource('tr-1', 'transitRouter'));
      await s.createCenResource(resource('vtb-1', 'routeTable', { parentId: 'tr-1' }));
      const attachment = resource('tr-attach-1', 'vpnAttachment', { parentId: 'tr-1', uniqueKey: 'vco-a', refId: 'vco-a' });
      const attach = { state: 'attached', pendingState: null, pendingUntil: null, transitRouterId: 'tr-1' };
      assert.equal(await s.createVpnAttachment(attachment, attach, T0), 'created');
      assert.equal((await s.findConnection('vco-a'))!.transitRouterId, 'tr-1');
      assert.equal(await s.createVpnAttachment({ ...attachment, id: 'tr-attach-2' }, attach, T0), 'exists');
      await s.putConnection(connection('vco-b', { state: 'attached' }));
      assert.equal(await s.createVpnAttachment(resource('tr-attach-3', 'vpnAttachment', { parentId: 'tr-1', uniqueKey: 'vco-b', refId: 'vco-b' }), attach, T0), 'connection-busy');
      assert.equal(await s.getCenResource(ACCOUNT, 'vpnAttachment', 'tr-attach-3', T0), undefined, 'rolled back with the refused transition');

      assert.equal(await s.createCenLink(link('association', 'tr-attach-1', 'vtb-1')), 'created');
      assert.equal(await s.createCenLink(link('association', 'tr-attach-1', 'vtb-1')), 'exists');
      await s.createCenResource(resource('vtb-2', 'routeTable', { parentId: 'tr-1' }));
      assert.equal(await s.createCenLink(link('association', 'tr-attach-1', 'vtb-2')), 'associated', 'one association per attachment');
      assert.equal(await s.createCenLink(link('propagation', 'tr-attach-1', 'vtb-2')), 'created');
      assert.equal(await s.createCenLink(link('propagation', 'tr-attach-1', 'vtb-9')), 'no-parent');
      await s.createCenResource(resource('rte-1', 'routeEntry', { parentId: 'vtb-1', refId: 'tr-attach-1', uniqueKey: 'vtb-1|10.0.0.0/8' }));
      assert.deepEqual((await s.listCenLinks(ACCOUNT, 'propagation', { transitRouterId: 'tr-1' }, T0)).map((l) => l.routeTableId), ['vtb-2']);

      const detach = { state: 'init', pendingState: null, pendingUntil: null, transitRouterId: null };
      assert.deepEqual(await s.deleteVpnAttachment(ACCOUNT, 'tr-attach-1', T0, detach, T0, false), { outcome: 'blocked', blocker: 0 });
      assert.deepEqual(await s.deleteVpnAttachment(ACCOUNT, 'tr-attach-1', T0 + 10, detach, T0, true), { outcome: 'deleted' });
      assert.equal((await s.findConnection('vco-a'))!.state, 'init');
      assert.deepEqual(await s.listCenLinks(ACCOUNT, 'association', {}, T0), []);
      assert.deepEqual(await s.listCenResources(ACCOUNT, 'routeEntry', {}, T0), []);
      assert.equal((await s.getCenResource(ACCOUNT, 'vpnAttachment', 'tr-attach-1', T0))!.goneAt, T0 + 10, 'Detaching until goneAt');
    });

    test('links: removal is busy while being created, shown until goneAt, then absent', async () => {
      const s = await fresh();
      await s.createCenResource(resource('tr-attach-1', 'vpnAttachment'));
      await s.createCenResource(resource('vtb-1', 'routeTable'));
      await s.createCenLink(link('propagation', 'tr-attach-1', 'vtb-1', { readyAt: T0 + 10 }));
      assert.equal(await s.deleteCenLink(ACCOUNT, 'propagation', 'tr-attach-1', 'vtb-1', T0 + 20, T0 + 5), 'busy');
      assert.equal(await s.deleteCenLink(ACCOUNT, 'propagation', 'tr-attach-1', 'vtb-1', T0 + 20, T0 + 10), 'deleted');
      assert.equal((await s.listCenLinks(ACCOUNT, 'propagation', { routeTableId: 'vtb-1' }, T0 + 15))[0]!.goneAt, T0 + 20);
      assert.equal(await s.deleteCenLink(ACCOUNT, 'propagation', 'tr-attach-1', 'vtb-1', T0 + 30, T0 + 15), 'missing');
      assert.deepEqual(await s.listCenLinks(ACCOUNT, 'propagation', {}, T0 + 20), []);
      assert.equal(await s.createCenLink(link('propagation', 'tr-attach-1', 'vtb-1', { createTime: T0 + 30 })), 'created', 'the pair is free again');
    });

    test('writes with a ClientToken completion commit the response with the write', async () => {
      const s = await fresh();
      await s.claimClientToken(ACCOUNT, 'tok', 'fp', T0, 0);
      const completion: TokenCompletion = { accountId: ACCOUNT, token: 'tok', claimedAt: T0, response: { status: 200, body: { CenId: 'cen-1' } } };
      assert.equal(await s.createCenResource(resource('cen-1', 'cen'), completion), 'created');
      assert.deepEqual((await s.claimClientToken(ACCOUNT, 'tok', 'fp', T0 + 1, 0))?.response, completion.response);
      await s.claimClientToken(ACCOUNT, 'tok2', 'fp', T0, 0);
      await assert.rejects(s.createCenResource(resource('cen-2', 'cen'), { ...completion, token: 'tok2', claimedAt: T0 - 1 }), ClientTokenLostError);
      assert.equal(await s.getCenResource(ACCOUNT, 'cen', 'cen-2', T0), undefined, 'the write rolled back with the lost token');
    });
  });

  test('reset empties everything but the root identity and the nonces', async () => {
    const s = await fresh();
    await s.upsertAccount(ACCOUNT, T0);
    await s.upsertAccount(OTHER, T0);
    await s.upsertAccessKey({ accessKeyId: 'ROOT', accountId: ACCOUNT, secret: 's', status: 'Active' }, T0);
    await s.upsertAccessKey({ accessKeyId: 'OTHERKEY', accountId: OTHER, secret: 's', status: 'Active' }, T0);
    await s.putCustomerGateway(gateway('cgw-1'));
    await s.putConnection(connection('vco-a', { tunnels: [tunnel('tun-1', 1), tunnel('tun-2', 2)] }));
    await s.upsertRoutes('vco-a', [custom(1), bgp(1, 'CLOUD')]);
    await s.claimClientToken(ACCOUNT, 'tok', 'fp', T0, 0);
    await s.useNonce('ROOT', 'n', Date.now() + 60_000);
    await s.createRamEntity(entity0());
    await s.createCenResource({ id: 'cen-1', kind: 'cen', accountId: ACCOUNT, parentId: null, regionId: '', uniqueKey: null, refId: null, createTime: T0,
      readyAt: null, goneAt: null, doc: {} });
    assert.equal((await s.listRouteChanges({ connectionId: 'vco-a', order: 'asc', limit: 10 })).length, 2, 'recorded (in the open tail)');
    await s.reset(ACCOUNT, 'ROOT');
    assert.equal(await s.getCenResource(ACCOUNT, 'cen', 'cen-1', T0), undefined);
    assert.equal(await s.hasAccount(ACCOUNT), true);
    assert.equal(await s.hasAccount(OTHER), false);
    assert.ok(await s.getAccessKey('ROOT'));
    assert.equal(await s.getAccessKey('OTHERKEY'), undefined);
    assert.equal(await s.findConnection('vco-a'), undefined);
    assert.equal(await s.getCustomerGateway(ACCOUNT, 'cgw-1'), undefined);
    assert.deepEqual(await s.countRoutes('vco-a'), []);
    assert.deepEqual(await s.listRouteChanges({ connectionId: 'vco-a', order: 'asc', limit: 10 }), [], 'the history goes too, its open tail included');
    assert.equal(await s.claimClientToken(ACCOUNT, 'tok', 'fp2', T0, 0), undefined, 'tokens are gone');
    assert.equal(await s.useNonce('ROOT', 'n', Date.now() + 60_000), false, 'nonces stay');
    assert.equal(await s.countRamEntities(ACCOUNT, 'user'), 0);
    // tunnel IDs are free again
    await s.putConnection(connection('vco-b', { tunnels: [tunnel('tun-1', 1), tunnel('tun-2', 2)] }));
  });
}

function entity0(): RamEntityRecord {
  return { accountId: ACCOUNT, kind: 'user', id: 'u1', name: 'u', createDate: T0, updateDate: T0, data: {} };
}

describe('Store contract', async () => {
  describe('sqlite', () => contract(sqliteBackend()));
  let postgres: StoreBackend;
  try {
    postgres = await postgresBackend();
  } catch (err) {
    // CI=true and no PostgreSQL: a failure, not a skip
    test('postgres', () => {
      throw err;
    });
    return;
  }
  describe('postgres', { skip: postgres.skip }, () => contract(postgres));
});

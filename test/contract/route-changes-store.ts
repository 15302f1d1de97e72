/**
 * Store contract, route-change history part (store.ts "route-change history"): recording in the transaction of
 * the change, causes, numbering across servers, filters, paging and retention. Called from store.test.ts for
 * every backend.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { routeKey } from '../../src/domain/routes';
import type { BgpSessionRecord, ConnectionRecord, KeyedRoute, RouteChangeRecord, RouteRecord, Store, TokenCompletion } from '../../src/store/store';
import { ClientTokenLostError, StoreConflictError } from '../../src/store/store';

const T0 = 1_700_000_000_000;
const ACCOUNT = '1000000000000001';

function connection(id: string, state = 'attached'): ConnectionRecord {
  return {
    connectionId: id, accountId: ACCOUNT, regionId: 'cn-hangzhou', state, pendingState: null, pendingUntil: null,
    transitRouterId: 'tr-1', customerGatewayId: null, createTime: T0, tunnels: [], attributes: {} as ConnectionRecord['attributes'],
  };
}

function custom(dest: string, weight = 100): KeyedRoute {
  const route: RouteRecord = { routeEntryType: 'custom', routeDest: dest, nextHop: 'vco-h', weight, source: null, asPath: null, community: null,
    nextHopTunnelIds: null, createTime: T0 };
  return { key: routeKey(route), route };
}

function learned(dest: string, source: 'VPN_BGP' | 'CLOUD' = 'VPN_BGP', asPath = [65001]): KeyedRoute {
  const route: RouteRecord = { routeEntryType: 'bgp', routeDest: dest, nextHop: 'vco-h', weight: 100, source, asPath, community: '',
    nextHopTunnelIds: null, createTime: T0 };
  return { key: routeKey(route), route };
}

function session(holder: string, leaseExpiresAt: number): BgpSessionRecord {
  return { connectionId: 'vco-h', tunnelId: 'vco-h', holder, leaseExpiresAt, state: 'Established', peerAsn: 65001, peerAddress: '127.0.0.2',
    establishedAt: T0, prefixesReceived: 0, prefixesAccepted: 0, prefixesAdvertised: 0 };
}

const all = (s: Store, connectionId = 'vco-h') => s.listRouteChanges({ connectionId, order: 'asc', limit: 1000 });
const brief = (changes: RouteChangeRecord[]) => changes.map((c) => `${c.eventId} ${c.changeType} ${c.routeDest} ${c.cause}${c.tunnelId ? ` ${c.tunnelId}` : ''}`);

export function routeChangesStoreContract(fresh: () => Promise<Store>, twin: (s: Store) => Promise<Store>): void {
  describe('route-change history', () => {
    test('custom route writes record Added, Modified and Removed with the old and new rows, numbered from 1', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-h'));
      const r = custom('10.0.0.0/24');
      assert.equal(await s.insertRoute('vco-h', r, { whenState: 'attached' }), true);
      assert.equal(await s.replaceRoute('vco-h', 'custom', r.key, custom('10.0.0.0/24', 50)), 'ok');
      assert.equal(await s.replaceRoute('vco-h', 'custom', r.key, custom('10.0.0.0/24', 50)), 'ok'); // unchanged: nothing recorded
      assert.equal(await s.deleteRoutes('vco-h', { routeEntryType: 'custom', routeKey: r.key }), 1);
      const changes = await all(s);
      assert.deepEqual(brief(changes), ['1 Added 10.0.0.0/24 api', '2 Modified 10.0.0.0/24 api', '3 Removed 10.0.0.0/24 api']);
      assert.equal(changes[0]!.old, null);
      assert.deepEqual(changes[0]!.new, r.route);
      assert.equal(changes[1]!.old!.weight, 100);
      assert.equal(changes[1]!.new!.weight, 50);
      assert.equal(changes[2]!.old!.weight, 50);
      assert.equal(changes[2]!.new, null);
      assert.equal(changes[0]!.source, null);
      assert.equal(changes[0]!.routeEntryType, 'custom');
      assert.equal(changes[0]!.nextHop, 'vco-h');
      assert.ok(changes.every((c) => c.connectionId === 'vco-h' && Math.abs(c.changeTime - Date.now()) < 60_000));
    });

    test('a write of many routes records each, numbered in order, rows intact (several multi-row inserts)', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-h'));
      // 150: more than one SQLite INSERT of 64 rows, with a remainder; custom rows (nulls) and learned ones (lists).
      // 10.1.1.0/24 (the only change in 10.1.0.0/16) is found by its block, as Added then Removed.
      const routes = Array.from({ length: 150 }, (_, i) => (i % 2 === 0 ? custom(`10.${i}.0.0/16`, i) : learned(`10.${i}.1.0/24`, 'VPN_BGP', [65001, i])));
      await s.upsertRoutes('vco-h', routes);
      assert.equal(await s.deleteRoutes('vco-h', {}), 150);
      const changes = await s.listRouteChanges({ connectionId: 'vco-h', order: 'asc', limit: 1000 });
      assert.deepEqual(changes.map((c) => c.eventId), Array.from({ length: 300 }, (_, i) => i + 1));
      const added = changes.slice(0, 150);
      assert.deepEqual(added.map((c) => [c.changeType, c.old, c.new]), routes.map((r) => ['Added', null, r.route]));
      const removed = new Map(changes.slice(150).map((c) => [c.routeDest, c]));
      for (const r of routes) assert.deepEqual([removed.get(r.route.routeDest)?.changeType, removed.get(r.route.routeDest)?.old], ['Removed', r.route]);
      const within = await s.listRouteChanges({ connectionId: 'vco-h', order: 'asc', limit: 10, within: { first: 167837696, last: 167903231, minPrefix: 16 } });
      assert.deepEqual(within.map((c) => `${c.eventId} ${c.changeType} ${c.routeDest}`), ['2 Added 10.1.1.0/24', `${removed.get('10.1.1.0/24')!.eventId} Removed 10.1.1.0/24`]);
    });

    test('a write that is refused or rolled back records nothing', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-h', 'init'));
      await assert.rejects(s.insertRoute('vco-h', custom('10.0.0.0/24'), { whenState: 'attached' }), StoreConflictError);
      await s.putConnection(connection('vco-h'));
      assert.equal(await s.insertRoute('vco-h', custom('10.0.1.0/24')), true);
      assert.equal(await s.insertRoute('vco-h', custom('10.0.1.0/24')), false); // exists
      // A ClientToken claim taken over by a retry: the write and its history roll back together.
      const claimedAt = T0;
      await s.claimClientToken(ACCOUNT, 'tok-h', 'fp', claimedAt, 0);
      await s.claimClientToken(ACCOUNT, 'tok-h', 'fp', claimedAt + 1, 0, claimedAt + 1); // stale: taken over
      const completion: TokenCompletion = { accountId: ACCOUNT, token: 'tok-h', claimedAt, response: { status: 200, body: {} } };
      await assert.rejects(s.insertRoute('vco-h', custom('10.0.2.0/24'), undefined, completion), ClientTokenLostError);
      assert.deepEqual(brief(await all(s)), ['1 Added 10.0.1.0/24 api']);
      assert.equal((await s.listRoutes('vco-h', 'custom', 0, 10)).length, 1);
    });

    test('learned routes carry the causes and tunnels the speaker gives; dropped leases record session-down', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-h'));
      await s.claimBgpSession(session('srv-a', T0 + 10_000), T0);
      const a = learned('172.16.0.0/24');
      const b = learned('172.16.1.0/24');
      const origins = new Map([[a.key, { cause: 'bgp-update' as const, tunnelId: 'tun-1' }]]);
      assert.equal(await s.writeBgpRoutes('vco-h', 'srv-a', [a, b], [], T0, origins), true);
      assert.equal(await s.writeBgpRoutes('vco-h', 'srv-a', [learned('172.16.1.0/24', 'VPN_BGP', [65001, 65002])], [a.key], T0,
        new Map([[a.key, { cause: 'tunnel-down' as const, tunnelId: 'tun-1' }]])), true);
      assert.equal(await s.writeBgpRoutes('vco-h', 'srv-b', [a], [], T0), false); // not the holder: nothing, not even history
      // The holder died: the next claim (lease expired) drops what it learned.
      assert.equal(await s.claimBgpSession(session('srv-b', T0 + 30_000), T0 + 20_000), true);
      const changes = await all(s);
      assert.deepEqual(brief(changes), [
        '1 Added 172.16.0.0/24 bgp-update tun-1', '2 Added 172.16.1.0/24 bgp-update', '3 Modified 172.16.1.0/24 bgp-update',
        '4 Removed 172.16.0.0/24 tunnel-down tun-1', '5 Removed 172.16.1.0/24 session-down',
      ]);
      assert.deepEqual(changes[2]!.old!.asPath, [65001]);
      assert.deepEqual(changes[2]!.new!.asPath, [65001, 65002]);
      assert.equal(changes[1]!.source, 'VPN_BGP');
      await s.writeBgpRoutes('vco-h', 'srv-b', [a], [], T0 + 20_000);
      assert.deepEqual(await s.expireBgpSessions(T0 + 40_000), ['vco-h']);
      assert.deepEqual(brief(await s.listRouteChanges({ connectionId: 'vco-h', afterEventId: 5, order: 'asc', limit: 10 })),
        ['6 Added 172.16.0.0/24 bgp-update', '7 Removed 172.16.0.0/24 session-down']);
    });

    test('propagated CLOUD routes record propagation or detached; a deleted connection records its routes removed, and a re-created one numbers on', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-h'));
      await s.syncPropagatedRoutes('vco-h', [learned('192.168.0.0/16', 'CLOUD'), learned('192.168.1.0/24', 'CLOUD')]);
      await s.syncPropagatedRoutes('vco-h', [learned('192.168.0.0/16', 'CLOUD')], undefined, 'detached');
      await s.insertRoute('vco-h', custom('10.0.0.0/24'));
      assert.equal(await s.deleteConnection('vco-h'), true);
      await s.putConnection(connection('vco-h'));
      await s.insertRoute('vco-h', custom('10.9.0.0/24'));
      const changes = await all(s);
      assert.deepEqual(brief(changes).slice(0, 3), ['1 Added 192.168.0.0/16 propagation', '2 Added 192.168.1.0/24 propagation', '3 Removed 192.168.1.0/24 detached']);
      assert.equal(changes[2]!.source, 'CLOUD');
      const removedWith = changes.slice(4, 6).map((c) => `${c.changeType} ${c.routeDest} ${c.cause}`).sort();
      assert.deepEqual(removedWith, ['Removed 10.0.0.0/24 connection-deleted', 'Removed 192.168.0.0/16 connection-deleted']);
      assert.deepEqual([brief(changes)[3], brief(changes)[6]], ['4 Added 10.0.0.0/24 api', '7 Added 10.9.0.0/24 api']);
      assert.deepEqual(changes.map((c) => c.eventId), [1, 2, 3, 4, 5, 6, 7]);
    });

    test('filters: type, source (null = custom), contained in a block, time range, event ID bounds, order and limit', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-h'));
      await s.putConnection(connection('vco-other'));
      await s.upsertRoutes('vco-h', [custom('10.0.0.0/24'), custom('10.0.1.0/24'), custom('10.1.0.0/16'), custom('10.0.0.0/8'), custom('0.0.0.0/0')]);
      await s.syncPropagatedRoutes('vco-h', [learned('10.0.2.0/24', 'CLOUD')]);
      await s.upsertRoutes('vco-other', [custom('10.0.0.0/24')]);
      const q = (over: Partial<Parameters<Store['listRouteChanges']>[0]>) =>
        s.listRouteChanges({ connectionId: 'vco-h', order: 'asc', limit: 100, ...over }).then((c) => c.map((x) => `${x.eventId}:${x.routeDest}`));
      assert.deepEqual(await q({}), ['1:10.0.0.0/24', '2:10.0.1.0/24', '3:10.1.0.0/16', '4:10.0.0.0/8', '5:0.0.0.0/0', '6:10.0.2.0/24']);
      assert.deepEqual(await q({ routeEntryType: 'bgp' }), ['6:10.0.2.0/24']);
      assert.deepEqual(await q({ source: null }), ['1:10.0.0.0/24', '2:10.0.1.0/24', '3:10.1.0.0/16', '4:10.0.0.0/8', '5:0.0.0.0/0']);
      assert.deepEqual(await q({ source: 'CLOUD' }), ['6:10.0.2.0/24']);
      assert.deepEqual(await q({ source: 'VPN_BGP' }), []);
      // 10.0.0.0/16 = [167772160, 167837695]: contains the /24s, not 10.1.0.0/16, 10.0.0.0/8 or the default route
      assert.deepEqual(await q({ within: { first: 167772160, last: 167837695, minPrefix: 16 } }), ['1:10.0.0.0/24', '2:10.0.1.0/24', '6:10.0.2.0/24']);
      // 10.0.0.0/8 spans many /16 blocks of the index; 10.0.1.0/24 one; newest first as well
      assert.deepEqual(await q({ within: { first: 167772160, last: 184549375, minPrefix: 8 } }),
        ['1:10.0.0.0/24', '2:10.0.1.0/24', '3:10.1.0.0/16', '4:10.0.0.0/8', '6:10.0.2.0/24']);
      assert.deepEqual(await q({ within: { first: 167772416, last: 167772671, minPrefix: 24 } }), ['2:10.0.1.0/24']);
      assert.deepEqual(await q({ within: { first: 167772160, last: 184549375, minPrefix: 8 }, order: 'desc', limit: 2 }), ['6:10.0.2.0/24', '4:10.0.0.0/8']);
      assert.deepEqual(await q({ within: { first: 0, last: 4294967295, minPrefix: 0 }, source: null, order: 'desc', limit: 1 }), ['5:0.0.0.0/0']);
      assert.deepEqual(await q({ afterEventId: 4 }), ['5:0.0.0.0/0', '6:10.0.2.0/24']);
      assert.deepEqual(await q({ order: 'desc', limit: 2 }), ['6:10.0.2.0/24', '5:0.0.0.0/0']);
      assert.deepEqual(await q({ order: 'desc', beforeEventId: 5, limit: 2 }), ['4:10.0.0.0/8', '3:10.1.0.0/16']);
      const now = Date.now();
      assert.equal((await q({ startTime: now - 60_000, endTime: now + 60_000 })).length, 6);
      assert.deepEqual(await q({ endTime: now - 60_000 }), []);
      assert.deepEqual(await q({ startTime: now + 60_000 }), []);
      assert.deepEqual(await s.listRouteChanges({ connectionId: 'vco-none', order: 'asc', limit: 10 }), []);
    });

    test('retention: older than the cut-off, and beyond the last N of each connection', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-h'));
      await s.putConnection(connection('vco-other'));
      for (let i = 0; i < 5; i++) await s.insertRoute('vco-h', custom(`10.0.${i}.0/24`));
      await s.insertRoute('vco-other', custom('10.9.0.0/24'));
      assert.equal(await s.pruneRouteChanges(0, 3), 2);
      assert.deepEqual((await all(s)).map((c) => c.eventId), [3, 4, 5]);
      assert.equal((await all(s, 'vco-other')).length, 1);
      assert.equal(await s.pruneRouteChanges(Date.now() + 1000, 100), 4);
      assert.deepEqual(await all(s), []);
      await s.insertRoute('vco-h', custom('10.0.9.0/24'));
      assert.deepEqual((await all(s)).map((c) => c.eventId), [6]);
    });

    test('recording off: route writes record nothing', async () => {
      const s = await fresh();
      s.setRouteChangeRecording(false);
      await s.putConnection(connection('vco-h'));
      await s.insertRoute('vco-h', custom('10.0.0.0/24'));
      await s.upsertRoutes('vco-h', [custom('10.0.0.0/24', 7)]);
      await s.deleteConnection('vco-h');
      assert.deepEqual(await all(s), []);
    });

    test('two servers writing one connection: IDs have no gap and no duplicate, and a reader following them misses none', async () => {
      const a = await fresh();
      const b = await twin(a);
      await a.putConnection(connection('vco-h'));
      const seen: number[] = [];
      let writing = true;
      const reader = (async () => {
        let cursor = 0;
        for (;;) {
          const done = !writing;
          for (const c of await b.listRouteChanges({ connectionId: 'vco-h', afterEventId: cursor, order: 'asc', limit: 1000 })) {
            seen.push(c.eventId);
            cursor = c.eventId;
          }
          if (done) return;
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      })();
      const writer = async (s: Store, base: number) => {
        for (let i = 0; i < 25; i++) await s.upsertRoutes('vco-h', [custom(`10.${base}.${i}.0/24`), custom(`10.${base}.${i}.128/25`)]);
      };
      await Promise.all([writer(a, 1), writer(b, 2)]);
      writing = false;
      await reader;
      assert.deepEqual(seen, Array.from({ length: 100 }, (_, i) => i + 1));
    });
  });
}

/**
 * Store contract, BGP speaker part (store.ts "BGP speaker"): loopback ports and session leases. Called from
 * store.test.ts for every backend.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { routeKey } from '../../src/domain/routes';
import type { BgpSessionRecord, ConnectionRecord, KeyedRoute, RouteRecord, Store, TunnelRecord } from '../../src/store/store';
import { StoreConflictError } from '../../src/store/store';

const T0 = 1_700_000_000_000;

function tunnel(id: string, index: number): TunnelRecord {
  return { tunnelId: id, tunnelIndex: index, status: 'ipsec_sa_established', customerGatewayId: null, options: {} as TunnelRecord['options'] };
}

function connection(id: string, tunnels: TunnelRecord[]): ConnectionRecord {
  return {
    connectionId: id, accountId: '1000000000000001', regionId: 'cn-hangzhou', state: 'attached', pendingState: null, pendingUntil: null,
    transitRouterId: 'tr-1', customerGatewayId: null, createTime: T0, tunnels, attributes: {} as ConnectionRecord['attributes'],
  };
}

function learned(dest: string, source: 'VPN_BGP' | 'CLOUD' = 'VPN_BGP'): KeyedRoute {
  const route: RouteRecord = { routeEntryType: 'bgp', routeDest: dest, nextHop: 'vco-a', weight: 100, source, asPath: [65001], community: '',
    nextHopTunnelIds: ['tun-1'], createTime: T0 };
  return { key: routeKey(route), route };
}

function session(tunnelId: string, holder: string, leaseExpiresAt: number, over: Partial<BgpSessionRecord> = {}): BgpSessionRecord {
  return { connectionId: 'vco-a', tunnelId, holder, leaseExpiresAt, state: 'Established', peerAsn: 65001, peerAddress: '127.0.0.2',
    establishedAt: T0, prefixesReceived: 3, prefixesAccepted: 2, prefixesAdvertised: 1, ...over };
}

const listed = async (s: Store) => (await s.listRoutes('vco-a', 'bgp', 0, 1000)).map((r) => `${r.source}|${r.routeDest}`);

export function bgpStoreContract(fresh: () => Promise<Store>, twin: (s: Store) => Promise<Store>): void {
  describe('BGP ports', () => {
    test('the lowest free port of the range, stable per tunnel, unique across tunnels; full range is a conflict', async () => {
      const s = await fresh();
      assert.equal(await s.getBgpPort('tun-1'), undefined);
      assert.equal(await s.assignBgpPort('tun-1', 17900, 17902), 17900);
      assert.equal(await s.assignBgpPort('tun-2', 17900, 17902), 17901);
      assert.equal(await s.assignBgpPort('tun-1', 17900, 17902), 17900, 'stable');
      assert.equal(await s.getBgpPort('tun-2'), 17901);
      assert.equal(await s.assignBgpPort('vco-single', 17900, 17902), 17902);
      await assert.rejects(s.assignBgpPort('tun-9', 17900, 17902), StoreConflictError);
      assert.equal(await s.getBgpPort('tun-9'), undefined, 'nothing assigned on conflict');
    });

    test('ports are freed when the connection is deleted (tunnels and single-tunnel ID) and reused lowest first', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a', [tunnel('tun-1', 1), tunnel('tun-2', 2)]));
      await s.putConnection(connection('vco-single', []));
      assert.equal(await s.assignBgpPort('tun-1', 17900, 17999), 17900);
      assert.equal(await s.assignBgpPort('tun-2', 17900, 17999), 17901);
      assert.equal(await s.assignBgpPort('vco-single', 17900, 17999), 17902);
      assert.equal(await s.deleteConnection('vco-a'), true);
      assert.equal(await s.getBgpPort('tun-1'), undefined);
      assert.equal(await s.getBgpPort('tun-2'), undefined);
      assert.equal(await s.getBgpPort('vco-single'), 17902, "another connection's port stays");
      assert.equal(await s.assignBgpPort('tun-3', 17900, 17999), 17900);
      await s.deleteConnection('vco-single');
      assert.equal(await s.getBgpPort('vco-single'), undefined);
    });

    test('two servers assigning at once never share a port', async () => {
      const a = await fresh();
      const b = await twin(a);
      const tunnels = Array.from({ length: 12 }, (_, i) => `tun-${i}`);
      const ports = await Promise.all(tunnels.flatMap((t) => [a.assignBgpPort(t, 18000, 18099), b.assignBgpPort(t, 18000, 18099)]));
      for (let i = 0; i < tunnels.length; i++) assert.equal(ports[2 * i], ports[2 * i + 1], 'one port per tunnel whoever asks');
      const distinct = new Set(ports);
      assert.equal(distinct.size, tunnels.length);
      assert.deepEqual([...distinct].sort(), Array.from({ length: 12 }, (_, i) => 18000 + i));
    });
  });

  describe('BGP session leases', () => {
    test('one holder per connection while its lease lives; status renewals only by the holder; list by connection', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a', [tunnel('tun-1', 1), tunnel('tun-2', 2)]));
      assert.equal(await s.claimBgpSession(session('tun-1', 'srv-a', T0 + 9000), T0), true);
      assert.equal(await s.claimBgpSession(session('tun-1', 'srv-b', T0 + 9000), T0 + 1), false, 'same tunnel, other server');
      assert.equal(await s.claimBgpSession(session('tun-2', 'srv-b', T0 + 9000), T0 + 1), false, 'other tunnel of the same connection');
      assert.equal(await s.claimBgpSession(session('tun-2', 'srv-a', T0 + 9000), T0 + 1), true, 'the holder takes the second tunnel');
      assert.equal(await s.putBgpSessionStatus(session('tun-1', 'srv-a', T0 + 12_000, { state: 'OpenSent', peerAsn: null }), T0 + 2), true);
      assert.equal(await s.putBgpSessionStatus(session('tun-1', 'srv-b', T0 + 12_000), T0 + 2), false, 'not the holder');
      const rows = await s.listBgpSessions('vco-a');
      assert.deepEqual(rows, [
        session('tun-1', 'srv-a', T0 + 12_000, { state: 'OpenSent', peerAsn: null }),
        session('tun-2', 'srv-a', T0 + 9000),
      ]);
      assert.deepEqual(await s.listBgpSessions('vco-other'), []);
      await s.releaseBgpSession('tun-2', 'srv-b');
      assert.equal((await s.listBgpSessions('vco-a')).length, 2, 'release by a non-holder changes nothing');
      await s.releaseBgpSession('tun-2', 'srv-a');
      assert.deepEqual((await s.listBgpSessions('vco-a')).map((r) => r.tunnelId), ['tun-1']);
      assert.equal(await s.claimBgpSession(session('tun-1', 'srv-a', T0 + 9000), T0 + 1), true, 'renewal by claim');
      assert.equal(await s.claimBgpSession(session('x', 'srv-a', T0 + 9000, { connectionId: 'vco-missing' }), T0), false, 'unknown connection');
    });

    test('learned routes are written only by the holder; a lapsed lease renews nothing', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a', [tunnel('tun-1', 1), tunnel('tun-2', 2)]));
      await s.upsertRoutes('vco-a', [learned('172.16.0.0/16', 'CLOUD')]);
      assert.equal(await s.writeBgpRoutes('vco-a', 'srv-a', [learned('10.0.1.0/24')], [], T0), false, 'no lease');
      await s.claimBgpSession(session('tun-1', 'srv-a', T0 + 9000), T0);
      assert.equal(await s.writeBgpRoutes('vco-a', 'srv-b', [learned('10.0.1.0/24')], [], T0), false, 'not the holder');
      assert.equal(await s.writeBgpRoutes('vco-a', 'srv-a', [learned('10.0.1.0/24'), learned('10.0.2.0/24'), learned('10.0.3.0/24')], [], T0), true);
      assert.equal(await s.writeBgpRoutes('vco-a', 'srv-a', [], [learned('10.0.1.0/24').key, learned('10.0.3.0/24').key, 'VPN_BGP|9.9.9.0/24'], T0 + 1), true);
      assert.deepEqual(await listed(s), ['CLOUD|172.16.0.0/16', 'VPN_BGP|10.0.2.0/24']);
      assert.deepEqual(
        (await s.countRoutes('vco-a')).filter((c) => c.routeEntryType === 'bgp').sort((x, y) => String(x.source).localeCompare(String(y.source))),
        [{ routeEntryType: 'bgp', source: 'CLOUD', count: 1 }, { routeEntryType: 'bgp', source: 'VPN_BGP', count: 1 }],
      );
      assert.equal(await s.writeBgpRoutes('vco-a', 'srv-a', [learned('10.0.4.0/24')], [], T0 + 9000), false, 'lease lapsed');
      assert.equal(await s.putBgpSessionStatus(session('tun-1', 'srv-a', T0 + 20_000), T0 + 9000), false, 'a lapsed lease is not renewed');
    });

    test("expiry drops a dead holder's learned routes (CLOUD stays) and frees the connection for another server", async () => {
      const s = await fresh();
      const other = await twin(s);
      await s.putConnection(connection('vco-a', [tunnel('tun-1', 1), tunnel('tun-2', 2)]));
      await s.upsertRoutes('vco-a', [learned('172.16.0.0/16', 'CLOUD')]);
      await s.claimBgpSession(session('tun-1', 'srv-a', T0 + 9000), T0);
      await s.claimBgpSession(session('tun-2', 'srv-a', T0 + 12_000), T0);
      await s.writeBgpRoutes('vco-a', 'srv-a', [learned('10.0.1.0/24')], [], T0);
      assert.deepEqual(await other.expireBgpSessions(T0 + 9000), [], 'tun-2 still holds the connection');
      assert.deepEqual((await s.listBgpSessions('vco-a')).map((r) => r.tunnelId), ['tun-2']);
      assert.deepEqual(await listed(other), ['CLOUD|172.16.0.0/16', 'VPN_BGP|10.0.1.0/24']);
      assert.deepEqual(await other.expireBgpSessions(T0 + 12_000), ['vco-a']);
      assert.deepEqual(await listed(s), ['CLOUD|172.16.0.0/16']);
      assert.deepEqual(await s.listBgpSessions('vco-a'), []);
      assert.deepEqual(await other.expireBgpSessions(T0 + 12_000), [], 'nothing left to expire');
      assert.equal(await other.claimBgpSession(session('tun-1', 'srv-b', T0 + 21_000), T0 + 12_000), true);
    });

    test('a claim after the previous holder lapsed drops what it learned, in the same transaction', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a', [tunnel('tun-1', 1), tunnel('tun-2', 2)]));
      await s.upsertRoutes('vco-a', [learned('172.16.0.0/16', 'CLOUD')]);
      await s.claimBgpSession(session('tun-1', 'srv-a', T0 + 9000), T0);
      await s.writeBgpRoutes('vco-a', 'srv-a', [learned('10.0.1.0/24')], [], T0);
      assert.equal(await s.claimBgpSession(session('tun-2', 'srv-b', T0 + 19_000), T0 + 10_000), true);
      assert.deepEqual(await listed(s), ['CLOUD|172.16.0.0/16']);
      assert.deepEqual((await s.listBgpSessions('vco-a')).map((r) => `${r.tunnelId}|${r.holder}`), ['tun-2|srv-b'], 'the lapsed lease is gone');
      assert.equal(await s.writeBgpRoutes('vco-a', 'srv-b', [learned('10.0.2.0/24')], [], T0 + 10_001), true);
      assert.equal(await s.claimBgpSession(session('tun-1', 'srv-b', T0 + 19_000), T0 + 10_002), true, 'a second tunnel keeps what the holder learned');
      assert.deepEqual(await listed(s), ['CLOUD|172.16.0.0/16', 'VPN_BGP|10.0.2.0/24']);
    });

    test('attached connections of every account are listed by ID', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-b', []));
      await s.putConnection({ ...connection('vco-a', []), accountId: '2000000000000002' });
      await s.putConnection({ ...connection('vco-c', []), transitRouterId: null, state: 'init' });
      assert.deepEqual(await s.listAttachedConnectionIds(), ['vco-a', 'vco-b']);
    });

    test('deleting the connection drops its sessions; reset drops ports and sessions', async () => {
      const s = await fresh();
      await s.putConnection(connection('vco-a', [tunnel('tun-1', 1), tunnel('tun-2', 2)]));
      await s.claimBgpSession(session('tun-1', 'srv-a', T0 + 9000), T0);
      await s.deleteConnection('vco-a');
      assert.deepEqual(await s.listBgpSessions('vco-a'), []);
      await s.putConnection(connection('vco-a', [tunnel('tun-1', 1), tunnel('tun-2', 2)]));
      await s.claimBgpSession(session('tun-1', 'srv-a', T0 + 9000), T0);
      await s.assignBgpPort('tun-1', 17900, 17999);
      await s.reset('1000000000000001', 'ROOT');
      assert.deepEqual(await s.listBgpSessions('vco-a'), []);
      assert.equal(await s.getBgpPort('tun-1'), undefined);
    });
  });
}

/**
 * Vectors for the speaker's pure core: import policy, attribute rendering, the per-tunnel Adj-RIB-In and
 * the VPN_BGP rows it produces, CLOUD export and its difference, and which tunnels run sessions.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PathAttributes, RouteUpdate } from '../../src/bgp/session-api';
import { asPathAsns, cloudAsPath, formatCommunities, parseCommunities } from '../../src/bgp/speaker/attributes';
import { cloudAdvertisement, exportDiff } from '../../src/bgp/speaker/cloud-export';
import { BgpConfigError, parseBgpConfig, type BgpOptions } from '../../src/bgp/speaker/config';
import { refusal } from '../../src/bgp/speaker/policy';
import { ConnectionRib, sessionDownCause, type ImportLimits } from '../../src/bgp/speaker/rib';
import { bgpTunnels } from '../../src/bgp/speaker/tunnel-plan';
import type { ConnectionRecord, RouteRecord } from '../../src/store/store';

const POLICY = { rejectDefaultRoute: true, rejectSharedAddressSpace: true };
const LIMITS: ImportLimits = { ...POLICY, maxPrefixes: 3 };

function attrs(asns: number[], communities: number[] = [], over: Partial<PathAttributes> = {}): PathAttributes {
  return { origin: 0, asPath: [{ type: 'sequence', asns }], nextHop: '169.254.10.2', communities, largeCommunities: [], ...over };
}
const announce = (a: PathAttributes, ...prefixes: string[]): RouteUpdate => ({ announced: prefixes.map((prefix) => ({ prefix, attributes: a })), withdrawn: [], endOfRib: false });
const withdraw = (...prefixes: string[]): RouteUpdate => ({ announced: [], withdrawn: prefixes, endOfRib: false });

describe('import policy', () => {
  const cases: Array<[string, ReturnType<typeof refusal>]> = [
    ['0.0.0.0/0', 'default-route'], ['10.0.0.0/8', undefined], ['100.64.0.0/10', 'shared-address-space'], ['100.64.1.0/24', 'shared-address-space'],
    ['100.0.0.0/8', 'shared-address-space'], ['100.128.0.0/10', undefined], ['100.63.255.0/24', undefined], ['64.0.0.0/2', 'shared-address-space'],
  ];
  for (const [prefix, expected] of cases) test(`${prefix} → ${expected ?? 'accepted'}`, () => assert.equal(refusal(prefix, POLICY), expected));
  test('each rule can be switched off', () => {
    assert.equal(refusal('0.0.0.0/0', { ...POLICY, rejectDefaultRoute: false }), undefined);
    assert.equal(refusal('100.64.1.0/24', { ...POLICY, rejectSharedAddressSpace: false }), undefined);
  });
});

describe('attribute rendering', () => {
  test('AS path: sequences and sets in received order, confederation segments left out', () => {
    assert.deepEqual(asPathAsns([{ type: 'sequence', asns: [65001, 12000] }, { type: 'set', asns: [64512, 64513] }]), [65001, 12000, 64512, 64513]);
    assert.deepEqual(asPathAsns([{ type: 'confed-sequence', asns: [65500] }, { type: 'sequence', asns: [4200000000] }]), [4200000000]);
    assert.deepEqual(asPathAsns([]), []);
  });
  test('communities: standard then large, space separated; round trip through parseCommunities', () => {
    const a = { communities: [0xffffffe6, 0x00010002], largeCommunities: [[65001, 1, 1], [4200000000, 0, 4294967295]] as Array<[number, number, number]> };
    const text = formatCommunities(a);
    assert.equal(text, '65535:65510 1:2 65001:1:1 4200000000:0:4294967295');
    assert.deepEqual(parseCommunities(text), a);
    assert.equal(formatCommunities({ communities: [], largeCommunities: [] }), '');
    assert.deepEqual(parseCommunities('65536:1 x:y 1:2'), { communities: [0x00010002], largeCommunities: [] });
  });
  test('CLOUD AS path starts with LocalAsn, once', () => {
    assert.deepEqual(cloudAsPath(45104, []), [{ type: 'sequence', asns: [45104] }]);
    assert.deepEqual(cloudAsPath(45104, [64600]), [{ type: 'sequence', asns: [45104, 64600] }]);
    assert.deepEqual(cloudAsPath(45104, [45104, 64600]), [{ type: 'sequence', asns: [45104, 64600] }]);
  });
});

describe('connection RIB', () => {
  const T = ['tun-1', 'tun-2'];
  test('rows: union over tunnels, attributes of the first tunnel, NextHopTunnelIdList in tunnel order, CreateTime of first learning', () => {
    const rib = new ConnectionRib('vco-a', T, true);
    rib.apply('tun-2', announce(attrs([65001, 12000], [0xffffffe6]), '10.0.1.0/24'), LIMITS);
    let c = rib.takeChanges(1000);
    assert.deepEqual(c.deleteKeys, []);
    assert.deepEqual(c.upserts, [{
      key: 'VPN_BGP|10.0.1.0/24',
      route: { routeEntryType: 'bgp', routeDest: '10.0.1.0/24', nextHop: 'vco-a', weight: 100, source: 'VPN_BGP', asPath: [65001, 12000],
        community: '65535:65510', nextHopTunnelIds: ['tun-2'], createTime: 1000 } satisfies RouteRecord,
    }]);
    rib.apply('tun-1', announce(attrs([65001]), '10.0.1.0/24'), LIMITS);
    c = rib.takeChanges(2000);
    assert.deepEqual(c.upserts[0]!.route.nextHopTunnelIds, ['tun-1', 'tun-2']);
    assert.deepEqual(c.upserts[0]!.route.asPath, [65001], 'tunnel 1 first');
    assert.equal(c.upserts[0]!.route.createTime, 1000, 'first learning');
    assert.deepEqual(c.origins.get('VPN_BGP|10.0.1.0/24'), { cause: 'bgp-update', tunnelId: 'tun-1' });
    rib.dropTunnel('tun-1', 'tunnel-down');
    c = rib.takeChanges(3000);
    assert.deepEqual(c.upserts[0]!.route.nextHopTunnelIds, ['tun-2']);
    assert.deepEqual(c.origins.get('VPN_BGP|10.0.1.0/24'), { cause: 'tunnel-down', tunnelId: 'tun-1' }, 'why, for the history');
    assert.deepEqual(c.upserts[0]!.route.asPath, [65001, 12000]);
    rib.apply('tun-2', withdraw('10.0.1.0/24', '10.9.9.0/24'), LIMITS);
    c = rib.takeChanges(4000);
    const withdrawn = { cause: 'bgp-withdraw', tunnelId: 'tun-2' };
    assert.deepEqual(c, { upserts: [], deleteKeys: ['VPN_BGP|10.0.1.0/24'], prefixes: new Map([['10.0.1.0/24', withdrawn]]),
      origins: new Map([['VPN_BGP|10.0.1.0/24', withdrawn]]) });
    rib.apply('tun-2', announce(attrs([65001]), '10.0.1.0/24'), LIMITS);
    assert.equal(rib.takeChanges(5000).upserts[0]!.route.createTime, 5000, 'learned anew');
  });

  test('single-tunnel rows carry no tunnel list; re-announcement replaces; nothing changed → nothing written', () => {
    const rib = new ConnectionRib('vco-s', ['vco-s'], false);
    rib.apply('vco-s', announce(attrs([1]), '10.0.0.0/8'), LIMITS);
    rib.apply('vco-s', announce(attrs([2]), '10.0.0.0/8'), LIMITS);
    const c = rib.takeChanges(1);
    assert.equal(c.upserts.length, 1);
    assert.equal(c.upserts[0]!.route.nextHopTunnelIds, null);
    assert.deepEqual(c.upserts[0]!.route.asPath, [2]);
    assert.deepEqual(rib.takeChanges(2), { upserts: [], deleteKeys: [], prefixes: new Map(), origins: new Map() });
  });

  test('policy refusals and the prefix limit: counted as received, not accepted; a refused re-announcement withdraws', () => {
    const rib = new ConnectionRib('vco-a', T, true);
    const out = rib.apply('tun-1', announce(attrs([1]), '0.0.0.0/0', '100.64.0.0/16', '10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24', '10.0.4.0/24'), LIMITS);
    assert.deepEqual(out, { refused: 2, overLimit: 1 });
    assert.deepEqual(rib.counts('tun-1'), { received: 6, accepted: 3 });
    assert.deepEqual(rib.takeChanges(1).upserts.map((u) => u.route.routeDest), ['10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24']);
    rib.apply('tun-1', withdraw('10.0.1.0/24'), LIMITS);
    assert.deepEqual(rib.apply('tun-1', announce(attrs([1]), '10.0.4.0/24'), LIMITS), { refused: 0, overLimit: 0 }, 'room again');
    assert.deepEqual(rib.counts('tun-1'), { received: 5, accepted: 3 });
    rib.takeChanges(2);
    rib.apply('tun-1', { announced: [], withdrawn: [], endOfRib: true }, LIMITS);
    assert.equal(rib.pendingChanges, 0);
    assert.deepEqual(rib.counts('tun-2'), { received: 0, accepted: 0 });
  });

  test('session-down causes: the tunnel-down and detach by name, anything else session-down', () => {
    assert.equal(sessionDownCause({ kind: 'closed-locally', cause: 'tunnel-down' }), 'tunnel-down');
    assert.equal(sessionDownCause({ kind: 'closed-locally', cause: 'deconfigured' }), 'detached');
    assert.equal(sessionDownCause({ kind: 'closed-locally', cause: 'shutdown' }), 'session-down');
    assert.equal(sessionDownCause({ kind: 'hold-timer-expired' }), 'session-down');
    assert.equal(sessionDownCause({ kind: 'notification-received', code: 6, subcode: 2 }), 'session-down');
    assert.equal(sessionDownCause({ kind: 'connection-closed' }), 'session-down');
  });

  test('requeue after a failed write; discard forgets without changes; batches bounded', () => {
    const rib = new ConnectionRib('vco-a', T, true);
    rib.apply('tun-1', announce(attrs([1]), '10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24'), LIMITS);
    const first = rib.takeChanges(1, 2);
    assert.equal(first.prefixes.size, 2);
    assert.equal(rib.pendingChanges, 1);
    rib.requeue(first.prefixes);
    assert.equal(rib.pendingChanges, 3);
    rib.discard();
    assert.equal(rib.pendingChanges, 0);
    assert.deepEqual(rib.counts('tun-1'), { received: 0, accepted: 0 });
  });
});

describe('CLOUD export', () => {
  const cloud = (dest: string, asPath: number[] = [], community = ''): RouteRecord => ({
    routeEntryType: 'bgp', routeDest: dest, nextHop: 'vco-a', weight: 100, source: 'CLOUD', asPath, community, nextHopTunnelIds: null, createTime: 0,
  });
  test('attributes: IGP, LocalAsn first, LocalBgpIp next hop, communities; equal attributes shared; VPN_BGP rows ignored', () => {
    const routes = [cloud('172.16.0.0/16'), cloud('172.17.0.0/16'), cloud('10.0.0.0/8', [64600], '64600:1'), { ...cloud('10.9.0.0/16'), source: 'VPN_BGP' as const }];
    const out = cloudAdvertisement(routes, { localAsn: 45104, nextHop: '169.254.10.1' });
    assert.deepEqual(out.map((r) => r.prefix), ['172.16.0.0/16', '172.17.0.0/16', '10.0.0.0/8']);
    assert.equal(out[0]!.attributes, out[1]!.attributes, 'one attributes object → one UPDATE');
    assert.deepEqual(out[2]!.attributes, { origin: 0, asPath: [{ type: 'sequence', asns: [45104, 64600] }], nextHop: '169.254.10.1', communities: [64600 * 65536 + 1], largeCommunities: [] });
  });
  test('difference: new and changed routes advertised, missing withdrawn, unchanged nothing', () => {
    const t = { localAsn: 45104, nextHop: '169.254.10.1' };
    const first = exportDiff(new Map(), cloudAdvertisement([cloud('172.16.0.0/16'), cloud('172.17.0.0/16')], t));
    assert.equal(first.advertise.length, 2);
    assert.deepEqual(first.withdraw, []);
    const second = exportDiff(first.sent, cloudAdvertisement([cloud('172.16.0.0/16', [1]), cloud('172.18.0.0/16')], t));
    assert.deepEqual(second.advertise.map((r) => r.prefix), ['172.16.0.0/16', '172.18.0.0/16']);
    assert.deepEqual(second.withdraw, ['172.17.0.0/16']);
    const third = exportDiff(second.sent, cloudAdvertisement([cloud('172.16.0.0/16', [1]), cloud('172.18.0.0/16')], t));
    assert.deepEqual([third.advertise, third.withdraw], [[], []]);
  });
});

describe('tunnel plan', () => {
  const bgp = (cidr: string, ip: string) => ({ localAsn: 45104, tunnelCidr: cidr, localBgpIp: ip });
  const dual = (over: Partial<ConnectionRecord> = {}): ConnectionRecord => ({
    connectionId: 'vco-a', accountId: '1', regionId: 'cn-hangzhou', state: 'attached', pendingState: null, pendingUntil: null, transitRouterId: 'tr-1',
    customerGatewayId: null, createTime: 0, attributes: { enableTunnelsBgp: true } as ConnectionRecord['attributes'],
    tunnels: [
      { tunnelId: 'tun-2', tunnelIndex: 2, status: 'ipsec_sa_not_established', customerGatewayId: 'cgw-2', options: { bgp: bgp('169.254.20.0/30', '169.254.20.2') } as any },
      { tunnelId: 'tun-1', tunnelIndex: 1, status: 'ipsec_sa_established', customerGatewayId: 'cgw-1', options: { bgp: bgp('169.254.10.0/30', '169.254.10.1') } as any },
    ],
    ...over,
  });
  const asn = (id: string) => (id === 'cgw-1' ? 65001 : 65002);
  test('dual-tunnel: one plan per tunnel in index order, peer = the other address of the /30, up = phase 2', () => {
    assert.deepEqual(bgpTunnels(dual(), asn, 0).map((p) => [p.tunnelId, p.peerBgpIp, p.peerAsn, p.up, p.dual]), [
      ['tun-1', '169.254.10.2', 65001, true, true], ['tun-2', '169.254.20.1', 65002, false, true],
    ]);
  });
  test('none unless attached/updating with tunnel BGP on and a gateway ASN', () => {
    assert.deepEqual(bgpTunnels(dual({ state: 'init' }), asn, 0), []);
    assert.deepEqual(bgpTunnels(dual({ pendingState: 'detaching', pendingUntil: 10 }), asn, 5), []);
    assert.equal(bgpTunnels(dual({ pendingState: 'updating', pendingUntil: 10 }), asn, 5).length, 2);
    assert.deepEqual(bgpTunnels(dual({ attributes: { enableTunnelsBgp: false } as ConnectionRecord['attributes'] }), asn, 0), []);
    assert.deepEqual(bgpTunnels(dual(), (id) => (id === 'cgw-1' ? null : 65002), 0).map((p) => p.tunnelId), ['tun-2']);
  });
  test('single-tunnel: its BgpConfig, its own ID as the tunnel', () => {
    const single = dual({ tunnels: [], customerGatewayId: 'cgw-1', attributes: { single: { bgp: { enableBgp: true, ...bgp('169.254.11.0/30', '169.254.11.1') } } } as any });
    assert.deepEqual(bgpTunnels(single, asn, 0).map((p) => [p.tunnelId, p.peerBgpIp, p.dual, p.up]), [['vco-a', '169.254.11.2', false, true]]);
  });
});

describe('speaker configuration', () => {
  test('defaults: off, port 179, 127.0.0.1 17900-18899, hold 30, 50 prefixes dropped past the limit, both refusals on', () => {
    assert.deepEqual(parseBgpConfig({}, {}), {
      mode: 'off', port: 179, loopbackHost: '127.0.0.1', loopbackFirstPort: 17900, loopbackLastPort: 18899, holdTimeSec: 30, maxPrefixes: 50,
      maxPrefixAction: 'drop', rejectDefaultRoute: true, rejectSharedAddressSpace: true,
    });
  });
  test('flags win over the environment', () => {
    const c = parseBgpConfig({ bgp: 'tunnel', bgpPort: '1179', bgpAcceptDefaultRoute: true },
      { VCOROUTE_BGP: 'loopback', VCOROUTE_BGP_PORT: '2179', VCOROUTE_BGP_LOOPBACK_PORTS: '100-200', VCOROUTE_BGP_MAX_PREFIX_ACTION: 'cease', VCOROUTE_BGP_ACCEPT_SHARED_ADDRESS_SPACE: '1' });
    assert.deepEqual([c.mode, c.port, c.loopbackFirstPort, c.loopbackLastPort, c.maxPrefixAction, c.rejectDefaultRoute, c.rejectSharedAddressSpace],
      ['tunnel', 1179, 100, 200, 'cease', false, false]);
  });
  for (const [options, env] of [
    [{ bgp: 'on' }, {}], [{}, { VCOROUTE_BGP_PORT: '70000' }], [{ bgpLoopbackPorts: '200-100' }, {}], [{ bgpLoopbackPorts: '17900' }, {}],
    [{ bgpHoldTime: '2' }, {}], [{ bgpMaxPrefixes: '0' }, {}], [{ bgpMaxPrefixAction: 'reset' }, {}], [{ bgpLoopbackHost: 'localhost' }, {}],
  ] as Array<[BgpOptions, NodeJS.ProcessEnv]>) {
    test(`refused: ${JSON.stringify({ ...options, ...env })}`, () => assert.throws(() => parseBgpConfig(options, env), BgpConfigError));
  }
});

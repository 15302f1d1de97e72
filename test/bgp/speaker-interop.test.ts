/**
 * Interop with ExaBGP, GoBGP and FRR in loopback mode (bgp.md §5.2–5.4): each daemon establishes a session
 * over tunnel 1 of its own connection, announces prefixes with AS paths and communities (ExaBGP: AS_SET and
 * large communities, single withdraws; GoBGP: per-prefix add/del; FRR: route-map with prepend and community),
 * the result is checked through the official SDK, then the daemon's own RIB for the CLOUD routes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hasCommand, randomHighPort, startExaBgp, startFrr, startGoBgp } from '../helpers/speaker-daemons';
import { createBgpConnection, learned, useLoopbackServer, waitFor, type BgpConnection } from '../helpers/bgp-scenario';

describe('BGP speaker interop (loopback mode)', () => {
  const suite = useLoopbackServer();


  /** A new connection with a CLOUD route; returns it and tunnel 1's port. */
  async function prepare(n: number): Promise<{ conn: BgpConnection; port: number }> {
    const conn = await createBgpConnection(suite.client, [`169.254.${30 + n}.0/30`, `169.254.${40 + n}.0/30`]);
    await suite.server.admin('POST', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/routes`, {
      routes: [{ routeEntryType: 'bgp', source: 'CLOUD', routeDest: '172.16.0.0/16', community: '64600:7' }],
    });
    const view = await waitFor('listener', () => suite.server.admin('GET', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`), (r) => r.body.tunnels?.[0]?.listen);
    return { conn, port: view.body.tunnels[0].listen.port };
  }
  const summary = (rows: Awaited<ReturnType<typeof learned>>) => rows.map((r) => [r.routeDest, r.asPath, r.community, r.nextHopTunnelIds.length]);

  test('ExaBGP: path as given (no peer AS), AS_SET, large communities, single withdraws; CLOUD routes in its receiver', { skip: !hasCommand('exabgp') && 'exabgp is not installed' }, async () => {
    const { conn, port } = await prepare(1);
    const exa = await startExaBgp(() => `neighbor 127.0.0.1 {
  router-id 10.255.0.4; local-address 127.0.0.4; local-as 65001; peer-as 45104;
  connect ${port}; hold-time 90;
  family { ipv4 unicast; }
  api to-feeder { processes [ feeder ]; }
  api to-receiver { processes [ receiver ]; receive { parsed; update; } neighbor-changes; }
}`);
    exa.command('announce route 10.30.1.0/24 next-hop self as-path [ 12000 ] community [ 65535:65510 ]');
    exa.command('announce route 10.30.2.0/24 next-hop 169.254.31.2 as-path [ 65001 12000 ( 64512 64513 ) ] community [ 65535:65510 ] large-community [ 65001:1:1 ]');
    const rows = await waitFor('ExaBGP routes', () => learned(suite.client, conn.connectionId), (r) => r.length === 2, 20_000);
    assert.deepEqual(summary(rows), [
      ['10.30.1.0/24', '[12000]', '65535:65510', 1],
      ['10.30.2.0/24', '[65001,12000,64512,64513]', '65535:65510 65001:1:1', 1],
    ]);
    assert.deepEqual(rows[0]!.nextHopTunnelIds, [conn.tunnelIds[0]]);
    exa.command('withdraw route 10.30.1.0/24');
    await waitFor('single withdraw', () => learned(suite.client, conn.connectionId), (r) => r.length === 1 && r[0]!.routeDest === '10.30.2.0/24', 5000);
    const update = await waitFor('CLOUD route at ExaBGP', async () => exa.received().find((m) => JSON.stringify(m).includes('172.16.0.0/16')), (m) => m !== undefined, 5000);
    const attribute = update.neighbor.message.update.attribute;
    assert.deepEqual(attribute['as-path'], [45104]);
    assert.deepEqual(attribute.community, [[64600, 7]]);
    assert.ok(update.neighbor.message.update.announce['ipv4 unicast']['169.254.31.1'], 'next hop LocalBgpIp');
    await exa.stop();
    await waitFor('routes gone after ExaBGP stopped (TCP close only)', () => learned(suite.client, conn.connectionId), (r) => r.length === 0, 5000);
  });

  test('GoBGP: per-prefix add/del with AS path, communities, large community and MED; CLOUD routes in its Adj-RIB-In', { skip: !hasCommand('gobgpd') && 'gobgpd is not installed' }, async () => {
    const { conn, port } = await prepare(2);
    const go = await startGoBgp(`[global.config]
  as = 65001
  router-id = "10.255.0.3"
  port = -1
[[neighbors]]
  [neighbors.config]
    neighbor-address = "127.0.0.1"
    peer-as = 45104
  [neighbors.transport.config]
    local-address = "127.0.0.3"
    remote-port = ${port}
  [neighbors.timers.config]
    hold-time = 90
    keepalive-interval = 30
    connect-retry = 2
  [neighbors.ebgp-multihop.config]
    enabled = true
    multihop-ttl = 2
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
`, randomHighPort());
    await waitFor('GoBGP established', () => go.gobgp('neighbor').catch(() => ''), (o) => /Establ/.test(o), 40_000, 500);
    await go.gobgp('global', 'rib', 'add', '10.20.1.0/24', 'nexthop', '169.254.32.2', 'community', '65535:65510', 'aspath', '12000', 'origin', 'igp');
    await go.gobgp('global', 'rib', 'add', '10.20.2.0/24', 'community', '65535:65510', 'large-community', '65001:1:2', 'med', '10');
    const rows = await waitFor('GoBGP routes', () => learned(suite.client, conn.connectionId), (r) => r.length === 2, 5000);
    assert.deepEqual(summary(rows), [['10.20.1.0/24', '[65001,12000]', '65535:65510', 1], ['10.20.2.0/24', '[65001]', '65535:65510 65001:1:2', 1]]);
    await go.gobgp('global', 'rib', 'del', '10.20.1.0/24');
    await waitFor('GoBGP withdraw', () => learned(suite.client, conn.connectionId), (r) => r.length === 1, 5000);
    const adjIn = await waitFor('CLOUD route at GoBGP', () => go.gobgp('neighbor', '127.0.0.1', 'adj-in'), (o) => o.includes('172.16.0.0/16'), 5000);
    assert.match(adjIn, /172\.16\.0\.0\/16\s+169\.254\.32\.1\s+45104\b/);
    await go.stop();
    await waitFor('routes gone after GoBGP stopped', () => learned(suite.client, conn.connectionId), (r) => r.length === 0, 5000);
  });

  test('FRR: route-map with prepend and community; withdraw by `no network`; CLOUD route in its RIB', { skip: !hasCommand('bgpd') && 'frr is not installed' }, async () => {
    const { conn, port } = await prepare(3);
    const frr = await startFrr(`hostname onprem-frr
ip prefix-list ONPREM seq 5 permit 10.40.0.0/16 le 24
route-map TO-CLOUD permit 10
 match ip address prefix-list ONPREM
 set community 65535:65510
 set as-path prepend 12000
router bgp 65001
 bgp router-id 10.255.0.6
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 127.0.0.1 remote-as 45104
 neighbor 127.0.0.1 port ${port}
 neighbor 127.0.0.1 update-source 127.0.0.6
 neighbor 127.0.0.1 ebgp-multihop 2
 neighbor 127.0.0.1 timers 30 90
 neighbor 127.0.0.1 timers connect 2
 address-family ipv4 unicast
  network 10.40.1.0/24
  network 10.40.2.0/24
  neighbor 127.0.0.1 route-map TO-CLOUD out
 exit-address-family
`, '127.0.0.6', randomHighPort());
    const rows = await waitFor('FRR routes', () => learned(suite.client, conn.connectionId), (r) => r.length === 2, 30_000, 250);
    assert.deepEqual(summary(rows), [['10.40.1.0/24', '[65001,12000]', '65535:65510', 1], ['10.40.2.0/24', '[65001,12000]', '65535:65510', 1]]);
    await frr.vtysh('configure terminal', 'router bgp 65001', 'address-family ipv4 unicast', 'no network 10.40.2.0/24');
    await waitFor('FRR withdraw', () => learned(suite.client, conn.connectionId), (r) => r.length === 1 && r[0]!.routeDest === '10.40.1.0/24', 5000);
    const rib = await waitFor('CLOUD route at FRR', () => frr.vtysh('show bgp ipv4 unicast 172.16.0.0/16'), (o) => o.includes('45104'), 5000);
    assert.match(rib, /45104/);
    assert.match(rib, /169\.254\.33\.1/);
    assert.match(rib, /Community: 64600:7/);
    await frr.stop();
    await waitFor('routes gone after FRR stopped', () => learned(suite.client, conn.connectionId), (r) => r.length === 0, 5000);
  });
});

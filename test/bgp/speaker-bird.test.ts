/**
 * The user story with BIRD 2 in loopback mode, checked through the official SDK and BIRD's own RIB: a
 * dual-tunnel connection with tunnel BGP, BIRD peering over both tunnels, announcing prefixes with a
 * prepend and a community; policy refusals; CLOUD routes advertised (and changed live); withdraw; tunnel
 * set down; session stopped; server stop sends Cease. Runs on VCOROUTE_TEST_BACKEND (sqlite / postgres).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as $Vpc from '@alicloud/vpc20160428';
import { hasCommand, randomHighPort, startBird, type Bird } from '../helpers/speaker-daemons';
import { createBgpConnection, learned, listBgpRoutes, useLoopbackServer, REGION, waitFor, type BgpConnection } from '../helpers/bgp-scenario';

const STATIC = ['10.10.1.0/24', '192.168.100.0/22', '0.0.0.0/0', '100.64.1.0/24'];

function birdConf(ports: [number, number], birdPort: number, routes: string[]): string {
  return `router id 10.255.0.2;
protocol device { }
protocol static onprem_routes {
  ipv4;
${routes.map((r) => `  route ${r} blackhole;`).join('\n')}
}
filter to_cloud { if proto = "onprem_routes" then { bgp_community.add((65535,65510)); bgp_path.prepend(12000); accept; } reject; }
template bgp tun { local as 65001; multihop; connect delay time 1; connect retry time 2; hold time 90; ipv4 { import all; export filter to_cloud; }; }
protocol bgp tunnel1 from tun { local 127.0.0.2 port ${birdPort} as 65001; neighbor 127.0.0.1 port ${ports[0]} as 45104; }
protocol bgp tunnel2 from tun { local 127.0.0.3 port ${birdPort} as 65001; neighbor 127.0.0.1 port ${ports[1]} as 45104; }
`;
}

describe('BGP speaker with BIRD (loopback mode)', { skip: !hasCommand('bird') && 'bird2 is not installed' }, () => {
  const suite = useLoopbackServer();
  let conn: BgpConnection;
  let bird: Bird;
  let ports: [number, number];
  const birdPort = randomHighPort();


  test('the admin view shows one loopback listener per tunnel', async () => {
    conn = await createBgpConnection(suite.client);
    const view = await waitFor('listeners', () => suite.server.admin('GET', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`),
      (r) => r.body.tunnels?.every((t: any) => t.listen !== null));
    assert.equal(view.status, 200);
    assert.equal(view.body.mode, 'loopback');
    assert.deepEqual(view.body.tunnels.map((t: any) => [t.tunnelId, t.tunnelIndex, t.localAsn, t.localBgpIp, t.peerBgpIp, t.peerAsn, t.tunnelCidr, t.session.state]), [
      [conn.tunnelIds[0], 1, 45104, '169.254.10.1', '169.254.10.2', 65001, '169.254.10.0/30', 'Idle'],
      [conn.tunnelIds[1], 2, 45104, '169.254.20.1', '169.254.20.2', 65001, '169.254.20.0/30', 'Idle'],
    ]);
    ports = view.body.tunnels.map((t: any) => t.listen.port);
    assert.equal(view.body.tunnels[0].listen.host, '127.0.0.1');
    assert.notEqual(ports[0], ports[1]);
    const seeded = await suite.server.admin('POST', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/routes`, {
      routes: [{ routeEntryType: 'bgp', source: 'CLOUD', routeDest: '172.16.0.0/16' }, { routeEntryType: 'bgp', source: 'CLOUD', routeDest: '10.0.0.0/8', asPath: [64600], community: '64600:1' }],
    });
    assert.equal(seeded.status, 200);
  });

  test('BIRD announces over both tunnels: listed within a second of Established, refusals left out, counted', async () => {
    bird = await startBird(birdConf(ports, birdPort, STATIC));
    await waitFor('both sessions established', () => bird.birdc('show', 'protocols'), (out) => (out.match(/Established/g) ?? []).length === 2, 20_000);
    const rows = await waitFor('learned routes', () => learned(suite.client, conn.connectionId), (r) => r.length === 2 && r.every((x) => x.nextHopTunnelIds.length === 2), 3000);
    for (const r of rows) {
      assert.equal(r.asPath, '[65001,12000]');
      assert.equal(r.community, '65535:65510');
      assert.equal(r.state, 'Active');
      assert.deepEqual(r.nextHopTunnelIds, conn.tunnelIds);
      assert.ok(Math.abs(r.createTime - Date.now()) < 60_000);
    }
    assert.deepEqual(rows.map((r) => r.routeDest), ['10.10.1.0/24', '192.168.100.0/22'], 'no 0.0.0.0/0, nothing in 100.64.0.0/10');
    const { counts } = await listBgpRoutes(suite.client, conn.connectionId);
    assert.equal(counts['bgp/VPN_BGP'], 2);
    assert.equal(counts['bgp/CLOUD'], 2);
    const view = (await suite.server.admin('GET', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`)).body;
    assert.deepEqual(view.tunnels.map((t: any) => [t.session.state, t.session.prefixesReceived, t.session.prefixesAccepted, t.session.prefixesAdvertised]), [
      ['Established', 4, 2, 2], ['Established', 4, 2, 2],
    ]);
    const metrics = await (await fetch(`${suite.server.baseUrl}/metrics`)).text();
    assert.match(metrics, /^vcoroute_bgp_sessions\{state="Established"\} 2$/m, 'metrics: two sessions up');
    assert.match(metrics, /^vcoroute_bgp_prefixes\{direction="accepted"\} 4$/m, 'metrics: 2 prefixes accepted per tunnel');
    assert.match(metrics, /^vcoroute_bgp_prefixes\{direction="advertised"\} 4$/m, 'metrics: 2 CLOUD routes sent per tunnel');
    const described = await suite.client.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: conn.connectionId }));
    for (const t of described.body!.tunnelOptionsSpecification!.tunnelOptions!) {
      assert.equal(t.tunnelBgpConfig!.bgpStatus, 'success');
      assert.equal(t.tunnelBgpConfig!.peerAsn, '65001');
    }
  });

  test("BIRD's RIB holds the CLOUD routes: AS path starting with LocalAsn, next hop LocalBgpIp; changes arrive live", async () => {
    const out = await waitFor('CLOUD routes in BIRD', () => bird.birdc('show', 'route', 'protocol', 'tunnel1', 'all'), (o) => o.includes('172.16.0.0/16') && o.includes('10.0.0.0/8'));
    assert.match(out, /172\.16\.0\.0\/16[\s\S]*?BGP\.as_path: 45104\n/);
    assert.match(out, /10\.0\.0\.0\/8[\s\S]*?BGP\.as_path: 45104 64600\n[\s\S]*?BGP\.community: \(64600,1\)/);
    assert.match(out, /BGP\.next_hop: 169\.254\.10\.1/);
    const out2 = await bird.birdc('show', 'route', 'protocol', 'tunnel2', 'all');
    assert.match(out2, /BGP\.next_hop: 169\.254\.20\.1/);
    await suite.server.admin('POST', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/routes`, { routes: [{ routeEntryType: 'bgp', source: 'CLOUD', routeDest: '172.17.0.0/16' }] });
    await waitFor('new CLOUD route in BIRD', () => bird.birdc('show', 'route', 'protocol', 'tunnel2'), (o) => o.includes('172.17.0.0/16'), 3000);
    await suite.server.admin('DELETE', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/routes?routeEntryType=bgp&source=CLOUD&routeDest=172.16.0.0/16`);
    await waitFor('withdrawn CLOUD route gone from BIRD', () => bird.birdc('show', 'route', 'protocol', 'tunnel1'), (o) => !o.includes('172.16.0.0/16'), 3000);
  });

  test('a withdraw removes the prefix; a tunnel set down leaves one tunnel listed; a stopped session removes the rest', async () => {
    await bird.reconfigure(birdConf(ports, birdPort, STATIC.filter((r) => r !== '192.168.100.0/22')));
    await waitFor('withdrawn prefix gone', () => learned(suite.client, conn.connectionId), (r) => r.length === 1 && r[0]!.routeDest === '10.10.1.0/24', 3000);
    const down = await suite.server.admin('PUT', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/tunnels/${conn.tunnelIds[1]}`, { status: 'ipsec_sa_not_established' });
    assert.equal(down.status, 200);
    const rows = await waitFor('one tunnel listed', () => learned(suite.client, conn.connectionId), (r) => r.length === 1 && r[0]!.nextHopTunnelIds.length === 1, 3000);
    assert.deepEqual(rows[0]!.nextHopTunnelIds, [conn.tunnelIds[0]]);
    const described = await suite.client.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: conn.connectionId }));
    assert.deepEqual(described.body!.tunnelOptionsSpecification!.tunnelOptions!.map((t) => t.tunnelBgpConfig!.bgpStatus), ['success', 'false']);
    await bird.birdc('disable', 'tunnel1');
    await waitFor('no learned routes', () => learned(suite.client, conn.connectionId), (r) => r.length === 0, 3000);
    assert.equal((await listBgpRoutes(suite.client, conn.connectionId)).counts['bgp/VPN_BGP'], 0);
  });

  test('the session comes back when re-enabled; stopping the server sends Cease (administrative shutdown)', async () => {
    await bird.birdc('enable', 'tunnel1');
    await waitFor('relearned', () => learned(suite.client, conn.connectionId), (r) => r.length === 1, 20_000);
    await suite.server.close();
    const out = await waitFor('BIRD saw the Cease', () => bird.birdc('show', 'protocols', 'all', 'tunnel1'), (o) => /Administrative shutdown/i.test(o), 5000);
    assert.match(out, /Received: Administrative shutdown/i);
  });
});

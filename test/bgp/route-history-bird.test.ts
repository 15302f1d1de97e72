/**
 * The route-change history of learned routes with a real BIRD 2 peer (loopback mode): prefixes announced over
 * both tunnels appear as Added (bgp-update, the tunnel they came over), a withdrawn one as Removed
 * (bgp-withdraw), a tunnel set down as Modified (tunnel-down: the row keeps only the other tunnel), and the
 * last session stopped as Removed (session-down), and the connection detached as Removed (detached); read through the official SDK (ListVcoRouteChanges) and
 * watched live (WatchVcoRouteChanges). Runs on VCOROUTE_TEST_BACKEND (sqlite / postgres).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import { hasCommand, randomHighPort, startBird, type Bird } from '../helpers/speaker-daemons';
import { createBgpConnection, useLoopbackServer, REGION, waitFor, type BgpConnection } from '../helpers/bgp-scenario';
import { encodeParams, signV1 } from '../helpers/http';
import { openSse, type SseStream } from '../helpers/sse';

const PREFIXES = ['10.10.1.0/24', '192.168.100.0/22'];

function birdConf(ports: [number, number], birdPort: number, routes: string[], prepend = false): string {
  return `router id 10.255.0.2;
protocol device { }
protocol static onprem_routes {
  ipv4;
${routes.map((r) => `  route ${r} blackhole;`).join('\n')}
}
filter to_cloud { if proto = "onprem_routes" then { ${prepend ? 'bgp_path.prepend(12000); ' : ''}accept; } reject; }
template bgp tun { local as 65001; multihop; connect delay time 1; connect retry time 2; hold time 90; ipv4 { import all; export filter to_cloud; }; }
protocol bgp tunnel1 from tun { local 127.0.0.2 port ${birdPort} as 65001; neighbor 127.0.0.1 port ${ports[0]} as 45104; }
protocol bgp tunnel2 from tun { local 127.0.0.3 port ${birdPort} as 65001; neighbor 127.0.0.1 port ${ports[1]} as 45104; }
`;
}

describe('route-change history of BGP-learned routes with BIRD', { skip: !hasCommand('bird') && 'bird2 is not installed' }, () => {
  const suite = useLoopbackServer();
  let conn: BgpConnection;
  let bird: Bird;
  let watch: SseStream;
  let ports: [number, number];
  const birdPort = randomHighPort();

  /** ListVcoRouteChanges through the official SDK's generic callApi, ascending after an EventId. */
  async function changes(after = 0): Promise<any[]> {
    const apiParams = new $OpenApiUtil.Params({ action: 'ListVcoRouteChanges', version: '2016-04-28', protocol: 'HTTPS', pathname: '/', method: 'POST',
      authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' });
    const query = { RegionId: REGION, VpnConnectionId: conn.connectionId, RouteEntryType: 'bgp', Source: 'VPN_BGP', AfterEventId: String(after), MaxResults: '100' };
    const res = await (suite.client as any).callApi(apiParams, new $OpenApiUtil.OpenApiRequest({ query: OpenApiUtil.query(query) }), {});
    return res.body.RouteChanges;
  }
  const brief = (events: any[]) => events.map((e) => `${e.ChangeType} ${e.RouteDest} ${e.Cause} ${e.TunnelId}`);

  test('announced over both tunnels: Added with bgp-update and the tunnel, then Modified when the second tunnel learns it', async () => {
    conn = await createBgpConnection(suite.client);
    const view = await waitFor('listeners', () => suite.server.admin('GET', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`),
      (r) => r.body.tunnels?.every((t: any) => t.listen !== null));
    ports = view.body.tunnels.map((t: any) => t.listen.port) as [number, number];
    const url = `${suite.server.baseUrl}/?${encodeParams(signV1({ Action: 'WatchVcoRouteChanges', RegionId: REGION, VpnConnectionId: conn.connectionId,
      RouteEntryType: 'bgp' }, { method: 'GET' }))}`;
    watch = await openSse(url);
    assert.equal(watch.status, 200);
    bird = await startBird(birdConf(ports, birdPort, PREFIXES));
    const events = await waitFor('both prefixes on both tunnels', () => changes(),
      (e) => PREFIXES.every((p) => e.some((x) => x.RouteDest === p && (x.New?.NextHopTunnelIdList ?? []).length === 2)), 20_000);
    for (const p of PREFIXES) {
      const first = events.find((e) => e.RouteDest === p)!;
      assert.equal(first.ChangeType, 'Added');
      assert.equal(first.Cause, 'bgp-update');
      assert.ok(conn.tunnelIds.includes(first.TunnelId), 'the tunnel it came over');
      assert.equal(first.New.AsPath, '[65001]');
      assert.equal(first.Source, 'VPN_BGP');
    }
    assert.ok(events.every((e) => e.Cause === 'bgp-update' && e.ChangeType !== 'Removed'));
    // the live watch saw the same events, in the same order
    const live: string[] = [];
    for (let i = 0; i < events.length; i++) live.push((await watch.next()).id);
    assert.deepEqual(live, events.map((e) => e.EventId));
  });

  test('a withdraw, a tunnel set down and a stopped session are recorded with their causes', async () => {
    let seen = Number((await changes()).at(-1).EventId);
    await bird.reconfigure(birdConf(ports, birdPort, PREFIXES.slice(0, 1)));
    const withdrawn = await waitFor('withdrawn', () => changes(seen), (e) => e.some((x) => x.ChangeType === 'Removed'), 5000);
    assert.deepEqual(brief(withdrawn.filter((e) => e.ChangeType === 'Removed')).map((s) => s.split(' ').slice(0, 3).join(' ')), ['Removed 192.168.100.0/22 bgp-withdraw']);
    assert.ok(withdrawn.every((e) => e.RouteDest === '192.168.100.0/22' && e.Cause === 'bgp-withdraw' && conn.tunnelIds.includes(e.TunnelId)));
    seen = Number(withdrawn.at(-1).EventId);

    const down = await suite.server.admin('PUT', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/tunnels/${conn.tunnelIds[1]}`, { status: 'ipsec_sa_not_established' });
    assert.equal(down.status, 200);
    const tunnelDown = await waitFor('tunnel-down', () => changes(seen), (e) => e.length > 0, 5000);
    assert.deepEqual(brief(tunnelDown), [`Modified 10.10.1.0/24 tunnel-down ${conn.tunnelIds[1]}`]);
    assert.deepEqual(tunnelDown[0].Old.NextHopTunnelIdList, conn.tunnelIds);
    assert.deepEqual(tunnelDown[0].New.NextHopTunnelIdList, [conn.tunnelIds[0]]);
    seen = Number(tunnelDown[0].EventId);

    await bird.birdc('disable', 'tunnel1');
    const stopped = await waitFor('session-down', () => changes(seen), (e) => e.length > 0, 5000);
    assert.deepEqual(brief(stopped), [`Removed 10.10.1.0/24 session-down ${conn.tunnelIds[0]}`]);
    // and the watch followed, with no gap
    const ids: string[] = [];
    while (ids.at(-1) !== stopped[0].EventId) ids.push((await watch.next()).id);
    assert.deepEqual(ids.map(Number), ids.map((_, i) => Number(ids[0]) + i));
    watch.disconnect();
  });

  test('an AS path changed by the peer is recorded as Modified (bgp-update); detaching the connection records the learned routes Removed (detached)', async () => {
    let seen = Number((await changes()).at(-1).EventId);
    await bird.birdc('enable', 'tunnel1');
    const relearned = await waitFor('relearned', () => changes(seen), (e) => e.some((x) => x.ChangeType === 'Added'), 20_000);
    assert.deepEqual(brief(relearned).map((s) => s.split(' ').slice(0, 3).join(' ')), ['Added 10.10.1.0/24 bgp-update']);
    seen = Number(relearned.at(-1).EventId);
    // An attribute change over a live session: the peer prepends its AS path.
    await bird.reconfigure(birdConf(ports, birdPort, PREFIXES.slice(0, 1), true));
    const changed = await waitFor('AS path changed', () => changes(seen), (e) => e.length > 0, 10_000);
    assert.deepEqual(brief(changed), [`Modified 10.10.1.0/24 bgp-update ${conn.tunnelIds[0]}`]);
    assert.equal(changed[0].Old.AsPath, '[65001]');
    assert.equal(changed[0].New.AsPath, '[65001,12000]');
    seen = Number(changed.at(-1).EventId);
    assert.equal((await suite.server.admin('POST', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/detach`)).status, 200);
    const detached = await waitFor('detached', () => changes(seen), (e) => e.length > 0, 10_000);
    assert.deepEqual(brief(detached).map((s) => s.split(' ').slice(0, 3).join(' ')), ['Removed 10.10.1.0/24 detached']);
    assert.equal(detached[0].New, null);
    assert.equal(detached[0].Old.AsPath, '[65001,12000]');
  });
});

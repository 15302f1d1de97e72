/**
 * BGP fault injection (/_vcoroute/v1/chaos/bgp) against BIRD 2 in loopback mode, seen at the peer (birdc, BIRD's
 * log), through the official VPC SDK (DescribeVcoRouteEntries, DescribeVpnConnection) and on /metrics:
 * drop (session down, learned routes withdrawn, refused while the rule lasts, back when it expires or is
 * deleted), flap (the configured number of resets), delay (CLOUD routes reach BIRD late; received UPDATEs are
 * learned late). Runs on VCOROUTE_TEST_BACKEND (sqlite / postgres).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import * as $Vpc from '@alicloud/vpc20160428';
import { hasCommand, randomHighPort, startBird, tempRunDir, type Bird } from '../helpers/speaker-daemons';
import { bgpFaultCount, createBgpConnection, learned, useLoopbackServer, REGION, waitFor, type BgpConnection } from '../helpers/bgp-scenario';

const LOG_DIR = tempRunDir('bird-log');
const BIRD_LOG = path.join(LOG_DIR, 'bird.log');

function birdConf(ports: [number, number], birdPort: number, routes: string[]): string {
  return `router id 10.255.0.2;
log "${BIRD_LOG}" all;
protocol device { }
protocol static onprem_routes {
  ipv4;
${routes.map((r) => `  route ${r} blackhole;`).join('\n')}
}
# BIRD's defaults otherwise (error wait time 60–300 s does not apply: a received Cease is not an error to BIRD).
template bgp tun { local as 65001; multihop; connect delay time 1; connect retry time 1; hold time 90;
  ipv4 { import all; export where proto = "onprem_routes"; }; }
protocol bgp tunnel1 from tun { local 127.0.0.2 port ${birdPort} as 65001; neighbor 127.0.0.1 port ${ports[0]} as 45104; }
protocol bgp tunnel2 from tun { local 127.0.0.3 port ${birdPort} as 65001; neighbor 127.0.0.1 port ${ports[1]} as 45104; }
`;
}

/** BIRD's view: `tunnel1 … Established` per protocol. */
async function birdStates(bird: Bird): Promise<Record<string, string>> {
  const out = await bird.birdc('show', 'protocols');
  return Object.fromEntries([...out.matchAll(/^(tunnel\d)\s+BGP\s+\S+\s+\S+\s+\S+\s+(\S+)/gm)].map((m) => [m[1]!, m[2]!]));
}

const bothUp = (s: Record<string, string>) => s.tunnel1 === 'Established' && s.tunnel2 === 'Established';

function birdLogCount(pattern: RegExp): number {
  return fs.existsSync(BIRD_LOG) ? fs.readFileSync(BIRD_LOG, 'utf8').split('\n').filter((l) => pattern.test(l)).length : 0;
}

const faultCount = bgpFaultCount;

describe('BGP fault injection with BIRD (loopback mode)', { skip: !hasCommand('bird') && 'bird2 is not installed' }, () => {
  const suite = useLoopbackServer();
  let conn: BgpConnection;
  let bird: Bird;
  let ports: [number, number];
  const birdPort = randomHighPort();
  const STATIC = ['10.10.1.0/24', '192.168.100.0/22'];
  const bgpStatus = async () => (await suite.client.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: conn.connectionId })))
    .body!.tunnelOptionsSpecification!.tunnelOptions!.map((t) => t.tunnelBgpConfig!.bgpStatus);
  const chaos = (method: string, body?: unknown) => suite.server.admin(method, '/_vcoroute/v1/chaos/bgp', body);

  test('setup: BIRD peers over both tunnels, routes learned and CLOUD routes advertised', async () => {
    conn = await createBgpConnection(suite.client);
    const view = await waitFor('listeners', () => suite.server.admin('GET', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`),
      (r) => r.body.tunnels?.every((t: any) => t.listen !== null));
    ports = view.body.tunnels.map((t: any) => t.listen.port);
    await suite.server.admin('POST', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/routes`, { routes: [{ routeEntryType: 'bgp', source: 'CLOUD', routeDest: '172.16.0.0/16' }] });
    bird = await startBird(birdConf(ports, birdPort, STATIC));
    await waitFor('both sessions established', () => birdStates(bird), bothUp, 20_000);
    await waitFor('learned routes on both tunnels', () => learned(suite.client, conn.connectionId), (r) => r.length === 2 && r.every((x) => x.nextHopTunnelIds.length === 2), 5000);
    await waitFor('CLOUD route in BIRD', () => bird.birdc('show', 'route', 'protocol', 'tunnel1'), (o) => o.includes('172.16.0.0/16'), 5000);
  });

  test('invalid rules get 400 naming the field; nothing is stored', async () => {
    for (const [body, field] of [
      [{ action: 'explode' }, /action/], [{ action: 'flap', count: 0, intervalSeconds: 5 }, /count/], [{ action: 'flap', count: 2 }, /intervalSeconds/],
      [{ action: 'delay', latency: 70_000 }, /latency/], [{ action: 'drop', latency: 5 }, /unknown field "latency"/], [{ action: 'delay', latency: 5, direction: 'up' }, /direction/],
    ] as const) {
      const res = await chaos('POST', [body]);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.body.error.message, field);
    }
    assert.deepEqual((await chaos('GET')).body, []);
  });

  test('drop on one tunnel: BIRD sees Administrative shutdown, that tunnel leaves the listed routes, refused until the rule is deleted', async () => {
    const posted = await chaos('POST', [{ action: 'drop', tunnelId: conn.tunnelIds[0] }]);
    assert.equal(posted.status, 200);
    assert.match(posted.body[0].id, /^bgp-/);
    assert.deepEqual({ ...posted.body[0], id: undefined }, { id: undefined, action: 'drop', tunnelId: conn.tunnelIds[0], expiresAt: null });
    await waitFor('tunnel1 down at BIRD', () => birdStates(bird), (s) => s.tunnel1 !== 'Established' && s.tunnel2 === 'Established', 5000);
    const rows = await waitFor('only tunnel2 listed', () => learned(suite.client, conn.connectionId), (r) => r.length === 2 && r.every((x) => x.nextHopTunnelIds.length === 1), 5000);
    assert.deepEqual(rows[0]!.nextHopTunnelIds, [conn.tunnelIds[1]]);
    assert.deepEqual(await bgpStatus(), ['false', 'success']);
    assert.match(await bird.birdc('show', 'protocols', 'all', 'tunnel1'), /Received: Administrative shutdown/);
    // BIRD retries every second and is refused while the rule stands.
    await waitFor('a refused reconnect', () => faultCount(suite.server.baseUrl, 'refuse'), (n) => n >= 1, 8000);
    assert.notEqual((await birdStates(bird)).tunnel1, 'Established');
    assert.equal(await faultCount(suite.server.baseUrl, 'drop'), 1);
    assert.deepEqual((await chaos('DELETE', [{ action: 'drop', tunnelId: conn.tunnelIds[0] }])).body, []);
    await waitFor('tunnel1 back', () => birdStates(bird), bothUp, 15_000);
    await waitFor('both tunnels listed again', () => learned(suite.client, conn.connectionId), (r) => r.length === 2 && r.every((x) => x.nextHopTunnelIds.length === 2), 5000);
    assert.deepEqual(await bgpStatus(), ['success', 'success']);
  });

  test('drop on the connection with an expiry: every learned route leaves DescribeVcoRouteEntries, and returns after expiry', async () => {
    const before = await faultCount(suite.server.baseUrl, 'drop');
    await chaos('POST', [{ action: 'drop', vpnConnectionId: conn.connectionId, expiresInSeconds: 4 }]);
    const t0 = Date.now();
    await waitFor('no learned routes', () => learned(suite.client, conn.connectionId), (r) => r.length === 0, 5000);
    await waitFor('both down at BIRD', () => birdStates(bird), (s) => s.tunnel1 !== 'Established' && s.tunnel2 !== 'Established', 5000);
    assert.deepEqual(await bgpStatus(), ['false', 'false']);
    assert.equal(await faultCount(suite.server.baseUrl, 'drop'), before + 2);
    await waitFor('both back after the expiry', () => birdStates(bird), bothUp, 20_000);
    assert.ok(Date.now() - t0 >= 4000, 'not before the rule expired');
    await waitFor('routes listed again', () => learned(suite.client, conn.connectionId), (r) => r.length === 2 && r.every((x) => x.nextHopTunnelIds.length === 2), 5000);
    assert.deepEqual((await chaos('GET')).body, [], 'the expired rule is not listed');
  });

  test('flap: count resets intervalSeconds apart, counted at BIRD (Administrative reset) and in metrics; then it stays up', async () => {
    const resetsBefore = birdLogCount(/tunnel2: Received: Administrative reset/);
    const flapsBefore = await faultCount(suite.server.baseUrl, 'flap');
    await chaos('POST', [{ action: 'flap', tunnelId: conn.tunnelIds[1], count: 3, intervalSeconds: 5 }]);
    const t0 = Date.now();
    await waitFor('three resets at BIRD', async () => birdLogCount(/tunnel2: Received: Administrative reset/) - resetsBefore, (n) => n >= 3, 20_000, 200);
    const took = Date.now() - t0;
    assert.ok(took >= 10_000, `the third reset comes two intervals after the first (${took} ms)`);
    await waitFor('tunnel2 back', () => birdStates(bird), bothUp, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 6000)); // a fourth interval passes: no further reset
    assert.equal(birdLogCount(/tunnel2: Received: Administrative reset/) - resetsBefore, 3);
    assert.equal(birdLogCount(/tunnel1: Received: Administrative reset/), 0, 'the other tunnel is untouched');
    assert.equal(await faultCount(suite.server.baseUrl, 'flap') - flapsBefore, 3);
    assert.ok(bothUp(await birdStates(bird)));
    await chaos('DELETE');
  });

  test('delay out: a new CLOUD route reaches BIRD on the delayed tunnel at least `latency` ms later than on the other', async () => {
    await waitFor('routes settled', () => learned(suite.client, conn.connectionId), (r) => r.length === 2 && r.every((x) => x.nextHopTunnelIds.length === 2), 10_000);
    const before = await faultCount(suite.server.baseUrl, 'delay-out');
    await chaos('POST', [{ action: 'delay', tunnelId: conn.tunnelIds[0], direction: 'out', latency: 1500, jitter: 200 }]);
    const t0 = performance.now();
    await suite.server.admin('POST', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/routes`, { routes: [{ routeEntryType: 'bgp', source: 'CLOUD', routeDest: '172.17.0.0/16' }] });
    await waitFor('undelayed tunnel2 has it', () => bird.birdc('show', 'route', 'protocol', 'tunnel2'), (o) => o.includes('172.17.0.0/16'), 5000, 20);
    const undelayed = performance.now() - t0;
    await waitFor('delayed tunnel1 has it', () => bird.birdc('show', 'route', 'protocol', 'tunnel1'), (o) => o.includes('172.17.0.0/16'), 8000, 20);
    const delayed = performance.now() - t0;
    console.log(`CLOUD route at BIRD: undelayed tunnel ${undelayed.toFixed(0)} ms, delayed tunnel (latency 1500 + jitter < 200) ${delayed.toFixed(0)} ms`);
    assert.ok(undelayed < 1500, `undelayed ${undelayed.toFixed(0)} ms`);
    assert.ok(delayed >= 1500 && delayed < 5000, `delayed ${delayed.toFixed(0)} ms`);
    assert.ok(await faultCount(suite.server.baseUrl, 'delay-out') > before);
    await chaos('DELETE');
  });

  test('delay in: a prefix BIRD announces is listed no sooner than `latency` ms after it was sent', async () => {
    const before = await faultCount(suite.server.baseUrl, 'delay-in');
    await chaos('POST', [{ action: 'delay', vpnConnectionId: conn.connectionId, direction: 'in', latency: 2000 }]);
    const t0 = performance.now();
    await bird.reconfigure(birdConf(ports, birdPort, [...STATIC, '10.20.0.0/16']));
    await waitFor('BIRD exports it', () => bird.birdc('show', 'route', 'export', 'tunnel1'), (o) => o.includes('10.20.0.0/16'), 5000, 20);
    const sent = performance.now() - t0;
    await waitFor('listed', () => learned(suite.client, conn.connectionId), (r) => r.some((x) => x.routeDest === '10.20.0.0/16'), 8000, 50);
    const listed = performance.now() - t0;
    console.log(`announced prefix: exported by BIRD after ${sent.toFixed(0)} ms, listed after ${listed.toFixed(0)} ms (latency 2000)`);
    assert.ok(listed >= 2000, `listed after ${listed.toFixed(0)} ms`);
    // Without the fault a prefix is listed within ~100 ms of BIRD exporting it (`sent` is polled, so late by up to a birdc call).
    assert.ok(listed - sent >= 1500, `listed ${(listed - sent).toFixed(0)} ms after BIRD exported it`);
    assert.ok(await faultCount(suite.server.baseUrl, 'delay-in') > before);
    assert.ok(bothUp(await birdStates(bird)), 'the sessions stay up while UPDATEs are held');
    await chaos('DELETE');
  });
});

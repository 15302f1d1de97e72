/**
 * Tunnel-address mode on port 179 in the dual-tunnel namespace topology (bgp.md §5.5): the server runs inside
 * a "cloud" namespace holding both tunnels' LocalBgpIp on veth pairs, BIRD in an "onprem" namespace peers with
 * 169.254.10.1 and 169.254.20.1 with the configuration a customer deploys (no multihop, port 179). The SDK
 * reaches the server over one more veth pair from the root namespace. Needs root (ip netns); SQLite only (the
 * cloud namespace cannot reach a PostgreSQL on the root namespace's loopback).
 * Namespaces and daemons are removed even when a step fails; leftovers of killed runs are removed first.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import * as $Vpc from '@alicloud/vpc20160428';
import { hasCommand, startBird, stopAllDaemons, tempRunDir, type Bird } from '../helpers/speaker-daemons';
import { createBgpConnection, learned, REGION, waitFor, type BgpConnection } from '../helpers/bgp-scenario';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import type { TestServer } from '../helpers/server';
import { vpcClient, type VpcClient } from '../helpers/vpc-client';
import { createTunnelTopology, ip, type TunnelTopology } from '../helpers/netns';

const canRun = process.getuid?.() === 0 && hasCommand('bird') && hasCommand('ip');

describe('BGP speaker in tunnel-address mode, dual tunnel, network namespaces', { skip: !canRun && 'needs root, ip and bird2' }, () => {
  let topology: TunnelTopology | undefined;
  let cloud = '';
  let server: ServerProcess | undefined;
  let client: VpcClient;
  let conn: BgpConnection;
  let bird: Bird;

  before(async () => {
    topology = createTunnelTopology('vcrbgp');
    cloud = topology.cloud;
    server = await startServerProcess(
      ['--host', topology.apiHost, '--allow-dev-credentials', '--data', tempRunDir('netns-data'), '--bgp', 'tunnel', '--auto-attach', '--change-delay-ms', '0'],
      { VCOROUTE_DATABASE_URL: '', VCOROUTE_LOG_LEVEL: 'info' }, ['ip', 'netns', 'exec', cloud],
    );
    client = vpcClient({ endpoint: server.endpoint } as TestServer);
  });

  after(async () => {
    if (process.env.VCOROUTE_TEST_SHOW_LOGS) process.stderr.write(server?.stderr() ?? '');
    await stopAllDaemons();
    await server?.stop();
    topology?.remove();
  });

  test('each tunnel listens on its LocalBgpIp:179', async () => {
    conn = await createBgpConnection(client, ['169.254.10.0/30', '169.254.20.0/30']);
    const view = await waitFor('listeners', () => server!.admin('GET', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`),
      (r) => r.body.tunnels?.every((t: any) => t.listen !== null));
    assert.equal(view.body.mode, 'tunnel');
    assert.deepEqual(view.body.tunnels.map((t: any) => t.listen), [{ host: '169.254.10.1', port: 179 }, { host: '169.254.20.1', port: 179 }]);
  });

  test('both tunnels up → both tunnel IDs listed; one session stopped → one; both down → no VPN_BGP routes', async () => {
    bird = await startBird(`router id 10.255.0.2;
protocol device { }
protocol static onprem_routes { ipv4; route 10.10.1.0/24 blackhole; route 192.168.100.0/22 blackhole; }
filter to_cloud { if proto = "onprem_routes" then { bgp_community.add((65535,65510)); accept; } reject; }
template bgp tun { local as 65001; connect delay time 1; connect retry time 2; ipv4 { import all; export filter to_cloud; }; }
protocol bgp tunnel1 from tun { neighbor 169.254.10.1 as 45104; }
protocol bgp tunnel2 from tun { neighbor 169.254.20.1 as 45104; }
`, topology!.onprem);
    const diagnose = async () => {
      if (!process.env.VCOROUTE_TEST_SHOW_LOGS) return;
      process.stderr.write(ip('netns', 'exec', cloud, 'ss', '-tn'));
      process.stderr.write(await bird.birdc('show', 'protocols', 'all'));
      process.stderr.write(JSON.stringify((await server!.admin('GET', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`)).body, null, 1));
    };
    const both = await waitFor('both tunnels listed', () => learned(client, conn.connectionId), (r) => r.length === 2 && r.every((x) => x.nextHopTunnelIds.length === 2), 30_000, 250);
    assert.deepEqual(both.map((r) => [r.routeDest, r.asPath, r.community]), [['10.10.1.0/24', '[65001]', '65535:65510'], ['192.168.100.0/22', '[65001]', '65535:65510']]);
    assert.deepEqual(both[0]!.nextHopTunnelIds, conn.tunnelIds);
    const described = await client.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: conn.connectionId }));
    assert.deepEqual(described.body!.tunnelOptionsSpecification!.tunnelOptions!.map((t) => [t.tunnelBgpConfig!.bgpStatus, t.tunnelBgpConfig!.peerBgpIp]),
      [['success', '169.254.10.2'], ['success', '169.254.20.2']]);
    const rib = await waitFor('CLOUD next hops', () => bird.birdc('show', 'protocols'), (o) => (o.match(/Established/g) ?? []).length === 2);
    assert.ok(rib);

    assert.match(await bird.birdc('disable', 'tunnel2'), /disabled/);
    const one = await waitFor('one tunnel listed', () => learned(client, conn.connectionId), (r) => r.length === 2 && r.every((x) => x.nextHopTunnelIds.length === 1), 5000)
      .catch(async (err: unknown) => {
        await diagnose();
        throw err;
      });
    assert.deepEqual(one[0]!.nextHopTunnelIds, [conn.tunnelIds[0]]);
    assert.match(await bird.birdc('disable', 'tunnel1'), /disabled/);
    await waitFor('no VPN_BGP routes', () => learned(client, conn.connectionId), (r) => r.length === 0, 5000);
  });

  test('CLOUD routes reach BIRD via each tunnel: next hop LocalBgpIp, installed as unicast', async () => {
    await server!.admin('POST', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/routes`, { routes: [{ routeEntryType: 'bgp', source: 'CLOUD', routeDest: '172.16.0.0/16' }] });
    await bird.birdc('enable', 'tunnel1');
    await bird.birdc('enable', 'tunnel2');
    const out = await waitFor('CLOUD route via both tunnels', () => bird.birdc('show', 'route', '172.16.0.0/16', 'all').catch(() => ''), (o) => o.includes('169.254.10.1') && o.includes('169.254.20.1'), 20_000, 250);
    assert.match(out, /via 169\.254\.10\.1 on /);
    assert.match(out, /BGP\.as_path: 45104/);
  });

  test('a connection from another address than PeerBgpIp is refused with Cease 6/5', () => {
    // From inside the cloud namespace the source is 169.254.10.1 itself, not the peer's 169.254.10.2.
    const script = `const s = require('net').connect({ host: '169.254.10.1', port: 179 }); let d = Buffer.alloc(0);
      s.on('data', (c) => (d = Buffer.concat([d, c]))); s.on('error', () => undefined); s.setTimeout(5000, () => s.destroy());
      s.on('close', () => process.stdout.write(d.toString('hex')));`;
    const hex = execFileSync('ip', ['netns', 'exec', cloud, process.execPath, '-e', script], { timeout: 10_000 }).toString();
    const data = Buffer.from(hex, 'hex');
    const types: string[] = [];
    for (let at = 0; at + 19 <= data.length; at += data.readUInt16BE(at + 16)) {
      types.push(data[at + 18] === 3 ? `NOTIFICATION ${data[at + 19]}/${data[at + 20]}` : `type ${data[at + 18]}`);
    }
    assert.ok(types.includes('NOTIFICATION 6/5'), types.join(', '));
  });
});

/**
 * The per-tunnel prefix limit with BIRD, both actions: drop (default: the first N prefixes are kept, the
 * session stays up) and cease (Cease 6/1, "maximum number of prefixes reached").
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { hasCommand, randomHighPort, startBird, stopAllDaemons } from '../helpers/speaker-daemons';
import { createBgpConnection, learned, loopbackServerEnv, waitFor } from '../helpers/bgp-scenario';
import { startTestServer, type TestServer } from '../helpers/server';
import { vpcClient } from '../helpers/vpc-client';

function birdConf(port: number, routes: string[]): string {
  return `router id 10.255.0.2;
protocol device { }
protocol static onprem_routes { ipv4; ${routes.map((r) => `route ${r} blackhole;`).join(' ')} }
protocol bgp tunnel1 { local 127.0.0.2 port ${randomHighPort()} as 65001; neighbor 127.0.0.1 port ${port} as 45104; multihop; connect delay time 1;
  connect retry time 1; error wait time 30, 60; ipv4 { import all; export where proto = "onprem_routes"; }; }
`;
}

describe('BGP prefix limit (loopback mode, BIRD)', { skip: !hasCommand('bird') && 'bird2 is not installed' }, () => {
  const servers: TestServer[] = [];
  after(async () => {
    await stopAllDaemons();
    for (const s of servers) await s.close();
  });

  async function setUp(env: Record<string, string>) {
    const server = await startTestServer(undefined, { ...loopbackServerEnv(), ...env });
    servers.push(server);
    const client = vpcClient(server);
    const conn = await createBgpConnection(client);
    const view = await waitFor('listener', () => server.admin('GET', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`), (r) => r.body.tunnels?.[0]?.listen);
    return { server, client, conn, port: view.body.tunnels[0].listen.port as number };
  }

  test('drop: the first prefixes up to the limit are listed, the rest counted as received only; the session stays up', async () => {
    const { server, client, conn, port } = await setUp({ VCOROUTE_BGP_MAX_PREFIXES: '2' });
    const bird = await startBird(birdConf(port, ['10.1.1.0/24', '10.1.2.0/24', '10.1.3.0/24']));
    await waitFor('two listed', () => learned(client, conn.connectionId), (r) => r.length === 2, 20_000, 250);
    const view = (await server.admin('GET', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`)).body;
    assert.deepEqual([view.tunnels[0].session.state, view.tunnels[0].session.prefixesReceived, view.tunnels[0].session.prefixesAccepted], ['Established', 3, 2]);
    assert.match(await bird.birdc('show', 'protocols', 'tunnel1'), /Established/);
    await bird.stop();
  });

  test('cease: Cease 6/1 past the limit, nothing listed', async () => {
    const { client, conn, port } = await setUp({ VCOROUTE_BGP_MAX_PREFIXES: '2', VCOROUTE_BGP_MAX_PREFIX_ACTION: 'cease' });
    const bird = await startBird(birdConf(port, ['10.1.1.0/24', '10.1.2.0/24', '10.1.3.0/24']));
    const out = await waitFor('BIRD saw the Cease', () => bird.birdc('show', 'protocols', 'all', 'tunnel1'), (o) => /Maximum number of prefixes reached/i.test(o), 20_000, 250);
    assert.match(out, /Received: Maximum number of prefixes reached/i);
    await waitFor('nothing listed', () => learned(client, conn.connectionId), (r) => r.length === 0, 3000);
  });
});

/**
 * SIGTERM mid-load, as an operator or an orchestrator sends it, on both backends: the server stops accepting,
 * every request in flight is answered, the store is closed and the process exits 0; requests that outlive
 * --shutdown-timeout-ms are cut and the process still exits 0 within the bound; with the BGP speaker on, a
 * real router (BIRD) receives Cease (administrative shutdown) before the process exits.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import * as $Vpc from '@alicloud/vpc20160428';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '../helpers/backends';
import { createBgpConnection, learned, loopbackServerEnv, waitFor } from '../helpers/bgp-scenario';
import { hasCommand, randomHighPort, startBird, stopAllDaemons } from '../helpers/speaker-daemons';
import { tempDataDir, type TestServer } from '../helpers/server';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { vpcClient } from '../helpers/vpc-client';

const REGION = 'cn-hangzhou';
const CONN = 'vco-shutdown01';

const describeRoutes = (server: ServerProcess) =>
  vpcClient({ endpoint: server.endpoint } as TestServer, { readTimeout: 20_000 }).describeVcoRouteEntries(
    new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: CONN, routeEntryType: 'custom' }),
  );

async function exitOf(server: ServerProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  while (!server.exited()) await new Promise((resolve) => setTimeout(resolve, 20));
  return server.exited()!;
}

function connects(endpoint: string): Promise<boolean> {
  const [host, port] = [endpoint.slice(0, endpoint.lastIndexOf(':')), Number(endpoint.slice(endpoint.lastIndexOf(':') + 1))];
  return new Promise((resolve) => {
    const socket = net.connect(port, host, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

async function loaded(args: string[], latencyMs: number): Promise<ServerProcess> {
  const server = await startServerProcess(args, { VCOROUTE_LOG_LEVEL: 'info' });
  assert.equal((await server.admin('PUT', `/_vcoroute/v1/vpn-connections/${CONN}`, { regionId: REGION, state: 'attached', transitRouterId: 'tr-s1' })).status, 201);
  // every DescribeVcoRouteEntries takes latencyMs: requests are surely in flight when the signal comes
  assert.equal((await server.admin('POST', '/_vcoroute/v1/chaos/effects', [{ operation: 'DescribeVcoRouteEntries', latency: latencyMs }])).status, 200);
  return server;
}

function suite(name: string, storeArgs: () => Promise<string[]>, skip?: string): void {
  describe(`graceful shutdown (${name})`, { skip }, () => {
    test('SIGTERM mid-load: every request in flight is answered 200, new connections are refused, exit 0', async () => {
      const server = await loaded(await storeArgs(), 2500);
      const calls = Array.from({ length: 20 }, () => describeRoutes(server).then((r) => r.statusCode, (err: any) => `${err.code ?? err.message}`));
      // signal only once all 20 are inside the server (a loaded machine may take a while to connect them)
      const waitStart = Date.now();
      for (let inFlight = 0; inFlight < 20; ) {
        assert.ok(Date.now() - waitStart < 15_000, `only ${inFlight} requests reached the server`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
        inFlight = Number(/^vcoroute_http_requests_in_flight (\d+)/m.exec(metrics)?.[1] ?? 0);
      }
      const t0 = Date.now();
      server.child.kill('SIGTERM');
      // the listener closes as soon as the process handles the signal (well before the requests finish)
      let accepting = true;
      while (accepting && Date.now() - t0 < 2000) {
        accepting = await connects(server.endpoint);
        if (accepting) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      assert.equal(accepting, false, 'no longer accepting');
      assert.deepEqual(await Promise.all(calls), Array(20).fill(200));
      assert.deepEqual(await exitOf(server), { code: 0, signal: null });
      assert.ok(Date.now() - t0 < 5000, 'exited soon after the last answer');
      assert.match(server.stderr(), /"msg":"stopped"/);
    });

    test('SIGTERM with a BGP session up: BIRD receives Cease (administrative shutdown); exit 0', { skip: !hasCommand('bird') && 'bird2 is not installed' }, async () => {
      const server = await startServerProcess(await storeArgs(), { ...loopbackServerEnv(), VCOROUTE_LOG_LEVEL: 'info' });
      try {
        const client = vpcClient({ endpoint: server.endpoint } as TestServer);
        const conn = await createBgpConnection(client);
        const view = await waitFor('listeners', () => server.admin('GET', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`),
          (r) => r.body.tunnels?.every((t: any) => t.listen !== null));
        const bird = await startBird(`router id 10.255.0.2;
protocol device { }
protocol static onprem { ipv4; route 10.30.0.0/24 blackhole; }
protocol bgp tunnel1 { local 127.0.0.2 port ${randomHighPort()} as 65001; neighbor 127.0.0.1 port ${view.body.tunnels[0].listen.port} as 45104;
  multihop; connect delay time 1; connect retry time 2; ipv4 { import all; export where proto = "onprem"; }; }
`);
        await waitFor('the session up and its route learned', () => learned(client, conn.connectionId), (r) => r.length === 1, 20_000);
        server.child.kill('SIGTERM');
        assert.deepEqual(await exitOf(server), { code: 0, signal: null });
        const out = await waitFor('BIRD saw the Cease', () => bird.birdc('show', 'protocols', 'all', 'tunnel1'), (o) => /Received: Administrative shutdown/i.test(o), 5000);
        assert.match(out, /Received: Administrative shutdown/i);
        assert.match(server.stderr(), /"msg":"stopped"/);
      } finally {
        await stopAllDaemons();
        if (!server.exited()) await server.stop();
      }
    });

    test('a request outliving --shutdown-timeout-ms is cut; the process still exits 0 within the bound', async () => {
      const server = await loaded([...(await storeArgs()), '--shutdown-timeout-ms', '300'], 5000);
      const call = describeRoutes(server).then(() => 'answered', () => 'cut');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const t0 = Date.now();
      server.child.kill('SIGTERM');
      assert.deepEqual(await exitOf(server), { code: 0, signal: null });
      assert.ok(Date.now() - t0 < 3000, `exited ${Date.now() - t0} ms after the signal`);
      assert.equal(await call, 'cut');
    });
  });
}

const databases: TestDatabase[] = [];
after(async () => {
  for (const db of databases) await db.drop();
});

describe('graceful shutdown', async () => {
  const pgSkip = await postgresSkipReason();
  suite('sqlite', async () => ['--data', tempDataDir()]);
  suite('postgres', async () => {
    const db = await createTestDatabase();
    databases.push(db);
    return ['--database', db.url];
  }, pgSkip);
});

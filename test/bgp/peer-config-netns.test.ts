/**
 * `vcoroute peer-config --bgp tunnel` in the deployment topology (bgp.md §5.5, helpers/netns.ts): the server
 * in a "cloud" namespace listening on each tunnel's LocalBgpIp:179, the router in an "onprem" namespace on
 * the tunnels' /30s, running the rendered configuration unchanged — no multihop, port 179, from PeerBgpIp.
 * Each daemon in turn: both tunnels listed for its prefix. Needs root, ip and the daemons; SQLite only (the
 * cloud namespace cannot reach a PostgreSQL on the root namespace's loopback). Cleans up even on failure.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { PEER_CONFIG_FORMATS } from '../../src/bgp/peer-config';
import { createBgpConnection, learned, waitFor } from '../helpers/bgp-scenario';
import { daemonMissing } from '../helpers/daemon-check';
import { runDaemon, stopPeerDaemons } from '../helpers/daemon-run';
import { createTunnelTopology, type TunnelTopology } from '../helpers/netns';
import type { TestServer } from '../helpers/server';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { hasCommand, tempRunDir } from '../helpers/speaker-daemons';
import { vpcClient, type VpcClient } from '../helpers/vpc-client';

const canRun = process.getuid?.() === 0 && hasCommand('ip');

describe('peer-config in tunnel-address mode, dual tunnel, network namespaces', { skip: !canRun && 'needs root and ip' }, () => {
  const dataDir = tempRunDir('peer-config-netns');
  let topology: TunnelTopology | undefined;
  let server: ServerProcess | undefined;
  let client: VpcClient;

  before(async () => {
    topology = createTunnelTopology('vcrpc');
    server = await startServerProcess(
      ['--host', topology.apiHost, '--allow-dev-credentials', '--data', dataDir, '--bgp', 'tunnel', '--auto-attach', '--change-delay-ms', '0'],
      { VCOROUTE_DATABASE_URL: '', VCOROUTE_LOG_LEVEL: 'warn' }, ['ip', 'netns', 'exec', topology.cloud],
    );
    client = vpcClient({ endpoint: server.endpoint } as TestServer);
  });
  after(async () => {
    await stopPeerDaemons();
    await server?.stop();
    topology?.remove();
  });

  for (const format of PEER_CONFIG_FORMATS) {
    test(`${format}: both tunnels on port 179, the example prefix listed over both`, { skip: daemonMissing(format) }, async () => {
      const conn = await createBgpConnection(client);
      let stopDaemon = async () => undefined as void;
      try {
        await waitFor('listeners on LocalBgpIp:179', () => server!.admin('GET', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`),
          (r) => r.body.tunnels?.every((t: { listen: unknown }) => t.listen !== null), 15_000, 250);
        const rendered = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'peer-config', conn.connectionId, '--format', format, '--bgp', 'tunnel', '--data', dataDir],
          { encoding: 'utf8', timeout: 30_000, env: { ...process.env, VCOROUTE_DATABASE_URL: '' } });
        assert.equal(rendered.status, 0, rendered.stderr);
        const settings = rendered.stdout.split('\n').filter((l) => !/^\s*[#!]/.test(l)).join('\n');
        assert.doesNotMatch(settings, /multihop|\bport\b/, 'directly connected, default port');
        const daemon = await runDaemon(format, rendered.stdout, ['192.0.2.0/24'], topology!.onprem);
        stopDaemon = daemon.stop;
        const rows = await waitFor('192.0.2.0/24 over both tunnels', () => learned(client, conn.connectionId),
          (r) => r.length === 1 && r[0]!.nextHopTunnelIds.length === 2, 40_000, 250)
          .catch(async (err: unknown) => {
            throw new Error(`${String(err)}\n${await daemon.status().catch(String)}\n${server!.stderr().slice(-2000)}`);
          });
        assert.deepEqual([rows[0]!.routeDest, rows[0]!.asPath, rows[0]!.nextHopTunnelIds], ['192.0.2.0/24', '[65001]', conn.tunnelIds]);
      } finally {
        // the next daemon's connection takes the same LocalBgpIp:179
        await stopDaemon();
        await server!.admin('POST', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/detach`);
        await waitFor('listeners closed', () => server!.admin('GET', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`),
          (r) => (r.body.tunnels ?? []).every((t: { listen: unknown }) => t.listen === null), 15_000, 250);
      }
    });
  }
});

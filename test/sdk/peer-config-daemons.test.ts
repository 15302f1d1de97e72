/**
 * `vcoroute peer-config` against the real speaker and real daemons, each running the rendered configuration
 * unchanged. The README's "Peer your router" story first: `vcoroute serve --bgp loopback`, a customer
 * gateway and a dual-tunnel BGP connection through the official SDK, `peer-config --format bird` given to
 * BIRD; both sessions come up and the SDK lists the example prefix as VPN_BGP over both tunnels with live
 * BgpStatus. Then FRR, GoBGP and ExaBGP (one tunnel each where the daemon needs it). Daemons missing from the
 * machine are skipped (.ci/run installs them). Runs on the selected backend.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import Vpc, * as $Vpc from '@alicloud/vpc20160428';
import type { PeerConfigFormat } from '../../src/bgp/peer-config';
import { daemonMissing } from '../helpers/daemon-check';
import { runDaemon, stopPeerDaemons, type RunningDaemon } from '../helpers/daemon-run';
import { ROOT, openTestStore, storeArgsFor, tempDataDir } from '../helpers/server';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const REGION = 'cn-hangzhou';

async function until<T>(what: string, probe: () => Promise<T | undefined>, detail: () => Promise<string>, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${await detail()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('peer-config against the speaker with real daemons (loopback mode)', () => {
  const dataDir = tempDataDir();
  const first = 20_000 + Math.floor(Math.random() * 20_000);
  const bgpArgs = ['--bgp', 'loopback', '--bgp-loopback-ports', `${first}-${first + 49}`];
  let server: ServerProcess;
  let vpc: Vpc;
  let cgw = '';

  before(async () => {
    await (await openTestStore(dataDir)).close(); // on PostgreSQL: creates the database storeArgsFor names
    server = await startServerProcess([...storeArgsFor(dataDir), ...bgpArgs, '--auto-attach', '--change-delay-ms', '0']);
    vpc = new (Vpc as any)({ accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret, endpoint: server.endpoint, protocol: 'http', regionId: REGION });
    cgw = (await vpc.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: REGION, ipAddress: '203.0.113.10', asn: '65001' }))).body!.customerGatewayId!;
  });
  after(async () => {
    await stopPeerDaemons();
    await server?.stop();
  });

  /** A dual-tunnel BGP connection whose data-center side (the example export) is `remoteSubnet`. */
  async function createConnection(n: number, remoteSubnet: string): Promise<{ id: string; tunnelIds: string[] }> {
    const id = (await vpc.createVpnAttachment(new $Vpc.CreateVpnAttachmentRequest({
      regionId: REGION, localSubnet: '172.16.0.0/16', remoteSubnet, enableTunnelsBgp: true,
      tunnelOptionsSpecification: [1, 2].map((i) => new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecification({
        customerGatewayId: cgw, tunnelIndex: i,
        tunnelBgpConfig: new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecificationTunnelBgpConfig({ tunnelCidr: `169.254.${n}${i}.0/30`, localBgpIp: `169.254.${n}${i}.1` }),
      })),
    }))).body!.vpnConnectionId!;
    const conn = (await vpc.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: id }))).body!;
    return { id, tunnelIds: conn.tunnelOptionsSpecification!.tunnelOptions!.map((t) => t.tunnelId!) };
  }

  function peerConfig(id: string, format: PeerConfigFormat, extra: string[] = []): string {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'peer-config', id, '--format', format, ...extra, ...storeArgsFor(dataDir), ...bgpArgs], {
      encoding: 'utf8', timeout: 30_000,
    });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  }

  /** Waits until `prefix` is listed as VPN_BGP over exactly `tunnelIds`; returns the row. */
  function listed(id: string, prefix: string, tunnelIds: string[], daemon: RunningDaemon) {
    return until(`${prefix} listed as VPN_BGP over ${tunnelIds.join(', ')}`, async () => {
      const body = (await vpc.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: id, routeEntryType: 'bgp' }))).body!;
      const row = body.vcoRouteEntries?.find((e) => e.routeDest === prefix && e.source === 'VPN_BGP');
      return row && [...(row.nextHopTunnelIdList ?? [])].sort().join() === [...tunnelIds].sort().join() ? row : undefined;
    }, async () => `${await daemon.status()}\n--- vcoroute:\n${server.stderr().slice(-3000)}`);
  }

  test('BIRD, both tunnels in one file (the README story)', { skip: daemonMissing('bird') }, async () => {
    const { id, tunnelIds } = await createConnection(1, '10.10.0.0/16');
    const bird = await runDaemon('bird', peerConfig(id, 'bird'), []);
    await until('both BIRD sessions Established', async () => {
      const s = await bird.status();
      return /tunnel1\s+BGP.*Established/.test(s) && /tunnel2\s+BGP.*Established/.test(s) ? true : undefined;
    }, () => bird.status());
    const row = await listed(id, '10.10.0.0/16', tunnelIds, bird);
    assert.equal(row.nextHop, id);
    assert.equal(row.state, 'Active');
    assert.match(row.asPath!, /65001/, 'BIRD prepends its own AS');
    const conn = (await vpc.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: id }))).body!;
    assert.deepEqual(conn.tunnelOptionsSpecification!.tunnelOptions!.map((t) => [t.tunnelBgpConfig!.bgpStatus, t.tunnelBgpConfig!.peerAsn]),
      [['success', '65001'], ['success', '65001']]);

    await bird.stop();
    await until('the prefix leaves the listing once BIRD stops', async () => {
      const body = (await vpc.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: id, routeEntryType: 'bgp' }))).body!;
      return (body.vcoRouteEntries ?? []).some((e) => e.source === 'VPN_BGP') ? undefined : true;
    }, async () => server.stderr().slice(-3000));
  });

  for (const [n, format, tunnel] of [[2, 'frr', '1'], [3, 'gobgp', '2'], [4, 'exabgp', undefined]] as const) {
    test(`${format}, ${tunnel ? `tunnel ${tunnel}` : 'both tunnels'}`, { skip: daemonMissing(format) }, async () => {
      const prefix = `10.${n}0.0.0/16`;
      const { id, tunnelIds } = await createConnection(n, prefix);
      const daemon = await runDaemon(format, peerConfig(id, format, tunnel ? ['--tunnel', tunnel] : []), [prefix]);
      await listed(id, prefix, tunnel ? [tunnelIds[Number(tunnel) - 1]!] : tunnelIds, daemon);
    });
  }
});

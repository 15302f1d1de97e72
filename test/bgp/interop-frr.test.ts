/** Interop with FRR bgpd without zebra (bgp.md §5.4): enforce-first-as, RFC 8212 policy off, vtysh checks. */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Harness } from '../helpers/bgp-harness';
import { command, eventually, freePort, requireBinary, startCloudHarness, startProcess, stopProcess, tempDir } from '../helpers/bgp-daemons';

const PEER_ADDRESS = '127.0.0.6';

describe('FRR bgpd interop', () => {
  let harness: Harness;
  let run: string;
  let bgpd: ChildProcess | undefined;
  let vtysh: (...commands: string[]) => Promise<string>;

  before(async () => {
    const daemon = requireBinary('/usr/lib/frr/bgpd');
    const cli = requireBinary('vtysh');
    run = tempDir('frr');
    harness = await startCloudHarness(PEER_ADDRESS);
    const listenPort = await freePort(PEER_ADDRESS);
    fs.writeFileSync(path.join(run, 'bgpd.conf'), `
hostname onprem-frr
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
 neighbor 127.0.0.1 port ${harness.port}
 neighbor 127.0.0.1 update-source ${PEER_ADDRESS}
 neighbor 127.0.0.1 ebgp-multihop 2
 neighbor 127.0.0.1 timers 30 90
 neighbor 127.0.0.1 timers connect 1
 address-family ipv4 unicast
  network 10.40.1.0/24
  network 10.40.2.0/24
  neighbor 127.0.0.1 route-map TO-CLOUD out
 exit-address-family
`);
    bgpd = startProcess(daemon, [
      '-Z', '-S', '-p', String(listenPort), '-l', PEER_ADDRESS, '-f', path.join(run, 'bgpd.conf'), '-i', path.join(run, 'bgpd.pid'), '--vty_socket', run, '-P', '0',
    ], run);
    vtysh = (...commands) => command(cli, ['--vty_socket', run, '-d', 'bgpd', ...commands.flatMap((c) => ['-c', c])]);
  });

  after(async () => {
    await stopProcess(bgpd);
    await harness?.stop();
    fs.rmSync(run, { recursive: true, force: true });
  });

  test('the session comes up and FRR\'s networks arrive with AS path and community', async () => {
    await harness.until((s) => s.established.length === 1, 30000, 'Established with FRR');
    await harness.until((s) => new Set(s.updates.flatMap((u) => u.announced.map((r) => r.prefix))).size >= 2, 15000, 'FRR routes');
    const routes = new Map(harness.seen.updates.flatMap((u) => u.announced).map((r) => [r.prefix, r.attributes]));
    for (const prefix of ['10.40.1.0/24', '10.40.2.0/24']) {
      assert.deepEqual(routes.get(prefix)?.asPath, [{ type: 'sequence', asns: [65001, 12000] }], prefix);
      assert.deepEqual(routes.get(prefix)?.communities, [(65535 << 16 | 65510) >>> 0], prefix);
    }
  });

  test('FRR accepts the advertised routes (first AS is ours)', async () => {
    let table: { routes?: Record<string, Array<{ path?: string; nexthops?: Array<{ ip?: string }> }>> } = {};
    await eventually(async () => {
      table = JSON.parse(await vtysh('show bgp ipv4 unicast json')) as typeof table;
      return table.routes?.['172.16.0.0/16'] !== undefined && table.routes?.['172.20.1.0/24'] !== undefined;
    }, 15000, 'CLOUD routes in FRR');
    assert.equal(table.routes?.['172.16.0.0/16']?.[0]?.path, '45104');
    assert.equal(table.routes?.['172.16.0.0/16']?.[0]?.nexthops?.[0]?.ip, '169.254.10.1');
  });

  test('removing a network withdraws it', async () => {
    await vtysh('configure terminal', 'router bgp 65001', 'address-family ipv4 unicast', 'no network 10.40.2.0/24');
    await harness.until((s) => s.updates.some((u) => u.withdrawn.includes('10.40.2.0/24')), 15000, 'the withdrawal');
  });

  test('a ROUTE-REFRESH from FRR (clear soft in) makes us re-send the routes', async () => {
    const before = harness.seen.refreshes;
    await vtysh('clear bgp ipv4 unicast 127.0.0.1 soft in');
    await harness.until((s) => s.refreshes > before, 15000, 'the refresh request');
  });
});

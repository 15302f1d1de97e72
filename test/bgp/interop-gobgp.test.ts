/** Interop with GoBGP 3 (bgp.md §5.3): routes added through the gobgp CLI, CLOUD routes in adj-in. */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Harness } from '../helpers/bgp-harness';
import { command, eventually, freePort, requireBinary, startCloudHarness, startProcess, stopProcess, tempDir } from '../helpers/bgp-daemons';

const PEER_ADDRESS = '127.0.0.3';

describe('GoBGP interop', () => {
  let harness: Harness;
  let run: string;
  let gobgpd: ChildProcess | undefined;
  let gobgp: (...args: string[]) => Promise<string>;

  before(async () => {
    const daemon = requireBinary('gobgpd');
    const cli = requireBinary('gobgp');
    run = tempDir('gobgp');
    harness = await startCloudHarness(PEER_ADDRESS);
    const listenPort = await freePort(PEER_ADDRESS);
    const apiPort = await freePort();
    fs.writeFileSync(path.join(run, 'gobgpd.toml'), `
[global.config]
  as = 65001
  router-id = "10.255.0.3"
  port = ${listenPort}
  local-address-list = ["${PEER_ADDRESS}"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "127.0.0.1"
    peer-as = 45104
  [neighbors.transport.config]
    local-address = "${PEER_ADDRESS}"
    remote-port = ${harness.port}
  [neighbors.timers.config]
    hold-time = 90
    keepalive-interval = 30
    connect-retry = 1
  [neighbors.ebgp-multihop.config]
    enabled = true
    multihop-ttl = 2
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
`);
    gobgpd = startProcess(daemon, ['-f', path.join(run, 'gobgpd.toml'), '--api-hosts', `127.0.0.1:${apiPort}`, '-p', '--pprof-disable'], run);
    gobgp = (...args) => command(cli, ['-u', '127.0.0.1', '-p', String(apiPort), ...args]);
  });

  after(async () => {
    await stopProcess(gobgpd);
    await harness?.stop();
    fs.rmSync(run, { recursive: true, force: true });
  });

  test('the session comes up and routes added in GoBGP arrive with AS path, communities and MED', async () => {
    await harness.until((s) => s.established.length === 1, 40000, 'Established with GoBGP');
    await gobgp('global', 'rib', 'add', '10.20.1.0/24', 'nexthop', '169.254.10.2', 'community', '65535:65510', 'aspath', '12000', 'origin', 'igp');
    await gobgp('global', 'rib', 'add', '10.20.2.0/24', 'community', '65535:65510', 'large-community', '65001:1:2', 'med', '10');
    await harness.until((s) => new Set(s.updates.flatMap((u) => u.announced.map((r) => r.prefix))).size >= 2, 15000, 'GoBGP routes');
    const routes = new Map(harness.seen.updates.flatMap((u) => u.announced).map((r) => [r.prefix, r.attributes]));
    assert.deepEqual(routes.get('10.20.1.0/24')?.asPath, [{ type: 'sequence', asns: [65001, 12000] }]);
    assert.deepEqual(routes.get('10.20.1.0/24')?.communities, [(65535 << 16 | 65510) >>> 0]);
    assert.deepEqual(routes.get('10.20.2.0/24')?.largeCommunities, [[65001, 1, 2]]);
    assert.equal(routes.get('10.20.2.0/24')?.med, 10);
  });

  test('GoBGP receives the advertised routes (adj-in)', async () => {
    let adjIn = '';
    await eventually(async () => {
      adjIn = await gobgp('neighbor', '127.0.0.1', 'adj-in');
      return adjIn.includes('172.16.0.0/16') && adjIn.includes('172.20.1.0/24');
    }, 15000, 'CLOUD routes in GoBGP adj-in');
    assert.match(adjIn, /172\.16\.0\.0\/16\s+169\.254\.10\.1\s+45104\b/);
  });

  test('deleting a route in GoBGP withdraws it', async () => {
    await gobgp('global', 'rib', 'del', '10.20.1.0/24');
    await harness.until((s) => s.updates.some((u) => u.withdrawn.includes('10.20.1.0/24')), 15000, 'the withdrawal');
  });

  test('closing as de-configured reaches GoBGP as Cease 6/3', async () => {
    await harness.sessions[0]!.close('deconfigured');
    assert.deepEqual(harness.seen.downs, [{ kind: 'closed-locally', cause: 'deconfigured' }]);
    await eventually(async () => /received notification.*Code=6.*Subcode=3/.test(fs.readFileSync(path.join(run, 'gobgpd.out'), 'utf8')), 10000, 'GoBGP to log Cease 6/3');
  });
});

/** Interop with BIRD 2 (bgp.md §5.1): BIRD dials our loopback listener, we learn its routes, it learns ours. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Harness } from '../helpers/bgp-harness';
import { command, eventually, freePort, requireBinary, startCloudHarness, stopPidFile, tempDir } from '../helpers/bgp-daemons';

const PEER_ADDRESS = '127.0.0.2';

describe('BIRD 2 interop', () => {
  let harness: Harness;
  let run: string;
  let birdc: (...args: string[]) => Promise<string>;

  before(async () => {
    const bird = requireBinary('bird');
    const birdcBinary = requireBinary('birdc');
    run = tempDir('bird');
    harness = await startCloudHarness(PEER_ADDRESS);
    const birdPort = await freePort(PEER_ADDRESS);
    fs.writeFileSync(path.join(run, 'bird.conf'), `
router id 10.255.0.2;
protocol device { }
protocol static onprem_routes {
  ipv4;
  route 10.10.1.0/24 blackhole;
  route 192.168.100.0/22 blackhole;
}
protocol bgp cloud {
  local ${PEER_ADDRESS} port ${birdPort} as 65001;
  neighbor 127.0.0.1 port ${harness.port} as 45104;
  multihop; connect delay time 1; hold time 90;
  ipv4 { import all;
    export filter { if proto = "onprem_routes" then {
      bgp_community.add((65535,65510)); bgp_path.prepend(12000); accept; } reject; }; };
}
`);
    await command(bird, ['-p', '-c', path.join(run, 'bird.conf')]);
    await command(bird, ['-c', path.join(run, 'bird.conf'), '-s', path.join(run, 'bird.ctl'), '-P', path.join(run, 'bird.pid')]);
    birdc = (...args) => command(birdcBinary, ['-s', path.join(run, 'bird.ctl'), ...args]);
  });

  after(async () => {
    await stopPidFile(path.join(run, 'bird.pid'));
    await harness?.stop();
    fs.rmSync(run, { recursive: true, force: true });
  });

  test('the session comes up and BIRD\'s routes arrive with AS path, community and End-of-RIB', async () => {
    await harness.until((s) => s.established.length === 1, 30000, 'Established with BIRD');
    assert.deepEqual(harness.seen.established[0], { asn: 65001, routerId: '10.255.0.2', address: PEER_ADDRESS, port: harness.seen.established[0]!.port, holdTimeSec: 90 });
    await harness.until((s) => s.updates.some((u) => u.endOfRib) && s.updates.flatMap((u) => u.announced).length >= 2, 15000, 'BIRD routes and End-of-RIB');
    const routes = harness.seen.updates.flatMap((u) => u.announced).sort((a, b) => a.prefix.localeCompare(b.prefix));
    assert.deepEqual(routes.map((r) => r.prefix), ['10.10.1.0/24', '192.168.100.0/22']);
    for (const r of routes) {
      assert.deepEqual(r.attributes.asPath, [{ type: 'sequence', asns: [65001, 12000] }]);
      assert.equal(r.attributes.nextHop, PEER_ADDRESS);
      assert.deepEqual(r.attributes.communities, [(65535 << 16 | 65510) >>> 0]);
    }
  });

  test('BIRD receives the advertised routes (birdc show route)', async () => {
    let shown = '';
    await eventually(async () => {
      shown = await birdc('show', 'route', 'protocol', 'cloud', 'all');
      return shown.includes('172.16.0.0/16') && shown.includes('172.20.1.0/24');
    }, 15000, 'CLOUD routes in BIRD');
    assert.match(shown, /BGP\.as_path: 45104\b/);
    assert.match(shown, /BGP\.community: \(65535,65520\)/);
    assert.match(shown, /BGP\.next_hop: 169\.254\.10\.1/);
  });

  test('disabling BIRD\'s static routes withdraws them', async () => {
    await birdc('disable', 'onprem_routes');
    await harness.until((s) => {
      const withdrawn = new Set(s.updates.flatMap((u) => u.withdrawn));
      return withdrawn.has('10.10.1.0/24') && withdrawn.has('192.168.100.0/22');
    }, 15000, 'withdrawals from BIRD');
  });

  test('closing with shutdown reaches BIRD as Cease / administrative shutdown', async () => {
    await harness.sessions[0]!.close('shutdown', 'vcoroute maintenance');
    assert.deepEqual(harness.seen.downs, [{ kind: 'closed-locally', cause: 'shutdown' }]);
    let status = '';
    await eventually(async () => {
      status = await birdc('show', 'protocols', 'all', 'cloud');
      return /Administrative shutdown/i.test(status);
    }, 10000, 'BIRD to report the shutdown');
    assert.match(status, /vcoroute maintenance/);
  });
});

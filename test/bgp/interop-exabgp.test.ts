/** Interop with ExaBGP 4 (bgp.md §5.2): exact attributes (AS_SET, large communities), single withdraws, SIGTERM. */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Harness } from '../helpers/bgp-harness';
import { eventually, requireBinary, startCloudHarness, startProcess, stopProcess, tempDir } from '../helpers/bgp-daemons';

const PEER_ADDRESS = '127.0.0.4';

describe('ExaBGP interop', () => {
  let harness: Harness;
  let run: string;
  let exabgp: ChildProcess | undefined;

  before(async () => {
    const binary = requireBinary('exabgp');
    run = tempDir('exabgp');
    harness = await startCloudHarness(PEER_ADDRESS);
    fs.writeFileSync(path.join(run, 'cmds'), [
      'announce route 10.30.1.0/24 next-hop self as-path [ 12000 ] community [ 65535:65510 ]',
      'announce route 10.30.2.0/24 next-hop 169.254.10.2 as-path [ 65001 12000 ( 64512 64513 ) ] community [ 65535:65510 ] large-community [ 65001:1:1 ]',
      '',
    ].join('\n'));
    const recv = path.join(run, 'recv.sh');
    fs.writeFileSync(recv, `#!/bin/sh\nwhile IFS= read -r l; do printf "%s\\n" "$l" >> ${run}/received.jsonl; done\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(run, 'exabgp.conf'), `
process feeder   { run /usr/bin/tail -n +1 -F ${run}/cmds; encoder text; }
process receiver { run ${recv}; encoder json; }
neighbor 127.0.0.1 {
  router-id 10.255.0.4; local-address ${PEER_ADDRESS}; local-as 65001; peer-as 45104;
  connect ${harness.port}; hold-time 90;
  family { ipv4 unicast; }
  api to-feeder   { processes [ feeder ]; }
  api to-receiver { processes [ receiver ]; receive { parsed; update; } neighbor-changes; }
}
`);
    exabgp = startProcess(binary, [path.join(run, 'exabgp.conf')], run, {
      'exabgp.daemon.user': 'root', 'exabgp.log.destination': path.join(run, 'exabgp.log'), 'exabgp.api.cli': 'false', 'exabgp.tcp.bind': '',
    });
  });

  after(async () => {
    await stopProcess(exabgp);
    await harness?.stop();
    fs.rmSync(run, { recursive: true, force: true });
  });

  test('the session comes up and the routes arrive exactly as announced (no AS prepended, AS_SET, large community)', async () => {
    await harness.until((s) => s.established.length === 1, 30000, 'Established with ExaBGP');
    await harness.until((s) => s.updates.flatMap((u) => u.announced).length >= 2, 15000, 'ExaBGP routes');
    const routes = new Map(harness.seen.updates.flatMap((u) => u.announced).map((r) => [r.prefix, r.attributes]));
    const first = routes.get('10.30.1.0/24');
    assert.deepEqual(first?.asPath, [{ type: 'sequence', asns: [12000] }]);
    assert.equal(first?.nextHop, PEER_ADDRESS);
    assert.deepEqual(first?.communities, [(65535 << 16 | 65510) >>> 0]);
    assert.deepEqual(routes.get('10.30.2.0/24'), {
      origin: 0,
      asPath: [{ type: 'sequence', asns: [65001, 12000] }, { type: 'set', asns: [64512, 64513] }],
      nextHop: '169.254.10.2',
      communities: [(65535 << 16 | 65510) >>> 0],
      largeCommunities: [[65001, 1, 1]],
    });
  });

  test('ExaBGP receives the advertised routes', async () => {
    const file = path.join(run, 'received.jsonl');
    const announced = new Map<string, { 'as-path'?: number[]; community?: number[][] }>();
    await eventually(async () => {
      if (!fs.existsSync(file)) return false;
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        if (!line.startsWith('{')) continue;
        const event = JSON.parse(line) as { type?: string; neighbor?: { message?: { update?: { attribute?: Record<string, unknown>; announce?: Record<string, Record<string, Array<{ nlri: string }>>> } } } };
        const update = event.neighbor?.message?.update;
        for (const [nextHop, nlris] of Object.entries(update?.announce?.['ipv4 unicast'] ?? {})) {
          assert.equal(nextHop, '169.254.10.1');
          for (const { nlri } of nlris) announced.set(nlri, update!.attribute as { 'as-path'?: number[] });
        }
      }
      return announced.has('172.16.0.0/16') && announced.has('172.20.1.0/24');
    }, 15000, 'CLOUD routes in ExaBGP\'s receiver output');
    assert.deepEqual(announced.get('172.16.0.0/16')?.['as-path'], [45104]);
    assert.deepEqual(announced.get('172.16.0.0/16')?.community, [[65535, 65520]]);
  });

  test('a single withdraw arrives as a withdrawal', async () => {
    fs.appendFileSync(path.join(run, 'cmds'), 'withdraw route 10.30.1.0/24\n');
    await harness.until((s) => s.updates.some((u) => u.withdrawn.includes('10.30.1.0/24')), 15000, 'the withdrawal');
  });

  test('SIGTERM closes TCP without a NOTIFICATION: connection-closed', async () => {
    await stopProcess(exabgp);
    await harness.until((s) => s.downs.length === 1, 10000, 'session down');
    assert.ok(['connection-closed', 'notification-received'].includes(harness.seen.downs[0]!.kind), JSON.stringify(harness.seen.downs));
  });
});

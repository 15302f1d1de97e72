/** Interop with ExaBGP 4 (bgp.md §5.2): exact attributes (AS_SET, large communities), single withdraws, SIGTERM. */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Harness } from '../helpers/bgp-harness';
import { eventually, requireBinary, startCloudHarness, startProcess, stopProcess, tearDown, tempDir } from '../helpers/bgp-daemons';

const PEER_ADDRESS = '127.0.0.4';

/** Writes the per-test config (bgp.md §5.2) and starts ExaBGP dialling `port` from `peerAddress`. */
function startExabgp(binary: string, run: string, port: number, peerAddress: string, neighborExtra: string, commands: string[]): ChildProcess {
  fs.writeFileSync(path.join(run, 'cmds'), commands.map((c) => `${c}\n`).join(''));
  const recv = path.join(run, 'recv.sh');
  fs.writeFileSync(recv, `#!/bin/sh\nwhile IFS= read -r l; do printf "%s\\n" "$l" >> ${run}/received.jsonl; done\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(run, 'exabgp.conf'), `
process feeder   { run /usr/bin/tail -n +1 -F ${run}/cmds; encoder text; }
process receiver { run ${recv}; encoder json; }
neighbor 127.0.0.1 {
  router-id 10.255.0.4; local-address ${peerAddress}; local-as 65001; peer-as 45104;
  connect ${port}; hold-time 90; ${neighborExtra}
  family { ipv4 unicast; }
  api to-feeder   { processes [ feeder ]; }
  api to-receiver { processes [ receiver ]; receive { parsed; update; } neighbor-changes; }
}
`);
  return startProcess(binary, [path.join(run, 'exabgp.conf')], run, {
    'exabgp.daemon.user': 'root', 'exabgp.log.destination': path.join(run, 'exabgp.log'), 'exabgp.api.cli': 'false', 'exabgp.tcp.bind': '',
  });
}

/** CLOUD routes ExaBGP's receiver process reported, with their attributes. */
async function receivedByExabgp(run: string, prefixes: string[]): Promise<Map<string, { 'as-path'?: number[]; community?: number[][] }>> {
  const file = path.join(run, 'received.jsonl');
  const announced = new Map<string, { 'as-path'?: number[]; community?: number[][] }>();
  await eventually(async () => {
    if (!fs.existsSync(file)) return false;
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (!line.startsWith('{')) continue;
      const event = JSON.parse(line) as { neighbor?: { message?: { update?: { attribute?: Record<string, unknown>; announce?: Record<string, Record<string, Array<{ nlri: string }>>> } } } };
      const update = event.neighbor?.message?.update;
      for (const [nextHop, nlris] of Object.entries(update?.announce?.['ipv4 unicast'] ?? {})) {
        assert.equal(nextHop, '169.254.10.1');
        for (const { nlri } of nlris) announced.set(nlri, update!.attribute as { 'as-path'?: number[] });
      }
    }
    return prefixes.every((p) => announced.has(p));
  }, 15000, 'CLOUD routes in ExaBGP\'s receiver output');
  return announced;
}

describe('ExaBGP interop', () => {
  let harness: Harness;
  let run = '';
  let exabgp: ChildProcess | undefined;

  before(async () => {
    const binary = requireBinary('exabgp');
    run = tempDir('exabgp');
    harness = await startCloudHarness(PEER_ADDRESS);
    exabgp = startExabgp(binary, run, harness.port, PEER_ADDRESS, '', [
      'announce route 10.30.1.0/24 next-hop self as-path [ 12000 ] community [ 65535:65510 ]',
      'announce route 10.30.2.0/24 next-hop 169.254.10.2 as-path [ 65001 12000 ( 64512 64513 ) ] community [ 65535:65510 ] large-community [ 65001:1:1 ]',
    ]);
  });

  after(async () => {
    await tearDown({ child: exabgp, harness, run });
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
    const announced = await receivedByExabgp(run, ['172.16.0.0/16', '172.20.1.0/24']);
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

describe('ExaBGP as a 2-octet-AS speaker (asn4 disabled)', () => {
  const address = '127.0.0.5';
  let harness: Harness;
  let run = '';
  let exabgp: ChildProcess | undefined;

  before(async () => {
    const binary = requireBinary('exabgp');
    run = tempDir('exabgp2');
    harness = await startCloudHarness(address);
    exabgp = startExabgp(binary, run, harness.port, address, 'capability { asn4 disable; }', [
      'announce route 10.31.1.0/24 next-hop self as-path [ 65001 4200000000 ]',
    ]);
  });

  after(async () => {
    await tearDown({ child: exabgp, harness, run });
  });

  test('no capability 65: AS_TRANS and AS4_PATH merge back into the 4-octet path; ours goes out 2-octet', async () => {
    await harness.until((s) => s.established.length === 1, 30000, 'Established with ExaBGP');
    assert.equal(harness.seen.established[0]!.fourOctetAs, false, 'ExaBGP must not offer capability 65 here');
    await harness.until((s) => s.updates.some((u) => u.announced.length > 0), 15000, 'the route');
    const route = harness.seen.updates.flatMap((u) => u.announced).find((r) => r.prefix === '10.31.1.0/24');
    assert.deepEqual(route?.attributes.asPath, [{ type: 'sequence', asns: [65001, 4200000000] }]);
    const announced = await receivedByExabgp(run, ['172.16.0.0/16']);
    assert.deepEqual(announced.get('172.16.0.0/16')?.['as-path'], [45104]);
  });
});

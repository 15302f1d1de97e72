/**
 * `vcoroute peer-config` as a process on the store a server uses (SQLite data directory, or PostgreSQL with
 * VCOROUTE_TEST_BACKEND=postgres): loopback ports assigned like the speaker assigns them and stable across
 * runs, tunnel mode, the serve flags and environment, and a clear error (exit 1, nothing on stdout) for each
 * request that cannot produce a configuration. The rendered text itself: test/unit/peer-config*.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { DEV_ACCOUNT_ID } from '../../src/config';
import type { CustomerGatewayRecord, Store } from '../../src/store/store';
import { bgpConnection, GATEWAY_ID } from '../helpers/peer-config-fixtures';
import { openTestStore, storeArgsFor, tempDataDir } from '../helpers/server';

const CONNECTION = bgpConnection().connectionId;

function gateway(id: string, asn: number | null): CustomerGatewayRecord {
  return {
    customerGatewayId: id, accountId: DEV_ACCOUNT_ID, regionId: 'cn-hangzhou', ipAddress: '203.0.113.10', asn, authKey: '',
    name: '', description: '', resourceGroupId: 'rg-default', tags: [], createTime: 1_700_000_000_000,
  };
}

/** The caller's environment without VCOROUTE_BGP*: each case sets its own. */
function withoutBgpEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VCOROUTE_BGP')));
}

describe('vcoroute peer-config', () => {
  const dataDir = tempDataDir();
  let store: Store;

  function peerConfig(args: string[], env: NodeJS.ProcessEnv = {}) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'peer-config', ...args, ...storeArgsFor(dataDir)], {
      encoding: 'utf8', timeout: 30_000, env: { ...withoutBgpEnvironment(), VCOROUTE_LOG_LEVEL: 'warn', ...env },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  function fails(args: string[], message: RegExp, env: NodeJS.ProcessEnv = {}) {
    const r = peerConfig(args, env);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, message);
  }

  before(async () => {
    store = await openTestStore(dataDir);
    await store.upsertAccount(DEV_ACCOUNT_ID, Date.now());
    await store.putCustomerGateway(gateway(GATEWAY_ID, 65001));
    await store.putCustomerGateway(gateway('cgw-peerconfignoasn00001', null));
    await store.putConnection(bgpConnection());
    const noBgp = bgpConnection();
    noBgp.connectionId = 'vco-peerconfignobgp00001';
    noBgp.tunnels.forEach((t, i) => (t.tunnelId = `tun-peerconfignobgp0000${i + 1}`));
    noBgp.attributes.enableTunnelsBgp = false;
    await store.putConnection(noBgp);
    const noAsn = bgpConnection();
    noAsn.connectionId = 'vco-peerconfignoasn00001';
    noAsn.tunnels.forEach((t, i) => {
      t.tunnelId = `tun-peerconfignoasn0000${i + 1}`;
      t.customerGatewayId = 'cgw-peerconfignoasn00001';
    });
    await store.putConnection(noAsn);
  });
  after(async () => store.close());

  test('loopback mode: each tunnel\'s port from the range, the same as the speaker\'s and on every run; the configured hold time', async () => {
    const r = peerConfig([CONNECTION, '--format', 'bird', '--bgp', 'loopback', '--bgp-loopback-ports', '17950-17999', '--bgp-hold-time', '45']);
    assert.equal(r.status, 0, r.stderr);
    const [p1, p2] = await Promise.all([store.getBgpPort('tun-peerconfigtest000001'), store.getBgpPort('tun-peerconfigtest000002')]);
    assert.ok(p1 !== undefined && p2 !== undefined && p1 !== p2, `ports ${p1} ${p2}`);
    for (const p of [p1, p2]) assert.ok(p >= 17950 && p <= 17999);
    assert.match(r.stdout, new RegExp(`neighbor 127\\.0\\.0\\.1 port ${p1} as 45104;`));
    assert.match(r.stdout, new RegExp(`neighbor 127\\.0\\.0\\.1 port ${p2} as 45104;`));
    assert.match(r.stdout, /local 127\.0\.0\.2 port \d+ as 65001;/);
    assert.match(r.stdout, /hold time 45;/);
    assert.match(r.stdout, /route 10\.10\.0\.0\/16 blackhole;/);
    const again = peerConfig([CONNECTION, '--format', 'bird', '--bgp', 'loopback', '--bgp-loopback-ports', '17900-17999', '--bgp-hold-time', '45']);
    assert.equal(again.stdout, r.stdout, 'ports are stable');
  });

  test('environment like serve (VCOROUTE_BGP, VCOROUTE_BGP_LOOPBACK_HOST), one tunnel, explicit prefixes', async () => {
    const r = peerConfig([CONNECTION, '--format', 'frr', '--tunnel', '2', '--announce', '10.1.0.0/16,10.2.0.0/16'],
      { VCOROUTE_BGP: 'loopback', VCOROUTE_BGP_LOOPBACK_HOST: '127.0.0.9' });
    assert.equal(r.status, 0, r.stderr);
    const port = await store.getBgpPort('tun-peerconfigtest000002');
    assert.match(r.stdout, new RegExp(`neighbor 127\\.0\\.0\\.9 port ${port}\\n`));
    assert.doesNotMatch(r.stdout, /tun-peerconfigtest000001/);
    assert.match(r.stdout, /network 10\.1\.0\.0\/16\n {2}network 10\.2\.0\.0\/16\n/);
  });

  test('tunnel mode: LocalBgpIp on --bgp-port, no loopback port assigned for it', () => {
    const r = peerConfig([CONNECTION, '--format', 'gobgp', '--bgp', 'tunnel', '--bgp-port', '1179']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /neighbor-address = "169\.254\.10\.1"[\s\S]*remote-port = 1179[\s\S]*neighbor-address = "169\.254\.20\.1"/);
  });

  test('clear errors: unknown connection, no BGP, gateway without Asn, speaker off, bad format or tunnel, FRR with two loopback tunnels', async () => {
    fails(['vco-doesnotexist0000000', '--format', 'bird', '--bgp', 'loopback'], /vcoroute: no VPN connection vco-doesnotexist0000000 in this store/);
    fails(['vco-peerconfignobgp00001', '--format', 'bird', '--bgp', 'loopback'], /does not use BGP \(EnableTunnelsBgp is false\)/);
    fails(['vco-peerconfignoasn00001', '--format', 'bird', '--bgp', 'loopback'], /customer gateway cgw-peerconfignoasn00001 of tunnel 1 .* has no Asn/);
    fails([CONNECTION, '--format', 'bird'], /the BGP speaker is off: give the mode the server runs with/);
    fails([CONNECTION, '--format', 'quagga', '--bgp', 'loopback'], /--format must be one of frr, bird, gobgp, exabgp, not quagga/);
    fails([CONNECTION, '--format', 'bird', '--bgp', 'loopback', '--tunnel', '3'], /--tunnel must be 1 or 2, not 3/);
    fails([CONNECTION, '--format', 'frr', '--bgp', 'loopback'], /render one configuration per tunnel \(--tunnel 1 and --tunnel 2\)/);
    fails([CONNECTION, '--bgp', 'loopback'], /required option '--format <format>' not specified/);
    // nothing was assigned for connections that cannot peer
    assert.equal(await store.getBgpPort('tun-peerconfignoasn00001'), undefined);
  });
});

/**
 * src/bgp/peer-config: the plan (who connects where, with which ASNs and prefixes) and the text of each
 * format against golden files (test/fixtures/peer-config/; VCOROUTE_UPDATE_GOLDEN=1 rewrites them — read
 * the diff). That each daemon accepts the text: peer-config-daemons.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { PEER_CONFIG_FORMATS, PeerConfigError, planPeerConfig, renderPeerConfig } from '../../src/bgp/peer-config';
import { defaultSingleIke, defaultSingleIpsec } from '../../src/domain/vpn';
import { defaultAnnouncements, DOCUMENTATION_PREFIX } from '../../src/bgp/peer-config/plan';
import { bgpConnection, GATEWAY_ID, loopback, LOOPBACK, plan, TUNNEL } from '../helpers/peer-config-fixtures';

const GOLDEN = path.resolve(__dirname, '../fixtures/peer-config');

/** The configurations kept as golden files: every format in both modes, one tunnel where a daemon needs it. */
export const GOLDEN_CASES = PEER_CONFIG_FORMATS.flatMap((format) => {
  const oneAddressPerNeighbor = format === 'frr' || format === 'gobgp';
  return [
    { name: `${format}-loopback`, format, plan: () => plan(LOOPBACK, oneAddressPerNeighbor ? { tunnelIndex: 1 } : {}) },
    { name: `${format}-tunnel`, format, plan: () => plan(TUNNEL) },
  ];
});

describe('peer-config golden files', () => {
  for (const c of GOLDEN_CASES) {
    test(c.name, () => {
      const text = renderPeerConfig(c.format, c.plan());
      const file = path.join(GOLDEN, `${c.name}.conf`);
      if (process.env.VCOROUTE_UPDATE_GOLDEN === '1') writeFileSync(file, text);
      assert.equal(text, readFileSync(file, 'utf8'));
    });
  }
});

describe('peer-config plan', () => {
  test('loopback mode: vcoroute\'s host and each tunnel\'s port, a router address per tunnel, multihop', () => {
    const p = plan(LOOPBACK);
    assert.deepEqual(
      p.sessions.map((s) => [s.tunnelIndex, s.neighborAddress, s.neighborPort, s.localAddress, s.multihop, s.routerAsn, s.cloudAsn]),
      [[1, '127.0.0.1', 17901, '127.0.0.2', true, 65001, 45104], [2, '127.0.0.1', 17902, '127.0.0.3', true, 65001, 45104]],
    );
    assert.equal(p.routerId, '169.254.10.2');
    assert.equal(p.holdTimeSec, 90);
  });

  test('loopback mode on a wildcard or 127.0.0.2 listen address: the router still reaches vcoroute and never shares its address', () => {
    const wildcard = plan(loopback('0.0.0.0'));
    assert.deepEqual(wildcard.sessions.map((s) => [s.neighborAddress, s.localAddress]), [['127.0.0.1', '127.0.0.2'], ['127.0.0.1', '127.0.0.3']]);
    const two = plan(loopback('127.0.0.2'));
    assert.deepEqual(two.sessions.map((s) => [s.neighborAddress, s.localAddress]), [['127.0.0.2', '127.0.0.3'], ['127.0.0.2', '127.0.0.4']]);
  });

  test('tunnel mode: LocalBgpIp on the configured port from PeerBgpIp, directly connected', () => {
    const p = plan({ mode: 'tunnel', port: 1179 });
    assert.deepEqual(
      p.sessions.map((s) => [s.neighborAddress, s.neighborPort, s.localAddress, s.multihop]),
      [['169.254.10.1', 1179, '169.254.10.2', false], ['169.254.20.1', 1179, '169.254.20.2', false]],
    );
    assert.match(renderPeerConfig('bird', p), /neighbor 169\.254\.10\.1 port 1179 as 45104;/);
    assert.match(renderPeerConfig('frr', p), /neighbor 169\.254\.20\.1 port 1179\n/);
    assert.match(renderPeerConfig('gobgp', p), /remote-port = 1179/);
    assert.match(renderPeerConfig('exabgp', p), /connect 1179;/);
  });

  test('--tunnel picks one tunnel; its own customer address becomes the router ID', () => {
    const p = plan(TUNNEL, { tunnelIndex: 2 });
    assert.deepEqual(p.sessions.map((s) => s.tunnelId), ['tun-peerconfigtest000002']);
    assert.equal(p.routerId, '169.254.20.2');
    assert.throws(() => plan(TUNNEL, { tunnelIndex: 3 }), (e: unknown) => e instanceof PeerConfigError && /has no tunnel 3/.test(e.message));
  });

  test('the example export: RemoteSubnet without 0.0.0.0/0 and 100.64.0.0/10 overlaps, else TEST-NET-1; explicit prefixes are checked', () => {
    assert.deepEqual(defaultAnnouncements('10.10.0.0/16'), ['10.10.0.0/16']);
    assert.deepEqual(defaultAnnouncements('10.10.1.7/24,192.168.0.0/22, 10.10.1.0/24'), ['10.10.1.0/24', '192.168.0.0/22']);
    assert.deepEqual(defaultAnnouncements('0.0.0.0/0'), [DOCUMENTATION_PREFIX]);
    assert.deepEqual(defaultAnnouncements('100.64.0.0/10,100.100.0.0/16,100.0.0.0/8'), [DOCUMENTATION_PREFIX]);
    assert.deepEqual(plan(TUNNEL, { announce: ['10.1.0.0/16', ' 10.2.0.0/16'] }).announce, ['10.1.0.0/16', '10.2.0.0/16']);
    assert.throws(() => plan(TUNNEL, { announce: ['10.1.0.1/16'] }), PeerConfigError);
    assert.throws(() => plan(TUNNEL, { announce: [] }), PeerConfigError);
  });

  test('clear errors: single-tunnel connection, BGP off, a tunnel without TunnelBgpConfig, a gateway without Asn', () => {
    const base = { gatewayAsns: new Map<string, number | null>([[GATEWAY_ID, 65001]]), endpoint: TUNNEL, holdTimeSec: 90 };
    const expectError = (connection: ReturnType<typeof bgpConnection>, pattern: RegExp, gatewayAsns = base.gatewayAsns) =>
      assert.throws(() => planPeerConfig({ ...base, connection, gatewayAsns }), (e: unknown) => e instanceof PeerConfigError && pattern.test(e.message));

    const single = bgpConnection();
    single.tunnels = [];
    expectError(single, /does not use BGP \(BgpConfig EnableBgp is false\)/);
    const off = bgpConnection();
    off.attributes.enableTunnelsBgp = false;
    expectError(off, /does not use BGP \(EnableTunnelsBgp is false\)/);
    const noBgp = bgpConnection();
    noBgp.tunnels[1]!.options.bgp = { localAsn: 45104, tunnelCidr: '', localBgpIp: '' };
    expectError(noBgp, /tunnel 2 \(tun-peerconfigtest000002\) .* has no BGP configuration/);
    expectError(bgpConnection(), /customer gateway cgw-peerconfigtest000001 of tunnel 1 .* has no Asn/, new Map([[GATEWAY_ID, null]]));
    const noGateway = bgpConnection();
    noGateway.tunnels[0]!.customerGatewayId = null;
    expectError(noGateway, /customer gateway \(none\) of tunnel 1/);
  });

  test('a single-tunnel connection with BgpConfig is one session named by the connection ID, on its customer gateway', () => {
    const c = bgpConnection();
    c.tunnels = [];
    c.customerGatewayId = GATEWAY_ID;
    c.attributes.single = {
      enableDpd: true, enableNatTraversal: true, remoteCaCert: '',
      ike: defaultSingleIke(''), ipsec: defaultSingleIpsec(),
      bgp: { enableBgp: true, localAsn: 45104, tunnelCidr: '169.254.11.0/30', localBgpIp: '169.254.11.1' },
      healthCheck: { enable: false, dip: '', sip: '', interval: 3, retry: 3, policy: 'revoke_route' },
    };
    const p = planPeerConfig({ connection: c, gatewayAsns: new Map([[GATEWAY_ID, 65001]]), endpoint: LOOPBACK, holdTimeSec: 30 });
    assert.deepEqual(p.sessions.map((s) => [s.tunnelId, s.tunnelIndex, s.routerBgpIp, s.routerAsn]), [['vco-peerconfigtest000001', 1, '169.254.11.2', 65001]]);
    assert.match(renderPeerConfig('frr', p), /neighbor 127\.0\.0\.1 port 17901\n/);
  });

  test('FRR and GoBGP refuse two loopback sessions to one address; FRR refuses two customer ASNs; BIRD, GoBGP and ExaBGP take them', () => {
    for (const format of ['frr', 'gobgp'] as const) {
      assert.throws(() => renderPeerConfig(format, plan(LOOPBACK)), (e: unknown) => e instanceof PeerConfigError && /--tunnel 1 and --tunnel 2/.test(e.message));
    }
    const c = bgpConnection();
    c.tunnels[1]!.customerGatewayId = 'cgw-peerconfigtest000002';
    const twoAsns = planPeerConfig({ connection: c, gatewayAsns: new Map([[GATEWAY_ID, 65001], ['cgw-peerconfigtest000002', 65002]]), endpoint: TUNNEL, holdTimeSec: 90 });
    assert.throws(() => renderPeerConfig('frr', twoAsns), (e: unknown) => e instanceof PeerConfigError && /different ASNs/.test(e.message));
    assert.match(renderPeerConfig('bird', twoAsns), /local 169\.254\.20\.2 as 65002;/);
    assert.match(renderPeerConfig('gobgp', twoAsns), /local-as = 65002/);
    assert.match(renderPeerConfig('exabgp', twoAsns), /local-as 65002;/);
  });
});

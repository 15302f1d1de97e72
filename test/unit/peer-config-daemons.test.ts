/**
 * Each daemon accepts what `vcoroute peer-config` renders for it, checked by the daemon itself (see
 * helpers/daemon-check.ts): the golden configurations, a custom tunnel-mode port, two customer ASNs. A broken
 * copy of each is refused, so a checker that accepts anything fails here. Skipped where a daemon is not
 * installed (.ci/run installs all four).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PEER_CONFIG_FORMATS, planPeerConfig, renderPeerConfig, type PeerConfigFormat } from '../../src/bgp/peer-config';
import { checkWithDaemon, daemonMissing } from '../helpers/daemon-check';
import { bgpConnection, GATEWAY_ID, loopback, LOOPBACK, plan, TUNNEL } from '../helpers/peer-config-fixtures';

function twoAsnPlan() {
  const c = bgpConnection();
  c.tunnels[1]!.customerGatewayId = 'cgw-peerconfigtest000002';
  return planPeerConfig({ connection: c, gatewayAsns: new Map([[GATEWAY_ID, 65001], ['cgw-peerconfigtest000002', 4200000001]]), endpoint: TUNNEL, holdTimeSec: 90 });
}

function casesFor(format: PeerConfigFormat) {
  const cases = [
    { name: 'loopback, tunnel 1', plan: plan(LOOPBACK, { tunnelIndex: 1 }) },
    { name: 'loopback, tunnel 2, wildcard listen address', plan: plan(loopback('0.0.0.0'), { tunnelIndex: 2 }) },
    { name: 'tunnel mode, both tunnels', plan: plan(TUNNEL) },
    { name: 'tunnel mode on port 1179, two prefixes', plan: plan({ mode: 'tunnel', port: 1179 }, { announce: ['10.1.0.0/16', '192.168.8.0/22'] }) },
  ];
  if (format !== 'frr' && format !== 'gobgp') cases.push({ name: 'loopback, both tunnels', plan: plan(LOOPBACK) });
  if (format !== 'frr') cases.push({ name: 'tunnel mode, a 4-octet ASN on tunnel 2', plan: twoAsnPlan() });
  return cases;
}

/** A copy the daemon must refuse: the cloud ASN replaced by a word where its grammar wants a number. */
function broken(format: PeerConfigFormat, text: string): string {
  const patterns: Record<PeerConfigFormat, [RegExp, string]> = {
    bird: [/ as 45104;/, ' as fortyfive;'],
    frr: [/remote-as 45104/, 'remote-as fortyfive'],
    gobgp: [/peer-as = 45104/, 'peer-as = "fortyfive"'],
    exabgp: [/peer-as 45104;/, 'peer-as fortyfive;'],
  };
  const [pattern, replacement] = patterns[format];
  assert.match(text, pattern);
  return text.replace(pattern, replacement);
}

for (const format of PEER_CONFIG_FORMATS) {
  describe(`${format} accepts the rendered configuration`, { skip: daemonMissing(format) }, () => {
    for (const c of casesFor(format)) {
      test(c.name, () => {
        const text = renderPeerConfig(format, c.plan);
        const result = checkWithDaemon(format, text);
        assert.ok(result.accepted, `${format} refused:\n${text}\n--- ${format} said:\n${result.output}`);
      });
    }
    test('and refuses a broken copy (the check can fail)', () => {
      const text = broken(format, renderPeerConfig(format, plan(TUNNEL, { tunnelIndex: 1 })));
      assert.equal(checkWithDaemon(format, text).accepted, false);
    });
  });
}

/**
 * FRR 8 bgpd configuration: one `router bgp` with a neighbor per tunnel, `network` statements for the
 * example prefixes, a prefix-list route-map so only they are exported. Checked with `vtysh -C -f` and
 * `bgpd -C` (test/unit/peer-config-daemons.test.ts).
 */
import { describeSessions, keepaliveOf, PeerConfigError, requireOneNeighborPerAddress, type PeerPlan, type PeerSession } from './plan';

function neighbor(plan: PeerPlan, s: PeerSession): string[] {
  const n = ` neighbor ${s.neighborAddress}`;
  const lines = [`${n} remote-as ${s.cloudAsn}`, `${n} description ${plan.connectionId} tunnel ${s.tunnelIndex} ${s.tunnelId}`];
  if (s.neighborPort !== 179) lines.push(`${n} port ${s.neighborPort}`);
  lines.push(`${n} update-source ${s.localAddress}`);
  if (s.multihop) lines.push(`${n} ebgp-multihop 2`);
  lines.push(`${n} timers ${keepaliveOf(plan.holdTimeSec)} ${plan.holdTimeSec}`, `${n} timers connect ${plan.connectRetrySec}`);
  return lines;
}

export function renderFrr(plan: PeerPlan): string {
  requireOneNeighborPerAddress(plan, 'FRR');
  const asn = plan.sessions[0]!.routerAsn;
  if (plan.sessions.some((s) => s.routerAsn !== asn)) {
    throw new PeerConfigError('the tunnels\' customer gateways have different ASNs and FRR runs one AS per instance: render one configuration per tunnel (--tunnel 1|2)');
  }
  const lines = [
    ...describeSessions(plan).map((l) => `! ${l}`),
    ...(plan.mode === 'loopback' ? ['! Start bgpd with -p 0 (or any free port): vcoroute never connects out, so no listening socket is needed.'] : []),
    '!',
    '! The example export: replace with your data center\'s prefixes.',
    ...plan.announce.map((p, i) => `ip prefix-list VCOROUTE-EXPORT seq ${5 * (i + 1)} permit ${p}`),
    '!',
    'route-map TO-CLOUD permit 10',
    ' match ip address prefix-list VCOROUTE-EXPORT',
    'exit',
    '!',
    `router bgp ${asn}`,
    ` bgp router-id ${plan.routerId}`,
    ' ! RFC 8212: without this, FRR exchanges no routes with an eBGP peer that has no policy',
    ' no bgp ebgp-requires-policy',
    ' ! announce the example prefixes even when they are not in the routing table',
    ' no bgp network import-check',
  ];
  for (const s of plan.sessions) lines.push(...neighbor(plan, s));
  lines.push(' !', ' address-family ipv4 unicast');
  for (const p of plan.announce) lines.push(`  network ${p}`);
  for (const s of plan.sessions) lines.push(`  neighbor ${s.neighborAddress} route-map TO-CLOUD out`);
  lines.push(' exit-address-family', 'exit', '!');
  return lines.join('\n') + '\n';
}

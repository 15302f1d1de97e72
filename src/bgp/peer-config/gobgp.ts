/**
 * GoBGP 3 gobgpd configuration (TOML): a neighbor per tunnel. GoBGP takes routes through its API, not its
 * configuration, so the example export is the `gobgp global rib add` command to run once gobgpd is up.
 * Checked with `gobgpd -f … -d` (test/unit/peer-config-daemons.test.ts).
 */
import { describeSessions, keepaliveOf, requireOneNeighborPerAddress, type PeerPlan, type PeerSession } from './plan';

function neighbor(plan: PeerPlan, s: PeerSession, globalAsn: number): string[] {
  const lines = [
    '[[neighbors]]',
    '  [neighbors.config]',
    `    neighbor-address = "${s.neighborAddress}"`,
    `    peer-as = ${s.cloudAsn}`,
  ];
  if (s.routerAsn !== globalAsn) lines.push(`    local-as = ${s.routerAsn}`);
  lines.push(
    `    description = "${plan.connectionId} tunnel ${s.tunnelIndex} ${s.tunnelId}"`,
    '  [neighbors.transport.config]',
    `    local-address = "${s.localAddress}"`,
  );
  if (s.neighborPort !== 179) lines.push(`    remote-port = ${s.neighborPort}`);
  lines.push(
    '  [neighbors.timers.config]',
    `    hold-time = ${plan.holdTimeSec}`,
    `    keepalive-interval = ${keepaliveOf(plan.holdTimeSec)}`,
    `    connect-retry = ${plan.connectRetrySec}`,
  );
  if (s.multihop) lines.push('  [neighbors.ebgp-multihop.config]', '    enabled = true', '    multihop-ttl = 2');
  lines.push('  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', '      afi-safi-name = "ipv4-unicast"');
  return lines;
}

export function renderGobgp(plan: PeerPlan): string {
  requireOneNeighborPerAddress(plan, 'GoBGP');
  const asn = plan.sessions[0]!.routerAsn;
  const lines = [
    ...describeSessions(plan).map((l) => `# ${l}`),
    '# The example export, once gobgpd runs (replace with your data center\'s prefixes):',
    ...plan.announce.map((p) => `#   gobgp global rib add -a ipv4 ${p}`),
    '',
    '[global.config]',
    `  as = ${asn}`,
    `  router-id = "${plan.routerId}"`,
  ];
  // -1 = no listening socket: vcoroute never connects out, and none of root, port 179 or a free port is needed.
  if (plan.mode === 'loopback') lines.push('  port = -1');
  for (const s of plan.sessions) lines.push('', ...neighbor(plan, s, asn));
  return lines.join('\n') + '\n';
}

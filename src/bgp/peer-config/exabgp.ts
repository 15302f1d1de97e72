/**
 * ExaBGP 4 configuration: a neighbor per tunnel with the example prefixes as static routes. ExaBGP keeps no
 * table of received routes: an API process with `receive { parsed; update; }` shows them. Checked with
 * `exabgp --validate` (test/unit/peer-config-daemons.test.ts).
 */
import { describeSessions, type PeerPlan, type PeerSession } from './plan';

function neighbor(plan: PeerPlan, s: PeerSession): string[] {
  const lines = [
    `neighbor ${s.neighborAddress} {`,
    `  description "${plan.connectionId} tunnel ${s.tunnelIndex} ${s.tunnelId}";`,
    `  router-id ${plan.routerId};`,
    `  local-address ${s.localAddress};`,
    `  local-as ${s.routerAsn};`,
    `  peer-as ${s.cloudAsn};`,
  ];
  if (s.neighborPort !== 179) lines.push(`  connect ${s.neighborPort};`);
  lines.push(`  hold-time ${plan.holdTimeSec};`, '  family {', '    ipv4 unicast;', '  }', '  static {');
  for (const p of plan.announce) lines.push(`    route ${p} next-hop self;`);
  lines.push('  }', '}');
  return lines;
}

export function renderExabgp(plan: PeerPlan): string {
  const lines = [
    ...describeSessions(plan).map((l) => `# ${l}`),
    '# The static routes are the example export: replace them with your data center\'s prefixes.',
  ];
  for (const s of plan.sessions) lines.push('', ...neighbor(plan, s));
  return lines.join('\n') + '\n';
}

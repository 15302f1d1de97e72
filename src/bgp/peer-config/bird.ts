/**
 * BIRD 2 configuration: one `protocol bgp` per tunnel, a static protocol holding the example prefixes, import
 * of everything vcoroute advertises. Checked with `bird -p -c` (test/unit/peer-config-daemons.test.ts).
 */
import { describeSessions, type PeerPlan, type PeerSession } from './plan';

function session(plan: PeerPlan, s: PeerSession): string[] {
  const lines = [`protocol bgp tunnel${s.tunnelIndex} {`, `  description "${plan.connectionId} tunnel ${s.tunnelIndex} ${s.tunnelId}";`];
  if (plan.mode === 'loopback') {
    // BIRD cannot run a session without its own listening socket; binding it to this address and the
    // tunnel's port (strict bind) needs no root and cannot clash with vcoroute or another tunnel.
    lines.push(`  local ${s.localAddress} port ${s.neighborPort} as ${s.routerAsn};`, '  strict bind yes;');
  } else {
    lines.push(`  local ${s.localAddress} as ${s.routerAsn};`);
  }
  lines.push(`  neighbor ${s.neighborAddress}${s.neighborPort === 179 ? '' : ` port ${s.neighborPort}`} as ${s.cloudAsn};`);
  if (s.multihop) lines.push('  multihop;');
  lines.push(
    `  hold time ${plan.holdTimeSec};`,
    '  connect delay time 1;',
    `  connect retry time ${plan.connectRetrySec};`,
    '  ipv4 {',
    '    import all;',
    '    export filter to_cloud;',
    '  };',
    '}',
  );
  return lines;
}

export function renderBird(plan: PeerPlan): string {
  const lines = [
    ...describeSessions(plan).map((l) => `# ${l}`),
    '# Learned routes stay in BIRD\'s table; add `protocol kernel { ipv4 { export all; }; }` to install them.',
    '',
    `router id ${plan.routerId};`,
    '',
    'protocol device { }',
    '',
    '# The example export: replace with your data center\'s prefixes.',
    'protocol static onprem_routes {',
    '  ipv4;',
    ...plan.announce.map((p) => `  route ${p} blackhole;`),
    '}',
    '',
    'filter to_cloud {',
    '  if proto = "onprem_routes" then accept;',
    '  reject;',
    '}',
  ];
  for (const s of plan.sessions) lines.push('', ...session(plan, s));
  return lines.join('\n') + '\n';
}

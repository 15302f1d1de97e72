/**
 * The dual-tunnel topology of bgp.md §5.5 in network namespaces (needs root and `ip`): a "cloud" namespace
 * holding each tunnel's LocalBgpIp (169.254.N0.1/30) on a veth pair whose other end, 169.254.N0.2, is in an
 * "onprem" namespace; one more veth pair carries the API from the root namespace (10.223.X.1 ↔ 10.223.X.2).
 * remove() deletes everything, and a new topology first removes the leftovers of killed runs.
 */
import { execFileSync } from 'node:child_process';

export const ip = (...args: string[]): string => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

export interface TunnelTopology {
  cloud: string;
  onprem: string;
  /** the server's API address, inside the cloud namespace */
  apiHost: string;
  remove(): void;
}

/** Namespaces and links named after `prefix` (≤ 6 lower-case characters; one per test file). */
export function createTunnelTopology(prefix: string): TunnelTopology {
  for (const line of ip('netns', 'list').split('\n')) {
    const name = line.split(' ')[0];
    if (name?.startsWith(`${prefix}-`)) ip('netns', 'del', name);
  }
  for (const line of ip('-o', 'link', 'show').split('\n')) {
    const m = new RegExp(`^\\d+: (${prefix}a[0-9a-z]+)[@:]`).exec(line);
    if (m) ip('link', 'del', m[1]!);
  }
  const tag = Math.random().toString(36).slice(2, 7);
  const cloud = `${prefix}-c${tag}`;
  const onprem = `${prefix}-o${tag}`;
  const apiNet = 100 + Math.floor(Math.random() * 100);
  ip('netns', 'add', cloud);
  ip('netns', 'add', onprem);
  for (const t of [1, 2]) {
    ip('link', 'add', `${prefix}c${t}${tag}`, 'type', 'veth', 'peer', 'name', `${prefix}o${t}${tag}`);
    ip('link', 'set', `${prefix}c${t}${tag}`, 'netns', cloud);
    ip('link', 'set', `${prefix}o${t}${tag}`, 'netns', onprem);
    ip('-n', cloud, 'addr', 'add', `169.254.${t}0.1/30`, 'dev', `${prefix}c${t}${tag}`);
    ip('-n', onprem, 'addr', 'add', `169.254.${t}0.2/30`, 'dev', `${prefix}o${t}${tag}`);
    ip('-n', cloud, 'link', 'set', `${prefix}c${t}${tag}`, 'up');
    ip('-n', onprem, 'link', 'set', `${prefix}o${t}${tag}`, 'up');
  }
  ip('-n', cloud, 'link', 'set', 'lo', 'up');
  ip('-n', onprem, 'link', 'set', 'lo', 'up');
  ip('link', 'add', `${prefix}a${tag}`, 'type', 'veth', 'peer', 'name', `${prefix}b${tag}`);
  ip('link', 'set', `${prefix}b${tag}`, 'netns', cloud);
  ip('addr', 'add', `10.223.${apiNet}.1/30`, 'dev', `${prefix}a${tag}`);
  ip('-n', cloud, 'addr', 'add', `10.223.${apiNet}.2/30`, 'dev', `${prefix}b${tag}`);
  ip('link', 'set', `${prefix}a${tag}`, 'up');
  ip('-n', cloud, 'link', 'set', `${prefix}b${tag}`, 'up');
  return {
    cloud,
    onprem,
    apiHost: `10.223.${apiNet}.2`,
    remove() {
      for (const ns of [cloud, onprem]) try { ip('netns', 'del', ns); } catch { /* not created */ }
      try { ip('link', 'del', `${prefix}a${tag}`); } catch { /* gone with the namespace */ }
    },
  };
}

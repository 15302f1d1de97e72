/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self and total time per function, and self time per
 * area (SQLite, HTTP, crypto, GC, vcoroute's own code…). Usage: node --import tsx bench/profile-summary.ts FILE [N]
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const ROOT = path.resolve(__dirname, '..');

function where(url: string): string {
  if (url === '') return '';
  const file = url.startsWith('file://') ? url.slice(7) : url;
  return file.startsWith(ROOT) ? path.relative(ROOT, file) : file.replace(/^.*node_modules\//, '');
}

function area(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  if (functionName === '(idle)') return 'idle (waiting for I/O)';
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(program)') return '(program: native, not attributed)';
  const w = where(url);
  if (w.includes('better-sqlite3')) return 'SQLite (better-sqlite3)';
  if (w.includes('pino')) return 'logging (pino)';
  if (w.startsWith('dist/') || w.startsWith('src/')) return `vcoroute ${w.split('/').slice(1, -1).join('/') || w}`;
  if (/^node:internal\/(http|_http|streams|stream_base|net)|^node:(_http|http|net)/.test(w)) return 'node http/net';
  if (/crypto/.test(w)) return 'node crypto';
  if (w === '') return `native: ${functionName || '(anonymous)'}`;
  return w.startsWith('node:') ? 'node other' : `other ${w.split('/')[0]}`;
}

export function summariseProfile(file: string, top = 25): string {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const areas = new Map<string, number>();
  let all = 0;
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000; // ms until the next sample
    const node = byId.get(profile.samples[i]!)!;
    all += dt;
    if (node.callFrame.functionName !== '(idle)') busy += dt;
    self.set(label(node), (self.get(label(node)) ?? 0) + dt);
    areas.set(area(node), (areas.get(area(node)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const l = label(byId.get(id)!);
      if (seen.has(l)) continue;
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + dt);
    }
  }
  const pct = (ms: number) => `${((100 * ms) / busy).toFixed(1).padStart(5)}%`;
  const rows = (m: Map<string, number>, n: number, filter: (k: string) => boolean = () => true) =>
    [...m].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${pct(v)}  ${k}`);
  return [
    `profiled ${(all / 1000).toFixed(1)} s, busy (not idle) ${(busy / 1000).toFixed(1)} s; percentages are of busy time`,
    '', 'self time by area:', ...rows(areas, 20, (k) => !k.startsWith('idle')),
    '', `self time, top ${top} functions:`, ...rows(self, top, (k) => !k.startsWith('(idle)')),
    '', 'total (inclusive) time, vcoroute functions:', ...rows(total, top, (k) => / (dist|src)\//.test(k)),
  ].join('\n');
}

if (require.main === module) {
  const [file, n] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-summary.ts FILE [N]');
  process.stdout.write(summariseProfile(file, Number(n ?? 25)) + '\n');
}

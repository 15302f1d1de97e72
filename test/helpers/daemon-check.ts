/**
 * Asks each routing daemon whether it accepts a configuration, with its own checker: `bird -p`,
 * `vtysh -C` (syntax) plus `bgpd -C` (semantics: it exits 0 either way, so its complaints are read),
 * `gobgpd -d`, `exabgp --validate`. Daemons are Debian packages (bird2, frr, gobgpd, exabgp; .ci/run).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PeerConfigFormat } from '../../src/bgp/peer-config';
import { hasCommand } from './speaker-daemons';

const BGPD = '/usr/lib/frr/bgpd';

const COMMANDS: Record<PeerConfigFormat, string[]> = {
  bird: ['bird'],
  frr: ['vtysh', 'bgpd'],
  gobgp: ['gobgpd'],
  exabgp: ['exabgp'],
};

/** A reason to skip when the daemon is not installed, else false (never skipped under CI: see hasCommand). */
export function daemonMissing(format: PeerConfigFormat): string | false {
  const missing = COMMANDS[format].filter((c) => !hasCommand(c));
  return missing.length > 0 ? `not installed: ${missing.join(', ')}` : false;
}

export interface CheckResult {
  accepted: boolean;
  output: string;
}

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): { status: number | null; output: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

export function checkWithDaemon(format: PeerConfigFormat, text: string): CheckResult {
  const dir = mkdtempSync(path.join(tmpdir(), `vcoroute-${format}-`));
  try {
    const file = path.join(dir, format === 'gobgp' ? 'gobgpd.toml' : `${format}.conf`);
    writeFileSync(file, text);
    switch (format) {
      case 'bird': {
        const r = run('/usr/sbin/bird', ['-p', '-c', file]);
        return { accepted: r.status === 0, output: r.output };
      }
      case 'frr': {
        const syntax = run('/usr/bin/vtysh', ['-C', '-f', file]);
        const semantics = run(BGPD, ['-C', '-Z', '-S', '-p', '0', '-f', file, '--vty_socket', dir, '-i', path.join(dir, 'bgpd.pid')]);
        const complaints = /Config Failed|^%/m.test(semantics.output);
        return { accepted: syntax.status === 0 && semantics.status === 0 && !complaints, output: syntax.output + semantics.output };
      }
      case 'gobgp': {
        const r = run('/usr/bin/gobgpd', ['-f', file, '-d']);
        return { accepted: r.status === 0, output: r.output };
      }
      case 'exabgp': {
        // exabgp.api.cli=false: no named pipes needed for a check
        const r = run('/usr/sbin/exabgp', ['--validate', file], { 'exabgp.api.cli': 'false' });
        return { accepted: r.status === 0, output: r.output };
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Real BGP daemons for the speaker service's end-to-end tests (test/bgp/speaker-*.test.ts) (bgp.md §5): BIRD 2, ExaBGP 4, GoBGP 3 and FRR bgpd, each
 * in its own temporary directory with a rendered configuration. Every start registers its stop, and
 * stopAllDaemons() (call it in `after`) kills whatever is still running, so a failing test leaves nothing behind.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { stopPidFile, tempDir } from './bgp-daemons';

const run = promisify(execFile);
const running = new Set<() => Promise<void>>();

/** True when the daemon is installed — and always under CI=true, where a missing daemon must fail the test, not skip it. */
export function hasCommand(name: string): boolean {
  if (/^(1|true)$/i.test(process.env.CI ?? '')) return true;
  return ['/usr/sbin', '/usr/bin', '/usr/lib/frr', '/usr/local/bin', '/usr/local/sbin'].some((d) => fs.existsSync(path.join(d, name)));
}

export const tempRunDir = tempDir;

/** A port for a daemon's own listener, unlikely to clash with parallel runs. */
export function randomHighPort(): number {
  return 30000 + Math.floor(Math.random() * 20000);
}

export async function stopAllDaemons(): Promise<void> {
  for (const stop of [...running]) await stop().catch(() => undefined);
}

function track(stop: () => Promise<void>): () => Promise<void> {
  const once = async () => {
    running.delete(once);
    await stop();
  };
  running.add(once);
  return once;
}

function killChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Prefixes: ip netns exec <ns> (namespace tests) or nothing. */
function wrap(netns: string | undefined, cmd: string, args: string[]): [string, string[]] {
  return netns ? ['ip', ['netns', 'exec', netns, cmd, ...args]] : [cmd, args];
}

// ---------------- BIRD ----------------

export interface Bird {
  dir: string;
  birdc(...args: string[]): Promise<string>;
  /** rewrites the configuration and reloads it (`birdc configure`) */
  reconfigure(conf: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startBird(conf: string, netns?: string): Promise<Bird> {
  const dir = tempRunDir('bird');
  const confFile = path.join(dir, 'bird.conf');
  fs.writeFileSync(confFile, conf);
  const ctl = path.join(dir, 'bird.ctl');
  const pid = path.join(dir, 'bird.pid');
  await run(...wrap(netns, 'bird', ['-p', '-c', confFile]));
  await run(...wrap(netns, 'bird', ['-c', confFile, '-s', ctl, '-P', pid]));
  const stop = track(() => stopPidFile(pid));
  const birdc = async (...args: string[]) => (await run('birdc', ['-s', ctl, ...args])).stdout;
  return {
    dir,
    birdc,
    async reconfigure(next) {
      fs.writeFileSync(confFile, next);
      const out = await birdc('configure');
      if (!/Reconfigured|Reconfiguration in progress/.test(out)) throw new Error(`birdc configure: ${out}`);
    },
    stop,
  };
}

// ---------------- ExaBGP ----------------

export interface ExaBgp {
  dir: string;
  /** appends a command (announce …, withdraw …) to the feeder */
  command(line: string): void;
  /** the JSON messages the receiver got */
  received(): any[];
  log(): string;
  stop(): Promise<void>;
}

export async function startExaBgp(neighborConf: (run: string) => string): Promise<ExaBgp> {
  const dir = tempRunDir('exabgp');
  const cmds = path.join(dir, 'cmds');
  const recv = path.join(dir, 'recv.sh');
  const received = path.join(dir, 'received.jsonl');
  fs.writeFileSync(cmds, '');
  fs.writeFileSync(recv, `#!/bin/sh\nwhile IFS= read -r l; do printf "%s\\n" "$l" >> ${received}; done\n`, { mode: 0o755 });
  const conf = path.join(dir, 'exabgp.conf');
  fs.writeFileSync(conf, `process feeder { run /usr/bin/tail -n +1 -F ${cmds}; encoder text; }
process receiver { run ${recv}; encoder json; }
${neighborConf(dir)}
`);
  const child = spawn('exabgp', [conf], {
    env: { ...process.env, 'exabgp.daemon.user': 'root', 'exabgp.log.destination': path.join(dir, 'exabgp.log'), 'exabgp.tcp.bind': '', 'exabgp.api.cli': 'false' },
    stdio: 'ignore',
  });
  const stop = track(() => killChild(child));
  return {
    dir,
    command: (line) => fs.appendFileSync(cmds, `${line}\n`),
    received: () => (fs.existsSync(received) ? fs.readFileSync(received, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []),
    log: () => (fs.existsSync(path.join(dir, 'exabgp.log')) ? fs.readFileSync(path.join(dir, 'exabgp.log'), 'utf8') : ''),
    stop,
  };
}

// ---------------- GoBGP ----------------

export interface GoBgp {
  gobgp(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startGoBgp(toml: string, apiPort: number): Promise<GoBgp> {
  const dir = tempRunDir('gobgp');
  const conf = path.join(dir, 'gobgpd.toml');
  fs.writeFileSync(conf, toml);
  const child = spawn('gobgpd', ['-f', conf, '--api-hosts', `127.0.0.1:${apiPort}`, '-p', '--pprof-disable'], { stdio: 'ignore' });
  const stop = track(() => killChild(child));
  const gobgp = async (...args: string[]) => (await run('gobgp', ['-u', '127.0.0.1', '-p', String(apiPort), ...args])).stdout;
  return { gobgp, stop };
}

// ---------------- FRR bgpd ----------------

export interface Frr {
  vtysh(...commands: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startFrr(conf: string, listenAddress: string, listenPort: number): Promise<Frr> {
  const dir = tempRunDir('frr');
  fs.chmodSync(dir, 0o777);
  const confFile = path.join(dir, 'bgpd.conf');
  fs.writeFileSync(confFile, conf);
  const pid = path.join(dir, 'bgpd.pid');
  const child = spawn('/usr/lib/frr/bgpd', ['-Z', '-S', '-p', String(listenPort), '-l', listenAddress, '-f', confFile, '-i', pid, '--vty_socket', dir, '-P', '0'], {
    stdio: 'ignore',
  });
  const stop = track(() => killChild(child));
  const vtysh = async (...commands: string[]) => (await run('vtysh', ['--vty_socket', dir, '-d', 'bgpd', ...commands.flatMap((c) => ['-c', c])])).stdout;
  return { vtysh, stop };
}

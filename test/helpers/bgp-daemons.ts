/**
 * Real BGP daemons for interop tests: per-test temp directories, free ports, 127.0.0.x source
 * addresses, and cleanup that always runs. A missing binary fails the test (CI installs them).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { AnnouncedRoute, PathAttributes, TunnelSession, TunnelSessionSettings } from '../../src/bgp/session-api';
import { startHarness, type Harness } from './bgp-harness';

const run = promisify(execFile);

export function requireBinary(file: string): string {
  const found = [file, ...(process.env.PATH ?? '').split(':').map((dir) => path.join(dir, file))].find((p) => path.isAbsolute(p) && fs.existsSync(p));
  if (found === undefined) throw new Error(`${file} is not installed: the BGP interop tests need it (apt-get install bird2 exabgp gobgpd frr)`);
  return found;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `vcoroute-${prefix}-`));
}

/** A TCP port free on `host` right now. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.listen(0, host, resolve).on('error', reject));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function command(file: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run(file, args, { env: { ...process.env, ...env }, timeout: 20000 });
  return stdout;
}

/** A foreground daemon whose output goes to a log file in its run directory. */
export function startProcess(file: string, args: string[], runDir: string, env?: NodeJS.ProcessEnv): ChildProcess {
  const log = fs.openSync(path.join(runDir, `${path.basename(file)}.out`), 'a');
  const child = spawn(file, args, { cwd: runDir, env: { ...process.env, ...env }, stdio: ['ignore', log, log], detached: true });
  child.on('error', () => undefined);
  return child;
}

/** Kills a foreground daemon and its process group (ExaBGP's helper processes included). */
export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
  const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 3000);
  await exited;
  clearTimeout(timer);
}

/**
 * The command line of a live process, or undefined when it is gone or a zombie. Signals go to a pid read from
 * a file only while it still names the daemon: pids wrap around (pid_max 32,768) during a long test run, and a
 * stale pid file must never signal whatever process has that pid now (the test runner's own, say).
 */
function liveCommand(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/\) Z /.test(stat)) return undefined;
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}

/** Kills a self-daemonizing daemon by its pid file (only while the pid is still the daemon that the file names). */
export async function stopPidFile(pidFile: string): Promise<void> {
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return;
  const command = liveCommand(pid);
  // The daemon was started with its pid file (or its run directory) on its command line.
  const ours = (c: string | undefined) => c !== undefined && (c.includes(pidFile) || c.includes(path.dirname(pidFile)));
  if (!ours(command)) return;
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  for (let i = 0; i < 150; i++) {
    if (!ours(liveCommand(pid))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  if (ours(liveCommand(pid))) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
}

/** Polls an async probe until it returns true. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The cloud side in every interop test: AS 45104 at 169.254.10.1, peering with AS 65001. */
export const CLOUD_ATTRIBUTES: PathAttributes = {
  origin: 0, asPath: [{ type: 'sequence', asns: [45104] }], nextHop: '169.254.10.1', communities: [(65535 << 16 | 65520) >>> 0], largeCommunities: [],
};
export const CLOUD_ROUTES: AnnouncedRoute[] = ['172.16.0.0/16', '172.20.1.0/24'].map((prefix) => ({ prefix, attributes: CLOUD_ATTRIBUTES }));

/**
 * A harness that accepts only `peerAddress`, and on Established advertises CLOUD_ROUTES then End-of-RIB
 * (and again on ROUTE-REFRESH), as the speaker service will.
 */
export async function startCloudHarness(peerAddress: string, port?: number): Promise<Harness> {
  const settings: TunnelSessionSettings = { localAsn: 45104, routerId: '169.254.10.1', peerAsn: 65001, peerAddress, holdTimeSec: 90 };
  const dump = (session: TunnelSession) => {
    void session.advertise(CLOUD_ROUTES, []).then(() => session.sendEndOfRib());
  };
  return startHarness(settings, { onEstablished: dump, onRefresh: dump, ...(port !== undefined ? { port } : {}) });
}

/** Everything an interop test started, stopped in order even when setup failed half-way. */
export async function tearDown(parts: { child?: ChildProcess | undefined; pidFile?: string; harness?: Harness | undefined; run: string }): Promise<void> {
  await stopProcess(parts.child);
  if (parts.pidFile !== undefined && parts.run !== '') await stopPidFile(parts.pidFile);
  await parts.harness?.stop();
  if (parts.run !== '') fs.rmSync(parts.run, { recursive: true, force: true });
}

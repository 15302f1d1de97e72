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

/** Kills a self-daemonizing daemon by its pid file. */
export async function stopPidFile(pidFile: string): Promise<void> {
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return;
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  for (let i = 0; i < 150; i++) {
    try { process.kill(pid, 0); } catch { return; }
    await new Promise((r) => setTimeout(r, 20));
  }
  try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
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

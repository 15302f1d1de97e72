/**
 * A vcoroute server as a separate process (`node --import tsx src/cli.ts serve --port 0 …`), as an operator
 * would run it: for multi-node and fault tests. The endpoint is read from the start banner on stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ADMIN_TOKEN } from './server';

const REPO = path.resolve(__dirname, '../..');
const START_TIMEOUT_MS = 30_000;

export interface ServerProcess {
  endpoint: string;
  baseUrl: string;
  child: ChildProcess;
  /** everything the process wrote to stderr (logs) */
  stderr(): string;
  /** everything it wrote to stdout (the start banner) */
  stdout(): string;
  /** exit code or signal once it has exited; undefined while running */
  exited(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** admin API call (no status bookkeeping: fault tests expect 503s) */
  admin(method: string, pathAndQuery: string, body?: unknown): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

/** `wrapper`: a command the server runs under, e.g. ['ip', 'netns', 'exec', 'ns1'] (it must exec the server, keeping the PID). */
export async function startServerProcess(args: string[], env: NodeJS.ProcessEnv = {}, wrapper: string[] = []): Promise<ServerProcess> {
  const command = [...wrapper, process.execPath, '--import', 'tsx', 'src/cli.ts', 'serve', '--port', '0', ...args];
  const child = spawn(command[0]!, command.slice(1), {
    cwd: REPO,
    env: { ...process.env, VCOROUTE_ADMIN_TOKEN: ADMIN_TOKEN, VCOROUTE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let scheme = 'http';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve();
    }),
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${START_TIMEOUT_MS} ms\n${stdout}\n${stderr}`)), START_TIMEOUT_MS);
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
      const m = /listening on (https?):\/\/(\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        scheme = m[1]!;
        resolve(m[2]!);
      }
    });
    void exitedPromise.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening (${JSON.stringify(exit)})\n${stdout}\n${stderr}`));
    });
  });
  const baseUrl = `${scheme}://${endpoint}`;
  return {
    endpoint,
    baseUrl,
    child,
    stderr: () => stderr,
    stdout: () => stdout,
    exited: () => exit,
    async admin(method, pathAndQuery, body) {
      const res = await fetch(`${baseUrl}${pathAndQuery}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    },
    async stop() {
      if (exit) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
}

/**
 * The package entry point for test suites: `import { startVcoroute } from 'vcoroute'` starts a server on a free
 * loopback port with a temporary store (or a given PostgreSQL database) and returns what a test needs — the
 * endpoint for SDK clients, the root credentials, an admin client — and `stop()`, which also removes the
 * temporary data directory.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from './cli';
import { loadConfig } from './config';
import { createLogger, startServer } from './server/app';

export interface VcorouteOptions {
  /** postgres://… to share state with other servers; default: SQLite in a temporary directory */
  databaseUrl?: string;
  /** SQLite data directory to use (kept on stop); default: a temporary one (removed on stop) */
  dataDir?: string;
  /** how long attaching/detaching/updating last; default 0 (instant changes suit tests) */
  changeDelayMs?: number;
  /** attach every new VPN connection to a transit router (true = the default one) */
  autoAttach?: boolean | string;
  /** pino level; default 'silent' */
  logLevel?: string;
  /** any other VCOROUTE_* setting, as the environment would give it */
  env?: Record<string, string>;
}

export interface AdminClient {
  /** any admin API call (see /_vcoroute/openapi.json); returns the status and the parsed JSON body */
  request(method: string, pathAndQuery: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** empties everything but the root identity */
  reset(): Promise<void>;
}

export interface StartedVcoroute {
  /** host:port — what an SDK's `endpoint` takes (with protocol: 'http') */
  endpoint: string;
  baseUrl: string;
  /** the SQLite data directory (undefined on PostgreSQL) */
  dataDir: string | undefined;
  credentials: { accountId: string; accessKeyId: string; accessKeySecret: string };
  admin: AdminClient;
  stop(): Promise<void>;
}

export async function startVcoroute(options: VcorouteOptions = {}): Promise<StartedVcoroute> {
  const temporary = options.dataDir === undefined && options.databaseUrl === undefined;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vcoroute-'));
  const adminToken = options.env?.VCOROUTE_ADMIN_TOKEN ?? randomBytes(16).toString('hex');
  const config = loadConfig(
    { host: '127.0.0.1', port: 0, data: dataDir, database: options.databaseUrl, changeDelayMs: options.changeDelayMs ?? 0, autoAttach: options.autoAttach },
    { ...options.env, VCOROUTE_ADMIN_TOKEN: adminToken },
  );
  const logger = createLogger(options.logLevel ?? 'silent');
  const server = await startServer(config, await openStore(config, logger), logger);
  const baseUrl = `${server.protocol}://${server.endpoint}`;
  const request: AdminClient['request'] = async (method, pathAndQuery, body) => {
    const res = await fetch(`${baseUrl}${pathAndQuery}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  return {
    endpoint: server.endpoint,
    baseUrl,
    dataDir: options.databaseUrl === undefined ? dataDir : undefined,
    credentials: { accountId: config.accountId, accessKeyId: config.accessKeyId, accessKeySecret: config.accessKeySecret },
    admin: {
      request,
      async reset() {
        const r = await request('POST', '/_vcoroute/v1/reset');
        if (r.status !== 200) throw new Error(`reset failed: ${r.status} ${JSON.stringify(r.body)}`);
      },
    },
    async stop() {
      await server.close();
      if (temporary) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts a real vcoroute server (in-process listener, real SQLite on disk) for a test file. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, DEV_ACCESS_KEY_ID, DEV_ACCESS_KEY_SECRET, DEV_ACCOUNT_ID } from '../../src/config';
import { createLogger, startServer, type RunningServer } from '../../src/server/app';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';

export const ADMIN_TOKEN = 'test-admin-token';
export const ROOT = { accountId: DEV_ACCOUNT_ID, accessKeyId: DEV_ACCESS_KEY_ID, accessKeySecret: DEV_ACCESS_KEY_SECRET };

export interface TestServer extends RunningServer {
  dataDir: string;
  baseUrl: string;
  /** admin API call; returns status and parsed JSON */
  admin(method: string, pathAndQuery: string, body?: unknown): Promise<{ status: number; body: any }>;
}

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'vcoroute-test-'));
}

export async function startTestServer(dataDir = tempDataDir(), env: NodeJS.ProcessEnv = {}): Promise<TestServer> {
  const config = loadConfig({ host: '127.0.0.1', port: 0, data: dataDir }, { VCOROUTE_ADMIN_TOKEN: ADMIN_TOKEN, ...env });
  const server = await startServer(config, new SqliteStore(config.dataDir), createLogger('silent'));
  const baseUrl = `http://${server.endpoint}`;
  return {
    ...server,
    dataDir,
    baseUrl,
    async admin(method, pathAndQuery, body) {
      const res = await fetch(`${baseUrl}${pathAndQuery}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    },
  };
}

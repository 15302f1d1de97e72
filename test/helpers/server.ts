/**
 * Starts a real vcoroute server (in-process listener) for a test file, on real SQLite on disk — or on
 * PostgreSQL with VCOROUTE_TEST_BACKEND=postgres (npm run test:postgres): then each data directory stands
 * for its own fresh database (created on first use, dropped when the test process exits), so restarting
 * on the same directory finds the same state.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, DEV_ACCESS_KEY_ID, DEV_ACCESS_KEY_SECRET, DEV_ACCOUNT_ID } from '../../src/config';
import { createLogger, startServer, type RunningServer } from '../../src/server/app';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { PostgresStore } from '../../src/store/postgres/postgres-store';
import type { Store } from '../../src/store/store';
import { TEST_PG_OPTIONS, createTestDatabase, sdkTestBackend, type BackendName } from './backends';
import { noteStatus } from './http';

export const ADMIN_TOKEN = 'test-admin-token';
export const ROOT = { accountId: DEV_ACCOUNT_ID, accessKeyId: DEV_ACCESS_KEY_ID, accessKeySecret: DEV_ACCESS_KEY_SECRET };

export interface TestServer extends RunningServer {
  dataDir: string;
  /** the store backend the server runs on (VCOROUTE_TEST_BACKEND) */
  backend: BackendName;
  baseUrl: string;
  /** admin API call; returns status and parsed JSON */
  admin(method: string, pathAndQuery: string, body?: unknown): Promise<{ status: number; body: any }>;
}

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'vcoroute-test-'));
}

const POSTGRES_MARKER = 'postgres-test-database-url';

/**
 * The store of a test data directory on the selected backend: SQLite files in it, or (postgres) the
 * database the directory stands for. Use it to prepare state before startTestServer(dataDir).
 */
export async function openTestStore(dataDir: string): Promise<Store> {
  if (sdkTestBackend() === 'sqlite') return new SqliteStore(dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const marker = path.join(dataDir, POSTGRES_MARKER);
  let url = fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8').trim() : undefined;
  if (!url) {
    url = (await createTestDatabase()).url;
    fs.writeFileSync(marker, url);
  }
  return PostgresStore.open({ connectionString: url, ...TEST_PG_OPTIONS });
}

/** The `vcoroute` flags that open the store of a test data directory (openTestStore) from another process. */
export function storeArgsFor(dataDir: string): string[] {
  if (sdkTestBackend() === 'sqlite') return ['--data', dataDir];
  return ['--database', fs.readFileSync(path.join(dataDir, POSTGRES_MARKER), 'utf8').trim()];
}

export async function startTestServer(dataDir = tempDataDir(), env: NodeJS.ProcessEnv = {}): Promise<TestServer> {
  const config = loadConfig({ host: '127.0.0.1', port: 0, data: dataDir }, { VCOROUTE_ADMIN_TOKEN: ADMIN_TOKEN, ...env });
  const server = await startServer(config, await openTestStore(config.dataDir), createLogger('silent'));
  const baseUrl = `http://${server.endpoint}`;
  return {
    ...server,
    dataDir,
    backend: sdkTestBackend(),
    baseUrl,
    async admin(method, pathAndQuery, body) {
      const res = await fetch(`${baseUrl}${pathAndQuery}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      noteStatus(res.status, `admin ${method} ${pathAndQuery}`);
      return { status: res.status, body: await res.json() };
    },
  };
}

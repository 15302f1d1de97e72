/**
 * ClientToken exactly once across crashes (issue 14, finding 1), with real server processes on both backends.
 * An operation's writes and its token's response commit in one transaction, so:
 *   - a server killed (kill -9) after the write but before the response: the retry returns the first result
 *     or, when nothing was committed, runs once;
 *   - a database that fails between the two (here: a trigger refusing the token's response): nothing is
 *     committed, and the retry runs once.
 * The window between the write and the token record is widened deterministically by a trigger on
 * client_tokens installed from the test (slow on the response write, or failing), so each case fails on a
 * server that commits them apart.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import Vpc, * as $Vpc from '@alicloud/vpc20160428';
import { SQLITE_FILE_NAME } from '../../src/store/sqlite/sqlite-store';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '../helpers/backends';
import { ROOT, tempDataDir } from '../helpers/server';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const REGION = 'cn-hangzhou';
const PENDING_TIMEOUT_MS = 500;

interface Backend {
  args: string[];
  /** makes the write of a token's response slow (≥ 3 s) or fail */
  install(trigger: 'slow' | 'fail'): Promise<void>;
  uninstall(): Promise<void>;
  close(): Promise<void>;
}

function sqliteBackend(): Backend {
  const dir = tempDataDir();
  const open = () => new Database(path.join(dir, SQLITE_FILE_NAME));
  return {
    args: ['--data', dir],
    async install(kind) {
      const db = open();
      try {
        // SQLite has no sleep: the slow trigger counts a 3-way cross join of 650 rows (275 M rows, seconds of CPU).
        db.exec('CREATE TABLE IF NOT EXISTS test_spin (n INTEGER)');
        db.exec('DELETE FROM test_spin');
        db.prepare('INSERT INTO test_spin (n) SELECT value FROM json_each(?)').run(JSON.stringify(Array.from({ length: 650 }, (_, i) => i)));
        const body = kind === 'slow' ? 'SELECT count(*) FROM test_spin a, test_spin b, test_spin c;' : "SELECT RAISE(ABORT, 'database lost');";
        db.exec(`CREATE TRIGGER test_token_response BEFORE UPDATE ON client_tokens WHEN NEW.response_status IS NOT NULL BEGIN ${body} END`);
      } finally {
        db.close();
      }
    },
    async uninstall() {
      const db = open();
      try {
        db.exec('DROP TRIGGER IF EXISTS test_token_response');
      } finally {
        db.close();
      }
    },
    async close() {},
  };
}

async function postgresBackend(db: TestDatabase): Promise<Backend> {
  const sql = async (text: string) => {
    const client = new Client({ connectionString: db.url });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  return {
    args: ['--database', db.url],
    async install(kind) {
      const action = kind === 'slow' ? 'PERFORM pg_sleep(3);' : "RAISE EXCEPTION 'database lost';";
      await sql(`CREATE OR REPLACE FUNCTION test_token_response() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.response_status IS NOT NULL THEN ${action} END IF; RETURN NEW; END $$`);
      await sql('CREATE TRIGGER test_token_response BEFORE UPDATE ON client_tokens FOR EACH ROW EXECUTE FUNCTION test_token_response()');
    },
    async uninstall() {
      await sql('DROP TRIGGER IF EXISTS test_token_response ON client_tokens');
    },
    close: () => db.drop(),
  };
}

function sdk(server: ServerProcess): any {
  return new (Vpc as any)({
    accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret, endpoint: server.endpoint, protocol: 'http', regionId: REGION,
    readTimeout: 30_000, connectTimeout: 5000,
  });
}

const createGateway = (server: ServerProcess, clientToken: string, ipAddress: string): Promise<{ body: $Vpc.CreateCustomerGatewayResponseBody }> =>
  sdk(server).createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: REGION, ipAddress, clientToken }));

async function gatewayIds(server: ServerProcess): Promise<string[]> {
  const res = await sdk(server).describeCustomerGateways(new $Vpc.DescribeCustomerGatewaysRequest({ regionId: REGION, pageSize: 50 }));
  return (res.body.customerGateways?.customerGateway ?? []).map((g: any) => g.customerGatewayId as string);
}

/** Retries a create with its token as a client would: LastTokenProcessing until the stale claim may be taken over. */
async function retryUntilDone(server: ServerProcess, token: string, ipAddress: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await createGateway(server, token, ipAddress)).body.customerGatewayId!;
    } catch (err: any) {
      if (err?.code !== 'LastTokenProcessing' || attempt >= 40) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

const start = (backend: Backend) =>
  startServerProcess([...backend.args, '--change-delay-ms', '0'], { VCOROUTE_CLIENT_TOKEN_PENDING_TIMEOUT_MS: String(PENDING_TIMEOUT_MS) });

function suite(name: string, makeBackend: () => Promise<Backend>, skip?: string): void {
  describe(`ClientToken exactly once across failures (${name})`, { skip }, () => {
    let backend: Backend;
    let server: ServerProcess;

    before(async () => {
      backend = await makeBackend();
      server = await start(backend);
    });
    after(async () => {
      await server?.stop();
      await backend?.close();
    });

    test('a server killed after the write, before the token is recorded: the retry returns the first result, one gateway', async () => {
      const before = await gatewayIds(server);
      await backend.install('slow');
      const pending = createGateway(server, 'token-kill-1', '203.0.113.10').catch((err: unknown) => err);
      await new Promise((resolve) => setTimeout(resolve, 1000)); // the request is inside the slow token write
      server.child.kill('SIGKILL');
      const answered = await pending;
      await backend.uninstall();
      server = await start(backend);
      assert.ok(answered instanceof Error, 'the killed server never answered (the token write was still running)');

      const id = await retryUntilDone(server, 'token-kill-1', '203.0.113.10');
      assert.equal(await retryUntilDone(server, 'token-kill-1', '203.0.113.10'), id, 'further retries return the same result');
      const added = (await gatewayIds(server)).filter((g) => !before.includes(g));
      assert.deepEqual(added, [id], 'exactly one gateway for the token');
    });

    test('a database failing between the write and the token record: nothing committed, the retry runs once', async () => {
      const before = await gatewayIds(server);
      await backend.install('fail');
      await assert.rejects(createGateway(server, 'token-fail-1', '203.0.113.11'));
      await backend.uninstall();
      await new Promise((resolve) => setTimeout(resolve, PENDING_TIMEOUT_MS + 100));

      const id = await retryUntilDone(server, 'token-fail-1', '203.0.113.11');
      assert.equal(await retryUntilDone(server, 'token-fail-1', '203.0.113.11'), id);
      const added = (await gatewayIds(server)).filter((g) => !before.includes(g));
      assert.deepEqual(added, [id], 'exactly one gateway for the token');
    });

    test('kill -9 under concurrent creates, then every token retried: exactly one gateway per token', async () => {
      const before = await gatewayIds(server);
      const tokens = Array.from({ length: 40 }, (_, i) => ({ token: `token-load-${i}`, ip: `198.51.100.${i + 1}` }));
      const acknowledged = new Map<string, string>();
      const inFlight = tokens.map(({ token, ip }, i) =>
        new Promise((resolve) => setTimeout(resolve, i * 5))
          .then(() => createGateway(server, token, ip))
          .then((r) => acknowledged.set(token, r.body.customerGatewayId!))
          .catch(() => undefined),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      server.child.kill('SIGKILL');
      await Promise.all(inFlight);

      server = await start(backend);
      const results = new Map<string, string>();
      for (const { token, ip } of tokens) results.set(token, await retryUntilDone(server, token, ip));
      for (const [token, id] of acknowledged) assert.equal(results.get(token), id, `${token}: the retry returns the acknowledged result`);
      const added = (await gatewayIds(server)).filter((g) => !before.includes(g)).sort();
      assert.deepEqual(added, [...new Set(results.values())].sort(), 'one gateway per token, no duplicates');
      assert.equal(added.length, tokens.length);
    });
  });
}

describe('ClientToken durability', async () => {
  const pgSkip = await postgresSkipReason();
  suite('sqlite', async () => sqliteBackend());
  suite('postgres', async () => postgresBackend(await createTestDatabase()), pgSkip);
});

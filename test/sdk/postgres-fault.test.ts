/**
 * Faults: a server process reaches PostgreSQL through a TCP proxy written here, and the test cuts it.
 * While cut, SDK calls get 503 ServiceUnavailable within the documented bound (connect 3 s + statement
 * 5 s, src/store/postgres/db.ts) and /_vcoroute/ready says why (/_vcoroute/health, liveness, stays 200); the process never crashes or hangs.
 * When the proxy is restored, service resumes by itself and nothing acknowledged before is lost.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import Vpc, * as $Vpc from '@alicloud/vpc20160428';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_QUERY_TIMEOUT_MS } from '../../src/store/postgres/db';
import { TEST_DATABASE_URL, createTestDatabase, postgresSkipReason, withDatabase, type TestDatabase } from '../helpers/backends';
import { ROOT } from '../helpers/server';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const REGION = 'cn-hangzhou';
const CONN = 'vco-fault01';
/** The longest a request may wait for an unreachable database before its 503, plus scheduling slack. */
const BOUND_MS = DEFAULT_CONNECT_TIMEOUT_MS + DEFAULT_QUERY_TIMEOUT_MS + 2000;

/**
 * forward: pipe to PostgreSQL. blackhole: accept connections and never answer (the worst case: no refusal,
 * only timeouts). Cutting also destroys every established connection (the pool's idle ones included).
 */
class CuttableProxy {
  private server = net.createServer((socket) => this.accept(socket));
  private readonly sockets = new Set<net.Socket>();
  private mode: 'forward' | 'blackhole' = 'forward';
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  private track(s: net.Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => undefined);
  }

  private accept(socket: net.Socket): void {
    this.track(socket);
    if (this.mode === 'blackhole') return; // held open, never answered
    const upstream = net.connect(this.target.port, this.target.host);
    this.track(upstream);
    socket.pipe(upstream);
    upstream.pipe(socket);
    const close = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('close', close);
    upstream.on('close', close);
  }

  cut(): void {
    this.mode = 'blackhole';
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    for (const s of this.sockets) s.destroy(); // the held (blackholed) ones
    this.mode = 'forward';
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function sdk(server: ServerProcess): any {
  return new (Vpc as any)({
    accessKeyId: ROOT.accessKeyId, accessKeySecret: ROOT.accessKeySecret, endpoint: server.endpoint, protocol: 'http', regionId: REGION,
    readTimeout: 60_000, connectTimeout: 5000,
  });
}

const describeRoutes = (server: ServerProcess, pageNumber = 1) =>
  sdk(server).describeVcoRouteEntries(
    new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: CONN, routeEntryType: 'custom', pageNumber, pageSize: 50 }),
  ) as Promise<{ statusCode: number; body: $Vpc.DescribeVcoRouteEntriesResponseBody }>;

const createRoute = (server: ServerProcess, routeDest: string) =>
  sdk(server).createVcoRouteEntry(
    new $Vpc.CreateVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: CONN, routeDest, nextHop: CONN, weight: 100, overlayMode: 'Ipsec' }),
  );

async function timed<T>(call: () => Promise<T>): Promise<{ ms: number; value?: T; error?: any }> {
  const t0 = Date.now();
  try {
    const value = await call();
    return { ms: Date.now() - t0, value };
  } catch (error) {
    return { ms: Date.now() - t0, error };
  }
}

async function readiness(server: ServerProcess): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.baseUrl}/_vcoroute/ready`);
  return { status: res.status, body: await res.json() };
}

describe('PostgreSQL faults', async () => {
  const skip = await postgresSkipReason();
  describe('a server behind a proxy that is cut and restored', { skip }, () => {
    let db: TestDatabase;
    let proxy: CuttableProxy;
    let server: ServerProcess;
    const seeded = Array.from({ length: 70 }, (_, i) => `10.70.${i}.0/24`);

    before(async () => {
      db = await createTestDatabase();
      const target = new URL(TEST_DATABASE_URL);
      proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
      await proxy.listen();
      const viaProxy = new URL(withDatabase(TEST_DATABASE_URL, db.name));
      viaProxy.hostname = '127.0.0.1';
      viaProxy.port = String(proxy.port);
      server = await startServerProcess(['--database', viaProxy.toString(), '--change-delay-ms', '0']);
      const put = await server.admin('PUT', `/_vcoroute/v1/vpn-connections/${CONN}`, { regionId: REGION, state: 'attached', transitRouterId: 'tr-fault01' });
      assert.equal(put.status, 201, JSON.stringify(put.body));
      const routes = seeded.map((routeDest) => ({ routeEntryType: 'custom', routeDest }));
      assert.deepEqual((await server.admin('POST', `/_vcoroute/v1/vpn-connections/${CONN}/routes`, { routes })).body, { inserted: 70, updated: 0 });
      await createRoute(server, '192.168.1.0/24'); // acknowledged through the SDK
    });

    after(async () => {
      await server?.stop();
      await proxy?.close();
      await db?.drop();
    });

    test('while PostgreSQL is unreachable: 503 ServiceUnavailable within the bound, readiness reports it', async () => {
      assert.equal((await describeRoutes(server)).statusCode, 200);
      proxy.cut();
      for (const call of [() => describeRoutes(server), () => createRoute(server, '192.168.2.0/24')]) {
        const r = await timed(call);
        assert.ok(r.error, 'the call failed');
        assert.equal(r.error.statusCode, 503);
        assert.equal(r.error.code, 'ServiceUnavailable');
        assert.ok(r.ms < BOUND_MS, `answered in ${r.ms} ms (bound ${BOUND_MS} ms)`);
      }
      const h = await timed(() => readiness(server));
      assert.equal(h.value?.status, 503);
      assert.equal(h.value?.body.status, 'unavailable');
      assert.equal(h.value?.body.store, 'postgres');
      assert.match(h.value?.body.reason, /PostgreSQL is unavailable/);
      assert.ok(h.ms < BOUND_MS);
      const live = await fetch(`${server.baseUrl}/_vcoroute/health`);
      assert.equal(live.status, 200, 'liveness does not depend on the store');
      // admin writes too: 503, not 500
      const seed = await server.admin('POST', `/_vcoroute/v1/vpn-connections/${CONN}/routes`, { routes: [{ routeEntryType: 'custom', routeDest: '10.99.0.0/16' }] });
      assert.equal(seed.status, 503);
      assert.equal(seed.body.error.code, 'ServiceUnavailable');
      assert.equal(server.exited(), undefined, 'the server is still running');
    });

    test('when PostgreSQL is back, service resumes by itself and nothing acknowledged is lost', async () => {
      proxy.restore();
      const deadline = Date.now() + 20_000;
      let h = await readiness(server);
      while (h.status !== 200 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        h = await readiness(server);
      }
      assert.deepEqual(h, { status: 200, body: { status: 'ready', store: 'postgres' } });
      const page1 = await describeRoutes(server, 1);
      const page2 = await describeRoutes(server, 2);
      const listed = [...page1.body.vcoRouteEntries!, ...page2.body.vcoRouteEntries!].map((r) => r.routeDest);
      // every acknowledged route, in creation order; what failed with 503 may or may not exist, nothing else
      assert.deepEqual(listed.filter((d) => d !== '192.168.2.0/24'), [...seeded, '192.168.1.0/24']);
      assert.equal((await createRoute(server, '192.168.3.0/24')).statusCode, 200);
      assert.equal(server.exited(), undefined);
      assert.doesNotMatch(server.stderr(), /"level":60/, 'no fatal log');
    });
  });
});

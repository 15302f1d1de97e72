/**
 * The HTTP layer against hostile and careless clients (issue 14, findings 2, 5, 6), on a real server:
 * admin token and body limits decided before a body byte is read, the global body budget, header / request /
 * idle timeouts and the connection cap, and the Host and browser-origin rules.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ConfigError, DEFAULT_HTTP_LIMITS, loadConfig } from '../../src/config';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { ADMIN_TOKEN, startTestServer, tempDataDir, type TestServer } from '../helpers/server';
import { assertNoServerErrors, encodeParams, expectJsonError, send, signV1, v1Get, type RawResponse } from '../helpers/http';

const FORM = 'application/x-www-form-urlencoded';
const RAM = { Version: '2015-05-01' };
const MiB = 1024 * 1024;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * Sends the request line and headers, announcing a body of `contentLength` bytes that is never sent, and
 * resolves with the answer — or rejects if none arrives within `withinMs` (a server that waits for the body).
 * No 5xx bookkeeping: the budget tests expect 503s.
 */
function answerBeforeBody(baseUrl: string, method: string, path: string, headers: Record<string, string>, contentLength: number, withinMs = 3000): Promise<Answer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const r = http.request({ host: url.hostname, port: url.port, method, path, headers: { ...headers, 'content-length': String(contentLength) }, agent: false });
    const timer = setTimeout(() => {
      r.destroy();
      reject(new Error(`no answer to ${method} ${path} within ${withinMs} ms while the body was withheld`));
    }, withinMs);
    r.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => {
        clearTimeout(timer);
        r.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    r.on('error', () => {}); // destroyed by us, or cut by the server after answering
    r.flushHeaders();
  });
}

/** Milliseconds from `started` until the socket is closed by the server; rejects after `limitMs`. */
function closedWithin(socket: net.Socket, limitMs: number, started = Date.now()): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for more than ${limitMs} ms`));
    }, limitMs);
    socket.on('error', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

function adminError(answer: Answer, status: number, code: string): void {
  assert.equal(answer.status, status, answer.body);
  assert.equal(JSON.parse(answer.body).error.code, code, answer.body);
}

function expectAdminJsonError(res: RawResponse, status: number, code: string): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.json.error.code, code, res.text);
}

describe('admin API: token and body size decided before the body is read', () => {
  let on: TestServer;
  let off: TestServer;
  before(async () => {
    on = await startTestServer();
    off = await startTestServer(tempDataDir(), { VCOROUTE_ADMIN_TOKEN: '' });
  });
  after(async () => {
    await on?.close();
    await off?.close();
  });

  test('a 100 MiB POST without a valid token is answered before its body is sent (404 off, 401 on)', async () => {
    const big = 100 * MiB;
    adminError(await answerBeforeBody(off.baseUrl, 'POST', '/_vcoroute/v1/reset', {}, big), 404, 'AdminApiDisabled');
    adminError(await answerBeforeBody(off.baseUrl, 'POST', '/_vcoroute/v1/reset', { authorization: `Bearer ${ADMIN_TOKEN}` }, big), 404, 'AdminApiDisabled');
    const noToken = await answerBeforeBody(on.baseUrl, 'POST', '/_vcoroute/v1/reset', {}, big);
    adminError(noToken, 401, 'Unauthorized');
    assert.equal(noToken.headers.connection, 'close');
    adminError(await answerBeforeBody(on.baseUrl, 'POST', '/_vcoroute/v1/vpn-connections/vco-x/routes', { authorization: 'Bearer wrong' }, big), 401, 'Unauthorized');
  });

  test('per-endpoint body limits: 64 KiB for small endpoints, route seeding takes large bodies', async () => {
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    adminError(await answerBeforeBody(on.baseUrl, 'POST', '/_vcoroute/v1/reset', auth, 65 * 1024), 413, 'PayloadTooLarge');
    adminError(await answerBeforeBody(on.baseUrl, 'PUT', '/_vcoroute/v1/vpn-connections/vco-big', auth, 65 * 1024), 413, 'PayloadTooLarge');
    // chunked (no content-length): refused once 64 KiB have arrived
    const chunked = await send(on.baseUrl, { method: 'POST', path: '/_vcoroute/v1/accounts', headers: auth, body: ' '.repeat(200 * 1024), chunked: true });
    expectAdminJsonError(chunked, 413, 'PayloadTooLarge');
    // route seeding: a 1.3 MB body is fine
    assert.equal((await on.admin('PUT', '/_vcoroute/v1/vpn-connections/vco-big', { regionId: 'cn-hangzhou', state: 'attached' })).status, 201);
    const routes = Array.from({ length: 20_000 }, (_, i) => ({ routeEntryType: 'custom', routeDest: `10.${i >> 8}.${i & 255}.0/24` }));
    const body = JSON.stringify({ routes });
    assert.ok(body.length > 1_000_000);
    const seeded = await send(on.baseUrl, { method: 'POST', path: '/_vcoroute/v1/vpn-connections/vco-big/routes', headers: auth, body });
    assert.equal(seeded.status, 200, seeded.text);
  });
});

/** Writes `head` on a raw connection and resolves with what arrives within `ms`. */
async function rawExchange(port: number, head: string, ms = 500): Promise<{ socket: net.Socket; received: () => string }> {
  const socket = await connect(port);
  let received = '';
  socket.on('data', (c: Buffer) => (received += c.toString('latin1')));
  socket.on('error', () => {});
  socket.write(head);
  await new Promise((r) => setTimeout(r, ms));
  return { socket, received: () => received };
}

describe('Expect: 100-continue', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  test('a refused request gets its final answer instead of 100 Continue; an admitted one gets 100, then its answer', async () => {
    const head = (auth: string) =>
      `POST /_vcoroute/v1/accounts HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n${auth}Content-Type: application/json\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n`;
    const refused = await rawExchange(server.port, head(''));
    assert.match(refused.received(), /^HTTP\/1\.1 401 /);
    refused.socket.destroy();
    const admitted = await rawExchange(server.port, head(`Authorization: Bearer ${ADMIN_TOKEN}\r\n`));
    assert.match(admitted.received(), /^HTTP\/1\.1 100 Continue\r\n\r\n$/);
    admitted.socket.write('{}');
    await new Promise((r) => setTimeout(r, 500));
    assert.match(admitted.received(), /HTTP\/1\.1 201 /);
    admitted.socket.destroy();
  });
});

describe('a server process does not buffer unauthenticated admin uploads', () => {
  let proc: ServerProcess;
  before(async () => {
    proc = await startServerProcess(['--data', tempDataDir()]);
  });
  after(async () => proc?.stop());

  const residentKb = (field: 'VmRSS' | 'VmHWM') => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${proc.child.pid}/status`, 'utf8'));
    return Number(m![1]);
  };

  test('four concurrent 60 MiB uploads without a token: all 401, peak memory grows far less than they weigh', async () => {
    await proc.admin('GET', '/_vcoroute/health');
    const before = residentKb('VmRSS');
    const payload = Buffer.alloc(60 * MiB, 0x61);
    const url = new URL(proc.baseUrl);
    const upload = () =>
      new Promise<number>((resolve, reject) => {
        const r = http.request({ host: url.hostname, port: url.port, method: 'POST', path: '/_vcoroute/v1/reset', headers: { 'content-length': String(payload.length) }, agent: false });
        r.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        r.on('error', reject);
        r.end(payload);
      });
    const statuses = await Promise.all([upload(), upload(), upload(), upload()]);
    assert.deepEqual(statuses, [401, 401, 401, 401]);
    const growthMb = (residentKb('VmHWM') - before) / 1024;
    // Buffering them would take 240 MiB; dropping them costs a few read buffers.
    assert.ok(growthMb < 100, `peak resident memory grew by ${growthMb.toFixed(0)} MB`);
  });
});

describe('global body budget (--max-buffered-mib)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(tempDataDir(), { VCOROUTE_MAX_BUFFERED_MIB: '2' });
  });
  after(async () => server?.close());

  test('bodies beyond the budget get 503 (POP catalogue error / admin JSON) at once; the budget comes back', async () => {
    const url = new URL(server.baseUrl);
    // Two stalled POP bodies of (almost) 1 MB each hold ~1.9 MiB of the 2 MiB budget.
    const stalled = [await connect(Number(url.port)), await connect(Number(url.port))];
    for (const s of stalled) {
      s.on('error', () => {});
      s.write(`POST / HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: ${FORM}\r\nContent-Length: 1000000\r\n\r\n`);
      s.write(Buffer.alloc(999_999, 0x61));
    }
    await new Promise((r) => setTimeout(r, 300));

    const pop = await answerBeforeBody(server.baseUrl, 'POST', '/?Format=XML', { 'content-type': FORM }, 500_000);
    assert.equal(pop.status, 503, pop.body);
    assert.match(pop.body, /<Code>ServiceUnavailable<\/Code>/);
    assert.match(pop.body, /--max-buffered-mib/);
    adminError(await answerBeforeBody(server.baseUrl, 'POST', '/_vcoroute/v1/vpn-connections/vco-x/routes', { authorization: `Bearer ${ADMIN_TOKEN}` }, 500_000), 503, 'ServiceUnavailable');

    // A chunked body (no length announced) is refused when it reaches the budget.
    const chunked = await new Promise<Answer>((resolve, reject) => {
      const r = http.request({ host: url.hostname, port: url.port, method: 'POST', path: '/', headers: { 'content-type': FORM, 'transfer-encoding': 'chunked' }, agent: false });
      r.on('response', (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      r.on('error', reject);
      r.end(Buffer.alloc(400_000, 0x61));
    });
    assert.equal(chunked.status, 503, chunked.body);
    assert.equal(JSON.parse(chunked.body).Code, 'ServiceUnavailable');

    for (const s of stalled) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    // a 900 KB signed body fits again (unknown Pad.N parameters are ignored; each value stays under the 8,192-character cap)
    const pad = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`Pad.${i + 1}`, 'x'.repeat(7500)]));
    const body = encodeParams(signV1({ Action: 'ListUsers', ...RAM, ...pad }, { method: 'POST' }));
    const served = await send(server.baseUrl, { method: 'POST', path: '/', headers: { 'content-type': FORM }, body });
    assert.equal(served.status, 200, served.text.slice(0, 300));
  });
});

describe('timeouts and the connection cap', () => {
  let server: TestServer;
  let port: number;
  before(async () => {
    server = await startTestServer(tempDataDir(), {
      VCOROUTE_HEADER_TIMEOUT_MS: '500', VCOROUTE_REQUEST_TIMEOUT_MS: '1000', VCOROUTE_IDLE_TIMEOUT_MS: '500',
    });
    port = server.port;
  });
  after(async () => server?.close());

  test('a connection that never sends a byte is closed within the header timeout', async () => {
    const started = Date.now(); // before the server can have accepted the connection
    const ms = await closedWithin(await connect(port), 1500, started);
    assert.ok(ms >= 450, `closed after ${ms} ms, before the header timeout`);
  });

  test('headers trickled a byte at a time are cut at the header timeout', async () => {
    const s = await connect(port);
    const line = `GET /_vcoroute/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(100)}`;
    let i = 0;
    const trickle = setInterval(() => {
      if (i < line.length && !s.destroyed) s.write(line[i++]!);
    }, 50);
    try {
      await closedWithin(s, 1500);
    } finally {
      clearInterval(trickle);
    }
  });

  test('a request whose body stalls is closed within the request timeout', async () => {
    const s = await connect(port);
    s.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: ${FORM}\r\nContent-Length: 1000\r\n\r\nAction=`);
    let answer = '';
    s.on('data', (c: Buffer) => (answer += c.toString('latin1')));
    const ms = await closedWithin(s, 2500);
    assert.ok(ms >= 900, `closed after ${ms} ms, before the request timeout`);
    assert.match(answer, /^HTTP\/1\.1 408 /);
  });

  test('an idle keep-alive connection is closed within the idle timeout', async () => {
    const s = await connect(port);
    let answer = '';
    s.on('data', (c: Buffer) => (answer += c.toString('latin1')));
    const closed = closedWithin(s, 1500);
    s.write(`GET /_vcoroute/health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    await closed;
    assert.match(answer, /^HTTP\/1\.1 200 /);
  });

  test('connections beyond --max-connections are closed at once; a freed slot serves again', async () => {
    const capped = await startTestServer(tempDataDir(), { VCOROUTE_MAX_CONNECTIONS: '3' });
    try {
      const held = [await connect(capped.port), await connect(capped.port), await connect(capped.port)];
      for (const h of held) h.on('error', () => {});
      await new Promise((r) => setTimeout(r, 100));
      const extra = await connect(capped.port);
      extra.write(`GET /_vcoroute/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      let answer = '';
      extra.on('data', (c: Buffer) => (answer += c.toString('latin1')));
      await closedWithin(extra, 1000);
      assert.equal(answer, '', 'the fourth connection got no answer');
      held[0]!.destroy();
      await new Promise((r) => setTimeout(r, 100));
      assert.equal((await send(capped.baseUrl, { path: '/_vcoroute/health' })).status, 200);
      for (const h of held) h.destroy();
    } finally {
      await capped.close();
    }
  });
});

describe('Host and browser-origin rules', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  const health = (headers: Record<string, string>) => send(server.baseUrl, { path: '/_vcoroute/health', headers });
  const createUser = (name: string, headers: Record<string, string>) =>
    send(server.baseUrl, { method: 'POST', path: '/', headers: { 'content-type': FORM, ...headers }, body: encodeParams(signV1({ Action: 'CreateUser', UserName: name, ...RAM }, { method: 'POST' })) });
  const userExists = async (name: string) => (await v1Get(server.baseUrl, { Action: 'GetUser', UserName: name, ...RAM })).status === 200;

  test('a foreign Host (DNS rebinding) is refused everywhere: POP in the requested format, admin and health as JSON', async () => {
    const port = String(server.port);
    const popJson = await send(server.baseUrl, { path: `/?${encodeParams(signV1({ Action: 'ListUsers', ...RAM }))}`, headers: { host: `evil.example:${port}` } });
    expectJsonError(popJson, 403, 'Forbidden.Host');
    assert.match(popJson.json.Message, /--allowed-hosts/);
    const popXml = await send(server.baseUrl, { path: `/?${encodeParams(signV1({ Action: 'ListUsers', Format: 'XML', ...RAM }))}`, headers: { host: 'evil.example' } });
    assert.equal(popXml.status, 403);
    assert.match(popXml.text, /^<\?xml .*<Code>Forbidden\.Host<\/Code>/);
    expectAdminJsonError(await health({ host: `evil.example:${port}` }), 403, 'Forbidden.Host');
    expectAdminJsonError(await send(server.baseUrl, { method: 'POST', path: '/_vcoroute/v1/accounts', headers: { host: '0.0.0.0', authorization: `Bearer ${ADMIN_TOKEN}` } }), 403, 'Forbidden.Host');
    expectAdminJsonError(await health({ host: 'localhost.evil.example' }), 403, 'Forbidden.Host');
    expectAdminJsonError(await health({ host: 'bad host' }), 403, 'Forbidden.Host');
  });

  test('loopback names and the listen address are served on any port', async () => {
    for (const host of [server.endpoint, '127.0.0.1', '127.1.2.3:9', 'localhost', `LOCALHOST:${server.port}`, 'api.localhost:80', '[::1]:8080']) {
      assert.equal((await health({ host })).status, 200, host);
    }
  });

  test('a cross-site form POST is refused and does not run (CreateUser creates nothing)', async () => {
    const refused = await createUser('xsite-victim', { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' });
    expectJsonError(refused, 403, 'Forbidden.CrossSiteRequest');
    expectJsonError(await createUser('xsite-victim', { origin: 'http://evil.example' }), 403, 'Forbidden.CrossSiteRequest');
    expectJsonError(await createUser('xsite-victim', { origin: 'null' }), 403, 'Forbidden.CrossSiteRequest');
    // another port of this host is another origin (a local development server's page)
    expectJsonError(await createUser('xsite-victim', { origin: `http://127.0.0.1:${server.port + 1}` }), 403, 'Forbidden.CrossSiteRequest');
    expectJsonError(await createUser('xsite-victim', { 'sec-fetch-site': 'same-site' }), 403, 'Forbidden.CrossSiteRequest');
    // a no-cors GET (an <img> or a link) carries no Origin, only Sec-Fetch-Site
    const get = await send(server.baseUrl, { path: `/?${encodeParams(signV1({ Action: 'CreateUser', UserName: 'xsite-victim', ...RAM }))}`, headers: { 'sec-fetch-site': 'cross-site' } });
    expectJsonError(get, 403, 'Forbidden.CrossSiteRequest');
    expectAdminJsonError(await send(server.baseUrl, { method: 'POST', path: '/_vcoroute/v1/reset', headers: { origin: 'http://evil.example', authorization: `Bearer ${ADMIN_TOKEN}` } }), 403, 'Forbidden.CrossSiteRequest');
    assert.equal(await userExists('xsite-victim'), false, 'no request above ran');
  });

  test("the server's own origin is served", async () => {
    const ok = await createUser('same-origin-user', { origin: `http://${server.endpoint}`, 'sec-fetch-site': 'same-origin' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(await userExists('same-origin-user'), true);
    assert.equal((await health({ origin: `http://127.0.0.1:${server.port}`, 'sec-fetch-site': 'none' })).status, 200);
  });

  test('--allowed-hosts (VCOROUTE_ALLOWED_HOSTS): names and *.domain are served, with their own origin', async () => {
    const allowing = await startTestServer(tempDataDir(), { VCOROUTE_ALLOWED_HOSTS: 'vcoroute.test, *.lab.internal' });
    try {
      const get = (headers: Record<string, string>) => send(allowing.baseUrl, { path: '/_vcoroute/health', headers });
      assert.equal((await get({ host: `vcoroute.test:${allowing.port}` })).status, 200);
      assert.equal((await get({ host: 'VCOROUTE.test' })).status, 200);
      assert.equal((await get({ host: 'a.lab.internal:443' })).status, 200);
      assert.equal((await get({ host: `vcoroute.test:${allowing.port}`, origin: `http://vcoroute.test:${allowing.port}` })).status, 200);
      expectAdminJsonError(await get({ host: 'lab.internal' }), 403, 'Forbidden.Host');
      expectAdminJsonError(await get({ host: 'evil.example' }), 403, 'Forbidden.Host');
      expectAdminJsonError(await get({ host: `vcoroute.test:${allowing.port}`, origin: `http://a.lab.internal:${allowing.port}` }), 403, 'Forbidden.CrossSiteRequest');
    } finally {
      await allowing.close();
    }
  });
});

test('configuration: defaults, flags over environment, and clear errors', () => {
  const base = { host: '127.0.0.1', port: 0, data: tempDataDir() };
  const defaults = loadConfig(base, {});
  assert.deepEqual(defaults.http, DEFAULT_HTTP_LIMITS);
  assert.deepEqual(defaults.allowedHosts, []);
  const set = loadConfig({ ...base, requestTimeoutMs: '5000', maxBufferedMib: '8' }, {
    VCOROUTE_REQUEST_TIMEOUT_MS: '9000', VCOROUTE_HEADER_TIMEOUT_MS: '2000', VCOROUTE_ALLOWED_HOSTS: 'A.test, *.b.test,[fd00::1]',
  });
  assert.deepEqual(set.http, { ...DEFAULT_HTTP_LIMITS, headerTimeoutMs: 2000, requestTimeoutMs: 5000, maxBufferedBytes: 8 * MiB });
  assert.deepEqual(set.allowedHosts, ['a.test', '*.b.test', '[fd00::1]']);
  assert.throws(() => loadConfig({ ...base, headerTimeoutMs: '20000', requestTimeoutMs: '10000' }, {}), /header timeout must not exceed/);
  assert.throws(() => loadConfig({ ...base, maxConnections: '0' }, {}), ConfigError);
  assert.throws(() => loadConfig({ ...base, idleTimeoutMs: '1.5' }, {}), /invalid idle timeout/);
  assert.throws(() => loadConfig({ ...base, allowedHosts: 'a.test:8080' }, {}), /invalid allowed host/);
  assert.throws(() => loadConfig({ ...base, allowedHosts: 'http://a.test' }, {}), /invalid allowed host/);
});

test('no response was a 5xx', () => assertNoServerErrors());

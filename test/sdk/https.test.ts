/**
 * HTTPS: --tls makes a local CA and a certificate for localhost/127.0.0.1/::1 in <data>/tls (kept across restarts)
 * and says how to trust it; @alicloud/credentials' ram_role_arn provider gets STS credentials from vcoroute
 * directly over HTTPS and an official VPC client uses them; --tls-cert/--tls-key serve the operator's files.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { ROOT, tempDataDir } from '../helpers/server';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const REPO = path.resolve(__dirname, '../..');

function get(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject);
  });
}

describe('HTTPS', () => {
  const dir = tempDataDir();
  const servers: ServerProcess[] = [];
  after(async () => {
    for (const s of servers) await s.stop();
  });

  test('--tls: a local CA in <data>/tls, printed trust instructions, reused after a restart; plain clients are refused', async () => {
    const server = await startServerProcess(['--data', dir, '--tls']);
    servers.push(server);
    assert.equal(server.baseUrl, `https://${server.endpoint}`);
    const caPath = path.join(dir, 'tls', 'ca.pem');
    assert.match(server.stdout(), new RegExp(`NODE_EXTRA_CA_CERTS=${caPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    for (const f of ['ca.pem', 'ca-key.pem', 'server.pem', 'server-key.pem']) assert.ok(fs.existsSync(path.join(dir, 'tls', f)), f);
    assert.equal(fs.statSync(path.join(dir, 'tls', 'ca-key.pem')).mode & 0o077, 0, 'private keys are not readable by others');
    const ca = fs.readFileSync(caPath, 'utf8');
    for (const host of ['127.0.0.1', 'localhost']) {
      const res = await get(`https://${host}:${server.endpoint.split(':')[1]}/_vcoroute/health`, ca);
      assert.equal(res.status, 200, host);
    }
    await assert.rejects(fetch(`${server.baseUrl}/_vcoroute/health`), 'an untrusting client refuses the certificate');
    await server.stop();
    const again = await startServerProcess(['--data', dir, '--tls']);
    servers.push(again);
    assert.equal(fs.readFileSync(caPath, 'utf8'), ca, 'the CA is kept');
    assert.equal((await get(`${again.baseUrl}/_vcoroute/health`, ca)).status, 200);
  });

  test('@alicloud/credentials ram_role_arn with stsEndpoint at vcoroute over HTTPS; an official VPC client uses the STS credentials', async () => {
    const server = servers.at(-1)!;
    const { stdout } = await promisify(execFile)(
      process.execPath, ['--import', 'tsx', 'test/fixtures/https-credential-chain.ts', server.endpoint, ROOT.accountId, ROOT.accessKeyId, ROOT.accessKeySecret],
      { cwd: REPO, env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, 'tls', 'ca.pem') }, timeout: 60_000 },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
    assert.equal(result.error, undefined);
    assert.match(result.stsAccessKeyId, /^STS\./);
    assert.equal(result.hasToken, true);
    assert.equal(result.describeStatus, 200);
    assert.equal(result.denied, 'Forbbiden.SubUser', 'the role session is read-only, as its policy says');
  });

  test('--tls-cert/--tls-key serve the given certificate; one without the other is a configuration error', async () => {
    const cert = path.join(dir, 'tls', 'server.pem');
    const key = path.join(dir, 'tls', 'server-key.pem');
    const server = await startServerProcess(['--data', tempDataDir(), '--tls-cert', cert, '--tls-key', key]);
    servers.push(server);
    assert.equal((await get(`${server.baseUrl}/_vcoroute/health`, fs.readFileSync(path.join(dir, 'tls', 'ca.pem'), 'utf8'))).status, 200);
    await assert.rejects(startServerProcess(['--data', tempDataDir(), '--tls-cert', cert]), /give both --tls-cert and --tls-key/);
  });
});

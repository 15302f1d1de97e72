/**
 * The real command line: `vcoroute serve` as a child process — banner, --help, the development-key guard,
 * and secrets never reaching stdout or stderr (also at debug level, also on signature failures).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, describe, test } from 'node:test';
import * as $Vpc from '@alicloud/vpc20160428';
import Vpc from '@alicloud/vpc20160428';
import { tempDataDir } from '../helpers/server';

const CLI = ['--import', 'tsx', 'src/cli.ts'];
const SECRET = 'cliTestSecretNeverLogged0123456789';
const KEY_ID = 'LTAIcliTestKeyId000001';

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [...CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 });
}

describe('vcoroute CLI', () => {
  test('--help on every command', () => {
    const top = run(['--help']);
    assert.equal(top.status, 0);
    assert.match(top.stdout, /serve/);
    const serve = run(['serve', '--help']);
    assert.equal(serve.status, 0);
    for (const flag of ['--host', '--port', '--data', '--auto-attach', '--change-delay-ms', '--allow-dev-credentials']) assert.ok(serve.stdout.includes(flag), flag);
  });

  test('refuses a non-loopback address with the well-known development key unless opted in', () => {
    const env = { ...process.env };
    delete env.VCOROUTE_ACCESS_KEY_ID;
    delete env.VCOROUTE_ACCESS_KEY_SECRET;
    const guarded = spawnSync(process.execPath, [...CLI, 'serve', '--host', '0.0.0.0', '--port', '0', '--data', tempDataDir()], { env, encoding: 'utf8', timeout: 30_000 });
    assert.equal(guarded.status, 1);
    assert.match(guarded.stderr, /refusing to listen on 0\.0\.0\.0 with the well-known development AccessKey/);
  });

  describe('serve', () => {
    const child = spawn(process.execPath, [...CLI, 'serve', '--port', '0', '--data', tempDataDir(), '--log-level', 'debug'], {
      env: { ...process.env, VCOROUTE_ACCESS_KEY_ID: KEY_ID, VCOROUTE_ACCESS_KEY_SECRET: SECRET, VCOROUTE_ADMIN_TOKEN: 'cli-admin-token' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const endpoint = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const m = /endpoint: '([^']+)'/.exec(stdout);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    after(() => {
      child.kill('SIGTERM');
    });

    test('prints the endpoint and AccessKeyId, serves the SDK, and never logs the secret', async () => {
      const ep = await endpoint;
      assert.match(stdout, new RegExp(`accessKeyId: ${KEY_ID}`));
      assert.match(stdout, /protocol: 'http'/);
      const good = new (Vpc as any)({ accessKeyId: KEY_ID, accessKeySecret: SECRET, endpoint: ep, protocol: 'http', regionId: 'cn-hangzhou' });
      const bad = new (Vpc as any)({ accessKeyId: KEY_ID, accessKeySecret: 'wrong-secret', endpoint: ep, protocol: 'http', regionId: 'cn-hangzhou', signatureAlgorithm: 'v2' });
      const request = new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: 'cn-hangzhou', vpnConnectionId: 'vco-none' });
      await assert.rejects(good.describeVcoRouteEntries(request), (e: any) => e.code === 'InvalidVpnConnectionInstanceId.NotFound');
      await assert.rejects(bad.describeVcoRouteEntries(request), (e: any) => e.code === 'SignatureDoesNotMatch');
      const health = await fetch(`http://${ep}/_vcoroute/health`);
      assert.equal(health.status, 200);
      // The console's address, served by this process (the bundle npm ci built into dist/web).
      assert.ok(stdout.includes(`Console: http://${ep}/console/`), stdout);
      const consolePage = await fetch(`http://${ep}/console/`);
      assert.equal(consolePage.status, 200);
      assert.match(await consolePage.text(), /<title>vcoroute console<\/title>/);
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      assert.ok(!stdout.includes(SECRET) && !stderr.includes(SECRET), 'the secret appears in the output');
      assert.ok(!stderr.includes('cli-admin-token'), 'the admin token appears in the output');
    });
  });
});

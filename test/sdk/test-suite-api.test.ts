/**
 * The test-suite API (`import { startVcoroute } from 'vcoroute'`), as a user's node:test suite uses it: a server
 * on a free port with a temporary store, root credentials for the official SDK, an admin client, stop() that
 * cleans up; on PostgreSQL too. And the package entry itself resolves (`require('vcoroute')`, built dist).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import Vpc, * as $Vpc from '@alicloud/vpc20160428';
import { startVcoroute, type StartedVcoroute } from '../../src/index';
import { seedRandom } from '../../src/random';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '../helpers/backends';

const REPO = path.resolve(__dirname, '../..');

function sdk(v: StartedVcoroute): Vpc {
  return new (Vpc as any)({ ...v.credentials, endpoint: v.endpoint, protocol: 'http', regionId: 'cn-hangzhou' });
}

describe('startVcoroute', () => {
  let vcoroute: StartedVcoroute;
  before(async () => {
    vcoroute = await startVcoroute({ autoAttach: true });
  });
  after(() => vcoroute?.stop());

  test('the official SDK works against it with the returned endpoint and credentials; changes are instant by default', async () => {
    const vpc = sdk(vcoroute);
    const cgw = await vpc.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: 'cn-hangzhou', ipAddress: '203.0.113.7' }));
    assert.match(cgw.body!.customerGatewayId!, /^cgw-/);
    const listed = await vpc.describeCustomerGateways(new $Vpc.DescribeCustomerGatewaysRequest({ regionId: 'cn-hangzhou' }));
    assert.equal(listed.body!.totalCount, 1);
  });

  test('the admin client seeds state and resets it', async () => {
    const put = await vcoroute.admin.request('PUT', '/_vcoroute/v1/vpn-connections/vco-suite01', { regionId: 'cn-hangzhou', state: 'attached', transitRouterId: 'tr-s1' });
    assert.equal(put.status, 201);
    await vcoroute.admin.request('POST', '/_vcoroute/v1/vpn-connections/vco-suite01/routes', { routes: [{ routeEntryType: 'custom', routeDest: '10.9.0.0/16' }] });
    const routes = await sdk(vcoroute).describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: 'cn-hangzhou', vpnConnectionId: 'vco-suite01' }));
    assert.equal(routes.body!.totalCount, 1);
    await vcoroute.admin.reset();
    assert.equal((await sdk(vcoroute).describeCustomerGateways(new $Vpc.DescribeCustomerGatewaysRequest({ regionId: 'cn-hangzhou' }))).body!.totalCount, 0);
  });

  test('stop() closes the server and removes the temporary store', async () => {
    const another = await startVcoroute();
    assert.ok(another.dataDir && fs.existsSync(another.dataDir));
    await another.stop();
    assert.equal(fs.existsSync(another.dataDir), false);
    await assert.rejects(fetch(`${another.baseUrl}/_vcoroute/health`));
  });
});

describe('startVcoroute with a seed', () => {
  const gatewayIds = async (): Promise<string[]> => {
    const v = await startVcoroute({ env: { VCOROUTE_SEED: 'suite-api' } });
    try {
      const ids = [];
      for (const ipAddress of ['203.0.113.21', '203.0.113.22']) {
        const { body } = await sdk(v).createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: 'cn-hangzhou', ipAddress }));
        ids.push(body!.customerGatewayId!, body!.requestId!);
      }
      return ids;
    } finally {
      await v.stop();
    }
  };
  after(() => seedRandom(undefined));

  test('two suites in a row with one seed get the same IDs and RequestIds, to assert exact values', async () => {
    const first = await gatewayIds();
    assert.deepEqual(await gatewayIds(), first);
    assert.equal(new Set(first).size, 4);
  });
});

describe('startVcoroute on PostgreSQL', async () => {
  const skip = await postgresSkipReason();
  let db: TestDatabase;
  after(() => db?.drop());
  test('two servers on one database share state', { skip }, async () => {
    db = await createTestDatabase();
    const [a, b] = await Promise.all([startVcoroute({ databaseUrl: db.url }), startVcoroute({ databaseUrl: db.url })]);
    try {
      await sdk(a).createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: 'cn-hangzhou', ipAddress: '203.0.113.8' }));
      assert.equal((await sdk(b).describeCustomerGateways(new $Vpc.DescribeCustomerGatewaysRequest({ regionId: 'cn-hangzhou' }))).body!.totalCount, 1);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

describe('the package entry', () => {
  test("require('vcoroute') resolves to the built entry and starts a server", { skip: fs.existsSync(path.join(REPO, 'dist', 'index.js')) ? undefined : 'dist/ not built (npm ci builds it)' }, async () => {
    const script = "const { startVcoroute } = require('vcoroute'); startVcoroute().then(async (v) => { const r = await fetch(v.baseUrl + '/_vcoroute/health'); console.log(r.status, require.resolve('vcoroute')); await v.stop(); });";
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { cwd: REPO, timeout: 30_000 });
    assert.match(stdout.trim(), /^200 .*dist\/index\.js$/);
  });

  test("import { startVcoroute } from 'vcoroute' (ESM, as the README's examples) gets the named export", { skip: fs.existsSync(path.join(REPO, 'dist', 'index.js')) ? undefined : 'dist/ not built (npm ci builds it)' }, async () => {
    const script = "import { startVcoroute } from 'vcoroute'; const v = await startVcoroute(); const r = await fetch(v.baseUrl + '/_vcoroute/ready'); console.log(r.status, typeof startVcoroute); await v.stop();";
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO, timeout: 30_000 });
    assert.equal(stdout.trim(), '200 function');
    // typed: the package's "types" declare the API the README shows
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    const types = fs.readFileSync(path.join(REPO, pkg.exports['.'].types), 'utf8');
    assert.equal(path.normalize(pkg.types), path.normalize(pkg.exports['.'].types));
    assert.match(types, /export declare function startVcoroute\(options\?: VcorouteOptions\): Promise<StartedVcoroute>;/);
    assert.match(types, /export interface StartedVcoroute \{/);
  });
});

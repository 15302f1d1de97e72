/**
 * Issue 12's "done when", literally: `vcoroute serve` as a new user runs it (the well-known development key, the
 * README's admin seeding), the console at the address it prints, signed in with the key the README documents,
 * and a route the README's SDK configuration creates appearing live, without a reload.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Vpc, * as $Vpc from '@alicloud/vpc20160428';
import { buildConsole } from '../../web/build';
import { eventually, launchBrowser, type TestBrowser } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { tempDataDir } from '../helpers/server';

const README = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
/** The development key as the README's Credentials table gives it. */
const KEY_ID = /\| AccessKeyId \| `([^`]+)` \|/.exec(README)![1]!;
const SECRET = /\| AccessKeySecret \| `([^`]+)` \|/.exec(README)![1]!;

describe('the README, followed literally: serve, open the printed console URL, sign in, see routes live', () => {
  let server: ServerProcess;
  let browser: TestBrowser;

  before(async () => {
    await buildConsole();
    // No key configured: the well-known development identity, as after `npm ci && npx vcoroute serve`.
    server = await startServerProcess(['--data', tempDataDir()], { VCOROUTE_ACCESS_KEY_ID: undefined, VCOROUTE_ACCESS_KEY_SECRET: undefined,
      VCOROUTE_ACCOUNT_ID: undefined, VCOROUTE_CHANGE_DELAY_MS: undefined });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the README-seeded connection and, live, a route created through the SDK as the README configures it', async () => {
    const banner = /^Console: (\S+) \(sign in with the development key above/m.exec(server.stdout());
    assert.ok(banner, server.stdout());
    const consoleUrl = banner[1]!;
    assert.equal(consoleUrl, `http://${server.endpoint}/console/`);
    assert.ok(server.stdout().includes(`accessKeyId: ${KEY_ID}`));

    // "Seed state with the admin API": the README's two calls.
    assert.equal((await server.admin('PUT', '/_vcoroute/v1/vpn-connections/vco-demo1', { regionId: 'cn-hangzhou', state: 'attached', transitRouterId: 'tr-demo1',
      tunnels: [{ tunnelId: 'tun-demo1a' }, { tunnelId: 'tun-demo1b', status: 'ike_sa_established' }] })).status, 201);
    assert.equal((await server.admin('POST', '/_vcoroute/v1/vpn-connections/vco-demo1/routes', { routes: [
      { routeEntryType: 'custom', routeDest: '192.168.10.0/24', weight: 100 },
      { routeEntryType: 'bgp', routeDest: '10.0.0.0/8', source: 'VPN_BGP', asPath: [65001], community: '65535:65510' },
      { routeEntryType: 'bgp', routeDest: '172.16.0.0/12', source: 'CLOUD', asPath: [45104] }] })).status, 200);

    const page = await browser.newPage();
    await page.goto(consoleUrl);
    await page.getByLabel('AccessKey ID').fill(KEY_ID);
    await page.getByLabel('AccessKey secret').fill(SECRET);
    await page.getByRole('button', { name: 'Sign in' }).click(); // the region field starts at cn-hangzhou
    await page.getByRole('link', { name: 'vco-demo1' }).click();
    const table = page.locator('.table-region');
    await eventually(async () => assert.match(await table.innerText(), /192\.168\.10\.0\/24/));
    await eventually(async () => assert.match(await page.locator('nav.tabs').innerText(), /Custom routes \(1\)\s*BGP routes \(2\)/));
    await page.evaluate('window.__sameDocument = true');

    // "Point an SDK at it": the README's client configuration, a route created while the page is open.
    const client = new (Vpc as any)({ endpoint: server.endpoint, protocol: 'http', regionId: 'cn-hangzhou', accessKeyId: KEY_ID, accessKeySecret: SECRET });
    await client.createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({ regionId: 'cn-hangzhou', vpnConnectionId: 'vco-demo1', routeDest: '192.168.20.0/24',
      nextHop: 'vco-demo1', weight: 100 }));
    await eventually(async () => {
      assert.match(await table.innerText(), /192\.168\.20\.0\/24\s+vco-demo1\s+100/);
      assert.match(await page.locator('.events').innerText(), /Added\s+192\.168\.20\.0\/24\s+custom\s+api/);
      assert.match(await page.locator('nav.tabs').innerText(), /Custom routes \(2\)/);
    });
    assert.equal(await page.evaluate('window.__sameDocument'), true, 'no reload');
    await page.close();
  });
});

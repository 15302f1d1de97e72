/**
 * `npm run screenshots`: the README's pictures of the console (docs/screenshots/*.png), taken with Debian's
 * Chromium against a fresh server holding the README's demo connection, its routes and a few changes made
 * through the official SDK.
 */
import fs from 'node:fs';
import path from 'node:path';
import Vpc, * as $Vpc from '@alicloud/vpc20160428';
import { startVcoroute } from '../src/index';
import { launchBrowser, signIn } from '../test/helpers/browser';
import { buildConsole } from './build';

const OUT = path.resolve(__dirname, '..', 'docs', 'screenshots');
const REGION = 'cn-hangzhou';

async function main(): Promise<void> {
  await buildConsole();
  const vcoroute = await startVcoroute();
  const browser = await launchBrowser();
  try {
    const seed = async (method: string, p: string, body: unknown) => {
      const r = await vcoroute.admin.request(method, p, body);
      if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(r.body)}`);
    };
    await seed('PUT', '/_vcoroute/v1/vpn-connections/vco-demo1', { regionId: REGION, state: 'attached', transitRouterId: 'tr-demo1',
      tunnels: [{ tunnelId: 'tun-demo1a' }, { tunnelId: 'tun-demo1b', status: 'ike_sa_established' }] });
    await seed('PUT', '/_vcoroute/v1/vpn-connections/vco-demo2', { regionId: REGION, state: 'attached', transitRouterId: 'tr-demo1' });
    const routes: unknown[] = [{ routeEntryType: 'bgp', routeDest: '172.16.0.0/12', source: 'CLOUD', asPath: [45104] }];
    for (let i = 0; i < 24; i++) routes.push({ routeEntryType: 'bgp', routeDest: `10.${i}.0.0/16`, source: 'VPN_BGP', asPath: [65001, 12000], community: '65535:65510' });
    await seed('POST', '/_vcoroute/v1/vpn-connections/vco-demo1/routes', { routes });
    const vpc = new (Vpc as any)({ ...vcoroute.credentials, endpoint: vcoroute.endpoint, protocol: 'http', regionId: REGION }) as Vpc;
    for (let i = 10; i < 16; i++) {
      await vpc.createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: 'vco-demo1', routeDest: `192.168.${i}.0/24`, nextHop: 'vco-demo1', weight: 100 }));
    }
    await vpc.modifyVcoRouteEntryWeight(new $Vpc.ModifyVcoRouteEntryWeightRequest({ regionId: REGION, vpnConnectionId: 'vco-demo1', routeDest: '192.168.12.0/24', nextHop: 'vco-demo1', weight: 100, newWeight: 0 }));
    await vpc.deleteVcoRouteEntry(new $Vpc.DeleteVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: 'vco-demo1', routeDest: '192.168.15.0/24', nextHop: 'vco-demo1', weight: 100 }));

    fs.mkdirSync(OUT, { recursive: true });
    /** The page from the top, at most `maxHeight` pixels of it (the timeline below goes on). */
    const shoot = async (name: string, page: import('playwright-core').Page, maxHeight = 1400) => {
      await page.waitForTimeout(400); // live-status line settles
      const { width } = page.viewportSize()!;
      const height = Math.min(maxHeight, await page.evaluate(() => (globalThis as any).document.documentElement.scrollHeight as number));
      await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true, clip: { x: 0, y: 0, width, height } });
      process.stdout.write(`docs/screenshots/${name}.png\n`);
    };
    const page = await browser.newPage(1280);
    await page.goto(`${vcoroute.baseUrl}/console/`);
    await page.getByLabel('AccessKey ID').waitFor();
    await shoot('sign-in', page);
    await signIn(page, vcoroute.baseUrl, vcoroute.credentials);
    await page.getByText('CLOUD: 1').waitFor();
    await shoot('connections', page);
    await page.getByRole('link', { name: 'vco-demo1' }).click();
    await page.getByRole('region', { name: 'Custom routes' }).locator('tbody tr').first().waitFor();
    await shoot('custom-routes', page);
    await page.getByRole('link', { name: /BGP routes/ }).click();
    await page.getByRole('region', { name: 'BGP routes' }).locator('tbody tr').first().waitFor();
    await shoot('bgp-routes', page);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: /Custom routes/ }).click();
    await page.getByRole('region', { name: 'Custom routes' }).locator('tbody tr').first().waitFor();
    await shoot('custom-routes-390px', page, 1700);
  } finally {
    await browser.close();
    await vcoroute.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`screenshots failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

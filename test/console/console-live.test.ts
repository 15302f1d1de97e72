/**
 * The console live, in Chromium: a prefix a real BIRD peer announces appears in the open page's route table and
 * timeline without a reload, and leaves when BIRD stops; after a server restart the page's stream resumes with
 * Last-Event-ID, so a change made while it was away shows exactly once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as $Vpc from '@alicloud/vpc20160428';
import type { Page } from 'playwright-core';
import { buildConsole } from '../../web/build';
import { loadConfig } from '../../src/config';
import { createLogger, startServer } from '../../src/server/app';
import { eventually, launchBrowser, signIn, type TestBrowser } from '../helpers/browser';
import { createBgpConnection, loopbackServerEnv, REGION, type BgpConnection } from '../helpers/bgp-scenario';
import { assertNoServerErrors } from '../helpers/http';
import { ADMIN_TOKEN, ROOT, openTestStore, startTestServer, type TestServer } from '../helpers/server';
import { hasCommand, randomHighPort, startBird, stopAllDaemons, type Bird } from '../helpers/speaker-daemons';
import { vpcClient } from '../helpers/vpc-client';

function birdConf(ports: number[], birdPort: number, routes: string[]): string {
  return `router id 10.255.0.2;
protocol device { }
protocol static onprem { ipv4;
${routes.map((r) => `  route ${r} blackhole;`).join('\n')}
}
filter to_cloud { if proto = "onprem" then { bgp_path.prepend(12000); accept; } reject; }
template bgp tun { local as 65001; multihop; connect delay time 1; connect retry time 2; hold time 90; ipv4 { import all; export filter to_cloud; }; }
protocol bgp tunnel1 from tun { local 127.0.0.2 port ${birdPort} as 65001; neighbor 127.0.0.1 port ${ports[0]} as 45104; }
protocol bgp tunnel2 from tun { local 127.0.0.3 port ${birdPort} as 65001; neighbor 127.0.0.1 port ${ports[1]} as 45104; }
`;
}


const bodyText = (page: Page, selector: string) => page.locator(selector).allInnerTexts().then((t) => t.join('\n'));

describe('web console, live', { skip: !hasCommand('bird') && 'bird2 is not installed' }, () => {
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;
  let conn: BgpConnection;
  let bird: Bird;
  const env = loopbackServerEnv();
  /** WatchVcoRouteChanges requests the page made, with their Last-Event-ID */
  const watches: (string | undefined)[] = [];

  before(async () => {
    await buildConsole();
    server = await startTestServer(undefined, env);
    conn = await createBgpConnection(vpcClient(server));
    browser = await launchBrowser();
    page = await browser.newPage();
    page.on('request', (r) => {
      if (r.headers()['x-acs-action'] === 'WatchVcoRouteChanges') watches.push(r.headers()['last-event-id']);
    });
  });
  after(async () => {
    await stopAllDaemons();
    await browser?.close();
    await server?.close();
  });

  it('a prefix BIRD announces appears in the open BGP table and the timeline without a reload, and leaves when BIRD stops', async () => {
    await signIn(page, server.baseUrl, ROOT);
    await page.getByRole('link', { name: conn.connectionId }).click();
    await page.getByRole('link', { name: /BGP routes/ }).click();
    await eventually(async () => assert.match(await bodyText(page, '.timeline'), /Live: new changes appear as they happen/));
    await page.evaluate('window.__sameDocument = true');
    const table = page.getByRole('region', { name: 'BGP routes' });
    assert.equal(await table.locator('tbody tr', { hasText: '10.10.1.0/24' }).count(), 0);

    const ports = (await server.admin('GET', `/_vcoroute/v1/vpn-connections/${conn.connectionId}/bgp`)).body.tunnels.map((t: any) => t.listen.port);
    bird = await startBird(birdConf(ports, randomHighPort(), ['10.10.1.0/24']));
    await eventually(async () => {
      const row = await table.locator('tbody tr', { hasText: '10.10.1.0/24' }).innerText();
      assert.match(row, /VPN_BGP/);
      assert.match(row, /\[65001,12000\]/);
      for (const t of conn.tunnelIds) assert.ok(row.includes(t), `${t} in ${row}`); // learned over both tunnels
    }, 30_000);
    await eventually(async () => {
      const timeline = await bodyText(page, '.events');
      assert.match(timeline, /Added\s+10\.10\.1\.0\/24\s+VPN_BGP\s+bgp-update via tun-/);
      assert.match(await page.locator('.timeline [aria-live]').innerText(), /10\.10\.1\.0\/24/);
      assert.match(await page.getByRole('link', { name: /BGP routes/ }).innerText(), /BGP routes \(1\)/);
    });
    assert.equal(await page.evaluate('window.__sameDocument'), true, 'no reload');

    await bird.stop();
    await eventually(async () => {
      assert.equal(await table.locator('tbody tr', { hasText: '10.10.1.0/24' }).count(), 0);
      assert.match(await bodyText(page, '.events'), /Removed\s+10\.10\.1\.0\/24\s+VPN_BGP\s+(session-down|bgp-withdraw)/);
    }, 30_000);
    assert.equal(await page.evaluate('window.__sameDocument'), true, 'no reload');
  });

  it('resumes the stream after a server restart with Last-Event-ID: a change made meanwhile shows exactly once', async () => {
    const newestShown = await page.locator('.events li').first().getAttribute('data-event-id');
    assert.ok(newestShown);
    // Hold the page's reconnection until the change is made, so it can only arrive by replay.
    let release!: () => void;
    const changed = new Promise<void>((r) => (release = r));
    await page.route('**/?*', async (route) => {
      if (route.request().headers()['x-acs-action'] === 'WatchVcoRouteChanges') await changed;
      await route.continue();
    });
    const port = server.port;
    await server.close(); // ends the open stream
    await eventually(async () => assert.match(await bodyText(page, '.timeline'), /Live updates interrupted/));
    const config = loadConfig({ host: '127.0.0.1', port, data: server.dataDir }, { VCOROUTE_ADMIN_TOKEN: ADMIN_TOKEN, ...env });
    const restarted = await startServer(config, await openTestStore(server.dataDir), createLogger('silent'));
    server = { ...server, ...restarted };
    await vpcClient(server).createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({
      regionId: REGION, vpnConnectionId: conn.connectionId, routeDest: '192.168.77.0/24', nextHop: conn.connectionId, weight: 100,
    }));
    release();
    await eventually(async () => {
      const events = await page.locator('.events li', { hasText: '192.168.77.0/24' }).count();
      assert.equal(events, 1);
      assert.match(await page.getByRole('link', { name: /Custom routes/ }).innerText(), /Custom routes \(1\)/);
    }, 20_000);
    assert.equal(watches.at(-1), newestShown, 'the resumed request carried the newest event shown');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await page.locator('.events li', { hasText: '192.168.77.0/24' }).count(), 1, 'not repeated');
    const ids = await page.locator('.events li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-event-id')));
    assert.equal(new Set(ids).size, ids.length, 'no event twice');
    await page.unroute('**/?*');
  });

  it('no response was a 5xx', () => assertNoServerErrors());
});

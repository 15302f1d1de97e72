/**
 * The web console in Debian's Chromium (playwright-core): signed in with RAM users' keys and STS credentials,
 * it lists connections, pages and filters a route table, writes routes through the API (errors shown as the
 * API words them), follows changes live, and passes an axe-core scan at 1280 and 390 px. Every claim about
 * server state is checked again with the official SDK.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as $Ram from '@alicloud/ram20150501';
import * as $Vpc from '@alicloud/vpc20160428';
import type { Locator, Page } from 'playwright-core';
import { buildConsole } from '../../web/build';
import { CONSOLE_CSP } from '../../src/console/console-files';
import { eventually, launchBrowser, seriousA11yViolations, signIn, type TestBrowser } from '../helpers/browser';
import { assertNoServerErrors, noteStatus } from '../helpers/http';
import { assumeRole, createPolicy, doc, ramClient, stsClient, userWithKey, vpcClientFor, type Creds } from '../helpers/ram';
import { ROOT, startTestServer, type TestServer } from '../helpers/server';

const REGION = 'cn-hangzhou';
const CONN = 'vco-console1';
const SINGLE = 'vco-console2';
const CUSTOM_ROUTES = 45;

async function textOf(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).allInnerTexts()).join('\n');
}

describe('web console', () => {
  let server: TestServer;
  let browser: TestBrowser;
  let operator: Creds;
  let reader: Creds;
  let nobody: Creds;
  let built: Awaited<ReturnType<typeof buildConsole>>;
  const vpc = () => vpcClientFor(server, ROOT);
  const allCustomRoutes = async () => {
    const out: $Vpc.DescribeVcoRouteEntriesResponseBodyVcoRouteEntries[] = [];
    for (let p = 1; ; p++) {
      const body = (await vpc().describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: CONN, pageNumber: p, pageSize: 50 }))).body!;
      out.push(...body.vcoRouteEntries!);
      if (out.length >= body.totalCount!) return out;
    }
  };
  /** The server's change delay has passed: the connection takes writes again. */
  const settled = () => eventually(async () => {
    const c = (await vpc().describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: CONN }))).body!;
    assert.equal(c.state, 'attached');
  }, 5000);

  before(async () => {
    built = await buildConsole(); // the bundle the server serves is the source under test
    server = await startTestServer(undefined, { VCOROUTE_CHANGE_DELAY_MS: '800' });
    await server.admin('PUT', `/_vcoroute/v1/vpn-connections/${CONN}`, {
      regionId: REGION, state: 'attached', transitRouterId: 'tr-console1',
      tunnels: [{ tunnelId: 'tun-console1a' }, { tunnelId: 'tun-console1b', status: 'ike_sa_established' }],
    });
    await server.admin('PUT', `/_vcoroute/v1/vpn-connections/${SINGLE}`, { regionId: REGION, state: 'attached', transitRouterId: 'tr-console1' });
    const routes: unknown[] = [];
    for (let i = 0; i < CUSTOM_ROUTES; i++) routes.push({ routeEntryType: 'custom', routeDest: `192.168.${i}.0/24`, weight: 100 });
    for (let i = 0; i < 12; i++) routes.push({ routeEntryType: 'bgp', routeDest: `10.${i}.0.0/16`, source: 'VPN_BGP', asPath: [65001], community: '65535:65510' });
    for (let i = 0; i < 3; i++) routes.push({ routeEntryType: 'bgp', routeDest: `172.16.${i}.0/24`, source: 'CLOUD', asPath: [45104] });
    const seeded = await server.admin('POST', `/_vcoroute/v1/vpn-connections/${CONN}/routes`, { routes });
    assert.equal(seeded.status, 200, JSON.stringify(seeded.body));

    const ram = ramClient(server, ROOT);
    operator = await userWithKey(ram, 'console-operator', [{ type: 'System', name: 'AliyunVPCFullAccess' }]);
    reader = await userWithKey(ram, 'console-reader', [{ type: 'System', name: 'AliyunVPCReadOnlyAccess' }]);
    nobody = await userWithKey(ram, 'console-nobody');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('is served at /console with its content types, cache headers and a same-origin-only CSP', async () => {
    const get = async (path: string, init?: RequestInit) => {
      const res = await fetch(`${server.baseUrl}${path}`, { redirect: 'manual', ...init });
      noteStatus(res.status, `GET ${path}`);
      return res;
    };
    const redirect = await get('/console');
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers.get('location'), '/console/');
    const index = await get('/console/');
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    assert.equal(index.headers.get('content-security-policy'), CONSOLE_CSP);
    assert.match(CONSOLE_CSP, /default-src 'none'/);
    assert.doesNotMatch(CONSOLE_CSP, /https?:|\*|unsafe/);
    assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
    const html = await index.text();
    const js = /src="\.\/(console-[A-Z0-9]+\.js)"/.exec(html)![1]!;
    const css = /href="\.\/(console-[A-Z0-9]+\.css)"/.exec(html)![1]!;
    const script = await get(`/console/${js}`);
    // The JS budget (issue 12): at most 150 KB gzip, the one bundle the page loads.
    assert.equal(js, built.files.find((f) => f.endsWith('.js')));
    assert.ok(built.jsGzipBytes <= 150 * 1024, `JS bundle ${built.jsGzipBytes} bytes gzip`);
    assert.equal((await script.arrayBuffer()).byteLength, built.jsBytes);
    assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(script.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal((await get(`/console/${css}`)).headers.get('content-type'), 'text/css; charset=utf-8');
    const again = await get('/console/', { headers: { 'if-none-match': index.headers.get('etag')! } });
    assert.equal(again.status, 304);
    assert.equal((await get('/console/nothing.js')).status, 404);
    assert.equal((await get('/console/../package.json')).status, 404);
    assert.equal((await get('/console/', { method: 'POST' })).status, 405);
    // Another site's page may not load it (the server's Origin/Sec-Fetch-Site gate applies here too).
    assert.equal((await get('/console/', { headers: { 'sec-fetch-site': 'cross-site' } })).status, 403);
  });

  it('signs in with a RAM user key and lists connections with state, transit router, tunnels and route counts', async () => {
    const page = await browser.newPage();
    const seen: string[] = [];
    page.on('request', (r) => seen.push(r.url()));
    /** the API requests the page made: their action and Authorization header */
    const signed: { action: string; authorization: string }[] = [];
    page.on('request', (r) => {
      const action = r.headers()['x-acs-action'];
      if (action) signed.push({ action, authorization: r.headers()['authorization'] ?? '' });
    });
    const logged: string[] = [];
    page.on('console', (m) => logged.push(m.text()));
    await signIn(page, server.baseUrl, operator);
    await page.getByRole('heading', { name: `VPN connections in ${REGION}` }).waitFor();
    await page.getByRole('link', { name: CONN }).waitFor();
    await eventually(async () => {
      const table = await textOf(page, 'table');
      assert.match(table, new RegExp(`${CONN}[\\s\\S]*attached[\\s\\S]*tr-console1`));
      assert.match(table, /tun-console1a IPsec\s*ipsec_sa_established\s*BGP/);
      assert.match(table, /tun-console1b IPsec\s*ike_sa_established/);
      assert.match(table, new RegExp(`custom: ${CUSTOM_ROUTES}\\s*VPN_BGP: 12\\s*CLOUD: 3`));
      assert.match(table, /vco-console2[\s\S]*custom: 0\s*bgp: 0/);
    });
    assert.match(await textOf(page, 'header'), /acs:ram::1000000000000001:user\/console-operator/);
    // The key: in this tab's sessionStorage, never in the URL, never logged, never sent anywhere but this server.
    const stored = await page.evaluate<string>('JSON.stringify(sessionStorage)');
    assert.ok(stored.includes(operator.accessKeySecret));
    assert.ok(seen.every((u) => u.startsWith(`${server.baseUrl}/`)), seen.join('\n'));
    assert.ok(seen.every((u) => !u.includes(operator.accessKeySecret) && !u.includes(operator.accessKeyId)));
    assert.ok(!page.url().includes(operator.accessKeySecret));
    assert.ok(logged.every((l) => !l.includes(operator.accessKeySecret)));
    // Nowhere else in the browser: no localStorage, no cookie.
    assert.equal(await page.evaluate<number>('localStorage.length'), 0);
    assert.equal(await page.evaluate<string>('document.cookie'), '');
    assert.deepEqual((await browser.context.cookies()).length, 0);
    // Every API call was signed in the page with V3 (ACS3-HMAC-SHA256, WebCrypto) by this user's AccessKeyId.
    assert.ok(signed.some((r) => r.action === 'DescribeVpnConnections'), JSON.stringify(signed));
    for (const r of signed) assert.match(r.authorization, new RegExp(`^ACS3-HMAC-SHA256 Credential=${operator.accessKeyId},SignedHeaders=[^,]+,Signature=[0-9a-f]{64}$`), r.action);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('AccessKey ID').waitFor();
    assert.equal(await page.evaluate<number>('sessionStorage.length'), 0);
    await page.close();
  });

  it('pages a route table to the end, switches to BGP routes, filters by Source and searches by CIDR', async () => {
    const page = await browser.newPage();
    await signIn(page, server.baseUrl, operator);
    await page.getByRole('link', { name: CONN }).click();
    const custom = page.getByRole('region', { name: 'Custom routes' });
    await eventually(async () => assert.match(await textOf(page, 'main'), new RegExp(`${CUSTOM_ROUTES} routes`)));
    assert.equal(await custom.locator('tbody tr').count(), 20);
    const pager = page.getByRole('navigation', { name: 'Route pages' });
    assert.match(await pager.innerText(), /Page 1 of 3/);
    await pager.getByRole('button', { name: 'Next' }).click();
    await eventually(async () => assert.match(await pager.innerText(), /Page 2 of 3/));
    await eventually(async () => assert.match(await custom.locator('tbody tr').first().innerText(), /192\.168\.20\.0\/24/));
    await pager.getByRole('button', { name: 'Last' }).click();
    await eventually(async () => {
      assert.match(await pager.innerText(), /Page 3 of 3/);
      assert.equal(await custom.locator('tbody tr').count(), CUSTOM_ROUTES - 40);
      assert.match(await custom.locator('tbody tr').last().innerText(), /192\.168\.44\.0\/24/);
    });
    assert.equal(await pager.getByRole('button', { name: 'Next' }).isDisabled(), true);
    // Next-hop tunnels as the API lists them: only the tunnel whose phase 2 is up.
    assert.match(await custom.locator('tbody tr').first().innerText(), /tun-console1a/);
    assert.doesNotMatch(await custom.locator('tbody tr').first().innerText(), /tun-console1b/);

    await page.getByRole('link', { name: /BGP routes \(15\)/ }).click();
    const bgp = page.getByRole('region', { name: 'BGP routes' });
    await eventually(async () => assert.equal(await bgp.locator('tbody tr').count(), 15));
    await page.getByLabel('Source').selectOption('CLOUD');
    await eventually(async () => {
      const rows = await bgp.locator('tbody tr').allInnerTexts();
      assert.equal(rows.length, 3);
      assert.ok(rows.every((r) => /CLOUD/.test(r) && /172\.16\./.test(r)), rows.join('\n'));
      assert.match(await textOf(page, 'main'), /3 matches in 15 of 15 routes searched \(all\)/);
    });
    await page.getByLabel('Source').selectOption('');
    await page.getByLabel('CIDR search').fill('10.0.0.0/12');
    await page.getByRole('button', { name: 'Search' }).click();
    await eventually(async () => {
      const rows = await bgp.locator('tbody tr').allInnerTexts();
      assert.deepEqual(rows.map((r) => /\S+/.exec(r)![0]).sort(), Array.from({ length: 12 }, (_, i) => `10.${i}.0.0/16`).sort());
      assert.ok(rows.every((r) => /VPN_BGP/.test(r) && /\[65001\]/.test(r) && /65535:65510/.test(r)));
    });
    // An address finds the route that covers it; the filters live in the URL (no key there).
    await page.getByLabel('CIDR search').fill('10.3.7.9');
    await page.getByRole('button', { name: 'Search' }).click();
    await eventually(async () => assert.deepEqual((await bgp.locator('tbody th').allInnerTexts()), ['10.3.0.0/16']));
    assert.match(page.url(), /type=bgp.*cidr=10\.3\.7\.9/);

    // The history: newest first, 25 at a time (ListVcoRouteChanges' NextToken), no event twice.
    const events = page.locator('.events li');
    await eventually(async () => assert.equal(await events.count(), 25));
    await page.getByRole('button', { name: 'Load older changes' }).click();
    await eventually(async () => assert.equal(await events.count(), 50));
    const ids = (await events.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-event-id')))).map(Number);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
    assert.equal(new Set(ids).size, 50);
    assert.match(await events.first().innerText(), /Added\s+172\.16\.2\.0\/24\s+CLOUD/);
    await page.close();
  });

  it('adds, re-weights and deletes a custom route through the API, showing VpnConnection.Configuring as the API words it', async () => {
    const page = await browser.newPage();
    await signIn(page, server.baseUrl, operator);
    await page.getByRole('link', { name: CONN }).click();
    await page.getByLabel('Destination CIDR').fill('198.51.100.0/24');
    await page.getByLabel('Weight').selectOption('0');
    await page.getByRole('button', { name: 'Add route' }).click();
    await eventually(async () => assert.match(await page.getByRole('status').innerText(), /Route 198\.51\.100\.0\/24 added \(RequestId [0-9A-F-]{36}\)/));
    const added = (await allCustomRoutes()).find((r) => r.routeDest === '198.51.100.0/24');
    assert.equal(added?.weight, 0);

    // The connection is `updating` for the change delay: the next write gets the API's own error.
    const search = async (cidr: string) => {
      await page.getByLabel('CIDR search').fill(cidr);
      await page.getByRole('button', { name: 'Search' }).click();
    };
    await search('198.51.100.0/24');
    const row = page.getByRole('region', { name: 'Custom routes' }).locator('tbody tr', { hasText: '198.51.100.0/24' });
    await row.waitFor();
    await row.getByRole('button', { name: 'Set weight 100 on 198.51.100.0/24' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'The API refused the change' });
    await eventually(async () => {
      const text = await alert.innerText();
      assert.match(text, /VpnConnection\.Configuring/);
      assert.match(text, /The specified VPN connection is being configured\. Try again later\./);
      assert.match(text, /RequestId: [0-9A-F-]{36}/);
    });
    assert.equal((await allCustomRoutes()).find((r) => r.routeDest === '198.51.100.0/24')?.weight, 0, 'nothing changed');

    await settled();
    await row.getByRole('button', { name: 'Set weight 100 on 198.51.100.0/24' }).click();
    await eventually(async () => assert.match(await page.getByRole('status').innerText(), /Weight of 198\.51\.100\.0\/24 set to 100/));
    assert.equal(await alert.count(), 0);
    assert.equal((await allCustomRoutes()).find((r) => r.routeDest === '198.51.100.0/24')?.weight, 100);
    await eventually(async () => assert.match(await row.innerText(), /198\.51\.100\.0\/24\s+vco-console1\s+100/));

    await settled();
    await row.getByRole('button', { name: 'Delete 198.51.100.0/24' }).click();
    await row.getByRole('button', { name: 'Confirm delete 198.51.100.0/24' }).click();
    await eventually(async () => assert.match(await page.getByRole('status').innerText(), /Route 198\.51\.100\.0\/24 deleted/));
    assert.equal((await allCustomRoutes()).some((r) => r.routeDest === '198.51.100.0/24'), false);
    await eventually(async () => assert.match(await textOf(page, 'main'), /0 matches in 45 of 45 routes searched \(all\)/));
    await settled();
    await page.close();
  });

  it('shows a RAM user without permission the API\'s denial: no listing, no write', async () => {
    const page = await browser.newPage();
    await signIn(page, server.baseUrl, nobody);
    const alert = page.getByRole('alert').filter({ hasText: 'DescribeVpnConnections failed' });
    await eventually(async () => {
      const text = await alert.innerText();
      assert.match(text, /Forbbiden\.SubUser|Forbidden|NoPermission/);
      assert.match(text, /RequestId: [0-9A-F-]{36}/);
    });
    assert.equal(await page.getByRole('link', { name: CONN }).count(), 0);
    // The page's words are the API's: the same call through the SDK fails with the same code and message.
    const sdk = await vpcClientFor(server, nobody).describeVpnConnections(new $Vpc.DescribeVpnConnectionsRequest({ regionId: REGION })).catch((e: any) => e);
    noteStatus(sdk.statusCode, 'DescribeVpnConnections as nobody');
    assert.match(await alert.innerText(), new RegExp(sdk.code.replace('.', '\\.')));
    assert.ok((await alert.innerText()).includes(sdk.data.Message));
    await page.close();

    const readerPage = await browser.newPage();
    await signIn(readerPage, server.baseUrl, reader);
    await readerPage.getByRole('link', { name: CONN }).click();
    await readerPage.getByLabel('Destination CIDR').fill('203.0.113.0/24');
    await readerPage.getByRole('button', { name: 'Add route' }).click();
    await eventually(async () => {
      const text = await readerPage.getByRole('alert').filter({ hasText: 'The API refused the change' }).innerText();
      assert.match(text, /Forbbiden\.SubUser/);
      assert.match(text, /User not authorized to operate on the specified resource as your account is created by another user\./);
    });
    assert.equal((await allCustomRoutes()).some((r) => r.routeDest === '203.0.113.0/24'), false);
    await readerPage.close();

    // Allowed to see the connection but not its routes: neither the table nor the history shows anything.
    const ram = ramClient(server, ROOT);
    await createPolicy(ram, 'ConsoleConnectionsOnly', doc({ Effect: 'Allow', Action: ['vpc:DescribeVpnConnections', 'vpc:DescribeVpnConnection'], Resource: '*' }));
    const lister = await userWithKey(ram, 'console-lister', [{ type: 'Custom', name: 'ConsoleConnectionsOnly' }]);
    const listerPage = await browser.newPage();
    await signIn(listerPage, server.baseUrl, lister);
    await listerPage.getByRole('link', { name: CONN }).click();
    await eventually(async () => {
      for (const what of ['DescribeVcoRouteEntries failed', 'ListVcoRouteChanges failed']) {
        const text = await listerPage.getByRole('alert').filter({ hasText: what }).innerText();
        assert.match(text, /Forbbiden\.SubUser|Forbidden/, what);
        assert.match(text, /RequestId: [0-9A-F-]{36}/, what);
      }
    });
    assert.match(await textOf(listerPage, 'main'), /tun-console1a/, 'the connection itself is shown');
    assert.equal(await listerPage.locator('.events li').count(), 0);
    assert.equal(await listerPage.locator('table.routes').count(), 0);
    await listerPage.close();
  });

  it('signs in with STS credentials (AccessKeyId, secret and SecurityToken)', async () => {
    const ram = ramClient(server, ROOT);
    await ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'ConsoleReader',
      assumeRolePolicyDocument: doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ROOT.accountId}:root`] } }) }));
    await ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ roleName: 'ConsoleReader', policyType: 'System', policyName: 'AliyunVPCReadOnlyAccess' }));
    const assumer = await userWithKey(ram, 'console-assumer', [{ type: 'System', name: 'AliyunSTSAssumeRoleAccess' }]);
    const sts = await assumeRole(stsClient(server, assumer), `acs:ram::${ROOT.accountId}:role/ConsoleReader`, 'console');
    const page = await browser.newPage();
    await signIn(page, server.baseUrl, sts);
    await page.getByRole('link', { name: CONN }).waitFor();
    assert.match(await textOf(page, 'header'), /acs:ram::1000000000000001:role\/consolereader\/console/);
    // The route table, the history and its live stream, all signed with the security token.
    await page.getByRole('link', { name: CONN }).click();
    await eventually(async () => {
      assert.match(await textOf(page, '.timeline'), /Live: new changes appear as they happen/);
      assert.equal(await page.locator('.events li').count(), 25);
      assert.equal(await page.getByRole('region', { name: 'Custom routes' }).locator('tbody tr').count(), 20);
    });
    await page.close();
  });

  it('passes an axe-core scan (no serious or critical violations) at 1280 and 390 px, without sideways scrolling at 390', async () => {
    for (const width of [1280, 390]) {
      const page = await browser.newPage(width);
      const scan = async (what: string) => {
        assert.deepEqual(await seriousA11yViolations(page), [], `${what} at ${width} px`);
        assert.ok((await page.evaluate<number>('document.documentElement.scrollWidth')) <= width, `${what} fits ${width} px`);
      };
      await page.goto(`${server.baseUrl}/console/`);
      await page.getByLabel('AccessKey ID').waitFor();
      await scan('sign-in');
      await signIn(page, server.baseUrl, operator);
      await page.getByRole('link', { name: CONN }).waitFor();
      await eventually(async () => assert.match(await textOf(page, 'table'), /CLOUD: 3/));
      await scan('connections');
      await page.getByRole('link', { name: CONN }).click();
      await page.getByRole('region', { name: 'Custom routes' }).locator('tbody tr').first().waitFor();
      await scan('custom routes');
      await page.getByRole('link', { name: /BGP routes/ }).click();
      await page.getByRole('region', { name: 'BGP routes' }).locator('tbody tr').first().waitFor();
      await scan('BGP routes');
      // Keyboard: Tab reaches the tabs, and focus is visible (an outline).
      await page.keyboard.press('Tab');
      const outline = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle');
      assert.notEqual(outline, 'none');
      await page.close();
    }
  });

  it('works with the keyboard alone: sign in, open a connection, search, delete a route (focus follows the confirmation)', async () => {
    await settled();
    await vpc().createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: CONN, routeDest: '198.18.0.0/24', nextHop: CONN, weight: 100 }));
    await settled();
    const page = await browser.newPage();
    /** Presses Tab until `target` has the focus (as a keyboard user would). */
    const tabTo = async (target: Locator) => {
      for (let i = 0; i < 80; i++) {
        if (await target.evaluate((el) => el === (globalThis as any).document.activeElement).catch(() => false)) return;
        await page.keyboard.press('Tab');
      }
      assert.fail(`Tab never reached ${target}`);
    };
    await page.goto(`${server.baseUrl}/console/`);
    await tabTo(page.getByLabel('AccessKey ID'));
    await page.keyboard.type(operator.accessKeyId);
    await page.keyboard.press('Tab');
    await page.keyboard.type(operator.accessKeySecret);
    await page.keyboard.press('Enter');
    const link = page.getByRole('link', { name: CONN });
    await link.waitFor();
    await tabTo(link);
    await page.keyboard.press('Enter');
    const search = page.getByLabel('CIDR search');
    await search.waitFor();
    await tabTo(search);
    await page.keyboard.type('198.18.0.0/24');
    await page.keyboard.press('Enter');
    const remove = page.getByRole('button', { name: 'Delete 198.18.0.0/24' });
    await remove.waitFor();
    await tabTo(remove);
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('button', { name: 'Confirm delete 198.18.0.0/24' });
    await eventually(async () => assert.ok(await confirm.evaluate((el) => el === (globalThis as any).document.activeElement), 'focus on Confirm delete'));
    await page.keyboard.press('Enter');
    await eventually(async () => assert.match(await page.getByRole('status').innerText(), /Route 198\.18\.0\.0\/24 deleted/));
    assert.equal((await allCustomRoutes()).some((r) => r.routeDest === '198.18.0.0/24'), false);
    await page.close();
  });

  it('no response was a 5xx', () => assertNoServerErrors());
});

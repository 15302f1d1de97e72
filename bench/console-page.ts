/**
 * The console's route-table page on a connection with 100,000 routes (issue 12, "Performance"): time from
 * navigation to interactive in headless Chromium — the first page of routes rendered and the pager's "Last"
 * button enabled (handlers attached) — for a cold load of the connection page, a switch to the BGP tab, and a
 * jump to the last page. Part of `npm run bench` (scenario `console`); alone:
 *
 *   node --import tsx bench/console-page.ts [--routes 100000] [--runs 7]
 */
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { startVcoroute } from '../src/index';
import { launchBrowser, signIn } from '../test/helpers/browser';
import { buildConsole } from '../web/build';

export const CONSOLE_TARGET_MS = 1000;
const REGION = 'cn-hangzhou';
const CONN = 'vco-benchconsole1';

export interface ConsoleBenchResult {
  routes: number;
  runs: number;
  jsGzipBytes: number;
  /** ms, per measured step: median and max over the runs */
  steps: { name: string; medianMs: number; maxMs: number }[];
  met: boolean;
}

/** 10.0.0.0/24, 10.0.1.0/24, …: n distinct /24s from `first` (an IPv4 number). */
function prefixes(first: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const a = first + i * 256;
    return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.0/24`;
  });
}

/** Waits (on animation frames) until the route table shows rows and its pager works; returns performance.now(). */
async function interactiveAt(page: Page, region: string, expectLastPage?: string): Promise<number> {
  // Runs in the page (a function, not a string: the console's CSP forbids eval); no DOM types in this project.
  const handle = await page.waitForFunction(([name, lastPage]) => {
    const d = (globalThis as any).document;
    const rows = d.querySelector(`[role="region"][aria-label="${name}"] tbody tr th`);
    const pager = d.querySelector('nav[aria-label="Route pages"]');
    const last = [...(pager ? pager.querySelectorAll('button') : [])].find((b: any) => b.textContent === 'Last') as any;
    const ready = rows && pager && (lastPage ? pager.textContent.includes(lastPage) : last && !last.disabled);
    return ready ? performance.now() : false;
  }, [region, expectLastPage ?? ''] as const, { polling: 'raf', timeout: 30_000 });
  return (await handle.jsonValue()) as number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function measureConsolePage(routes = 100_000, runs = 7, log: (line: string) => void = () => {}): Promise<ConsoleBenchResult> {
  const built = await buildConsole();
  const vcoroute = await startVcoroute();
  const browser = await launchBrowser();
  try {
    const seed = async (method: string, path: string, body: unknown) => {
      const r = await vcoroute.admin.request(method, path, body);
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    };
    await seed('PUT', `/_vcoroute/v1/vpn-connections/${CONN}`, { regionId: REGION, state: 'attached', transitRouterId: 'tr-benchconsole1',
      tunnels: [{ tunnelId: 'tun-benchconsole1a' }, { tunnelId: 'tun-benchconsole1b' }] });
    const half = Math.floor(routes / 2);
    const t0 = performance.now();
    await seed('POST', `/_vcoroute/v1/vpn-connections/${CONN}/routes`, {
      routes: [
        ...prefixes(0x0a000000, half).map((routeDest) => ({ routeEntryType: 'custom', routeDest, weight: 100 })),
        ...prefixes(0x0b000000, routes - half).map((routeDest) => ({ routeEntryType: 'bgp', routeDest, source: 'VPN_BGP', asPath: [65001] })),
      ],
    });
    log(`console: ${routes.toLocaleString('en')} routes seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const page = await browser.newPage(1280);
    await signIn(page, vcoroute.baseUrl, vcoroute.credentials);
    await page.getByRole('link', { name: CONN }).waitFor();
    const url = `${vcoroute.baseUrl}/console/#/r/${REGION}/${CONN}`;
    const lastBgpPage = `Page ${Math.ceil((routes - half) / 20)} of ${Math.ceil((routes - half) / 20)}`;
    const samples: Record<string, number[]> = {
      'cold load → custom routes interactive': [], '… of which document + bundle (DOMContentLoaded)': [], 'BGP tab → interactive': [], 'Last → last BGP page shown': [],
    };
    for (let i = 0; i <= runs; i++) {
      // A new document each run (the bundle from the HTTP cache, as on any later visit); the first run warms up.
      await page.goto('about:blank');
      await page.goto(url, { waitUntil: 'commit' });
      const cold = await interactiveAt(page, 'Custom routes');
      const domReady = await page.evaluate(() => (performance as any).getEntriesByType('navigation')[0].domContentLoadedEventEnd as number);
      let t = await page.evaluate(() => performance.now());
      await page.getByRole('link', { name: /BGP routes/ }).click();
      const tab = (await interactiveAt(page, 'BGP routes')) - t;
      t = await page.evaluate(() => performance.now());
      await page.getByRole('navigation', { name: 'Route pages' }).getByRole('button', { name: 'Last' }).click();
      const last = (await interactiveAt(page, 'BGP routes', lastBgpPage)) - t;
      if (i === 0) continue;
      samples['cold load → custom routes interactive']!.push(cold);
      samples['… of which document + bundle (DOMContentLoaded)']!.push(domReady);
      samples['BGP tab → interactive']!.push(tab);
      samples['Last → last BGP page shown']!.push(last);
    }
    const steps = Object.entries(samples).map(([name, xs]) => ({ name, medianMs: median(xs), maxMs: Math.max(...xs) }));
    for (const s of steps) log(`console: ${s.name}: median ${s.medianMs.toFixed(0)} ms, max ${s.maxMs.toFixed(0)} ms`);
    return { routes, runs, jsGzipBytes: built.jsGzipBytes, steps, met: steps.every((s) => s.maxMs <= CONSOLE_TARGET_MS) };
  } finally {
    await browser.close();
    await vcoroute.stop();
  }
}

export function consoleBenchLines(r: ConsoleBenchResult): string[] {
  return [
    `| Console, ${r.routes.toLocaleString('en')}-route connection (${r.runs} runs) | median ms | max ms | target | met |`,
    '|---|--:|--:|--:|:-:|',
    ...r.steps.map((s) => `| ${s.name} | ${s.medianMs.toFixed(0)} | ${s.maxMs.toFixed(0)} | ≤ ${CONSOLE_TARGET_MS} | ${s.maxMs <= CONSOLE_TARGET_MS ? 'yes' : 'NO'} |`),
    `| JS bundle, gzip | ${(r.jsGzipBytes / 1024).toFixed(1)} KB | | ≤ 150 KB | ${r.jsGzipBytes <= 150 * 1024 ? 'yes' : 'NO'} |`,
  ];
}

if (require.main === module) {
  const { values } = parseArgs({ options: { routes: { type: 'string', default: '100000' }, runs: { type: 'string', default: '7' } } });
  measureConsolePage(Number(values.routes), Number(values.runs), (l) => process.stderr.write(`[bench] ${l}\n`)).then(
    (r) => process.stdout.write(consoleBenchLines(r).join('\n') + '\n'),
    (err: unknown) => {
      process.stderr.write(`[bench] console failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}

/**
 * Debian's Chromium (/usr/bin/chromium, never a downloaded browser) driven by playwright-core, one browser per
 * test file, in a fresh profile directory removed on close. Also used by the screenshots script and the
 * console benchmark.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export interface TestBrowser {
  context: BrowserContext;
  /** a new tab (its own sessionStorage) at the given viewport width */
  newPage(width?: number): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'vcoroute-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async newPage(width = 1280) {
      const page = await context.newPage();
      await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
      return page;
    },
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface ConsoleKey {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** Opens the console and signs in through its form. */
export async function signIn(page: Page, baseUrl: string, key: ConsoleKey, regionId = 'cn-hangzhou'): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel('AccessKey ID').fill(key.accessKeyId);
  await page.getByLabel('AccessKey secret').fill(key.accessKeySecret);
  if (key.securityToken) await page.getByLabel(/Security token/).fill(key.securityToken);
  await page.getByLabel('Region').fill(regionId);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** axe-core's violations of impact serious or critical on the current page (node_modules/axe-core, injected). */
export async function seriousA11yViolations(page: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  // Through the DevTools protocol, which the page's Content-Security-Policy (no inline script) does not govern.
  await page.evaluate(fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const violations: any[] = await page.evaluate<any[]>('axe.run(document).then((r) => r.violations)');
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id as string, impact: v.impact as string, nodes: v.nodes.map((n: any) => String(n.target)) }));
}

/** Polls until `check` stops throwing (the page updates asynchronously); rethrows its last failure when the time is up. */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

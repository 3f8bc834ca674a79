/**
 * Browser e2e harness: the real built extension in Debian's Chromium (playwright-core), the real backend
 * in sandbox mode on loopback, CRM pages served from test/fixtures through context.route().
 */
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { mkdtempSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startBackend } from '../../server/app';

export const ROOT = resolve(import.meta.dirname, '../..');
export const EXTENSION_DIR = join(ROOT, '.output/chrome-mv3');
export const ARTIFACTS_DIR = join(ROOT, 'test/artifacts');
export const FIXTURES_DIR = join(ROOT, 'test/fixtures');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export type Backend = Awaited<ReturnType<typeof startBackend>>;

export interface Harness {
  context: BrowserContext;
  extensionId: string;
  serviceWorker: Worker;
  backend: Backend;
  token: string;
  /** Stores backend URL + token in the extension's settings, as the options page would. */
  configure(settings?: Partial<{ backendUrl: string; apiToken: string; repEmail: string }>): Promise<void>;
  /** Opens a CRM URL whose HTML comes from test/fixtures/<fixture>. */
  openCrmPage(url: string, fixture: string): Promise<Page>;
  /** Opens an extension page (sidepanel.html, popup.html, options.html) in a tab. */
  openExtensionPage(path: string): Promise<Page>;
  /** Tab id Chrome gave a page (read through the service worker). */
  tabIdOf(page: Page): Promise<number>;
  screenshot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

export async function launchHarness(opts: { backend?: Backend; dataDir?: string } = {}): Promise<Harness> {
  if (!existsSync(join(EXTENSION_DIR, 'manifest.json'))) throw new Error(`Build the extension first (npm run build): ${EXTENSION_DIR} is missing`);
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const token = 'e2e-demo-token';
  const backend =
    opts.backend ?? (await startBackend({ port: 0, dataDir: opts.dataDir ?? mkdtempSync(join(tmpdir(), 'gong-e2e-data-')), demoToken: token, logger: false }));
  const userDataDir = mkdtempSync(join(tmpdir(), 'gong-e2e-chrome-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 420, height: 900 },
    args: [
      `--disable-extensions-except=${EXTENSION_DIR}`,
      `--load-extension=${EXTENSION_DIR}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  let serviceWorker = context.serviceWorkers()[0];
  if (!serviceWorker) serviceWorker = await context.waitForEvent('serviceworker', { timeout: 30_000 });
  const extensionId = new URL(serviceWorker.url()).host;

  // Every CRM host is served from fixtures; nothing leaves the machine.
  const routed = new Map<string, string>();
  await context.route(/^https:\/\/[^/]*(force\.com|salesforce\.com|hubspot\.com)\//, async (route) => {
    const url = route.request().url();
    const fixture = routed.get(url) ?? routed.get(url.split('#')[0]) ?? [...routed.entries()].find(([u]) => url.startsWith(u.split('?')[0]))?.[1];
    if (!fixture) return route.fulfill({ status: 404, body: 'not routed in test' });
    return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: readFileSync(join(FIXTURES_DIR, fixture), 'utf8') });
  });

  const harness: Harness = {
    context,
    extensionId,
    serviceWorker,
    backend,
    token,
    async configure(settings = {}) {
      const value = { backendUrl: backend.url, apiToken: token, repEmail: '', workspaceId: '', ...settings };
      await harness.serviceWorker.evaluate(async (v) => {
        await chrome.storage.local.set({ settings: v });
      }, value);
    },
    async openCrmPage(url, fixture) {
      routed.set(url, fixture);
      const page = await context.newPage();
      await page.goto(url);
      return page;
    },
    async openExtensionPage(path) {
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/${path}`);
      return page;
    },
    async tabIdOf(page) {
      const url = page.url();
      const id = await harness.serviceWorker.evaluate(async (u) => {
        const tabs = await chrome.tabs.query({});
        return tabs.find((t) => t.url === u)?.id ?? null;
      }, url);
      if (id == null) throw new Error(`no tab for ${url}`);
      return id;
    },
    async screenshot(page, name) {
      await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
    },
    async close() {
      await context.close();
      if (!opts.backend) await backend.close();
    },
  };
  // The service worker may be restarted by tests; keep the handle fresh.
  context.on('serviceworker', (w) => {
    if (w.url().startsWith(`chrome-extension://${extensionId}/`)) harness.serviceWorker = w;
  });
  return harness;
}

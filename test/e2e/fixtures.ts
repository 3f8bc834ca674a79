/**
 * Browser e2e harness: the real built extension in Debian's Chromium (playwright-core), the real backend
 * in sandbox mode on loopback, CRM pages served from test/fixtures through context.route().
 */
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startBackend } from '../../server/app';

export const ROOT = resolve(import.meta.dirname, '../..');
/** The built extension; E2E_EXTENSION_DIR points elsewhere (e.g. to compare two builds in one bench run). */
export const EXTENSION_DIR = process.env.E2E_EXTENSION_DIR ?? join(ROOT, '.output/chrome-mv3');
export const ARTIFACTS_DIR = join(ROOT, 'test/artifacts');
export const FIXTURES_DIR = join(ROOT, 'test/fixtures');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export type Backend = Awaited<ReturnType<typeof startBackend>>;
/** The token the e2e backends accept (their sandbox demo token). */
export const E2E_TOKEN = 'e2e-demo-token';

/** expect.poll with a timeout that suits a real browser + backend on a shared machine (vitest's default is 1 s). */
export const poll = <T>(fn: () => T | Promise<T>, opts: { timeout?: number; interval?: number } = {}) => expect.poll(fn, { timeout: 15_000, interval: 100, ...opts });

/** The side panel's regions, as a screen reader finds them. */
export const flowsRegion = (panel: Page) => panel.getByRole('region', { name: 'Flows' });
export const flowList = (panel: Page) => flowsRegion(panel).getByRole('list', { name: 'Prospect flows' });
export const statusPill = (panel: Page) => panel.getByRole('status', { name: 'Connection status' });

/** Opens the panel's picker, finds the flow by search, selects it and presses its Add button. */
export async function addToFlow(panel: Page, flowName: string): Promise<void> {
  const open = flowsRegion(panel).getByRole('button', { name: 'Add to flow' });
  await poll(() => open.isVisible()).toBe(true);
  await open.click();
  const picker = panel.getByRole('dialog', { name: 'Add to flow' });
  await picker.getByLabel('Search flows').fill(flowName);
  await picker.getByRole('option', { name: flowName }).click();
  await picker.getByRole('button', { name: `Add to “${flowName}”` }).click();
}

/** A CRM record page: its URL and the fixture that serves its HTML. */
export interface CrmRecord {
  url: string;
  fixture: string;
}
export const sfContact = (id: string): CrmRecord => ({ url: `https://acme.lightning.force.com/lightning/r/Contact/${id}/view`, fixture: 'salesforce-contact.html' });
export const sfLead = (id: string): CrmRecord => ({ url: `https://acme.lightning.force.com/lightning/r/Lead/${id}/view`, fixture: 'salesforce-lead.html' });
export const hsContact = (id: string): CrmRecord => ({ url: `https://app.hubspot.com/contacts/4412345/record/0-1/${id}`, fixture: 'hubspot-contact.html' });
export const hsLead = (id: string): CrmRecord => ({ url: `https://app.hubspot.com/contacts/4412345/record/0-136/${id}`, fixture: 'hubspot-lead.html' });

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
  /** The side panel for a CRM tab, opened as `sidepanel.html?tabId=N` (sidePanel.open needs a user gesture). */
  openPanel(crm: Page): Promise<Page>;
  /** Opens the record's CRM page, then the side panel for its tab. */
  openPanelFor(record: CrmRecord): Promise<{ crm: Page; panel: Page; tabId: number }>;
  screenshot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

export async function launchHarness(opts: { backend?: Backend; dataDir?: string; extensionDir?: string } = {}): Promise<Harness> {
  const extensionDir = opts.extensionDir ?? EXTENSION_DIR;
  if (!existsSync(join(extensionDir, 'manifest.json'))) throw new Error(`Build the extension first (npm run build): ${extensionDir} is missing`);
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const token = E2E_TOKEN;
  const backend =
    opts.backend ?? (await startBackend({ port: 0, dataDir: opts.dataDir ?? mkdtempSync(join(tmpdir(), 'gong-e2e-data-')), demoToken: token, logger: false }));
  const userDataDir = mkdtempSync(join(tmpdir(), 'gong-e2e-chrome-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 420, height: 900 },
    args: [
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
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
    async openPanel(crm) {
      return harness.openExtensionPage(`sidepanel.html?tabId=${await harness.tabIdOf(crm)}`);
    },
    async openPanelFor(record) {
      const crm = await harness.openCrmPage(record.url, record.fixture);
      const tabId = await harness.tabIdOf(crm);
      const panel = await harness.openExtensionPage(`sidepanel.html?tabId=${tabId}`);
      return { crm, panel, tabId };
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

/** A backend a test file stops and starts again on the same port with the same data (offline, outbox). */
export class RestartableBackend {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'gong-e2e-data-'));
  private port = 0;
  private backend: Backend | undefined;
  get current(): Backend {
    if (!this.backend) throw new Error('RestartableBackend: not started');
    return this.backend;
  }
  async start(): Promise<Backend> {
    this.backend = await startBackend({ port: this.port, dataDir: this.dataDir, demoToken: E2E_TOKEN, logger: false });
    this.port = Number(new URL(this.backend.url).port);
    return this.backend;
  }
  async stop(): Promise<void> {
    await this.backend?.close();
  }
}

/**
 * One harness for a test file: launched and configured (unless `configure: false`) before the file's tests,
 * closed after them. With
 * `backend`, the file owns its backend (to stop and restart it); it is stopped after the browser is closed,
 * so no extension request reaches a closing backend. Every page a test opens is closed after that test,
 * so tabIdOf never finds an earlier test's tab with the same URL. The returned harness is usable at module
 * level: its members are the launched harness's, read when a hook or test runs.
 */
export function useHarness(opts: { backend?: RestartableBackend; /** false: the file's tests start unconfigured. */ configure?: boolean } = {}): Harness {
  let launched: Harness | undefined;
  let before = new Set<Page>();
  beforeAll(async () => {
    launched = await launchHarness({ backend: await opts.backend?.start() });
    if (opts.configure !== false) await launched.configure();
  });
  beforeEach(() => {
    before = new Set(launched?.context.pages());
  });
  afterEach(async () => {
    const opened = launched?.context.pages().filter((p) => !before.has(p)) ?? [];
    await Promise.all(opened.map((p) => p.close().catch(() => undefined)));
  });
  afterAll(async () => {
    await launched?.close();
    await opts.backend?.stop().catch(() => undefined);
  });
  return new Proxy({} as Harness, {
    get(_, key) {
      if (!launched) throw new Error('useHarness(): the harness is launched in beforeAll; use it inside hooks and tests');
      const value = Reflect.get(launched, key);
      return typeof value === 'function' ? value.bind(launched) : value;
    },
  });
}

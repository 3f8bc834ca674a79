/**
 * Connects the panel store to the browser: settings, the tab it follows (or is pinned to), the
 * background's per-tab record info, context-menu intents and the outbox. Returns a cleanup function.
 */
import { browser } from 'wxt/browser';
import { storage } from 'wxt/utils/storage';
import { loadApiSchemas, type BackendClient } from '../../lib/backend-client';
import { clientFor } from '../../lib/current-client';
import { sendMessage } from '../../lib/messages';
import { outboxItem } from '../../lib/outbox';
import { effectiveSettings, flowCatalogItem, intentIsFor, managedBackendUrlItem, panelIntentItem, settingsItem, SETTINGS_FALLBACK, tabRecordsItem, withManaged, type ProspectCache, type Settings, type TabRecordInfo } from '../../lib/storage';
import { prospectStorageKey } from '../../lib/storage-keys';
import { forgetSignIn } from '../../components/sign-in-flow';
import { expiredCacheKeys, type CacheStore } from './cache';
import { pageForUrl, pageFromTab } from './page';
import { takePanelPrefetch, type PanelPrefetch } from './prefetch';
import { createPanelStore, type PanelStore } from './store';

/** The panel's cache in extension storage. */
export const storageCache: CacheStore = {
  getProspect: (key) => storage.getItem<ProspectCache>(prospectStorageKey(key)),
  setProspect: (key, value) => storage.setItem(prospectStorageKey(key), value),
  getCatalog: () => flowCatalogItem.getValue(),
  setCatalog: (value) => flowCatalogItem.setValue(value),
};

/** Intents older than this were meant for an earlier panel. */
const INTENT_MAX_AGE_MS = 2 * 60_000;

export function createWiredStore(): { store: PanelStore; start(): () => void } {
  let client: BackendClient | null = null;
  /** The token `client` sends. */
  let token = '';
  const store = createPanelStore({
    getClient: () => client,
    cache: storageCache,
    enqueue: async (write, id) => {
      // The key is made at click time, so re-sending the message after a worker restart is the same write.
      const msg = { ...write, idempotencyKey: id };
      try {
        return await sendMessage('enqueueWrite', msg);
      } catch (e) {
        // A service worker that was just woken may not have registered its handler yet: try once more.
        await new Promise((r) => setTimeout(r, 400));
        return sendMessage('enqueueWrite', msg);
      }
    },
    retryPending: () => sendMessage('flushOutbox', undefined),
    markTold: (ids) => sendMessage('markWritesTold', ids),
    forgetSignIn: () => forgetSignIn(token),
    openTab: async (url) => {
      await browser.tabs.create({ url, active: true });
    },
  });

  function start() {
    const cleanups: (() => void)[] = [];
    const params = new URLSearchParams(location.search);
    const pinnedTabId = Number(params.get('tabId')) || null;
    let followedTabId: number | null = pinnedTabId;
    let windowId: number | null = null;

    /** The backend URL and token `client` was built for. */
    let clientKey = '';
    function useSettings(settings: Settings, makeClient: (s: Settings) => BackendClient | null) {
      const key = `${settings.backendUrl.trim()}\n${settings.apiToken.trim()}`;
      // The same backend and token keep their client: reads drop answers that come back to a replaced one.
      if (key !== clientKey) {
        client = makeClient(settings);
        clientKey = key;
      }
      token = settings.apiToken.trim();
      store.getState().setSettings({ configured: !!client, backendUrl: settings.backendUrl, repEmail: settings.repEmail });
    }
    async function applySettings() {
      useSettings(await effectiveSettings(), (s) => clientFor(s));
    }

    /** The first render from the reads started before the panel loaded; the usual reads follow and win. */
    function paintFirst(first: PanelPrefetch) {
      const settings = withManaged({ ...SETTINGS_FALLBACK, ...first.settings }, first.managedBackendUrl);
      const painted = firstFramePainted();
      void painted.then(() => loadApiSchemas().catch(() => undefined));
      useSettings(settings, (s) => clientFor(s, fetchAfter(painted)));
      if (first.outbox) store.getState().setOutbox(first.outbox);
      if (!first.page) return;
      if (!pinnedTabId) followedTabId = first.page.tabId;
      if (first.prospect) store.getState().showSaved(first.prospect.key, first.prospect.value);
      store.getState().setPage(first.page, { pinned: !!pinnedTabId });
    }

    // Several events can trigger overlapping refreshes; only the newest may set the page.
    let refreshSeq = 0;
    async function refreshPage() {
      const seq = ++refreshSeq;
      const tabId = followedTabId;
      if (tabId == null) {
        store.getState().setPage(null, { pinned: !!pinnedTabId });
        return;
      }
      const [tab, records] = await Promise.all([browser.tabs.get(tabId).catch(() => null), tabRecordsItem.getValue().catch(() => ({}) as Record<string, TabRecordInfo>)]);
      if (seq !== refreshSeq || tabId !== followedTabId) return;
      let info: TabRecordInfo | null | undefined = records[String(tabId)];
      if (!info) info = await sendMessage('getTabRecord', tabId).catch(() => null);
      if (seq !== refreshSeq || tabId !== followedTabId) return;
      if (!tab && !info) {
        store.getState().setPage({ tabId, url: '', record: null, crm: null }, { pinned: !!pinnedTabId });
        return;
      }
      store.getState().setPage(pageFromTab(tabId, tab?.url, info), { pinned: !!pinnedTabId });
    }

    async function followActiveTab() {
      if (pinnedTabId) return;
      const [tab] = await browser.tabs.query({ active: true, ...(windowId != null ? { windowId } : { currentWindow: true }) });
      followedTabId = tab?.id ?? null;
      await refreshPage();
    }

    async function applyIntent(intent: Awaited<ReturnType<typeof panelIntentItem.getValue>>) {
      if (!intent || Date.now() - intent.createdAt > INTENT_MAX_AGE_MS) return;
      // Asked in another window: that window's panel shows it (and consumes it), not this one.
      if (!intentIsFor(intent, windowId)) return;
      store.getState().applyIntent(intent);
      // Consumed: a reopened panel must not replay it.
      await panelIntentItem.setValue(null);
    }

    const prefetched = takePanelPrefetch();
    void (async () => {
      const first = await prefetched?.catch(() => null);
      if (first) paintFirst(first);
      await applySettings();
      windowId = pinnedTabId
        ? ((await browser.tabs.get(pinnedTabId).catch(() => null))?.windowId ?? null)
        : ((await browser.windows.getCurrent().catch(() => null))?.id ?? null);
      if (pinnedTabId) await refreshPage();
      else await followActiveTab();
      store.getState().setOutbox(await outboxItem.getValue().catch(() => []));
      await applyIntent(await panelIntentItem.getValue().catch(() => null));
      void pruneCache();
    })();

    cleanups.push(settingsItem.watch(() => void applySettings()));
    cleanups.push(managedBackendUrlItem.watch(() => void applySettings()));
    cleanups.push(tabRecordsItem.watch((all) => {
      if (followedTabId == null) return;
      const info = all?.[String(followedTabId)];
      if (info) void refreshPage();
    }));
    cleanups.push(panelIntentItem.watch((intent) => void applyIntent(intent)));
    cleanups.push(outboxItem.watch((entries) => store.getState().setOutbox(entries ?? [])));

    const onActivated = (info: { tabId: number; windowId: number }) => {
      if (pinnedTabId || (windowId != null && info.windowId !== windowId)) return;
      followedTabId = info.tabId;
      void refreshPage();
    };
    const onUpdated = (tabId: number, change: { url?: string; status?: string }) => {
      if (tabId !== followedTabId) return;
      if (change.url) {
        // Lightning's pushState navigations: show the new record now. The refresh below (which supersedes any
        // older one still reading storage) adds the name/email once the background or content script has them.
        const prev = store.getState().page;
        if (prev?.url !== change.url) store.getState().setPage(pageForUrl(tabId, change.url, prev), { pinned: !!pinnedTabId });
      }
      if (change.url || change.status === 'complete') void refreshPage();
    };
    const onRemoved = (tabId: number) => {
      if (tabId === followedTabId && !pinnedTabId) void followActiveTab();
      else if (tabId === followedTabId) void refreshPage();
    };
    const onFocusChanged = () => {
      // Coming back from the Gong authorization tab: check the connection right away.
      if (store.getState().awaitingAuth) void store.getState().loadConnection();
    };
    browser.tabs.onActivated.addListener(onActivated);
    browser.tabs.onUpdated.addListener(onUpdated);
    browser.tabs.onRemoved.addListener(onRemoved);
    browser.windows.onFocusChanged.addListener(onFocusChanged);
    cleanups.push(() => {
      browser.tabs.onActivated.removeListener(onActivated);
      browser.tabs.onUpdated.removeListener(onUpdated);
      browser.tabs.onRemoved.removeListener(onRemoved);
      browser.windows.onFocusChanged.removeListener(onFocusChanged);
    });
    cleanups.push(() => store.getState().dispose());
    return () => cleanups.forEach((c) => c());
  }

  return { store, start };
}

/**
 * The first client's fetch, and the answers' schemas (zod), wait until the panel's first frame is on screen: on a
 * cold open, starting the first requests cost the main thread 10–30 ms ahead of the render that shows the saved
 * flows, and compiling zod as long again (bench/README.md). Chromium draws no frames for a hidden page, so a
 * timer caps the wait.
 */
function firstFramePainted(): Promise<void> {
  return new Promise<void>((resolve) => {
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => setTimeout(resolve));
    setTimeout(resolve, 50);
  });
}

/** `fetch`, starting each request only once `ready` has settled. */
function fetchAfter(ready: Promise<void>): typeof fetch {
  return async (...args) => {
    await ready;
    return fetch(...args);
  };
}

/** Drops cache entries past their TTL so storage does not grow without bound. */
async function pruneCache() {
  try {
    const all = await browser.storage.local.get(null);
    const expired = expiredCacheKeys(all as Record<string, unknown>, Date.now());
    if (expired.length) await browser.storage.local.remove(expired);
  } catch {
    /* best effort */
  }
}

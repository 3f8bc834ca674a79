/**
 * Connects the panel store to the browser: settings, the tab it follows (or is pinned to), the
 * background's per-tab record info, context-menu intents and the outbox. Returns a cleanup function.
 */
import { browser } from 'wxt/browser';
import { storage } from 'wxt/utils/storage';
import type { BackendClient } from '../../lib/backend-client';
import { currentClient } from '../../lib/current-client';
import { crmOfUrl, detectCrmRecord, recordKey } from '../../lib/crm-record';
import { sendMessage } from '../../lib/messages';
import { outboxItem } from '../../lib/outbox';
import { flowCatalogItem, managedBackendUrlItem, panelIntentItem, prospectStorageKey, settingsItem, tabRecordsItem, type ProspectCache, type TabRecordInfo } from '../../lib/storage';
import { forgetSignIn } from '../../components/sign-in-flow';
import { expiredCacheKeys, type CacheStore } from './cache';
import { createPanelStore, type PageInfo, type PanelStore } from './store';

/** The panel's cache in extension storage. */
export const storageCache: CacheStore = {
  getProspect: (key) => storage.getItem<ProspectCache>(prospectStorageKey(key)),
  setProspect: (key, value) => storage.setItem(prospectStorageKey(key), value),
  getCatalog: () => flowCatalogItem.getValue(),
  setCatalog: (value) => flowCatalogItem.setValue(value),
};

/** Intents older than this were meant for an earlier panel. */
const INTENT_MAX_AGE_MS = 2 * 60_000;

/** The page info for a tab: the background's record (with name/email) when it matches the tab's URL. */
export function pageFromTab(tabId: number, url: string | undefined, info: TabRecordInfo | null | undefined): PageInfo {
  const tabUrl = url ?? info?.url ?? '';
  // The background's info wins when it is about the URL the tab shows now; else detect from the URL.
  if (info && (!url || info.url === url)) return { tabId, url: info.url, record: info.record, crm: info.crm ?? crmOfUrl(info.url), name: info.name, email: info.email };
  const record = detectCrmRecord(tabUrl);
  // Name/email from an older report still apply if it was the same record (e.g. a sub-tab of it).
  const same = info?.record && record && recordKey(info.record) === recordKey(record);
  return { tabId, url: tabUrl, record, crm: crmOfUrl(tabUrl), name: same ? info?.name : undefined, email: same ? info?.email : undefined };
}

/**
 * The page right after the tab's URL changed, from the URL alone (detection is pure and cheap): the panel
 * switches at once instead of waiting for the background's storage write or the content script's report.
 * The name/email shown so far stay only while it is the same record; the background's info fills them in.
 */
export function pageForUrl(tabId: number, url: string, prev: PageInfo | null): PageInfo {
  const record = detectCrmRecord(url);
  const same = !!prev && prev.tabId === tabId && !!prev.record && !!record && recordKey(prev.record) === recordKey(record);
  return { tabId, url, record, crm: record?.crm ?? crmOfUrl(url), name: same ? prev!.name : undefined, email: same ? prev!.email : undefined };
}

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

    async function applySettings() {
      const next = await currentClient();
      client = next.client;
      token = next.settings.apiToken.trim();
      store.getState().setSettings({ configured: !!client, backendUrl: next.settings.backendUrl, repEmail: next.settings.repEmail });
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
      store.getState().applyIntent(intent);
      // Consumed: a reopened panel must not replay it.
      await panelIntentItem.setValue(null);
    }

    void (async () => {
      await applySettings();
      if (!pinnedTabId) windowId = (await browser.windows.getCurrent().catch(() => null))?.id ?? null;
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

/**
 * The side panel's first reads, started before its modules have loaded. On a cold open Chromium runs the
 * panel's first script only ~100 ms after the document's start on a slow machine, and the panel's modules
 * (Preact, zod, the store) take as long again to arrive and run (bench/README.md). A tiny classic script,
 * entrypoints/sidepanel-prefetch.ts, starts these reads at that first moment, all at once, so that the panel's
 * first render already shows the record's saved flows. They serve that first render only: wiring.ts then reads
 * and watches everything as before. Plain chrome.* and pure helpers only: no wxt/storage, no zod.
 */
import type { OutboxEntry } from '../../lib/outbox';
import type { ProspectCache, Settings, TabRecordInfo } from '../../lib/storage';
import { STORAGE_KEYS, prospectStorageKey } from '../../lib/storage-keys';
import { recordKey } from '../../lib/crm-record';
import { pageFromTab } from './page';
import type { PageInfo } from './store/record';

export interface PanelPrefetch {
  /** As stored (before the fallback): undefined when the rep never saved settings. */
  settings: Partial<Settings> | undefined;
  managedBackendUrl: string | undefined;
  /** The tab the panel opens on; null when there is none. */
  page: PageInfo | null;
  outbox: OutboxEntry[] | undefined;
  /** The page record's saved reads. */
  prospect: { key: string; value: ProspectCache | undefined } | null;
}

/** The part of `chrome` the reads use (a fake in unit tests). */
export interface PrefetchApi {
  storage: Record<'local' | 'session' | 'managed', { get(key: string): Promise<Record<string, unknown>> }>;
  tabs: { get(id: number): Promise<{ id?: number; url?: string }>; query(q: { active: true; currentWindow: true }): Promise<{ id?: number; url?: string }[]> };
}

/** Reads one `area:key` item; undefined when it is absent or the area refuses (e.g. no managed policy). */
async function read<T>(api: PrefetchApi, item: string): Promise<T | undefined> {
  const colon = item.indexOf(':');
  const area = item.slice(0, colon) as keyof PrefetchApi['storage'];
  const key = item.slice(colon + 1);
  try {
    return (await api.storage[area].get(key))[key] as T | undefined;
  } catch {
    return undefined;
  }
}

/** Every read the first render needs, in two rounds: what the URL gives, then the page record's saved reads. */
export async function prefetchPanel(api: PrefetchApi, search: string): Promise<PanelPrefetch> {
  const pinnedTabId = Number(new URLSearchParams(search).get('tabId')) || null;
  const [settings, managedBackendUrl, tabRecords, outbox, tab] = await Promise.all([
    read<Partial<Settings>>(api, STORAGE_KEYS.settings),
    read<string>(api, STORAGE_KEYS.managedBackendUrl),
    read<Record<string, TabRecordInfo>>(api, STORAGE_KEYS.tabRecords),
    read<OutboxEntry[]>(api, STORAGE_KEYS.outbox),
    (pinnedTabId ? api.tabs.get(pinnedTabId) : api.tabs.query({ active: true, currentWindow: true }).then((tabs) => tabs[0])).catch(() => undefined),
  ]);
  const tabId = pinnedTabId ?? tab?.id ?? null;
  const info = tabId != null ? tabRecords?.[String(tabId)] : undefined;
  // As wiring.ts's refreshPage: the tab's URL and the background's report, whichever there is.
  const page = tabId == null || (!tab && !info) ? null : pageFromTab(tabId, tab?.url, info);
  const key = page?.record ? recordKey(page.record) : null;
  const prospect = key ? { key, value: await read<ProspectCache>(api, prospectStorageKey(key)) } : null;
  return { settings, managedBackendUrl, page, outbox, prospect };
}

declare global {
  // Handed from the classic script to the panel's modules: the one channel two scripts of a page share.
  var __gongPanelPrefetch: Promise<PanelPrefetch> | undefined;
}

/** Runs in the classic script: starts the reads and leaves their promise for the panel. */
export function startPanelPrefetch(): void {
  // For the benchmark: how much of a cold open passes before the panel's first script runs (Chromium's part).
  performance.mark('gong:panel-first-script');
  globalThis.__gongPanelPrefetch = prefetchPanel(chrome as unknown as PrefetchApi, location.search);
}

/** For the panel: the reads started before it loaded (once), or null when the script did not run. */
export function takePanelPrefetch(): Promise<PanelPrefetch> | null {
  const p = globalThis.__gongPanelPrefetch ?? null;
  globalThis.__gongPanelPrefetch = undefined;
  return p;
}

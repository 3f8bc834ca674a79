/**
 * List-view prefetch: on a Salesforce list view or a HubSpot index page, the contacts / leads on screen are
 * looked up in ONE backend call (`POST /prospects/flows/lookup`, ≤ 200 ids, one Gong call) and their flows
 * written into the side panel's per-record cache, so opening a record from the list shows its flows at once
 * (and the backend's cache is warm for the panel's revalidation).
 *
 * Triggered by the content script's page reports (URL + link count): debounced while the list renders, at
 * most one lookup per list page state (URL + the records it shows), records looked up recently are not asked
 * again. Best effort: every failure (backend without the route yet, not connected, offline) is silent.
 */
import { storage } from 'wxt/utils/storage';
import type { ProspectFlow, ProspectFlowsLookup } from '../lib/api';
import { GONG_MAX_PROSPECTS_PER_CALL } from '../lib/gong-tools';
import { crmOfUrl, recordKey, type CrmRecord } from '../lib/crm-record';
import { currentClient } from '../lib/current-client';
import type { ProspectCache } from '../lib/storage';
import { prospectStorageKey } from '../lib/storage-keys';
import { collectPageRecords, type LinkedRecord } from './list-view';

/** Quiet time after the last page report before the rows are collected (lists render in bursts). */
export const PREFETCH_DEBOUNCE_MS = 600;
/** A record looked up this recently (by any tab) is not asked again. */
export const PREFETCH_RECENT_MS = 5 * 60_000;
export const PREFETCH_MAX_IDS = GONG_MAX_PROSPECTS_PER_CALL;

/** Salesforce list views (Lightning object home / list, Classic list pages) and HubSpot contact / lead index pages. */
export function isListPage(url: string): boolean {
  const crm = crmOfUrl(url);
  if (!crm) return false;
  const u = new URL(url);
  if (crm === 'salesforce') {
    if (/^\/lightning\/o\/(?:Contact|Lead)\/(?:list|home)\b/i.test(u.pathname)) return true;
    // Console apps and the old one.app keep the route in the hash.
    if (/#\/sObject\/(?:Contact|Lead)\/(?:list|home)\b/i.test(u.hash)) return true;
    return /^\/(?:003|00Q)\/?(?:o)?$/.test(u.pathname);
  }
  return /^\/contacts\/\d+\/(?:objects\/0-(?:1|136)\/(?:views\/|$)|contacts(?:\/list)?(?:\/|$)|leads?(?:\/|$))/.test(u.pathname);
}

export interface PrefetchDeps {
  /** The prospect records linked on the tab's page, in page order. */
  collect(tabId: number): Promise<LinkedRecord[]>;
  /** One batch lookup; null when the extension is not set up (nothing to ask). */
  lookup(crmProspectIds: string[]): Promise<ProspectFlowsLookup | null>;
  /** Writes looked-up flows into the side panel's cache; entries written after `startedAt` are newer: kept. */
  store(entries: { record: CrmRecord; flows: ProspectFlow[] }[], at: number, startedAt: number): Promise<void>;
  now?: () => number;
  debounceMs?: number;
}

interface TabState {
  url: string;
  timer?: ReturnType<typeof setTimeout>;
  /** The page state last looked at (URL + records): the same state never triggers a second lookup. */
  lastState?: string;
}

export function createListPrefetcher(deps: PrefetchDeps) {
  const now = deps.now ?? Date.now;
  const debounceMs = deps.debounceMs ?? PREFETCH_DEBOUNCE_MS;
  const tabs = new Map<number, TabState>();
  const recent = new Map<string, number>();
  /** Runs in flight (tests await them). */
  const running = new Set<Promise<unknown>>();

  function forgetTab(tabId: number) {
    const s = tabs.get(tabId);
    if (s?.timer) clearTimeout(s.timer);
    tabs.delete(tabId);
  }

  /** A page report from a tab (content script): (re)arms the debounce on list pages, forgets the tab elsewhere. */
  function onPageReport(tabId: number | undefined, url: string) {
    if (tabId == null || tabId < 0) return;
    if (!isListPage(url)) return forgetTab(tabId);
    let s = tabs.get(tabId);
    if (!s || s.url !== url) {
      if (s?.timer) clearTimeout(s.timer);
      s = { url };
      tabs.set(tabId, s);
    }
    if (s.timer) clearTimeout(s.timer);
    const state = s;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      const p = run(tabId, state).finally(() => running.delete(p));
      running.add(p);
    }, debounceMs);
  }

  async function run(tabId: number, s: TabState): Promise<void> {
    const records = await deps.collect(tabId).catch(() => [] as LinkedRecord[]);
    if (tabs.get(tabId) !== s) return; // the tab moved on meanwhile
    const keys = records.map((r) => recordKey(r.record));
    const state = `${s.url}|${keys.join(',')}`;
    if (!records.length || state === s.lastState) return;
    s.lastState = state;
    const t = now();
    for (const [k, at] of recent) if (t - at > PREFETCH_RECENT_MS) recent.delete(k);
    const wanted: CrmRecord[] = [];
    const ids = new Set<string>();
    for (const r of records) {
      const k = recordKey(r.record);
      if (recent.has(k)) continue;
      if (!ids.has(r.record.id) && ids.size >= PREFETCH_MAX_IDS) break;
      ids.add(r.record.id);
      wanted.push(r.record);
    }
    if (!ids.size) return;
    // Marked before the call: a failing backend is not asked again for these records right away.
    for (const r of wanted) recent.set(recordKey(r), t);
    let answer: ProspectFlowsLookup | null = null;
    try {
      answer = await deps.lookup([...ids]);
    } catch {
      return; // only a warm-up
    }
    if (!answer) return;
    const byId = new Map<string, CrmRecord[]>();
    for (const r of wanted) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
    const entries = answer.prospects.flatMap((p) => (byId.get(p.crmProspectId) ?? []).map((record) => ({ record, flows: p.flows })));
    if (entries.length) await deps.store(entries, now(), t).catch(() => undefined);
  }

  return {
    onPageReport,
    forgetTab,
    /** Test hook: resolves when every started run has finished. */
    idle: async () => {
      while (running.size) await Promise.all([...running]);
    },
  };
}

/** The side panel's cache, filled with looked-up flows (merged: the panel's calls entry is kept). */
export async function storeInPanelCache(entries: { record: CrmRecord; flows: ProspectFlow[] }[], at: number, startedAt: number): Promise<void> {
  const keys = entries.map((e) => prospectStorageKey(recordKey(e.record)));
  const existing = await storage.getItems(keys);
  const prev = new Map(existing.map((e) => [e.key, (e.value ?? null) as ProspectCache | null]));
  const writes = entries.flatMap((e, i) => {
    const old = prev.get(keys[i]) ?? {};
    // The panel fetched this record after the lookup started: its answer is newer.
    if (old.flows && old.flows.at > startedAt) return [];
    return [{ key: keys[i], value: { ...old, flows: { data: e.flows, at } } satisfies ProspectCache }];
  });
  if (writes.length) await storage.setItems(writes);
}

/** The prefetcher the service worker uses: real page collection, the configured backend, the panel's cache. */
export const listPrefetcher = createListPrefetcher({
  collect: collectPageRecords,
  lookup: async (ids) => {
    const { client } = await currentClient();
    return client ? client.prospectFlowsLookup(ids) : null;
  },
  store: storeInPanelCache,
});

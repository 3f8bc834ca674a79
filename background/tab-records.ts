/**
 * What each tab shows, kept in session storage for the side panel and popup: from tab events (URL changes,
 * including Lightning's pushState navigations, arrive through tabs.onUpdated) and from the content script
 * (SPA navigations plus the name / email on screen).
 */
import { browser } from 'wxt/browser';
import { crmOfUrl, detectCrmRecord, recordKey } from '../lib/crm-record';
import { tabRecordsItem, type TabRecordInfo } from '../lib/storage';

let chain: Promise<unknown> = Promise.resolve();
function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const run = chain.then(fn, fn);
  chain = run.catch(() => undefined);
  return run;
}

type Listener = (info: TabRecordInfo) => void;
const listeners = new Set<Listener>();
export function onTabRecordChanged(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function describeUrl(tabId: number, url: string, prev?: TabRecordInfo, seen?: { name?: string; email?: string }): TabRecordInfo {
  const record = detectCrmRecord(url);
  const sameRecord = !!prev && !!record && !!prev.record && recordKey(prev.record) === recordKey(record);
  const info: TabRecordInfo = { tabId, url, record, crm: record?.crm ?? crmOfUrl(url), updatedAt: Date.now() };
  // Name and email belong to the record: keep them while the tab stays on it, drop them when it moves on.
  const name = seen?.name ?? (sameRecord ? prev?.name : undefined);
  const email = seen?.email ?? (sameRecord ? prev?.email : undefined);
  if (name) info.name = name;
  if (email) info.email = email;
  return info;
}

function changed(a: TabRecordInfo | undefined, b: TabRecordInfo): boolean {
  return !a || a.url !== b.url || a.name !== b.name || a.email !== b.email || (a.record ? recordKey(a.record) : '') !== (b.record ? recordKey(b.record) : '');
}

/** Records what tab `tabId` shows now. Non-web pages (chrome://, new tab) are kept too, with no record. */
export function trackTab(tabId: number, url: string | undefined, seen?: { name?: string; email?: string }): Promise<TabRecordInfo | null> {
  if (!url || tabId < 0) return Promise.resolve(null);
  return serialized(async () => {
    const all = await tabRecordsItem.getValue();
    const prev = all[String(tabId)];
    const next = describeUrl(tabId, url, prev, seen);
    if (!changed(prev, next)) return prev;
    await tabRecordsItem.setValue({ ...all, [String(tabId)]: next });
    for (const l of listeners) l(next);
    return next;
  });
}

export function forgetTab(tabId: number): Promise<void> {
  return serialized(async () => {
    const all = await tabRecordsItem.getValue();
    if (!(String(tabId) in all)) return;
    const { [String(tabId)]: _gone, ...rest } = all;
    await tabRecordsItem.setValue(rest);
  });
}

export async function getTabRecord(tabId: number): Promise<TabRecordInfo | null> {
  const all = await tabRecordsItem.getValue();
  if (all[String(tabId)]) return all[String(tabId)];
  // Not seen yet (e.g. the worker just started): ask Chrome.
  const tab = await browser.tabs.get(tabId).catch(() => null);
  return tab?.url ? trackTab(tabId, tab.url) : null;
}

/** On worker start: session storage may already know the tabs; make sure it knows all of them, and no closed ones. */
export async function seedAllTabs(): Promise<void> {
  const tabs = await browser.tabs.query({});
  const open = new Set(tabs.map((t) => String(t.id)));
  await serialized(async () => {
    const all = await tabRecordsItem.getValue();
    const kept = Object.fromEntries(Object.entries(all).filter(([id]) => open.has(id)));
    if (Object.keys(kept).length !== Object.keys(all).length) await tabRecordsItem.setValue(kept);
  });
  await Promise.all(tabs.map((t) => (t.id != null ? trackTab(t.id, t.url) : null)));
}

/** Wires tab events. Listeners are registered synchronously at worker start, as MV3 requires. */
export function registerTabTracking(): void {
  browser.tabs.onUpdated.addListener((tabId, change, tab) => {
    if (change.url || change.status === 'complete') void trackTab(tabId, change.url ?? tab.url);
  });
  browser.tabs.onActivated.addListener(({ tabId }) => {
    void browser.tabs.get(tabId).then((t) => trackTab(tabId, t.url)).catch(() => undefined);
  });
  browser.tabs.onReplaced?.addListener((added, removed) => {
    void forgetTab(removed);
    void browser.tabs.get(added).then((t) => trackTab(added, t.url)).catch(() => undefined);
  });
  browser.tabs.onRemoved.addListener((tabId) => void forgetTab(tabId));
}

/** The content script's report; the tab's own URL wins when the report is late (the tab moved on). */
export function handlePageChanged(tabId: number | undefined, tabUrl: string | undefined, data: { url: string; name?: string; email?: string }) {
  if (tabId == null) return Promise.resolve(null);
  const reported = detectCrmRecord(data.url);
  const current = tabUrl ? detectCrmRecord(tabUrl) : reported;
  const sameRecord = (reported ? recordKey(reported) : '') === (current ? recordKey(current) : '');
  if (!sameRecord) return trackTab(tabId, tabUrl);
  return trackTab(tabId, data.url, { name: data.name, email: data.email });
}

/**
 * Which record a tab shows, as the panel sees it: from the background's report for the tab, else from the
 * tab's URL. Pure, so the panel's first reads (./prefetch) use it before the rest of the panel has loaded.
 */
import type { TabRecordInfo } from '../../lib/storage';
import { crmOfUrl, detectCrmRecord, recordKey } from '../../lib/crm-record';
import type { PageInfo } from './store/record';

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

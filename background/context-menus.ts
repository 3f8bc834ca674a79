/**
 * Right-click entry points: "Add to Gong flow" on a prospect page or a link to one, and "Add all records on
 * this page to Gong flow" on other CRM pages (list views, index pages, related lists). Both open the side
 * panel on the right view through `panelIntentItem`.
 */
import { browser, type Browser } from 'wxt/browser';
import { CRM_ORIGINS, CRM_PAGE_PATTERNS, detectCrmRecord, type CrmRecord } from '../lib/crm-record';
import { collectPageRecords } from './list-view';
import { panelIntentItem, type PanelIntent, type TabRecordInfo } from '../lib/storage';
import { openSidePanel } from './side-panel';

export const MENU_ADD_RECORD = 'gong-add-record';
export const MENU_ADD_LINK = 'gong-add-link';
export const MENU_ADD_ALL = 'gong-add-all';

// Links that can be a contact or lead; the exact record is parsed from the link at click time.
const SF_RECORD_PATHS = ['/lightning/r/Contact/*', '/lightning/r/Lead/*', '/lightning/r/003*', '/lightning/r/00Q*', '/003*', '/00Q*', '/one/one.app*'];
const HS_RECORD_PATHS = ['/contacts/*/record/0-1/*', '/contacts/*/record/0-136/*', '/contacts/*/contact/*', '/contacts/*/lead/*'];
export const CRM_LINK_PATTERNS = [
  ...CRM_ORIGINS.filter((o) => !o.includes('hubspot')).flatMap((o) => SF_RECORD_PATHS.map((p) => o + p)),
  ...CRM_ORIGINS.filter((o) => o.includes('hubspot')).flatMap((o) => HS_RECORD_PATHS.map((p) => o + p)),
];

type MenuInfo = Pick<Browser.contextMenus.OnClickData, 'menuItemId'> & Partial<Pick<Browser.contextMenus.OnClickData, 'linkUrl' | 'pageUrl'>>;
type MenuTab = { id?: number; windowId?: number; url?: string; title?: string } | undefined;

/** Created once per install/update: Chrome keeps context menus across worker restarts. */
export async function createContextMenus(): Promise<void> {
  await browser.contextMenus.removeAll();
  browser.contextMenus.create({ id: MENU_ADD_RECORD, title: 'Add to Gong flow', contexts: ['page'], documentUrlPatterns: CRM_PAGE_PATTERNS });
  browser.contextMenus.create({ id: MENU_ADD_LINK, title: 'Add to Gong flow', contexts: ['link'], targetUrlPatterns: CRM_LINK_PATTERNS });
  browser.contextMenus.create({
    id: MENU_ADD_ALL,
    title: 'Add all records on this page to Gong flow',
    contexts: ['page', 'link'],
    documentUrlPatterns: CRM_PAGE_PATTERNS,
  });
}

/**
 * The page items only make sense on some CRM pages; Chrome's patterns cannot tell a contact from an account,
 * so visibility follows the active tab: a prospect page offers "Add to Gong flow", any other CRM page "Add all".
 */
export function syncMenuVisibility(info: TabRecordInfo | null): void {
  const onRecord = !!info?.record;
  const onOtherCrmPage = !!info?.crm && !info.record;
  browser.contextMenus.update(MENU_ADD_RECORD, { visible: onRecord }).catch(() => undefined);
  browser.contextMenus.update(MENU_ADD_ALL, { visible: onOtherCrmPage }).catch(() => undefined);
}

/**
 * The menus are the browser's, not a window's: when another window gets the focus (which fires no tabs.onActivated),
 * they follow that window's active tab. `windowId` < 0: the focus left the browser, nothing to follow.
 */
export async function syncMenuForWindow(windowId: number, recordOf: (tabId: number) => Promise<TabRecordInfo | null>): Promise<void> {
  if (windowId < 0) return;
  const [tab] = await browser.tabs.query({ active: true, windowId });
  if (tab?.id != null) syncMenuVisibility(await recordOf(tab.id));
}

/**
 * The click handler (also driven by e2e tests through the service worker). Opens the panel first, while the
 * click still counts as a user gesture, then tells it what to show.
 */
export async function onMenuClick(info: MenuInfo, tab: MenuTab): Promise<PanelIntent | null> {
  const opened = openSidePanel({ tabId: tab?.id, windowId: tab?.windowId });
  let intent: PanelIntent | null = null;
  if (info.menuItemId === MENU_ADD_LINK || info.menuItemId === MENU_ADD_RECORD) {
    const url = info.menuItemId === MENU_ADD_LINK ? info.linkUrl : (info.pageUrl ?? tab?.url);
    const record: CrmRecord | null = url ? detectCrmRecord(url) : null;
    intent = record ? { view: 'assign', record, windowId: tab?.windowId, createdAt: Date.now() } : null;
  } else if (info.menuItemId === MENU_ADD_ALL && tab?.id != null) {
    const found = await collectPageRecords(tab.id).catch(() => []);
    intent = {
      view: 'bulk-assign',
      records: found.map((f) => f.record),
      names: Object.fromEntries(found.filter((f) => f.name).map((f) => [f.record.id, f.name!])),
      source: { url: info.pageUrl ?? tab.url ?? '', title: tab.title },
      windowId: tab.windowId,
      createdAt: Date.now(),
    };
  }
  if (intent) await panelIntentItem.setValue(intent);
  await opened;
  return intent;
}

export function registerContextMenus(): void {
  browser.contextMenus.onClicked.addListener((info, tab) => void onMenuClick(info, tab));
}

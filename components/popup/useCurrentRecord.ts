/** The record on the rep's current tab (or `?tabId=N`, which tests use because the popup then is a tab). */
import { useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import { sendMessage } from '../../lib/messages';
import { tabRecordsItem, type TabRecordInfo } from '../../lib/storage';

export interface CurrentTab {
  tabId: number;
  windowId: number;
  info: TabRecordInfo | null;
}

export function useCurrentRecord(): CurrentTab | null | 'loading' {
  const [current, setCurrent] = useState<CurrentTab | null | 'loading'>('loading');
  useEffect(() => {
    let tabId: number | null = null;
    let windowId = -1;
    const pinned = Number(new URLSearchParams(location.search).get('tabId'));
    const find = Number.isInteger(pinned) && pinned > 0 ? browser.tabs.get(pinned).catch(() => null) : browser.tabs.query({ active: true, currentWindow: true }).then((t) => t[0] ?? null);
    void find.then(async (tab) => {
      if (!tab?.id) return setCurrent(null);
      tabId = tab.id;
      windowId = tab.windowId ?? -1;
      const info = await sendMessage('getTabRecord', tab.id).catch(() => null);
      setCurrent({ tabId: tab.id, windowId, info });
    });
    // SPA navigation while the popup is open.
    const unwatch = tabRecordsItem.watch((all) => {
      if (tabId != null && all?.[String(tabId)]) setCurrent({ tabId, windowId, info: all[String(tabId)] });
    });
    return unwatch;
  }, []);
  return current;
}

/**
 * Service worker: wires the background modules. Every listener is registered synchronously at start-up
 * (MV3 only delivers events to listeners present when the worker starts).
 */
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { registerCommands, onCommand } from '../background/commands';
import { createContextMenus, onMenuClick, registerContextMenus, syncMenuForWindow, syncMenuVisibility } from '../background/context-menus';
import * as api from '../lib/api';
import { provideApiSchemas } from '../lib/backend-client';
import { isContentScriptMessage, onMessage } from '../lib/messages';
import { listPrefetcher } from '../background/list-prefetch';
import { enqueueWrite, flushOutbox, markTold, onWriteSettled, OUTBOX_ALARM, resumeOutbox } from '../background/outbox';
import { outboxItem } from '../lib/outbox';
import { managedBackendUrlItem, settingsItem, tasksCacheItem } from '../lib/storage';
import { configureSidePanel, openSidePanel } from '../background/side-panel';
import { getTabRecord, handlePageChanged, onTabRecordChanged, registerTabTracking, seedAllTabs } from '../background/tab-records';
import { applyTaskWrite, BADGE_ALARM, ensureBadgeAlarm, openTaskCount, refreshTasksAndBadge, setBadge } from '../background/tasks';

export default defineBackground({
  type: 'module',
  main() {
    provideApiSchemas(api);
    registerTabTracking();
    registerContextMenus();
    registerCommands();

    browser.runtime.onInstalled.addListener(() => {
      void createContextMenus();
      void ensureBadgeAlarm();
    });
    browser.runtime.onStartup.addListener(() => void ensureBadgeAlarm());

    browser.alarms.onAlarm.addListener((alarm) => {
      if (alarm.name === OUTBOX_ALARM) void flushOutbox();
      if (alarm.name === BADGE_ALARM) void refreshTasksAndBadge();
    });

    // The content script's report comes as a raw message (it bundles no messaging library); the messenger's
    // own listener ignores it (no id / timestamp).
    browser.runtime.onMessage.addListener((msg: unknown, sender) => {
      if (!isContentScriptMessage(msg)) return undefined;
      const { url, name, email } = msg.data;
      void handlePageChanged(sender.tab?.id, sender.tab?.url, { url, name, email });
      listPrefetcher.onPageReport(sender.tab?.id, url);
      return undefined;
    });
    browser.tabs.onRemoved.addListener((tabId) => listPrefetcher.forgetTab(tabId));
    onMessage('getTabRecord', ({ data }) => getTabRecord(data));
    // No await before open(): the popup's click must still count as a user gesture.
    onMessage('openSidePanel', ({ data }) => openSidePanel(data).then(() => undefined));
    onMessage('enqueueWrite', ({ data }) => {
      const { idempotencyKey, ...write } = data;
      return enqueueWrite(write as typeof data, { id: idempotencyKey });
    });
    onMessage('flushOutbox', () => flushOutbox({ force: true }));
    onMessage('markWritesTold', ({ data }) => markTold(data));

    onTabRecordChanged((info) => {
      void browser.tabs.get(info.tabId).then((t) => t.active && syncMenuVisibility(info)).catch(() => undefined);
    });
    browser.tabs.onActivated.addListener(({ tabId }) => void getTabRecord(tabId).then(syncMenuVisibility));
    browser.windows.onFocusChanged.addListener((windowId) => void syncMenuForWindow(windowId, getTabRecord).catch(() => undefined));

    onWriteSettled((entry) => void applyTaskWrite(entry));
    settingsItem.watch(() => {
      void refreshTasksAndBadge();
      void flushOutbox({ force: true });
    });
    managedBackendUrlItem.watch(() => void refreshTasksAndBadge());
    // The popup refreshes the cached tasks too: the badge follows whoever fetched them last.
    tasksCacheItem.watch((cache) => cache && void setBadge(openTaskCount(cache.tasks)).catch(() => undefined));
    self.addEventListener('online', () => void flushOutbox({ force: true }));

    configureSidePanel();
    void seedAllTabs();
    void resumeOutbox();
    // The worker starts often (MV3 stops it when idle): only a stale cache is fetched again.
    void refreshTasksAndBadge({ ifStale: true });

    // Test and support hook: lets e2e tests drive the handlers Chrome would call (menu clicks, commands).
    Object.assign(globalThis, { __gongEverywhere: { onMenuClick, onCommand, flushOutbox, refreshTasksAndBadge, outboxItem, createContextMenus, listPrefetcher } });
    // Every listener is in place from here on (npm run bench: service worker stopped → menu click queued).
    performance.mark('gong:worker-ready');
  },
});

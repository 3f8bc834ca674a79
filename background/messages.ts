/**
 * The one protocol between extension parts (content script, side panel, popup, options) and the
 * background service worker. Senders and handlers are type-checked against it.
 */
import { defineExtensionMessaging } from '@webext-core/messaging';
import type { OutboxEntry, OutboxWrite } from './outbox-types';
import type { TabRecordInfo } from './settings';

export interface ProtocolMap {
  /** Content script → background: the page navigated (SPA) or now shows a name / email. */
  pageChanged(data: { url: string; name?: string; email?: string }): void;
  /** Any UI → background: the record of a tab (null: not a CRM page). */
  getTabRecord(tabId: number): TabRecordInfo | null;
  /** Popup → background: open the side panel for a tab (a user gesture in the popup allows it). */
  openSidePanel(data: { tabId: number; windowId: number }): void;
  /**
   * Side panel / popup → background: queue a write. Resolves after the first send attempt with the
   * entry (done, failed, or still pending when the backend could not be reached).
   */
  enqueueWrite(write: OutboxWrite & { /** Made at click time; defaults to a fresh one. */ idempotencyKey?: string }): OutboxEntry;
  /** UI → background: forget a settled write the rep has seen (a refusal they dismissed). */
  dismissWrite(id: string): void;
  /** UI → background: retry waiting writes now (the rep pressed "Retry"). */
  flushOutbox(): void;
}

export const { sendMessage, onMessage } = defineExtensionMessaging<ProtocolMap>();

/**
 * The one protocol between extension parts (content script, side panel, popup, options) and the
 * background service worker. Senders and handlers are type-checked against it.
 */
import { defineExtensionMessaging } from '@webext-core/messaging';
import type { OutboxEntry, OutboxWrite } from './outbox';
import type { TabRecordInfo } from './storage';

/**
 * What the content script reports: the page's URL (SPA navigations included) and the name / email the record
 * on screen shows. `links` (pages that are not a record only) is the number of links on the page, so the
 * background knows when a list view's rows changed and may collect them again (list-view prefetch).
 */
export interface PageReport {
  url: string;
  name?: string;
  email?: string;
  links?: number;
}

/**
 * Content script → background. Sent with plain `chrome.runtime.sendMessage` rather than the messenger below,
 * so the content script bundles no messaging library (it imports this file for types only). The background
 * accepts it with a raw `chrome.runtime.onMessage` listener (`isContentScriptMessage`).
 */
export type ContentScriptMessage = { type: 'gong:pageChanged'; data: PageReport };

export function isContentScriptMessage(msg: unknown): msg is ContentScriptMessage {
  if (typeof msg !== 'object' || msg == null) return false;
  const m = msg as { type?: unknown; data?: { url?: unknown } };
  return m.type === 'gong:pageChanged' && typeof m.data === 'object' && m.data != null && typeof m.data.url === 'string';
}

export interface ProtocolMap {
  /** Any UI → background: the record of a tab (null: not a CRM page). */
  getTabRecord(tabId: number): TabRecordInfo | null;
  /** Popup → background: open the side panel for a tab (a user gesture in the popup allows it). */
  openSidePanel(data: { tabId: number; windowId: number }): void;
  /**
   * Side panel / popup → background: queue a write. Resolves after the first send attempt with the
   * entry (done, failed, or still pending when the backend could not be reached).
   */
  enqueueWrite(write: OutboxWrite & { /** Made at click time; defaults to a fresh one. */ idempotencyKey?: string }): OutboxEntry;
  /** UI → background: retry waiting writes now (the rep pressed "Retry"). */
  flushOutbox(): void;
  /** Side panel → background: it showed the rep why these writes failed (outbox ids). */
  markWritesTold(ids: string[]): void;
}

export const { sendMessage, onMessage } = defineExtensionMessaging<ProtocolMap>();

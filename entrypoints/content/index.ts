/**
 * Content script on CRM pages: tiny and React-free (bench goal: ≤ 4 KB gzipped). Tells the background when
 * the SPA navigates and which name / email the record on screen shows. Lightning keeps earlier pages in the
 * DOM (hidden), so only the active page container is read.
 *
 * Deliberately plain: one raw `chrome.runtime.sendMessage` (the message type is imported for types only, so
 * no messaging library is bundled), `setTimeout`, a MutationObserver and the Navigation API (or a cheap
 * location poll) instead of WXT's content-script context helpers. The record itself is detected by the
 * background from the URL; this script only adds what the page shows.
 */
import { defineContentScript } from 'wxt/utils/define-content-script';
import type { ContentScriptMessage, PageReport } from '../../lib/messages';
import { readVisibleIdentity, type PageIdentity } from './page-identity';
import { CRM_PAGE_PATTERNS, detectCrmRecord, recordKey } from '../../lib/crm-record';

const same = (a: PageIdentity, b: PageIdentity) => a.name === b.name && a.email === b.email;

export default defineContentScript({
  matches: CRM_PAGE_PATTERNS,
  runAt: 'document_idle',
  main() {
    const cleanups: (() => void)[] = [];
    // The extension was reloaded or removed: this copy of the script must go quiet.
    const valid = () => {
      if (chrome.runtime?.id) return true;
      while (cleanups.length) cleanups.pop()!();
      return false;
    };
    const on = (target: EventTarget, type: string, fn: () => void) => {
      target.addEventListener(type, fn);
      cleanups.push(() => target.removeEventListener(type, fn));
    };

    let last = '';
    let href = '';
    let currentKey = '';
    let shownForCurrent: PageIdentity = {};
    // Right after a URL change the previous record is often still on screen: its name must not be
    // reported as the new record's. Withheld until the screen shows something else.
    let stale: PageIdentity | null = null;
    const report = () => {
      if (!valid()) return;
      href = location.href;
      const record = detectCrmRecord(href);
      const key = record ? recordKey(record) : href.split(/[?#]/)[0];
      if (key !== currentKey) {
        stale = shownForCurrent.name || shownForCurrent.email ? shownForCurrent : null;
        currentKey = key;
        shownForCurrent = {};
      }
      let identity = readVisibleIdentity(document, href);
      if (stale && same(identity, stale)) identity = {};
      else if (identity.name || identity.email) {
        stale = null;
        shownForCurrent = identity;
      }
      // Not a record (list view, index page): how many links it shows, so the background notices new rows.
      const data: PageReport = record ? { url: href, ...identity } : { url: href, ...identity, links: document.links.length };
      const sig = JSON.stringify(data);
      if (sig === last) return;
      last = sig;
      const msg: ContentScriptMessage = { type: 'gong:pageChanged', data };
      chrome.runtime.sendMessage(msg).catch(() => undefined);
    };
    // The page renders the record after the URL changes: read again shortly. Throttled, not debounced, so a
    // page that never stops mutating (Lightning) still gets read.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const soon = (ms = 150) => {
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        report();
      }, ms);
    };
    cleanups.push(() => clearTimeout(timer));
    const urlChanged = () => {
      if (location.href === href) return;
      report();
      soon();
    };

    report();
    // Lightning and HubSpot navigate with the page's own pushState, which an isolated world cannot patch; the
    // Navigation API's events reach every world. Without it, a cheap poll of the URL.
    const nav = (window as unknown as { navigation?: EventTarget }).navigation;
    if (nav) on(nav, 'currententrychange', urlChanged);
    else {
      const poll = setInterval(urlChanged, 150);
      cleanups.push(() => clearInterval(poll));
    }
    on(window, 'popstate', urlChanged);
    const observer = new MutationObserver(() => soon(250));
    observer.observe(document.body ?? document.documentElement, { childList: true, subtree: true, characterData: true });
    cleanups.push(() => observer.disconnect());
  },
});

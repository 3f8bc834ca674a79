/**
 * Content script on CRM pages: tiny and React-free. Tells the background when the SPA navigates and which
 * name / email the record on screen shows. Lightning keeps earlier pages in the DOM (hidden), so only the
 * active page container is read.
 */
import { defineContentScript } from 'wxt/utils/define-content-script';
import { sendMessage } from '../background/messages';
import { readVisibleIdentity } from '../background/page-identity';
import { detectCrmRecord, recordKey } from '../lib/crm-record';

type Identity = { name?: string; email?: string };
const same = (a: Identity, b: Identity) => a.name === b.name && a.email === b.email;
const keyOf = (url: string) => {
  const r = detectCrmRecord(url);
  return r ? recordKey(r) : url.split(/[?#]/)[0];
};

export default defineContentScript({
  matches: ['https://*.force.com/*', 'https://*.salesforce.com/*', 'https://*.hubspot.com/*'],
  runAt: 'document_idle',
  main(ctx) {
    let last = '';
    let currentKey = keyOf(location.href);
    let shownForCurrent: Identity = {};
    // Right after a URL change the previous record is often still on screen: its name must not be
    // reported as the new record's. Withheld until the screen shows something else.
    let stale: Identity | null = null;
    const report = () => {
      if (!ctx.isValid) return;
      const key = keyOf(location.href);
      if (key !== currentKey) {
        stale = shownForCurrent.name || shownForCurrent.email ? shownForCurrent : null;
        currentKey = key;
        shownForCurrent = {};
      }
      let identity: Identity = readVisibleIdentity(document, location.href);
      if (stale && same(identity, stale)) identity = {};
      else if (identity.name || identity.email) {
        stale = null;
        shownForCurrent = identity;
      }
      const payload = { url: location.href, ...identity };
      const sig = JSON.stringify(payload);
      if (sig === last) return;
      last = sig;
      sendMessage('pageChanged', payload).catch(() => undefined);
    };
    // The page renders the record after the URL changes: read again shortly. Throttled, not debounced, so a
    // page that never stops mutating (Lightning) still gets read.
    let timer: number | undefined;
    const soon = (ms = 150) => {
      if (timer !== undefined) return;
      timer = ctx.setTimeout(() => {
        timer = undefined;
        report();
      }, ms);
    };

    report();
    ctx.addEventListener(window, 'wxt:locationchange', () => {
      report();
      soon();
    });
    // Faster than WXT's 1 s location poll where the Navigation API exists.
    const nav = (window as unknown as { navigation?: EventTarget }).navigation;
    if (nav) ctx.addEventListener(nav as unknown as Window, 'navigatesuccess' as keyof WindowEventMap, () => soon(0));
    ctx.addEventListener(window, 'popstate', () => soon(0));
    const observer = new MutationObserver(() => soon(250));
    observer.observe(document.body ?? document.documentElement, { childList: true, subtree: true, characterData: true });
    ctx.onInvalidated(() => observer.disconnect());
  },
});

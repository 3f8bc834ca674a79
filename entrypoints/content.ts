/**
 * Content script on CRM pages: tiny and React-free. Tells the background when the SPA navigates and which
 * name / email the record on screen shows. Lightning keeps earlier pages in the DOM (hidden), so only the
 * active page container is read.
 */
import { defineContentScript } from 'wxt/utils/define-content-script';
import { sendMessage } from '../background/messages';
import { readVisibleIdentity } from '../background/page-identity';

export default defineContentScript({
  matches: ['https://*.force.com/*', 'https://*.salesforce.com/*', 'https://*.hubspot.com/*'],
  runAt: 'document_idle',
  main(ctx) {
    let last = '';
    const report = () => {
      if (!ctx.isValid) return;
      const identity = readVisibleIdentity(document, location.href);
      const payload = { url: location.href, ...identity };
      const key = JSON.stringify(payload);
      if (key === last) return;
      last = key;
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

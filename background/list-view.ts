/** Collects the contact / lead records linked on a CRM page (list views, related lists, HubSpot index pages). */
import { browser } from 'wxt/browser';
import { detectCrmRecord, recordKey, type CrmRecord } from '../lib/crm-record';

export interface LinkedRecord {
  record: CrmRecord;
  name?: string;
}

/** Runs in the page (via scripting.executeScript): hrefs and labels of visible links. Must be self-contained. */
export function readVisibleLinks(): { href: string; text: string }[] {
  const out: { href: string; text: string }[] = [];
  const seen = new Set<string>();
  // Lightning keeps earlier pages in the DOM, hidden; only what is on screen counts.
  const visible = (el: Element) => (typeof (el as HTMLElement).checkVisibility === 'function' ? (el as HTMLElement).checkVisibility() : (el as HTMLElement).offsetParent !== null);
  const walk = (root: Document | ShadowRoot, depth: number) => {
    for (const a of Array.from(root.querySelectorAll('a[href]'))) {
      const href = (a as HTMLAnchorElement).href;
      if (!href || seen.has(href) || !visible(a)) continue;
      seen.add(href);
      out.push({ href, text: ((a as HTMLElement).title || a.textContent || '').trim().slice(0, 200) });
    }
    if (depth > 6) return;
    for (const el of Array.from(root.querySelectorAll('*'))) if (el.shadowRoot) walk(el.shadowRoot, depth + 1);
  };
  walk(document, 0);
  return out;
}

/** Parses links into unique prospect records, in page order. */
export function recordsFromLinks(links: { href: string; text: string }[]): LinkedRecord[] {
  const byKey = new Map<string, LinkedRecord>();
  for (const l of links) {
    const record = detectCrmRecord(l.href);
    if (!record) continue;
    const key = recordKey(record);
    const prev = byKey.get(key);
    if (!prev) byKey.set(key, l.text ? { record, name: l.text } : { record });
    else if (!prev.name && l.text) prev.name = l.text;
  }
  return [...byKey.values()];
}

export async function collectPageRecords(tabId: number): Promise<LinkedRecord[]> {
  const results = await browser.scripting.executeScript({ target: { tabId }, func: readVisibleLinks });
  const links = (results[0]?.result ?? []) as { href: string; text: string }[];
  return recordsFromLinks(links);
}

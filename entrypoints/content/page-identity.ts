/**
 * Reads the prospect's name and email shown on a CRM record page. Pure DOM code run by the content script
 * on every navigation (and unit-testable): no chrome APIs. Only the ACTIVE Lightning page container counts,
 * because Lightning keeps earlier records in the DOM after navigating.
 *
 * Cost matters (it runs per navigation on pages of thousands of nodes, many inside LWC shadow roots), and
 * so does picking the prospect's OWN email rather than one from a related list. So the reader looks in the
 * most specific place first — the record's header / highlights panel — and stops at the first hit; only
 * when the header lacks a field does it look at the record's detail fields. Shadow roots are collected at
 * most once per scope, and candidates are tested with `matches()` in one pass.
 */
import { crmOfUrl } from '../../lib/crm-record';

export interface PageIdentity {
  name?: string;
  email?: string;
}

const SF_ACTIVE_CONTAINER = ['.oneContent.active', '.windowViewMode-normal.active', '.navexWorkspaceManager .tabContent.active', '[data-page-active="true"]'];
/** The record's own header: LWC and Aura highlights panels, then the generic page header. */
const SF_HEADER = 'records-lwc-highlights-panel, records-highlights2, force-highlights-panel, .forceHighlightsPanel, .slds-page-header';
/** Name inside the header, most specific first. */
const SF_HEADER_NAME = ['lightning-formatted-name', '[slot="primaryField"]', '.slds-page-header__title', 'h1'];
/** Name when no header was found: only page-title elements (a bare `lightning-formatted-name` may be a related record). */
const SF_PAGE_NAME = ['.slds-page-header__title', 'h1'];
/** A field of the record's detail section (an email there is the record's own). */
const SF_FIELD = 'records-record-layout-item, force-record-layout-item, records-highlights-details-item, .slds-form-element';
/** Related lists and list views: emails of OTHER people. */
const SF_RELATED = 'lst-related-list-single-container, force-related-list-single-container, .forceRelatedListSingleContainer, .forceRelatedListContainer, lst-related-list-view-manager, table, [role="grid"]';

/** HubSpot's record header: the left sidebar with the highlight title (name) and the contact's email. */
const HS_HEADER = '[data-test-id="left-sidebar"], [data-selenium-test="profile-highlight"], [data-selenium-test="highlightTitle"]';
const HS_NAME = ['[data-selenium-test="highlightTitle"]', '[data-test-id="record-title"]', 'h1'];

const MAILTO = 'a[href^="mailto:"]';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function isVisible(el: Element): boolean {
  const h = el as HTMLElement;
  return typeof h.checkVisibility === 'function' ? h.checkVisibility() : h.offsetParent !== null || h.getClientRects().length > 0;
}

/** `node` and every open shadow root inside it (including its own), in document order; walked once. */
function rootsOf(node: ParentNode): ParentNode[] {
  const out: ParentNode[] = [node];
  for (let i = 0; i < out.length; i++) {
    const r = out[i];
    const own = (r as Element).shadowRoot;
    if (own && i === 0) out.push(own);
    const all = r.querySelectorAll('*');
    for (let j = 0; j < all.length; j++) {
      const sr = all[j].shadowRoot;
      if (sr) out.push(sr);
    }
  }
  return out;
}

/** First visible element matching `selector` in the light DOM of `root`, else in its shadow roots. */
function deepFirstVisible(root: ParentNode, selector: string): Element | null {
  // Usually the first match is the one (the header comes first): querySelector stops there.
  const first = root.querySelector(selector);
  if (first && isVisible(first)) return first;
  if (first) for (const el of Array.from(root.querySelectorAll(selector))) if (isVisible(el)) return el;
  const roots = rootsOf(root);
  for (let i = 1; i < roots.length; i++) for (const el of Array.from(roots[i].querySelectorAll(selector))) if (isVisible(el)) return el;
  return null;
}

const textOf = (el: Element) => (el.textContent ?? '').replace(/\s+/g, ' ').trim();
function emailOf(a: Element): string | undefined {
  let raw = (a.getAttribute('href') ?? '').slice(7).split('?')[0];
  try {
    raw = decodeURIComponent(raw);
  } catch {
    /* keep it as written */
  }
  const email = raw.trim();
  return EMAIL.test(email) ? email : undefined;
}

/**
 * One pass over `scope` (and its shadow roots): the name (first selector in `names` order that has a visible,
 * short text) and the first visible valid email accepted by `acceptEmail`.
 */
function scan(scope: ParentNode, names: string[], acceptEmail: (a: Element) => boolean, want: { name: boolean; email: boolean }): PageIdentity {
  const selector = [...(want.name ? names : []), ...(want.email ? [MAILTO] : [])].join(', ');
  const found: PageIdentity = {};
  if (!selector) return found;
  const candidates: Element[] = [];
  const scopeEl = scope as Element;
  if (typeof scopeEl.matches === 'function' && scopeEl.matches(selector)) candidates.push(scopeEl);
  for (const r of rootsOf(scope)) candidates.push(...Array.from(r.querySelectorAll(selector)));
  if (want.email) {
    for (const el of candidates) {
      if (!el.matches(MAILTO) || !acceptEmail(el) || !isVisible(el)) continue;
      const email = emailOf(el);
      if (email) {
        found.email = email;
        break;
      }
    }
  }
  if (want.name) {
    outer: for (const sel of names) {
      for (const el of candidates) {
        if (!el.matches(sel)) continue;
        const text = textOf(el);
        if (text && text.length <= 120 && isVisible(el)) {
          found.name = text;
          break outer;
        }
      }
    }
  }
  return found;
}

export function activeRoot(doc: Document, url: string): ParentNode {
  if (crmOfUrl(url) === 'salesforce') {
    for (const sel of SF_ACTIVE_CONTAINER) {
      const all = doc.querySelectorAll(sel);
      // The newest visible container wins (Lightning appends the page it navigates to).
      for (let i = all.length - 1; i >= 0; i--) if (isVisible(all[i])) return all[i];
    }
  }
  return doc;
}

/** `closest()` across shadow boundaries: an LWC renders its link inside its own shadow root. */
function closestDeep(el: Element, selector: string): Element | null {
  for (let cur: Element | null = el; cur; ) {
    const hit = cur.closest(selector);
    if (hit) return hit;
    const root = cur.getRootNode() as Partial<ShadowRoot>;
    cur = root.host ?? null;
  }
  return null;
}

const any = () => true;
const notRelated = (a: Element) => !closestDeep(a, SF_RELATED);
const inSfField = (a: Element) => !!closestDeep(a, SF_FIELD) && notRelated(a);

export function readVisibleIdentity(doc: Document, url: string): PageIdentity {
  const crm = crmOfUrl(url);
  if (!crm) return {};
  const root = activeRoot(doc, url);
  const header = deepFirstVisible(root, crm === 'salesforce' ? SF_HEADER : HS_HEADER);
  let found: PageIdentity = {};
  if (crm === 'salesforce') {
    // 1. The highlights panel / record header: the prospect's own name and email.
    if (header) found = scan(header, SF_HEADER_NAME, notRelated, { name: true, email: true });
    // 2. What the header lacks: the page title, and an email in the record's detail fields (never a related list).
    if (!found.name || !found.email) {
      const rest = scan(root, SF_PAGE_NAME, inSfField, { name: !found.name, email: !found.email });
      found = { ...rest, ...found };
    }
  } else {
    // HubSpot: the record sidebar holds both; without it, the page title and any email on the page.
    found = scan(header ?? root, HS_NAME, any, { name: true, email: true });
    if (header && (!found.name || !found.email)) found = { ...scan(root, HS_NAME, any, { name: !found.name, email: !found.email }), ...found };
  }
  return { ...(found.name ? { name: found.name } : {}), ...(found.email ? { email: found.email } : {}) };
}

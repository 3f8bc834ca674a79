/**
 * Reads the prospect's name and email shown on a CRM record page. Pure DOM code shared by the content
 * script (and unit-testable): no chrome APIs. Only the ACTIVE Lightning page container counts, because
 * Lightning keeps earlier records in the DOM after navigating.
 */
import { crmOfUrl } from '../lib/crm-record';

const SF_ACTIVE_CONTAINER = ['.oneContent.active', '.windowViewMode-normal.active', '.navexWorkspaceManager .tabContent.active', '[data-page-active="true"]'];
const SF_NAME = ['records-highlights2 lightning-formatted-name', 'records-highlights2 .slds-page-header__title', '.slds-page-header__title', '[slot="primaryField"]', 'h1'];
const HS_NAME = ['[data-selenium-test="highlightTitle"]', '[data-test-id="record-title"]', 'h1'];

function isVisible(el: Element): boolean {
  const h = el as HTMLElement;
  return typeof h.checkVisibility === 'function' ? h.checkVisibility() : h.offsetParent !== null || h.getClientRects().length > 0;
}

/** querySelectorAll that also looks into open shadow roots (Lightning web components). */
function deepQueryAll(root: ParentNode, selector: string, limit = 50): Element[] {
  const out: Element[] = [];
  const stack: ParentNode[] = [root];
  while (stack.length && out.length < limit) {
    const node = stack.pop()!;
    out.push(...Array.from(node.querySelectorAll(selector)));
    for (const el of Array.from(node.querySelectorAll('*'))) if (el.shadowRoot) stack.push(el.shadowRoot);
  }
  return out;
}

function firstVisibleText(root: ParentNode, selectors: string[]): string | undefined {
  for (const sel of selectors) {
    for (const el of deepQueryAll(root, sel)) {
      const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim();
      if (text && text.length <= 120 && isVisible(el)) return text;
    }
  }
  return undefined;
}

function firstEmail(root: ParentNode): string | undefined {
  for (const a of deepQueryAll(root, 'a[href^="mailto:"]')) {
    if (!isVisible(a)) continue;
    const email = decodeURIComponent((a as HTMLAnchorElement).getAttribute('href')!.slice(7).split('?')[0]).trim();
    if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return email;
  }
  return undefined;
}

export function activeRoot(doc: Document, url: string): ParentNode {
  if (crmOfUrl(url) === 'salesforce') {
    for (const sel of SF_ACTIVE_CONTAINER) {
      const candidates = Array.from(doc.querySelectorAll(sel)).filter(isVisible);
      if (candidates.length) return candidates[candidates.length - 1];
    }
  }
  return doc;
}

export function readVisibleIdentity(doc: Document, url: string): { name?: string; email?: string } {
  const crm = crmOfUrl(url);
  if (!crm) return {};
  const root = activeRoot(doc, url);
  const name = firstVisibleText(root, crm === 'salesforce' ? SF_NAME : HS_NAME);
  const email = firstEmail(root);
  return { ...(name ? { name } : {}), ...(email ? { email } : {}) };
}

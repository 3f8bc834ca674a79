/**
 * Record identity read from a CRM page (entrypoints/content/page-identity.ts): DOM fixtures
 * in linkedom (a wxt dependency) with open shadow roots like Lightning web components. linkedom does no layout,
 * so visibility is stubbed: an element is hidden when it or an ancestor (across shadow hosts) is display:none.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseHTML } from 'linkedom';
import { readVisibleIdentity } from '../../entrypoints/content/page-identity';

const SF_URL = 'https://acme.lightning.force.com/lightning/r/Contact/0038d0000lA6fpiAAB/view';
const HS_URL = 'https://app.hubspot.com/contacts/4412345/record/0-1/51235776';

type Win = ReturnType<typeof parseHTML>;
function hiddenUp(el: Element | null): boolean {
  for (let n: Node | null = el; n; ) {
    if ((n as Element).getAttribute?.('style')?.replace(/\s/g, '').includes('display:none')) return true;
    const parent: Node | null = n.parentNode;
    // Cross from a shadow root to its host.
    n = parent && (parent as ShadowRoot).host ? (parent as ShadowRoot).host : parent;
  }
  return false;
}

function page(html: string, shadow: Record<string, string> = {}): Document {
  const w: Win = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
  const proto = (w.window as unknown as { HTMLElement: { prototype: HTMLElement } }).HTMLElement.prototype;
  (proto as unknown as { checkVisibility(): boolean }).checkVisibility = function (this: Element) {
    return !hiddenUp(this);
  };
  // `data-shadow="key"` hosts get an open shadow root with shadow[key] inside (nested hosts too).
  const attach = (root: ParentNode) => {
    for (const host of Array.from(root.querySelectorAll('[data-shadow]'))) {
      const sr = host.attachShadow({ mode: 'open' });
      sr.innerHTML = shadow[host.getAttribute('data-shadow')!];
      attach(sr);
    }
  };
  attach(w.document);
  return w.document as unknown as Document;
}

const highlights = (name: string, email?: string) =>
  `<records-highlights2><div class="slds-page-header"><h1 class="slds-page-header__title"><slot name="primaryField"><lightning-formatted-name>${name}</lightning-formatted-name></slot></h1>` +
  `<dl>${email ? `<dd><a href="mailto:${email}">${email}</a></dd>` : '<dd>+1 555 0100</dd>'}</dl></div></records-highlights2>`;
const relatedList = (n: number) =>
  `<div class="slds-card">${Array.from({ length: n }, (_, i) => `<div><a href="mailto:other${i}@acme.test">other${i}@acme.test</a><span>Related ${i}</span></div>`).join('')}</div>`;

describe('readVisibleIdentity: Salesforce Lightning', () => {
  let doc: Document;
  beforeAll(() => {
    // Bench-like page: an older record kept hidden, the active one with its highlights panel in shadow DOM and
    // a related list of other people's emails in light DOM (which a light-DOM-first search would find first).
    doc = page(
      `<nav><a href="#">Home</a></nav><div class="oneCenterStage">
        <div class="windowViewMode-normal oneContent" style="display:none"><records-lwc-highlights-panel data-shadow="old"></records-lwc-highlights-panel></div>
        <div class="windowViewMode-normal oneContent active">
          ${relatedList(3)}
          <records-lwc-highlights-panel data-shadow="hl"></records-lwc-highlights-panel>
          <div class="record-body"><records-record-layout-item class="slds-form-element"><span>Field</span><lightning-formatted-text data-shadow="field"></lightning-formatted-text></records-record-layout-item>${relatedList(30)}</div>
        </div></div>`,
      { old: highlights('Morgan Previous', 'morgan.previous@oldco.com'), hl: highlights('Avery Thompson', 'avery.thompson@globex.com'), field: '<span>Value</span><a href="#">link</a>' },
    );
  });

  it("takes the name and the prospect's own email from the highlights panel in shadow DOM, not a related list", () => {
    expect(readVisibleIdentity(doc, SF_URL)).toEqual({ name: 'Avery Thompson', email: 'avery.thompson@globex.com' });
  });

  it('reads only the active page container (Lightning keeps earlier records hidden)', () => {
    const onlyOld = page(
      `<div class="windowViewMode-normal oneContent" style="display:none"><records-lwc-highlights-panel data-shadow="old"></records-lwc-highlights-panel></div>
       <div class="windowViewMode-normal oneContent active"><div class="spinner">Loading…</div></div>`,
      { old: highlights('Morgan Previous', 'morgan.previous@oldco.com') },
    );
    expect(readVisibleIdentity(onlyOld, SF_URL)).toEqual({});
  });

  it("falls back to the record's detail field for the email (in a nested LWC), never to a related list", () => {
    const d = page(
      `<div class="oneContent active">${relatedList(5)}<records-lwc-highlights-panel data-shadow="hl"></records-lwc-highlights-panel>
        <records-record-layout-item class="slds-form-element" field-label="Email"><span>Email</span><lightning-formatted-email data-shadow="email"></lightning-formatted-email></records-record-layout-item></div>`,
      { hl: highlights('Blake Sato'), email: '<a href="mailto:blake.sato@initech.io">blake.sato@initech.io</a>' },
    );
    expect(readVisibleIdentity(d, SF_URL)).toEqual({ name: 'Blake Sato', email: 'blake.sato@initech.io' });
  });

  it('reports no email rather than a related-list one when the record shows none', () => {
    const d = page(`<div class="oneContent active"><records-lwc-highlights-panel data-shadow="hl"></records-lwc-highlights-panel>${relatedList(5)}
      <lst-related-list-single-container><records-record-layout-item class="slds-form-element"><a href="mailto:x@acme.test">x@acme.test</a></records-record-layout-item></lst-related-list-single-container></div>`, {
      hl: highlights('Carmen Walsh'),
    });
    expect(readVisibleIdentity(d, SF_URL)).toEqual({ name: 'Carmen Walsh' });
  });

  it('reads a light-DOM page (synthetic shadow, like the e2e fixtures), decoding the mailto', () => {
    const d = page(`<div class="oneContent active"><records-lwc-highlights-panel>${highlights('Elena Dubois', 'elena.dubois%40waynefinancial.com')}</records-lwc-highlights-panel></div>`);
    expect(readVisibleIdentity(d, SF_URL)).toEqual({ name: 'Elena Dubois', email: 'elena.dubois@waynefinancial.com' });
  });

  it('without a highlights panel: the page title, and no email from a list', () => {
    const d = page(`<div class="oneContent active"><h1>Quinn Lead</h1><table><tr><td><a href="mailto:row@acme.test">row@acme.test</a></td></tr></table></div>`);
    expect(readVisibleIdentity(d, SF_URL)).toEqual({ name: 'Quinn Lead' });
  });

  it('ignores pages that are not CRM pages', () => {
    expect(readVisibleIdentity(doc, 'https://example.com/lightning/r/Contact/0038d0000lA6fpiAAB/view')).toEqual({});
  });
});

describe('readVisibleIdentity: HubSpot', () => {
  it("reads the record sidebar's title and email before any other email on the page", () => {
    const d = page(`<aside class="right"><div class="card">Associated: <a href="mailto:colleague@stark.com">colleague@stark.com</a></div></aside>
      <aside class="left" data-test-id="left-sidebar"><h1 data-selenium-test="highlightTitle">Sven  Jensen</h1><div><a href="mailto:sven.jensen@starklogistics.com">sven.jensen@starklogistics.com</a></div></aside>`);
    expect(readVisibleIdentity(d, HS_URL)).toEqual({ name: 'Sven Jensen', email: 'sven.jensen@starklogistics.com' });
  });

  it('without the sidebar: the highlight title, and an email elsewhere on the page', () => {
    const d = page(`<main><h1 data-selenium-test="highlightTitle">Tara Weber</h1><p><a href="mailto:tara.weber@waynefinancial.com">mail</a></p></main>`);
    expect(readVisibleIdentity(d, HS_URL)).toEqual({ name: 'Tara Weber', email: 'tara.weber@waynefinancial.com' });
  });
});

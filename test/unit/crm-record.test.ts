import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { crmOfUrl, detectCrmRecord, recordKey, toSalesforceId18 } from '../../lib/crm-record';

vi.stubGlobal('browser', fakeBrowser);
vi.stubGlobal('chrome', fakeBrowser);
const { CRM_LINK_PATTERNS } = await import('../../background/context-menus');

/** A Chrome match pattern as a regular expression (`*.` in the host: any subdomain; `*` in the path: anything). */
function matchPattern(p: string): RegExp {
  const [, scheme, host, path] = /^(\w+):\/\/([^/]+)(\/.*)$/.exec(p)!;
  const esc = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  const h = host.startsWith('*.') ? `(?:[^/]+\\.)?${esc(host.slice(2))}` : esc(host);
  return new RegExp(`^${scheme}://${h}${path.split('*').map(esc).join('.*')}$`);
}


const contact15 = '0035g00000ABCde';
const lead15 = '00Q5g00000XyZab';

describe('toSalesforceId18', () => {
  it.each([
    ['001M000000qfPyS', '001M000000qfPySIAU'],
    ['a0RE000000IJmcN', 'a0RE000000IJmcNMAT'],
    ['0035000000nUQqj', '0035000000nUQqjAAG'],
    ['00Q3000000abcDE', '00Q3000000abcDEEAY'],
    ['003000000000000', '003000000000000AAA'],
  ])('%s → %s', (id15, id18) => {
    expect(toSalesforceId18(id15)).toBe(id18);
    // Idempotent on its own output, case-insensitive suffix.
    expect(toSalesforceId18(id18)).toBe(id18);
    expect(toSalesforceId18(id15 + id18.slice(15).toLowerCase())).toBe(id18);
  });
  it('rejects a wrong checksum and malformed ids', () => {
    expect(toSalesforceId18('001M000000qfPySAAA')).toBeNull();
    expect(toSalesforceId18('001M000000qfPy')).toBeNull();
    expect(toSalesforceId18('001M000000qfPyS!')).toBeNull();
  });
});

const c18 = toSalesforceId18(contact15)!;
const l18 = toSalesforceId18(lead15)!;
const sfContact = { crm: 'salesforce', objectType: 'contact', id: c18 };
const sfLead = { crm: 'salesforce', objectType: 'lead', id: l18 };
const hsContact = (id: string) => ({ crm: 'hubspot', objectType: 'contact', id });
const hsLead = (id: string) => ({ crm: 'hubspot', objectType: 'lead', id });

// Real-world URL forms, as reps' browsers show them.
const POSITIVE: [string, unknown][] = [
  // Lightning record pages
  [`https://acme.lightning.force.com/lightning/r/Contact/${c18}/view`, sfContact],
  [`https://acme.lightning.force.com/lightning/r/Contact/${contact15}/view`, sfContact],
  [`https://acme.lightning.force.com/lightning/r/contact/${c18}/view`, sfContact],
  [`https://acme.lightning.force.com/lightning/r/Lead/${l18}/view`, sfLead],
  [`https://acme.lightning.force.com/lightning/r/Lead/${lead15}/view?0.source=alohaHeader`, sfLead],
  [`https://acme.lightning.force.com/lightning/r/Contact/${c18}/edit`, sfContact],
  [`https://acme.lightning.force.com/lightning/r/Contact/${c18}/related/Opportunities/view`, sfContact],
  [`https://acme.lightning.force.com/lightning/r/Contact/${c18}/view?ws=%2Flightning%2Fr%2FAccount%2F0015g00000AAAAAAA2%2Fview`, sfContact],
  [`https://acme.lightning.force.com/lightning/r/${c18}/view`, sfContact],
  [`https://acme.lightning.force.com/lightning/r/${lead15}/view`, sfLead],
  [`https://acme.lightning.force.com/lightning/r/Contact/${c18}/view#section`, sfContact],
  [`https://acme.lightning.force.com/lightning/r/Contact/${c18}`, sfContact],
  // Console apps: the focused record tab lives in ws=
  [`https://acme.lightning.force.com/lightning/page/home?ws=%2Flightning%2Fr%2FContact%2F${c18}%2Fview`, sfContact],
  [`https://acme.lightning.force.com/lightning/o/Lead/list?ws=%2Flightning%2Fr%2FLead%2F${l18}%2Fview`, sfLead],
  // Old one.app hash routes
  [`https://acme.lightning.force.com/one/one.app#/sObject/${c18}/view`, sfContact],
  [`https://acme.lightning.force.com/one/one.app#/sObject/${lead15}`, sfLead],
  // My Domain, sandbox, Hyperforce, Experience Cloud hosts
  [`https://acme.my.salesforce.com/lightning/r/Contact/${c18}/view`, sfContact],
  [`https://acme.my.salesforce.com/lightning/r/${c18}/view`, sfContact],
  [`https://acme.my.salesforce.com/lightning/r/${lead15}/view`, sfLead],
  [`https://acme.my.salesforce.com/one/one.app#/sObject/${c18}/view`, sfContact],
  [`https://acme--uat.sandbox.lightning.force.com/lightning/r/Contact/${c18}/view`, sfContact],
  [`https://acme--sbx.sandbox.my.salesforce.com/lightning/r/Lead/${l18}/view`, sfLead],
  [`https://acme--dev.sandbox.lightning.force.com/lightning/r/Lead/${l18}/view`, sfLead],
  [`https://acme.my.sfcrmproducts.cn/lightning/r/Contact/${c18}/view`, sfContact], // Salesforce on Alibaba Cloud (China)
  [`https://acme.lightning.force.com/lightning/r/Contact/${c18}/view?c__tab=activity`, sfContact],
  [`https://acme.develop.lightning.force.com/lightning/r/Contact/${c18}/view`, sfContact],
  [`https://acme.scratch.lightning.force.com/lightning/r/Contact/${c18}/view`, sfContact],
  // Salesforce Classic
  [`https://na1.salesforce.com/${contact15}`, sfContact],
  [`https://na123.salesforce.com/${contact15}?srPos=0&srKp=003`, sfContact],
  [`https://cs42.salesforce.com/${lead15}`, sfLead],
  [`https://acme.my.salesforce.com/${c18}`, sfContact],
  [`https://acme.my.salesforce.com/${lead15}/e?retURL=%2F${lead15}`, sfLead],
  [`https://acme--uat.sandbox.my.salesforce.com/${contact15}`, sfContact],
  // A bare id on a Lightning host (links in emails and reports; Lightning redirects them to the record)
  [`https://acme.lightning.force.com/${contact15}`, sfContact],
  [`https://acme.lightning.force.com/${lead15}`, sfLead],
  // HubSpot
  ['https://app.hubspot.com/contacts/1234567/record/0-1/51', hsContact('51')],
  ['https://app.hubspot.com/contacts/1234567/record/0-1/51/', hsContact('51')],
  ['https://app-eu1.hubspot.com/contacts/25000000/record/0-1/9876543210', hsContact('9876543210')],
  ['https://app-na2.hubspot.com/contacts/1234567/record/0-1/51?interaction=note', hsContact('51')],
  ['https://app.hubspot.com/contacts/1234567/record/0-1/51/view/2', hsContact('51')],
  ['https://app.hubspot.com/contacts/1234567/record/0-136/777', hsLead('777')],
  ['https://app-eu1.hubspot.com/contacts/1234567/record/0-136/777/activity', hsLead('777')],
  ['https://app.hubspot.com/contacts/1234567/contact/51', hsContact('51')],
  ['https://app.hubspot.com/contacts/1234567/contact/51/?engagement=42', hsContact('51')],
  ['https://app.hubspot.com/contacts/1234567/lead/777', hsLead('777')],
  ['https://app-ap1.hubspot.com/contacts/1234567/record/0-1/51', hsContact('51')],
  ['https://app.hubspot.com/contacts/1234567/record/0-1/51#activity', hsContact('51')],
];

const NEGATIVE: string[] = [
  // Other Salesforce objects
  'https://acme.lightning.force.com/lightning/r/Account/0015g00000AAAAAAA2/view',
  'https://acme.lightning.force.com/lightning/r/0015g00000ABCde/view',
  'https://acme.lightning.force.com/lightning/r/Opportunity/0065g00000ABCdeAAH/view',
  'https://acme.lightning.force.com/lightning/r/0065g00000ABCde/view',
  'https://na1.salesforce.com/001M000000qfPyS',
  'https://na1.salesforce.com/006M000000qfPyS',
  `https://acme.lightning.force.com/lightning/r/Account/${c18}/view`, // name disagrees with key prefix
  // Lists and homes
  'https://acme.lightning.force.com/lightning/o/Contact/list?filterName=Recent',
  'https://acme.lightning.force.com/lightning/page/home',
  'https://na1.salesforce.com/003?fcf=00B5g00000AbCdE',
  // HubSpot: companies, deals, index pages
  'https://app.hubspot.com/contacts/1234567/record/0-2/99',
  'https://app.hubspot.com/contacts/1234567/record/0-3/99',
  'https://app.hubspot.com/contacts/1234567/objects/0-1/views/all/list',
  'https://app.hubspot.com/contacts/1234567/company/99',
  // Other hosts, schemes, garbage
  `https://evil.example.com/lightning/r/Contact/${c18}/view`,
  `https://lightning.force.com.evil.example/lightning/r/Contact/${c18}/view`,
  `http://acme.lightning.force.com/lightning/r/Contact/${c18}/view`,
  'https://www.hubspot.com/contacts/1234567/record/0-1/51',
  'https://app.hubspot.com.evil.example/contacts/1234567/record/0-1/51',
  'not a url',
  '',
  'chrome://extensions',
  `https://acme.lightning.force.com/lightning/r/Contact/${c18.slice(0, 17)}/view`,
  `https://acme.lightning.force.com/lightning/r/Contact/${c18.slice(0, 15)}XYZ/view`,
];

describe('detectCrmRecord corpus', () => {
  it('every link form the "Add to Gong flow" menu is offered on has a prospect URL here that it reads', () => {
    // A menu pattern without one would offer the menu on links that open nothing.
    for (const pattern of CRM_LINK_PATTERNS) {
      const re = matchPattern(pattern);
      expect(POSITIVE.filter(([url]) => re.test(url)).map(([url]) => url), pattern).not.toEqual([]);
    }
  });
  it.each(POSITIVE)('%s', (url, expected) => {
    expect(detectCrmRecord(url)).toEqual(expected);
  });
  it.each(NEGATIVE.map((u) => [u]))('not a prospect: %s', (url) => {
    expect(detectCrmRecord(url)).toBeNull();
  });
});

describe('crmOfUrl and recordKey', () => {
  it('knows CRM pages that are not prospects', () => {
    expect(crmOfUrl('https://acme.lightning.force.com/lightning/o/Contact/list')).toBe('salesforce');
    expect(crmOfUrl('https://app-eu1.hubspot.com/contacts/1/objects/0-1/views/all/list')).toBe('hubspot');
    expect(crmOfUrl('https://example.com/')).toBeNull();
    expect(crmOfUrl('http://app.hubspot.com/')).toBeNull();
  });
  it('makes one stable key per record', () => {
    const a = detectCrmRecord(`https://acme.lightning.force.com/lightning/r/Contact/${contact15}/view`)!;
    const b = detectCrmRecord(`https://na1.salesforce.com/${c18}`)!;
    expect(recordKey(a)).toBe(recordKey(b));
    expect(recordKey(a)).toBe(`salesforce:contact:${c18}`);
  });
});


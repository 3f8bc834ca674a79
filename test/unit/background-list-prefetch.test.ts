/**
 * List-view prefetch (background/list-prefetch.ts): which pages count as lists, the debounce, one lookup per
 * list page state with ≤ 200 ids, silent failures, and the merge into the side panel's cache (fakeBrowser storage).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing';

vi.stubGlobal('chrome', fakeBrowser);
vi.stubGlobal('browser', fakeBrowser);

import type { PrefetchDeps } from '../../background/list-prefetch';
import type { LinkedRecord } from '../../background/list-view';
import type { ProspectFlow } from '../../lib/api';
import { recordKey, toSalesforceId18, type CrmRecord } from '../../lib/crm-record';

// After the globals are stubbed: wxt/browser reads them when first imported.
const { createListPrefetcher, isListPage, storeInPanelCache, PREFETCH_DEBOUNCE_MS } = await import('../../background/list-prefetch');
const { prospectStorageKey } = await import('../../lib/storage-keys');

const SF_LIST = 'https://acme.lightning.force.com/lightning/o/Contact/list?filterName=AllContacts';
const HS_LIST = 'https://app.hubspot.com/contacts/4412345/objects/0-1/views/all/list';

const sfId = (i: number) => toSalesforceId18(`0038d0000${String(i).padStart(6, '0')}`)!;
const contacts = (from: number, n: number): LinkedRecord[] =>
  Array.from({ length: n }, (_, k) => ({ record: { crm: 'salesforce', objectType: 'contact', id: sfId(from + k) } as CrmRecord, name: `P${from + k}` }));
const flow = (crmProspectId: string): ProspectFlow => ({
  flowId: 'f1',
  flowName: 'Outbound',
  crmProspectId,
  flowInstanceId: 'i1',
  status: 'ACTIVE',
  ownerEmail: null,
  ownerName: null,
  assignedAt: null,
});

describe('isListPage', () => {
  it.each([
    SF_LIST,
    'https://acme.lightning.force.com/lightning/o/Lead/list?filterName=Recent',
    'https://acme.lightning.force.com/lightning/o/Contact/home',
    'https://acme.my.salesforce.com/003?fcf=00B000000000001',
    HS_LIST,
    'https://app-eu1.hubspot.com/contacts/4412345/objects/0-136/views/all/list',
    'https://app.hubspot.com/contacts/4412345/contacts/list/view/all/',
  ])('%s is a list page', (url) => expect(isListPage(url)).toBe(true));
  it.each([
    'https://acme.lightning.force.com/lightning/r/Contact/0038d0000lA6fpiAAB/view',
    'https://acme.lightning.force.com/lightning/o/Account/list',
    'https://acme.lightning.force.com/lightning/page/home',
    'https://app.hubspot.com/contacts/4412345/record/0-1/51235776',
    'https://app.hubspot.com/contacts/4412345/objects/0-2/views/all/list',
    'https://example.com/lightning/o/Contact/list',
  ])('%s is not', (url) => expect(isListPage(url)).toBe(false));
});

describe('createListPrefetcher', () => {
  let page: LinkedRecord[];
  let deps: PrefetchDeps & { collect: ReturnType<typeof vi.fn>; lookup: ReturnType<typeof vi.fn>; store: ReturnType<typeof vi.fn> };
  beforeEach(() => {
    vi.useFakeTimers();
    page = contacts(0, 450);
    deps = {
      collect: vi.fn(async () => page),
      lookup: vi.fn(async (ids: string[]) => ({ prospects: ids.slice(0, 3).map((id) => ({ crmProspectId: id, flows: [flow(id)] })) })),
      store: vi.fn(async () => undefined),
    };
  });
  afterEach(() => vi.useRealTimers());

  const settle = async (p: ReturnType<typeof createListPrefetcher>) => {
    await vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS + 10);
    await p.idle();
  };

  it('debounces the reports of a rendering list into one collection and one lookup of ≤ 200 ids, in page order', async () => {
    const p = createListPrefetcher(deps);
    for (let i = 0; i < 5; i++) {
      p.onPageReport(7, SF_LIST);
      await vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS / 2);
    }
    expect(deps.collect).not.toHaveBeenCalled();
    await settle(p);
    expect(deps.collect).toHaveBeenCalledTimes(1);
    expect(deps.lookup).toHaveBeenCalledTimes(1);
    const ids = deps.lookup.mock.calls[0][0] as string[];
    expect(ids).toHaveLength(200);
    expect(ids).toEqual(page.slice(0, 200).map((r) => r.record.id));
    // Only what the backend answered is written, under the records collected from the page.
    const [entries] = deps.store.mock.calls[0] as [{ record: CrmRecord; flows: ProspectFlow[] }[]];
    expect(entries.map((e) => e.record)).toEqual(page.slice(0, 3).map((r) => r.record));
    expect(entries[0].flows[0].crmProspectId).toBe(page[0].record.id);
  });

  it('the same list state never triggers a second lookup; new rows are looked up alone', async () => {
    const p = createListPrefetcher(deps);
    page = contacts(0, 50);
    p.onPageReport(7, SF_LIST);
    await settle(p);
    p.onPageReport(7, SF_LIST);
    await settle(p);
    expect(deps.collect).toHaveBeenCalledTimes(2);
    expect(deps.lookup).toHaveBeenCalledTimes(1);
    // The rep scrolls: 25 more rows. Only those are asked.
    page = contacts(0, 75);
    p.onPageReport(7, SF_LIST);
    await settle(p);
    expect(deps.lookup).toHaveBeenCalledTimes(2);
    expect(deps.lookup.mock.calls[1][0]).toEqual(contacts(50, 25).map((r) => r.record.id));
    // Another tab on a list of already looked-up records: nothing to ask.
    page = contacts(10, 20);
    p.onPageReport(8, HS_LIST);
    await settle(p);
    expect(deps.lookup).toHaveBeenCalledTimes(2);
  });

  it('does nothing on record pages, for a tab that left the list, or for an empty list', async () => {
    const p = createListPrefetcher(deps);
    p.onPageReport(7, 'https://acme.lightning.force.com/lightning/r/Contact/0038d0000lA6fpiAAB/view');
    await settle(p);
    p.onPageReport(7, SF_LIST);
    p.onPageReport(7, 'https://acme.lightning.force.com/lightning/r/Contact/0038d0000lA6fpiAAB/view');
    await settle(p);
    p.onPageReport(9, SF_LIST);
    p.forgetTab(9);
    await settle(p);
    expect(deps.collect).not.toHaveBeenCalled();
    page = [];
    p.onPageReport(7, SF_LIST);
    await settle(p);
    expect(deps.collect).toHaveBeenCalledTimes(1);
    expect(deps.lookup).not.toHaveBeenCalled();
  });

  it('is silent when the backend fails (route missing, offline) and does not hammer it', async () => {
    deps.lookup.mockRejectedValue(Object.assign(new Error('The backend answered 404.'), { status: 404 }));
    const p = createListPrefetcher(deps);
    page = contacts(0, 10);
    p.onPageReport(7, SF_LIST);
    await settle(p);
    page = contacts(0, 11); // a new state, but only one record not yet asked
    p.onPageReport(7, SF_LIST);
    await settle(p);
    expect(deps.lookup).toHaveBeenCalledTimes(2);
    expect(deps.lookup.mock.calls[1][0]).toEqual([page[10].record.id]);
    expect(deps.store).not.toHaveBeenCalled();
  });

  it('asks nothing when the extension is not set up (lookup answers null)', async () => {
    deps.lookup.mockResolvedValue(null);
    const p = createListPrefetcher(deps);
    p.onPageReport(7, SF_LIST);
    await settle(p);
    expect(deps.store).not.toHaveBeenCalled();
  });
});

describe('storeInPanelCache', () => {
  beforeEach(() => fakeBrowser.reset());
  it("merges flows into the panel's entry (keeping its calls) and never overwrites a newer panel read", async () => {
    const [a, b, c] = contacts(0, 3).map((r) => r.record);
    const calls = { data: [], at: 1_000 };
    await fakeBrowser.storage.local.set({
      [prospectStorageKey(recordKey(a)).slice('local:'.length)]: { calls },
      [prospectStorageKey(recordKey(b)).slice('local:'.length)]: { flows: { data: [flow(b.id), flow(b.id)], at: 5_000 } },
    });
    await storeInPanelCache(
      [
        { record: a, flows: [flow(a.id)] },
        { record: b, flows: [] },
        { record: c, flows: [] },
      ],
      4_500,
      4_000,
    );
    const all = await fakeBrowser.storage.local.get(null);
    expect(all[`cache:${recordKey(a)}`]).toEqual({ calls, flows: { data: [flow(a.id)], at: 4_500 } });
    expect((all[`cache:${recordKey(b)}`] as { flows: { at: number } }).flows.at).toBe(5_000);
    expect(all[`cache:${recordKey(c)}`]).toEqual({ flows: { data: [], at: 4_500 } });
  });
});

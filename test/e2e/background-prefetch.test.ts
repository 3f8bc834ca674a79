/**
 * List-view prefetch in Chromium with the built extension and the sandbox backend: visiting a 450-contact
 * Lightning list view makes ONE batch lookup (≤ 200 ids, one Gong call) and fills the side panel's cache, so
 * opening a record from the list renders its flows from that cache before the panel's own read answers.
 */
import { expect, test } from 'vitest';
import type { Route } from 'playwright-core';
import { ACTIVE_STATUSES } from '../../server/sandbox/gong/flows';
import { SEED } from '../../server/sandbox/gong/seed';
import type { GongSimulator } from '../../server/sandbox/gong/simulator';
import { sfContact, useHarness } from './fixtures';

const LIST_URL = 'https://acme.lightning.force.com/lightning/o/Contact/list?filterName=AllContacts';
const poll = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout, interval: 100 });

const h = useHarness();
const gong = () => h.backend.sandbox!.gong as GongSimulator;
const flowsListCalls = () => gong().stats().byTool.gong_engage_prospects_flows_list ?? 0;

test('a list view is prefetched in one lookup; a record opened from it shows its flows from the cache', async () => {
  // Count the lookups the service worker sends (its fetch, wrapped in place).
  await h.serviceWorker.evaluate(() => {
    const g = globalThis as unknown as { __lookups: number[]; __origFetch?: typeof fetch };
    g.__lookups = [];
    const orig = (g.__origFetch ??= fetch);
    globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url.includes('/prospects/flows/lookup')) g.__lookups.push((JSON.parse(String(init?.body)) as { crmProspectIds: string[] }).crmProspectIds.length);
      return orig(input, init);
    };
  });
  const lookups = () => h.serviceWorker.evaluate(() => (globalThis as unknown as { __lookups: number[] }).__lookups);
  const cacheKey = `cache:salesforce:contact:${SEED.sfContactWithFlows}`;
  const cached = () =>
    h.serviceWorker.evaluate(async (k) => ((await chrome.storage.local.get(k))[k] ?? null) as { flows?: { data: { flowName: string }[] } } | null, cacheKey);
  expect(await cached()).toBeNull();

  const gongBefore = flowsListCalls();
  const list = await h.openCrmPage(LIST_URL, 'salesforce-list.html');
  await poll(async () => (await cached())?.flows?.data.length ?? 0).toBeGreaterThan(0);
  // Debounce and list rendering are over: still one lookup, of the first 200 of the 450 rows, one Gong call.
  await new Promise((r) => setTimeout(r, 1_500));
  expect(await lookups()).toEqual([200]);
  expect(flowsListCalls() - gongBefore).toBe(1);
  // Gong answers a lookup by CRM id with open instances only (Pending/Running/Paused: docs/sandbox.md).
  const expected = gong()
    .state.instances.filter((i) => i.crmProspectId === SEED.sfContactWithFlows && ACTIVE_STATUSES.has(i.status))
    .map((i) => gong().state.raw.flows.find((f) => f.id === i.flowId)!.name);
  expect((await cached())!.flows!.data.map((f) => f.flowName).sort()).toEqual([...expected].sort());

  // Open the record with the panel's own flows read held back: what shows comes from the prefetched cache.
  const held: Route[] = [];
  const flowsRead = /\/api\/v1\/prospects\/[^/?]+\/flows(?:\?|$)/;
  await h.context.route(flowsRead, (route) => void held.push(route));
  try {
    const { crm: record, panel } = await h.openPanelFor(sfContact(SEED.sfContactWithFlows));
    const flowList = panel.getByRole('region', { name: 'Flows' }).getByRole('list', { name: 'Prospect flows' });
    for (const name of expected) await poll(() => flowList.getByRole('listitem', { name }).first().isVisible()).toBe(true);
    expect(held.length).toBeGreaterThan(0); // the panel did ask; its answer had not arrived
    await h.context.unroute(flowsRead);
    await Promise.all(held.map((r) => r.continue().catch(() => undefined)));
    await panel.close();
    await record.close();
  } finally {
    await h.context.unroute(flowsRead).catch(() => undefined);
  }
  // Leaving and re-reporting the same list state does not ask again.
  await list.reload();
  await new Promise((r) => setTimeout(r, 1_500));
  expect(await lookups()).toEqual([200]);
  await list.close();
});

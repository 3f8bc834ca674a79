/**
 * The side panel's first reads (entrypoints/sidepanel/prefetch.ts): started by a classic script before the
 * panel's modules load, in two rounds, and the panel's first render from them (wiring.ts, store showSaved).
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import type { ProspectFlow } from '../../lib/api';
import type { BackendClient } from '../../lib/backend-client';
import type { ProspectCache, TabRecordInfo } from '../../lib/storage';
import { memoryCache } from '../../entrypoints/sidepanel/cache';
import { prefetchPanel, takePanelPrefetch, type PanelPrefetch, type PrefetchApi } from '../../entrypoints/sidepanel/prefetch';
import { createPanelStore } from '../../entrypoints/sidepanel/store';

vi.stubGlobal('chrome', fakeBrowser);
vi.stubGlobal('browser', fakeBrowser);

import { A, B, page, pf, until } from './support/panel-fixtures';

const urlOf = (id: string) => page(id).url;
const key = (id: string) => `salesforce:contact:${id}`;
const info = (id: string, extra: Partial<TabRecordInfo> = {}): TabRecordInfo => ({
  tabId: 7,
  url: urlOf(id),
  record: { crm: 'salesforce', objectType: 'contact', id },
  crm: 'salesforce',
  name: 'Avery Thompson',
  email: 'avery@globex.com',
  updatedAt: 1,
  ...extra,
});

/** A fake of the chrome.* the reads use, recording each read and answering only when told to. */
function fakeApi(state: { local?: Record<string, unknown>; session?: Record<string, unknown>; managed?: Record<string, unknown> | 'refuses'; tab?: { id: number; url: string } | null }) {
  const reads: string[] = [];
  const pending: (() => void)[] = [];
  const answer = <T>(name: string, value: () => T): Promise<T> => {
    reads.push(name);
    return new Promise<T>((resolve, reject) =>
      pending.push(() => {
        try {
          resolve(value());
        } catch (e) {
          reject(e);
        }
      }),
    );
  };
  const area = (name: 'local' | 'session' | 'managed') => ({
    get: (k: string) =>
      answer(`${name}:${k}`, () => {
        const data = state[name];
        if (data === 'refuses') throw new Error('Managed storage manifest not found');
        return k in (data ?? {}) ? { [k]: (data as Record<string, unknown>)[k] } : {};
      }),
  });
  const api: PrefetchApi = {
    storage: { local: area('local'), session: area('session'), managed: area('managed') },
    tabs: {
      get: (id) =>
        answer(`tabs.get:${id}`, () => {
          if (!state.tab || state.tab.id !== id) throw new Error(`No tab with id: ${id}.`);
          return state.tab;
        }),
      query: () => answer('tabs.query', () => (state.tab ? [state.tab] : [])),
    },
  };
  /** Answers every read asked so far. */
  const release = () => pending.splice(0).forEach((f) => f());
  return { api, reads, release };
}

/** Runs the reads, answering each round as it comes. */
async function run(fake: ReturnType<typeof fakeApi>, search: string): Promise<PanelPrefetch> {
  const result = prefetchPanel(fake.api, search);
  let done = false;
  void result.finally(() => (done = true));
  for (let i = 0; i < 20 && !done; i++) {
    fake.release();
    await new Promise((r) => setTimeout(r, 0));
  }
  return result;
}

const saved = (flows: ProspectFlow[], at = Date.now()): ProspectCache => ({ flows: { data: flows, at } });

describe('prefetchPanel: what the panel needs for its first render, in two rounds', () => {
  test('a pinned tab: settings, managed URL, tab records, outbox and the tab in one round, then the record’s saved reads', async () => {
    const settings = { backendUrl: 'https://gong.acme.internal', apiToken: 't', repEmail: '', workspaceId: '' };
    const fake = fakeApi({
      local: { settings, outbox: [], [`cache:${key(A)}`]: saved([pf('1', A)]) },
      session: { tabRecords: { 7: info(A) } },
      managed: {},
      tab: { id: 7, url: urlOf(A) },
    });
    const result = prefetchPanel(fake.api, '?tabId=7');
    // Everything the URL alone decides is asked at once, before any answer.
    expect(fake.reads.sort()).toEqual(['local:outbox', 'local:settings', 'managed:backendUrl', 'session:tabRecords', 'tabs.get:7']);
    fake.release();
    await until(() => fake.reads.length === 6);
    expect(fake.reads[5]).toBe(`local:cache:${key(A)}`);
    fake.release();
    const first = await result;
    expect(first.settings).toEqual(settings);
    expect(first.managedBackendUrl).toBeUndefined();
    expect(first.outbox).toEqual([]);
    expect(first.page).toMatchObject({ tabId: 7, url: urlOf(A), record: { id: A }, name: 'Avery Thompson', email: 'avery@globex.com' });
    expect(first.prospect).toEqual({ key: key(A), value: saved([pf('1', A)], (first.prospect!.value!.flows!.at)) });
  });

  test('the background’s report is about an older URL: the record comes from the tab’s URL, without the other person’s name', async () => {
    const fake = fakeApi({ local: {}, session: { tabRecords: { 7: info(A) } }, managed: {}, tab: { id: 7, url: urlOf(B) } });
    const first = await run(fake, '?tabId=7');
    expect(first.page).toMatchObject({ tabId: 7, url: urlOf(B), record: { id: B } });
    expect(first.page?.name).toBeUndefined();
    expect(first.prospect).toEqual({ key: key(B), value: undefined });
    expect(first.settings).toBeUndefined();
  });

  test('a managed area that refuses (no policy) is no managed URL; the other reads still count', async () => {
    const fake = fakeApi({ local: {}, session: { tabRecords: { 7: info(A) } }, managed: 'refuses', tab: { id: 7, url: urlOf(A) } });
    const first = await run(fake, '?tabId=7');
    expect(first.managedBackendUrl).toBeUndefined();
    expect(first.page?.record?.id).toBe(A);
  });

  test('not pinned: the active tab of the panel’s window', async () => {
    const fake = fakeApi({ local: {}, session: {}, managed: { backendUrl: 'https://managed.example' }, tab: { id: 9, url: urlOf(B) } });
    const first = await run(fake, '');
    expect(fake.reads).toContain('tabs.query');
    expect(first.managedBackendUrl).toBe('https://managed.example');
    expect(first.page).toMatchObject({ tabId: 9, record: { id: B } });
  });

  test('no tab and no report: no page and no second round', async () => {
    const fake = fakeApi({ local: {}, session: {}, managed: {}, tab: null });
    const first = await run(fake, '?tabId=7');
    expect(first.page).toBeNull();
    expect(first.prospect).toBeNull();
    expect(fake.reads).toHaveLength(5);
  });

  test('a CRM page that is not a prospect: its page, no saved reads to look for', async () => {
    const account = 'https://acme.lightning.force.com/lightning/r/Account/0018d00000AbCdEAAZ/view';
    const fake = fakeApi({ local: {}, session: {}, managed: {}, tab: { id: 7, url: account } });
    const first = await run(fake, '?tabId=7');
    expect(first.page).toMatchObject({ record: null, crm: 'salesforce' });
    expect(first.prospect).toBeNull();
  });
});

describe('store showSaved: the first render shows saved reads, the next load revalidates them', () => {
  function setup() {
    const cache = memoryCache();
    const getProspect = vi.spyOn(cache, 'getProspect');
    const fns = {
      connection: vi.fn(async () => ({ status: 'ACTIVE', identifier: 'rep@example.com', connectionName: 'gong' })),
      prospectFlows: vi.fn(async (id: string) => ({ crmProspectId: id, flows: [pf('1', id), pf('2', id)] })),
      prospectCalls: vi.fn(async (id: string) => ({ crmProspectId: id, calls: [] })),
      flows: vi.fn(async () => ({ flows: [] })),
      me: vi.fn(async () => ({ email: 'rep@example.com', role: 'rep' })),
    };
    const store = createPanelStore({ getClient: () => fns as unknown as BackendClient, cache, enqueue: vi.fn() });
    store.getState().setSettings({ configured: true, backendUrl: 'http://b', repEmail: '' });
    return { store, fns, getProspect };
  }

  test('saved flows are on screen before any read; opening their record asks the backend, not the cache', async () => {
    const t = setup();
    t.store.getState().showSaved(key(A), saved([pf('1', A)]));
    expect(t.store.getState().flows).toMatchObject({ status: 'ready', key: key(A), refreshing: true, data: [{ flowId: '1' }] });
    const statuses: string[] = [];
    t.store.subscribe((s) => statuses.push(s.flows.status));
    t.store.getState().setPage(page(A));
    await until(() => t.store.getState().flows.refreshing === false);
    expect(t.fns.prospectFlows).toHaveBeenCalledTimes(1);
    expect(t.store.getState().flows.data?.map((f) => f.flowId)).toEqual(['1', '2']);
    // The saved list stayed on screen throughout: no "loading" in between.
    expect(new Set(statuses)).toEqual(new Set(['ready']));
  });

  test('saved reads past the cache’s TTL are not shown', async () => {
    const t = setup();
    t.store.getState().showSaved(key(A), saved([pf('1', A)], Date.now() - 8 * 24 * 3_600_000));
    expect(t.store.getState().flows.status).toBe('idle');
  });
});

describe('wiring: the panel’s first render comes from the reads started before it loaded', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    vi.stubGlobal('chrome', fakeBrowser);
    vi.stubGlobal('browser', fakeBrowser);
  });

  test('saved flows show at once; the backend is asked only after the first frame', async () => {
    vi.stubGlobal('location', { search: '?tabId=7' });
    fakeBrowser.reset();
    const first: PanelPrefetch = {
      settings: { backendUrl: 'http://127.0.0.1:8787', apiToken: 'tok', repEmail: '', workspaceId: '' },
      managedBackendUrl: undefined,
      page: page(A, { tabId: 7, name: 'Avery Thompson', email: 'avery@globex.com' }),
      outbox: [],
      prospect: { key: key(A), value: saved([pf('1', A)]) },
    };
    // Storage says the same, but holds no saved reads for A: flows on screen can only come from the prefetch.
    await fakeBrowser.storage.session.set({ tabRecords: { 7: info(A) } });
    await fakeBrowser.storage.local.set({ settings: first.settings });
    const fetches: string[] = [];
    vi.stubGlobal('fetch', vi.fn((url: string) => (fetches.push(String(url)), new Promise(() => undefined))));
    globalThis.__gongPanelPrefetch = Promise.resolve(first);
    const { createWiredStore } = await import('../../entrypoints/sidepanel/wiring');
    const { store, start } = createWiredStore();
    const stop = start();
    expect(takePanelPrefetch()).toBeNull(); // the panel took it
    await until(() => store.getState().flows.status === 'ready');
    expect(store.getState()).toMatchObject({ configured: true, page: { record: { id: A }, name: 'Avery Thompson' } });
    expect(store.getState().flows.data?.map((f) => f.flowId)).toEqual(['1']);
    // No requestAnimationFrame in Node: the 50 ms cap lets the revalidation go.
    expect(fetches).toEqual([]);
    await until(() => fetches.some((u) => u.includes(`/prospects/${A}/flows`)));
    stop();
  });

  test('the usual settings read after the first render keeps the client: an answer in flight (the rep’s role) still lands', async () => {
    vi.stubGlobal('location', { search: '?tabId=7' });
    fakeBrowser.reset();
    const settings = { backendUrl: 'http://127.0.0.1:8787', apiToken: 'tok', repEmail: '', workspaceId: '' };
    await fakeBrowser.storage.session.set({ tabRecords: { 7: info(A) } });
    await fakeBrowser.storage.local.set({ settings });
    let answerMe: () => void = () => undefined;
    const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    vi.stubGlobal(
      'fetch',
      vi.fn((url: string) =>
        String(url).endsWith('/me')
          ? new Promise<Response>((resolve) => {
              answerMe = () => resolve(json({ email: 'lee@acme.com', role: 'manager', signedInWith: 'token', expiresAt: null }));
            })
          : new Promise(() => undefined),
      ),
    );
    globalThis.__gongPanelPrefetch = Promise.resolve<PanelPrefetch>({ settings, managedBackendUrl: undefined, page: page(A, { tabId: 7, name: 'Avery Thompson', email: 'avery@globex.com' }), outbox: [], prospect: null });
    const { createWiredStore } = await import('../../entrypoints/sidepanel/wiring');
    const { store, start } = createWiredStore();
    const stop = start();
    await until(() => (fetch as unknown as ReturnType<typeof vi.fn>).mock.calls.some(([u]) => String(u).endsWith('/me')));
    // The usual reads ran meanwhile (same settings); then the backend answers.
    await new Promise((r) => setTimeout(r, 30));
    answerMe();
    await until(() => store.getState().me?.role === 'manager');
    stop();
  });
});

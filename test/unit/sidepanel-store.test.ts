/** The panel store with a fake backend client, an in-memory cache and a fake outbox. */
import { describe, expect, test, vi } from 'vitest';
import type { CallSummary, Connection, Me, ProspectFlow } from '../../lib/api';
import { BackendError } from '../../lib/backend-error';
import { type BackendClient } from '../../lib/backend-client';
import type { OutboxEntry, OutboxWrite } from '../../lib/outbox';
import { memoryCache } from '../../entrypoints/sidepanel/cache';
import { createPanelStore, describeWrite, errorMessage, landedNotice, mayChooseOwner, mergeAssigned, pendingEntries, subjectOf } from '../../entrypoints/sidepanel/store';
import { explainFailure } from '../../components/format';

import { A, B, flush, page, pf, until } from './support/panel-fixtures';

function fakeClient(over: Record<string, unknown> = {}) {
  const flows: Record<string, ProspectFlow[]> = { [A]: [pf('1', A)], [B]: [] };
  const client = {
    connection: vi.fn(async (): Promise<Connection> => ({ status: 'ACTIVE', identifier: 'rep@example.com', connectionName: 'gong' })),
    prospectFlows: vi.fn(async (id: string) => ({ crmProspectId: id, flows: flows[id] ?? [] })),
    prospectCalls: vi.fn(async (id: string) => ({ crmProspectId: id, calls: [] as CallSummary[] })),
    flows: vi.fn(async () => ({ flows: [] })),
    connectionLink: vi.fn(async () => ({ link: 'https://sandbox/magic', expiresAt: null })),
    job: vi.fn(),
    me: vi.fn(async (): Promise<Me> => ({ email: 'rep@example.com', role: 'rep', signedInWith: 'token', expiresAt: null })),
  };
  Object.assign(client, over);
  return { client: client as unknown as BackendClient, fns: client, flows };
}

let nextId = '';
function entry(write: OutboxWrite, status: OutboxEntry['status'], result: OutboxEntry['result'] = null, lastError: OutboxEntry['lastError'] = null): OutboxEntry {
  return { id: nextId, write, status, attempts: 1, createdAt: 0, nextAttemptAt: 0, lastError, result };
}

function setup(over: Parameters<typeof fakeClient>[0] = {}, enqueue?: (w: OutboxWrite) => Promise<OutboxEntry>) {
  const f = fakeClient(over);
  const cache = memoryCache();
  const send = enqueue ?? (async (w: OutboxWrite) => entry(w, 'done', { accepted: true }));
  // The fake outbox keeps the idempotency key the store made at click time, and writes the entry to "storage":
  // the store hears of it through setOutbox, as from the real outbox's watcher.
  const enqueueFn = async (w: OutboxWrite, id: string) => {
    nextId = id;
    const e = await send(w);
    store.getState().setOutbox([...store.getState().outbox.filter((x) => x.id !== e.id), e]);
    return e;
  };
  const store = createPanelStore({ getClient: () => f.client, cache, enqueue: enqueueFn, pollMs: 1 });
  store.getState().setSettings({ configured: true, backendUrl: 'http://b', repEmail: '' });
  return { ...f, cache, store };
}

describe('loading a record', () => {
  test('loads flows and calls for the page record; ignores answers for a record no longer shown', async () => {
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const { store, fns } = setup({
      prospectFlows: vi.fn(async (id: string) => {
        if (id === A) await slow;
        return { crmProspectId: id, flows: id === A ? [pf('1', A)] : [] };
      }),
    });
    store.getState().setPage(page(A));
    expect(store.getState().flows.status).toBe('loading');
    store.getState().setPage(page(B));
    await until(() => store.getState().flows.status === 'ready');
    release();
    await flush();
    expect(store.getState().flows.key).toBe(`salesforce:contact:${B}`);
    expect(store.getState().flows.data).toEqual([]);
    expect(fns.prospectCalls).toHaveBeenCalledWith(B, {});
  });

  test('stale-while-revalidate: a record seen before renders from cache, then refreshes', async () => {
    const { store, fns, flows, cache } = setup();
    store.getState().setPage(page(A));
    await until(() => store.getState().flows.status === 'ready' && !store.getState().flows.refreshing);
    store.getState().setPage(page(B));
    await until(() => store.getState().flows.key?.endsWith(B) === true && store.getState().flows.status === 'ready');

    let release!: () => void;
    fns.prospectFlows.mockImplementationOnce(async (id: string) => {
      await new Promise<void>((r) => (release = r));
      return { crmProspectId: id, flows: [pf('1', A), pf('2', A)] };
    });
    flows[A] = [pf('1', A), pf('2', A)];
    store.getState().setPage(page(A));
    expect((await cache.getProspect(`salesforce:contact:${A}`))?.flows?.data).toHaveLength(1);
    await until(() => store.getState().flows.status === 'ready');
    // From cache: old data, marked as refreshing.
    expect(store.getState().flows.data).toHaveLength(1);
    expect(store.getState().flows.refreshing).toBe(true);
    release();
    await until(() => !store.getState().flows.refreshing);
    expect(store.getState().flows.data).toHaveLength(2);
  });

  test('an error keeps cached data and shows the error next to it; without data it is an error state', async () => {
    const { store, fns } = setup();
    store.getState().setPage(page(A));
    await until(() => store.getState().flows.status === 'ready');
    fns.prospectFlows.mockRejectedValueOnce(new BackendError('unreachable', 'NETWORK', 'down'));
    await store.getState().loadFlows();
    expect(store.getState().flows.status).toBe('ready');
    expect(store.getState().flows.data).toHaveLength(1);
    expect(store.getState().flows.error).toMatch(/Can't reach the Gong backend/);

    // Persistent: the calls read succeeding tells the store the backend is back, which refreshes flows again.
    fns.prospectFlows.mockRejectedValue(new BackendError('unavailable', 'GONG_UNAVAILABLE', 'Gong is down'));
    store.getState().setPage(page(B));
    await until(() => store.getState().flows.status === 'error');
    expect(store.getState().flows.error).toBe('Gong is down');
    // Calls are independent of the flows failure.
    await until(() => store.getState().calls.status === 'ready');
  });

  test('GONG_NOT_CONNECTED re-checks the connection', async () => {
    const { store, fns } = setup();
    fns.prospectFlows.mockRejectedValue(new BackendError('refused', 'GONG_NOT_CONNECTED', 'expired', 409));
    fns.connection.mockResolvedValue({ status: 'EXPIRED', identifier: 'rep@example.com', connectionName: 'gong' });
    store.getState().setPage(page(A));
    await until(() => store.getState().connection.data?.status === 'EXPIRED');
  });

  test('a page that is not a prospect has no subject; a context-menu link record overrides the page', async () => {
    const { store } = setup();
    store.getState().setPage({ tabId: 1, url: 'https://acme.lightning.force.com/lightning/r/Account/001/view', record: null, crm: 'salesforce' });
    expect(subjectOf(store.getState())).toBeNull();
    store.getState().applyIntent({ view: 'assign', record: { crm: 'salesforce', objectType: 'contact', id: B }, createdAt: Date.now() });
    expect(subjectOf(store.getState())?.id).toBe(B);
    expect(store.getState().pickerOpen).toBe(true);
    await until(() => store.getState().flows.status === 'ready');
    expect(store.getState().flows.key).toBe(`salesforce:contact:${B}`);
  });
});

describe('writes through the outbox', () => {
  test('assign: done merges the assigned flow from the answer (no reload) and closes the picker', async () => {
    const sent: OutboxWrite[] = [];
    // The backend's list does not show the new flow yet: only merging the assign's answer can show it.
    const { store, fns } = setup({}, async (w) => {
      sent.push(w);
      return entry(w, 'done', { assigned: [pf('9', B)], notAssigned: [] });
    });
    store.getState().setPage(page(B));
    await until(() => store.getState().flows.status === 'ready' && !store.getState().flows.refreshing);
    store.getState().openPicker(true);
    const gets = fns.prospectFlows.mock.calls.length;
    await store.getState().assignFlow({ id: '9', name: 'Flow 9' }, { ownerEmail: 'rep@example.com' });
    await flush();
    expect(sent[0]).toEqual({ kind: 'assign', flowId: '9', flowName: 'Flow 9', crmProspectIds: [B], flowInstanceOwnerEmail: 'rep@example.com' });
    expect(store.getState().assign.status).toBe('done');
    expect(store.getState().pickerOpen).toBe(false);
    expect(store.getState().flows.data?.map((f) => f.flowId)).toEqual(['9']);
    expect(fns.prospectFlows.mock.calls.length - gets).toBeLessThanOrEqual(1);
    expect(store.getState().notices.map((n) => n.text)).toEqual(['Added to “Flow 9”.']);
  });

  test('assign: cool-off refusal is explained; "assign anyway" re-sends with the override', async () => {
    const sent: OutboxWrite[] = [];
    const { store } = setup({}, async (w) => {
      sent.push(w);
      if (w.kind === 'assign' && !w.coolOffOverride)
        return entry(w, 'done', { assigned: [], notAssigned: [{ crmProspectId: B, code: 'InvalidState', message: 'Prospect in cool off period', coolOff: true }] });
      return entry(w, 'done', { assigned: [pf('9', B)], notAssigned: [] });
    });
    store.getState().setPage(page(B));
    await store.getState().assignFlow({ id: '9', name: 'Flow 9' });
    const a = store.getState().assign;
    expect(a.status).toBe('refused');
    expect(a.status === 'refused' && a.coolOff).toBe(true);
    expect(a.status === 'refused' && a.message).toMatch(/cool-off period/);
    await store.getState().assignFlow({ id: '9', name: 'Flow 9' }, { coolOffOverride: true });
    expect(sent[1]).toMatchObject({ coolOffOverride: true });
    expect(store.getState().assign.status).toBe('done');
  });

  test('assign while the backend is down is queued, then applied when the outbox entry lands', async () => {
    let queued!: OutboxEntry;
    const { store } = setup({}, async (w) => (queued = entry(w, 'pending')));
    store.getState().setPage(page(B));
    await until(() => store.getState().flows.status === 'ready');
    await store.getState().assignFlow({ id: '9', name: 'Flow 9' });
    expect(store.getState().assign.status).toBe('queued');
    store.getState().setOutbox([queued]);
    expect(pendingEntries(store.getState().outbox)).toHaveLength(1);
    store.getState().setOutbox([{ ...queued, status: 'done', result: { assigned: [pf('9', B)], notAssigned: [] } }]);
    expect(store.getState().assign.status).toBe('done');
    expect(pendingEntries(store.getState().outbox)).toHaveLength(0);
    expect(store.getState().flows.data?.map((f) => f.flowId)).toContain('9');
  });

  test("a write landing that another surface queued gets a notice; the panel's own writes do not", async () => {
    const { store } = setup({}, async (w) => entry(w, 'pending'));
    store.getState().setPage(page(B));
    store.getState().openPicker(true);
    await store.getState().assignFlow({ id: '9', name: 'Flow 9' });
    // entry() reuses the idempotency key the store just made.
    const own = entry({ kind: 'assign', flowId: '9', flowName: 'Flow 9', crmProspectIds: [B] }, 'pending');
    const foreign: OutboxEntry = { ...entry({ kind: 'completeTask', taskId: 't1', title: 'Call Avery' }, 'pending'), id: 'popup-1' };
    store.getState().setOutbox([own, foreign]);
    const refused = { assigned: [], notAssigned: [{ crmProspectId: B, code: 'InvalidState', message: 'cool off', coolOff: true }] };
    store.getState().setOutbox([{ ...own, status: 'done', result: refused }, { ...foreign, status: 'done', result: null }]);
    // Own write: its UI (the open picker) shows the refusal, not a toast.
    expect(store.getState().assign.status).toBe('refused');
    expect(store.getState().notices.map((n) => n.text)).toEqual(['Complete task “Call Avery”: saved in Gong.']);
    expect(landedNotice({ ...own, status: 'done', result: refused }).text).toMatch(/cool-off/);
  });

  test('a write that failed while no panel was open is told when one opens, once, and the outbox hears it was told', async () => {
    const markTold = vi.fn(async (_ids: string[]) => undefined);
    const panel = createPanelStore({ getClient: () => null, cache: memoryCache(), enqueue: async () => { throw new Error('not here'); }, markTold });
    const failed: OutboxEntry = {
      id: 'queued-last-week',
      write: { kind: 'assign', flowId: '9', flowName: 'Q4 outbound', crmProspectIds: [B] },
      status: 'failed',
      attempts: 40,
      createdAt: 0,
      nextAttemptAt: 0,
      lastError: { code: 'NOT_SENT_IN_TIME', message: 'Not sent: the backend could not be reached for 29 days. Make this change again if you still want it.' },
      result: null,
      settledAt: 1,
    };
    const shownBefore: OutboxEntry = { ...failed, id: 'told-yesterday', told: true };
    const savedEarlier: OutboxEntry = { ...failed, id: 'saved', status: 'done', lastError: null, result: { assigned: [pf('9', B)], notAssigned: [] } };
    panel.getState().setOutbox([failed, shownBefore, savedEarlier]);
    expect(panel.getState().notices.map((n) => [n.tone, n.text])).toEqual([['error', `Add to “Q4 outbound” failed. ${failed.lastError!.message}`]]);
    expect(markTold).toHaveBeenCalledWith(['queued-last-week']);
    // The outbox marks it; the panel says nothing more of it.
    panel.getState().setOutbox([{ ...failed, told: true }, shownBefore, savedEarlier]);
    expect(panel.getState().notices).toHaveLength(1);
    expect(markTold).toHaveBeenCalledTimes(1);
  });

  test("a panel's own write refused later is shown where it was made, and the outbox hears it was told", async () => {
    const markTold = vi.fn(async (_ids: string[]) => undefined);
    let queued!: OutboxEntry;
    const f = fakeClient();
    const panel = createPanelStore({
      getClient: () => f.client,
      cache: memoryCache(),
      enqueue: async (w, id) => (queued = { ...entry(w, 'pending'), id }),
      markTold,
    });
    panel.getState().setSettings({ configured: true, backendUrl: 'http://b', repEmail: '' });
    panel.getState().setPage(page(B, { name: 'Avery Thompson' }));
    await until(() => panel.getState().flows.status === 'ready');
    await panel.getState().assignFlow({ id: 'x', name: 'Gone' });
    expect(queued.write).toMatchObject({ kind: 'assign', crmProspectIds: [B], prospectName: 'Avery Thompson' });
    panel.getState().setOutbox([queued]);
    panel.getState().setOutbox([{ ...queued, status: 'failed', lastError: { code: 'GONG_NOT_FOUND', message: 'Flow not found' } }]);
    expect(panel.getState().assign).toMatchObject({ status: 'error', message: 'Flow not found' });
    expect(markTold).toHaveBeenCalledWith([queued.id]);
  });

  test('a refusal (4xx) from the outbox is shown', async () => {
    const { store } = setup({}, async (w) => entry(w, 'failed', null, { code: 'GONG_NOT_FOUND', message: 'Flow not found' }));
    store.getState().setPage(page(B));
    await store.getState().assignFlow({ id: 'x', name: 'Gone' });
    expect(store.getState().assign).toMatchObject({ status: 'error', message: 'Flow not found' });
  });

  test('Gong refusing the rep access (403 GONG_FORBIDDEN) is one plain sentence naming who can fix it', async () => {
    const forbidden = { code: 'GONG_FORBIDDEN', message: 'Gong does not allow this for your connection: Access denied' };
    const { store } = setup({}, async (w) => entry(w, 'failed', null, forbidden));
    store.getState().setPage(page(B));
    await store.getState().assignFlow({ id: 'x', name: 'Q3' });
    expect(store.getState().assign).toMatchObject({ status: 'error', message: "Gong refused: your Gong user isn't allowed to do this. Ask your Gong admin for access." });
    expect(landedNotice({ ...entry({ kind: 'unassign', flowId: 'x', flowName: 'Q3', crmProspectIds: [B] }, 'failed', null, forbidden) }).text).toBe(
      "Remove from “Q3” failed. Gong refused: your Gong user isn't allowed to do this. Ask your Gong admin for access.",
    );
  });

  test('an add refused as not connected (409) says so in a notice, as the picker gives way to the connection banner', async () => {
    const { store, fns } = setup({}, async (w) => entry(w, 'failed', null, { code: 'GONG_NOT_CONNECTED', message: 'Your Gong connection has expired; connect Gong again', connectionStatus: 'EXPIRED' }));
    store.getState().setPage(page(B));
    store.getState().openPicker(true);
    const checks = fns.connection.mock.calls.length;
    await store.getState().assignFlow({ id: 'x', name: 'Q3' });
    expect(store.getState().assign).toMatchObject({ status: 'error', message: 'Your Gong connection expired. Reconnect Gong to go on.' });
    expect(store.getState().notices.map((n) => n.text)).toEqual(['Add to “Q3” failed. Your Gong connection expired. Reconnect Gong to go on.']);
    expect(fns.connection.mock.calls.length).toBeGreaterThan(checks);
  });

  test('the background not answering is an error the rep can read', async () => {
    const { store } = setup({}, async () => {
      throw new Error('Could not establish connection. Receiving end does not exist.');
    });
    store.getState().setPage(page(B));
    await store.getState().reportInteraction({ eventName: 'x', eventTimestamp: new Date().toISOString() });
    expect(store.getState().interaction).toMatchObject({ status: 'error', message: expect.stringMatching(/background/) });
  });

  test('unassign removes the flow from the list', async () => {
    const { store, flows } = setup({}, async (w) => {
      flows[A] = [];
      return entry(w, 'done', { unassigned: [A], notUnassigned: [] });
    });
    store.getState().setPage(page(A));
    await until(() => store.getState().flows.data?.length === 1);
    await store.getState().unassignFlow(pf('1', A));
    expect(store.getState().flows.data).toEqual([]);
  });

  test('interaction carries the prospect id, page email and URL', async () => {
    const sent: OutboxWrite[] = [];
    const { store } = setup({}, async (w) => {
      sent.push(w);
      return entry(w, 'done', { accepted: true });
    });
    store.getState().setPage(page(A, { email: 'avery@globex.com', name: 'Avery' }));
    await store.getState().reportInteraction({ eventName: ' Visited pricing ', eventTimestamp: '2025-01-01T00:00:00.000Z', url: 'https://globex.com/p' });
    expect(sent[0]).toEqual({
      kind: 'interaction',
      body: { crmProspectId: A, prospectEmail: 'avery@globex.com', eventName: 'Visited pricing', eventTimestamp: '2025-01-01T00:00:00.000Z', url: 'https://globex.com/p' },
    });
    expect(store.getState().interaction.status).toBe('done');
  });
});

describe('bulk and connection', () => {
  test('bulk assign answered with a job polls its progress (counts only) to completion, then reads the results once', async () => {
    const records = Array.from({ length: 3 }, (_, i) => ({ crm: 'hubspot' as const, objectType: 'contact' as const, id: String(100 + i) }));
    const progress = (processed: number, status: 'IN_PROGRESS' | 'COMPLETED') => ({
      id: 'j1',
      kind: 'assign' as const,
      flowId: '9',
      status,
      total: 3,
      processed,
      succeeded: processed === 3 ? 2 : processed,
      failed: processed === 3 ? 1 : 0,
      createdAt: '',
      updatedAt: '',
      error: null,
    });
    const results = [
      { crmProspectId: '100', ok: true, code: null, message: null, coolOff: false },
      { crmProspectId: '101', ok: true, code: null, message: null, coolOff: false },
      { crmProspectId: '102', ok: false, code: 'InvalidState', message: 'until 2026-12-20', coolOff: true },
    ];
    const jobProgress = vi.fn().mockResolvedValueOnce(progress(1, 'IN_PROGRESS')).mockResolvedValueOnce(progress(3, 'COMPLETED'));
    const jobFn = vi.fn().mockResolvedValue({ ...progress(3, 'COMPLETED'), results });
    const { store } = setup({ job: jobFn, jobProgress }, async (w) => entry(w, 'done', { jobId: 'j1' }));
    store.getState().applyIntent({ view: 'bulk-assign', records, createdAt: Date.now() });
    expect(store.getState().view).toBe('bulk');
    await store.getState().bulkAssign({ id: '9', name: 'Flow 9' });
    await until(() => store.getState().bulk?.phase === 'running' && store.getState().bulk?.job?.processed === 1);
    await until(() => store.getState().bulk?.phase === 'done');
    expect(jobProgress).toHaveBeenCalledTimes(2);
    expect(jobFn).toHaveBeenCalledTimes(1);
    expect(store.getState().bulk?.results.map((r) => [r.crmProspectId, r.ok, r.coolOff])).toEqual([
      ['100', true, false],
      ['101', true, false],
      ['102', false, true],
    ]);
    store.getState().closeBulk();
    expect(store.getState().view).toBe('record');
  });

  test('connect Gong opens the link and polls until ACTIVE, then reloads', async () => {
    const opened: string[] = [];
    const f = fakeClient();
    f.fns.connection
      .mockResolvedValueOnce({ status: 'EXPIRED', identifier: 'rep@example.com', connectionName: 'gong' })
      .mockResolvedValueOnce({ status: 'EXPIRED', identifier: 'rep@example.com', connectionName: 'gong' })
      .mockResolvedValue({ status: 'ACTIVE', identifier: 'rep@example.com', connectionName: 'gong' });
    const store = createPanelStore({ getClient: () => f.client, cache: memoryCache(), enqueue: vi.fn(), openTab: (u) => void opened.push(u), pollMs: 1 });
    store.getState().setSettings({ configured: true, backendUrl: 'http://b', repEmail: '' });
    await until(() => store.getState().connection.data?.status === 'EXPIRED');
    store.getState().setPage(page(A));
    const calls = f.fns.prospectFlows.mock.calls.length;
    await store.getState().connectGong();
    expect(opened).toEqual(['https://sandbox/magic']);
    expect(store.getState().connection.data?.status).toBe('ACTIVE');
    expect(store.getState().awaitingAuth).toBe(false);
    await until(() => f.fns.prospectFlows.mock.calls.length > calls);
    store.getState().dispose();
  });

  test('who the token belongs to comes from /me: only managers and admins may name another flow owner', async () => {
    for (const role of ['rep', 'manager', 'admin'] as const) {
      const { store, fns } = setup({ me: vi.fn(async (): Promise<Me> => ({ email: `${role}@example.com`, role, signedInWith: 'sso', expiresAt: null })) });
      expect(mayChooseOwner(store.getState())).toBe(false);
      await until(() => store.getState().me?.role === role);
      expect(fns.me).toHaveBeenCalledTimes(1);
      expect(mayChooseOwner(store.getState())).toBe(role !== 'rep');
      store.getState().dispose();
    }
  });

  test('an unknown role (/me failed) offers what a rep may do; other settings, or the backend coming back, ask again', async () => {
    const manager: Me = { email: 'm@example.com', role: 'manager', signedInWith: 'token', expiresAt: null };
    const { store, fns } = setup({ me: vi.fn().mockRejectedValueOnce(new BackendError('unavailable', 'INTERNAL', 'boom', 500)).mockResolvedValue(manager) });
    await until(() => fns.me.mock.calls.length === 1);
    await flush();
    expect(store.getState().me).toBeNull();
    expect(mayChooseOwner(store.getState())).toBe(false);
    store.getState().setSettings({ configured: true, backendUrl: 'http://other', repEmail: '' });
    await until(() => store.getState().me?.role === 'manager');
    store.getState().dispose();

    const down = setup({ me: vi.fn().mockRejectedValueOnce(new BackendError('unreachable', 'NETWORK', 'down')).mockResolvedValue(manager) });
    await until(() => down.store.getState().me?.role === 'manager');
    expect(down.fns.me).toHaveBeenCalledTimes(2);
    down.store.getState().dispose();
  });
});

describe('a sign-in that ends', () => {
  const refused = (reason?: 'revoked' | 'expired') =>
    new BackendError('refused', 'UNAUTHENTICATED', reason ? 'You were signed out (this sign-in was revoked). Sign in again.' : 'This API token is not valid', 401, null, { reason });

  test('a revoked token (401, reason revoked) is forgotten once, and the panel says why on its set-up screen', async () => {
    const forgetSignIn = vi.fn(async () => true);
    const f = fakeClient({ connection: vi.fn().mockRejectedValue(refused('revoked')), prospectFlows: vi.fn().mockRejectedValue(refused('revoked')) });
    const store = createPanelStore({ getClient: () => f.client, cache: memoryCache(), enqueue: vi.fn(), forgetSignIn });
    store.getState().setSettings({ configured: true, backendUrl: 'http://b', repEmail: '' });
    store.getState().setPage(page(A));
    await until(() => store.getState().signedOut === 'revoked');
    await flush();
    expect(forgetSignIn).toHaveBeenCalledTimes(1);
    // The wiring forgets the token: the settings watcher says so, and the panel is in set-up.
    store.getState().setSettings({ configured: false, backendUrl: 'http://b', repEmail: '' });
    expect(store.getState().configured).toBe(false);
    expect(store.getState().signedOut).toBe('revoked');
    // Signed in again: the note goes.
    store.getState().setSettings({ configured: true, backendUrl: 'http://b', repEmail: '' });
    expect(store.getState().signedOut).toBeNull();
    store.getState().dispose();
  });

  test('an expired sign-in is forgotten too; a token that was never good stays for the rep to fix in settings', async () => {
    const expired = vi.fn(async () => true);
    const e = fakeClient({ connection: vi.fn().mockRejectedValue(refused('expired')) });
    const a = createPanelStore({ getClient: () => e.client, cache: memoryCache(), enqueue: vi.fn(), forgetSignIn: expired });
    a.getState().setSettings({ configured: true, backendUrl: 'http://b', repEmail: '' });
    await until(() => a.getState().signedOut === 'expired');
    expect(expired).toHaveBeenCalledTimes(1);
    a.getState().dispose();

    const wrong = vi.fn(async () => true);
    const w = fakeClient({ connection: vi.fn().mockRejectedValue(refused()) });
    const b = createPanelStore({ getClient: () => w.client, cache: memoryCache(), enqueue: vi.fn(), forgetSignIn: wrong });
    b.getState().setSettings({ configured: true, backendUrl: 'http://b', repEmail: '' });
    await until(() => b.getState().connection.status === 'error');
    expect(b.getState().connection.error).toMatch(/did not accept your API token/);
    expect(wrong).not.toHaveBeenCalled();
    expect(b.getState().signedOut).toBeNull();
    b.getState().dispose();
  });
});

test('failures in words a rep can act on: Gong refused, connection expired or gone, token, busy; others pass through', () => {
  const f = (code: string, connectionStatus?: Parameters<typeof explainFailure>[0]['connectionStatus']) => explainFailure({ code, message: `backend says ${code}`, connectionStatus });
  expect(f('GONG_FORBIDDEN')).toBe("Gong refused: your Gong user isn't allowed to do this. Ask your Gong admin for access.");
  expect(f('GONG_NOT_CONNECTED', 'EXPIRED')).toBe('Your Gong connection expired. Reconnect Gong to go on.');
  expect(f('GONG_NOT_CONNECTED', 'DISCONNECTED')).toBe('Gong was disconnected from your account. Reconnect Gong to go on.');
  expect(f('GONG_NOT_CONNECTED', 'PENDING_AUTH')).toBe('Gong is waiting for you to authorize access. Connect Gong to finish.');
  expect(f('GONG_NOT_CONNECTED', 'PENDING_VERIFICATION')).toBe('Gong is still verifying your connection. Try again in a minute.');
  expect(f('GONG_NOT_CONNECTED', 'NOT_CONNECTED')).toBe("Gong isn't connected for your account yet. Connect Gong to go on.");
  expect(f('GONG_NOT_CONNECTED')).toBe("Gong isn't connected for your account yet. Connect Gong to go on.");
  expect(f('UNAUTHENTICATED')).toMatch(/did not accept your API token/);
  expect(f('GONG_RATE_LIMITED')).toBe('Gong is busy right now. Try again in a moment.');
  expect(f('GONG_NOT_FOUND')).toBe('backend says GONG_NOT_FOUND');
  // A read's error carries the account status the backend sent along (409's connectionStatus).
  expect(errorMessage(new BackendError('refused', 'GONG_NOT_CONNECTED', 'x', 409, null, { connectionStatus: 'EXPIRED' }))).toBe('Your Gong connection expired. Reconnect Gong to go on.');
  expect(errorMessage(new BackendError('refused', 'GONG_FORBIDDEN', 'x', 403))).toMatch(/Ask your Gong admin for access/);
});

test('helpers', () => {
  expect(describeWrite({ kind: 'assign', flowId: '1', flowName: 'Q3', crmProspectIds: ['a', 'b'] })).toBe('Add 2 prospects to “Q3”');
  expect(describeWrite({ kind: 'unassign', flowId: '1', flowName: 'Q3', crmProspectIds: ['a'] })).toBe('Remove from “Q3”');
  // Told later, on another record: the write names whom it was for.
  expect(describeWrite({ kind: 'assign', flowId: '1', flowName: 'Q3', crmProspectIds: ['a'], prospectName: 'Avery Thompson' })).toBe('Add Avery Thompson to “Q3”');
  expect(describeWrite({ kind: 'unassign', flowId: '1', flowName: 'Q3', crmProspectIds: ['a'], prospectName: 'Avery Thompson' })).toBe('Remove Avery Thompson from “Q3”');
  const merged = mergeAssigned([pf('1', A), pf('2', A)], [pf('2', A), pf('3', A)]);
  expect(merged.map((f) => f.flowId)).toEqual(['2', '3', '1']);
});

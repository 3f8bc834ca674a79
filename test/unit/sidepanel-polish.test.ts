/**
 * Side panel store: the header's honesty about the backend, optimistic rows for writes still in the
 * outbox, bulk "Assign anyway" for cool-off refusals, and the page switch on a bare URL change.
 */
import { describe, expect, test, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import type { AssignResult, CallSummary, Connection, ProspectFlow } from '../../lib/api';
import { BackendError } from '../../lib/backend-error';
import { type BackendClient } from '../../lib/backend-client';
import type { OutboxEntry, OutboxWrite } from '../../lib/outbox';
import { memoryCache } from '../../entrypoints/sidepanel/cache';
import { coolOffIds, createPanelStore, landedNotice, mergeBulkResults, pendingFlowChanges, statusPill } from '../../entrypoints/sidepanel/store';

vi.stubGlobal('chrome', fakeBrowser);
vi.stubGlobal('browser', fakeBrowser);

import { A, B, page, pf, until } from './support/panel-fixtures';
const down = () => new BackendError('unreachable', 'NETWORK', 'fetch failed');

function entry(id: string, write: OutboxWrite, status: OutboxEntry['status'], extra: Partial<OutboxEntry> = {}): OutboxEntry {
  return { id, write, status, attempts: 1, createdAt: 1000, nextAttemptAt: 0, lastError: null, result: null, ...extra };
}
const assignW = (flowId: string, ids: string[], extra: Partial<Extract<OutboxWrite, { kind: 'assign' }>> = {}): OutboxWrite => ({ kind: 'assign', flowId, flowName: `Flow ${flowId}`, crmProspectIds: ids, ...extra });
const unassignW = (flowId: string, ids: string[]): OutboxWrite => ({ kind: 'unassign', flowId, flowName: `Flow ${flowId}`, crmProspectIds: ids });

function setup(opts: { enqueue?: (w: OutboxWrite, id: string) => Promise<OutboxEntry> } = {}) {
  let up = true;
  const flows: Record<string, ProspectFlow[]> = { [A]: [pf('1', A)], [B]: [] };
  const guard = async <T>(f: () => T): Promise<T> => {
    if (!up) throw down();
    return f();
  };
  const fns = {
    connection: vi.fn(() => guard((): Connection => ({ status: 'ACTIVE', identifier: 'rep@example.com', connectionName: 'gong' }))),
    prospectFlows: vi.fn((id: string) => guard(() => ({ crmProspectId: id, flows: flows[id] ?? [] }))),
    prospectCalls: vi.fn((id: string) => guard(() => ({ crmProspectId: id, calls: [] as CallSummary[] }))),
    flows: vi.fn(() => guard(() => ({ flows: [] }))),
    connectionLink: vi.fn(),
    job: vi.fn(),
  };
  const retryPending = vi.fn(async () => undefined);
  const sent: { write: OutboxWrite; id: string }[] = [];
  const enqueue = vi.fn(async (w: OutboxWrite, id: string) => {
    sent.push({ write: w, id });
    const e = opts.enqueue ? await opts.enqueue(w, id) : entry(id, w, 'done', { result: { accepted: true } });
    // As the real outbox does: the entry is written to storage, whose watcher feeds setOutbox.
    store.getState().setOutbox([...store.getState().outbox.filter((x) => x.id !== e.id), e]);
    return e;
  });
  const store = createPanelStore({ getClient: () => fns as unknown as BackendClient, cache: memoryCache(), enqueue, retryPending, pollMs: 1, probeMs: 5 });
  store.getState().setSettings({ configured: true, backendUrl: 'http://b', repEmail: '' });
  return {
    store,
    fns,
    flows,
    sent,
    retryPending,
    setUp: (v: boolean) => (up = v),
  };
}

describe('status pill: what the panel last saw of the backend and Gong', () => {
  test('a read that cannot reach the backend turns "Connected" into "Offline"; it recovers by itself', async () => {
    const t = setup();
    t.store.getState().setPage(page(A));
    await until(() => t.store.getState().flows.status === 'ready' && t.store.getState().connection.data != null);
    expect(statusPill(t.store.getState())).toMatchObject({ tone: 'ok', label: 'Connected' });

    t.setUp(false);
    await t.store.getState().loadFlows();
    expect(t.store.getState().backend).toBe('unreachable');
    const pill = statusPill(t.store.getState());
    expect(pill).toMatchObject({ tone: 'offline', label: 'Offline', detail: 'changes are saved and will be sent' });
    // The stale connection answer (ACTIVE) does not win over what the panel just saw.
    expect(t.store.getState().connection.data?.status).toBe('ACTIVE');

    // Still down: the store keeps checking on its own and stays offline.
    const calls = t.fns.connection.mock.calls.length;
    await until(() => t.fns.connection.mock.calls.length > calls + 1);
    expect(t.store.getState().backend).toBe('unreachable');

    // Back: the next check sees it, the header says so, waiting writes are pushed, reads refresh.
    const flowsCalls = t.fns.prospectFlows.mock.calls.length;
    t.setUp(true);
    await until(() => t.store.getState().backend === 'ok');
    expect(statusPill(t.store.getState()).label).toBe('Connected');
    expect(t.retryPending).toHaveBeenCalled();
    await until(() => t.fns.prospectFlows.mock.calls.length > flowsCalls);
    t.store.getState().dispose();
  });

  test('a refusal is an answer: a 4xx does not make the panel offline', async () => {
    const t = setup();
    t.store.getState().setPage(page(A));
    await until(() => t.store.getState().backend === 'ok');
    t.fns.prospectFlows.mockRejectedValueOnce(new BackendError('refused', 'NOT_FOUND', 'nope', 404));
    await t.store.getState().loadFlows();
    expect(t.store.getState().backend).toBe('ok');
    t.store.getState().dispose();
  });

  test('a write whose first attempt finds no backend makes the panel offline', async () => {
    const t = setup({ enqueue: async (w, id) => entry(id, w, 'pending', { lastError: { code: 'NETWORK', message: 'fetch failed' } }) });
    t.store.getState().setPage(page(A));
    await until(() => t.store.getState().backend === 'ok');
    t.setUp(false);
    await t.store.getState().assignFlow({ id: '7', name: 'Flow 7' });
    expect(t.store.getState().assign.status).toBe('queued');
    expect(t.store.getState().backend).toBe('unreachable');
    t.store.getState().dispose();
  });

  test('Gong not connected, and no label before anything is known', () => {
    const base = { configured: true, backend: 'ok' as const };
    const load = (status: Connection['status'] | null) => ({ status: 'ready' as const, data: status ? { status, identifier: 'x', connectionName: 'g' } : null, error: null, refreshing: false, at: 0, key: null });
    expect(statusPill({ ...base, connection: load('EXPIRED') })).toMatchObject({ tone: 'warning', label: 'Gong not connected' });
    expect(statusPill({ ...base, backend: 'unknown', connection: { ...load(null), status: 'loading' } }).tone).toBe('none');
    expect(statusPill({ ...base, configured: false, connection: load('ACTIVE') }).tone).toBe('none');
  });
});

describe('pending writes in the flows list', () => {
  test('pendingFlowChanges: adds and removals waiting for this prospect only', () => {
    const entries = [
      entry('a', assignW('7', [A]), 'pending'),
      entry('b', unassignW('1', [A]), 'sending'),
      entry('c', assignW('8', [B]), 'pending'),
      entry('d', assignW('9', [A]), 'done'),
      entry('e', assignW('10', [A]), 'failed'),
    ];
    const { adds, removing } = pendingFlowChanges(entries, A);
    expect(adds.map((a) => a.flowId)).toEqual(['7']);
    expect(adds[0]).toMatchObject({ entryId: 'a', flowName: 'Flow 7' });
    expect([...removing]).toEqual(['1']);
    expect(pendingFlowChanges(entries, null).adds).toEqual([]);
  });

  test('an add that lands (queued by someone else) becomes the real row at once, then flows refresh', async () => {
    const t = setup();
    t.store.getState().setPage(page(A));
    await until(() => t.store.getState().flows.status === 'ready' && !t.store.getState().flows.refreshing);
    const w = assignW('7', [A]);
    t.store.getState().setOutbox([entry('x', w, 'pending')]);
    expect(pendingFlowChanges(t.store.getState().outbox, A).adds).toHaveLength(1);
    const calls = t.fns.prospectFlows.mock.calls.length;
    const result: AssignResult = { assigned: [pf('7', A, 'Pending')], notAssigned: [] };
    t.store.getState().setOutbox([entry('x', w, 'done', { result })]);
    // No gap where the list says "Not in any flow yet": the row is there before the refresh answers.
    expect(t.store.getState().flows.data!.map((f) => f.flowId)).toContain('7');
    expect(pendingFlowChanges(t.store.getState().outbox, A).adds).toHaveLength(0);
    await until(() => t.fns.prospectFlows.mock.calls.length > calls);
    t.store.getState().dispose();
  });

  test('a removal that lands takes the active row out before the refresh', async () => {
    const t = setup();
    t.store.getState().setPage(page(A));
    await until(() => t.store.getState().flows.status === 'ready' && !t.store.getState().flows.refreshing);
    const w = unassignW('1', [A]);
    t.store.getState().setOutbox([entry('y', w, 'pending')]);
    expect([...pendingFlowChanges(t.store.getState().outbox, A).removing]).toEqual(['1']);
    t.store.getState().setOutbox([entry('y', w, 'done', { result: { unassigned: [A], notUnassigned: [] } })]);
    expect(t.store.getState().flows.data!.some((f) => f.flowId === '1')).toBe(false);
    t.store.getState().dispose();
  });

  test('a read sent before my add landed does not take the added flow away when it answers after it', async () => {
    const added: AssignResult = { assigned: [pf('7', A)], notAssigned: [] };
    const t = setup({ enqueue: async (w, id) => entry(id, w, 'done', { result: added }) });
    t.store.getState().setPage(page(A));
    await until(() => t.store.getState().flows.status === 'ready');
    // A refresh goes out (it will answer Gong's list from before the add)…
    let answer!: (v: { crmProspectId: string; flows: ProspectFlow[] }) => void;
    t.fns.prospectFlows.mockImplementationOnce(() => new Promise((r) => (answer = r)));
    const refresh = t.store.getState().loadFlows({ silent: true });
    // …then the add lands, with Gong's new instance.
    await t.store.getState().assignFlow({ id: '7', name: 'Flow 7' });
    await until(() => t.store.getState().flows.data!.some((f) => f.flowId === '7'));
    answer({ crmProspectId: A, flows: [pf('1', A)] });
    await refresh;
    expect(t.store.getState().flows.data!.map((f) => f.flowId).sort()).toEqual(['1', '7']);
    expect(t.store.getState().flows.refreshing).toBe(false);
    t.store.getState().dispose();
  });

  test('of two reads of the same record, the later one wins whichever answers last', async () => {
    const t = setup();
    t.store.getState().setPage(page(A));
    await until(() => t.store.getState().calls.status === 'ready');
    const answers: ((v: { crmProspectId: string; calls: CallSummary[] }) => void)[] = [];
    t.fns.prospectCalls.mockImplementation(() => new Promise((r) => answers.push(r)));
    const first = t.store.getState().loadCalls({ silent: true });
    const second = t.store.getState().loadCalls({ silent: true });
    const call = (id: string) => ({ id, title: id }) as unknown as CallSummary;
    answers[1]({ crmProspectId: A, calls: [call('newer')] });
    await second;
    answers[0]({ crmProspectId: A, calls: [call('older')] });
    await first;
    expect(t.store.getState().calls.data!.map((c) => c.id)).toEqual(['newer']);
    t.store.getState().dispose();
  });

  test('my queued add refused later: the row goes and the refusal is shown even with the picker closed', async () => {
    const t = setup({ enqueue: async (w, id) => entry(id, w, 'pending', { lastError: { code: 'NETWORK', message: 'down' } }) });
    t.store.getState().setPage(page(A));
    await until(() => t.store.getState().flows.status === 'ready');
    t.store.getState().openPicker(true);
    await t.store.getState().assignFlow({ id: '7', name: 'Flow 7' });
    const { id, write } = t.sent[0];
    t.store.getState().setOutbox([entry(id, write, 'pending')]);
    t.store.getState().openPicker(false);
    const refused: AssignResult = { assigned: [], notAssigned: [{ crmProspectId: A, code: 'InvalidState', message: 'is active in an exclusive flow', coolOff: false }] };
    t.store.getState().setOutbox([entry(id, write, 'done', { result: refused })]);
    expect(pendingFlowChanges(t.store.getState().outbox, A).adds).toHaveLength(0);
    expect(t.store.getState().flows.data!.some((f) => f.flowId === '7')).toBe(false);
    expect(t.store.getState().notices.map((n) => n.tone)).toContain('warning');
    expect(t.store.getState().notices.at(-1)!.text).toMatch(/Flow 7/);
    t.store.getState().dispose();
  });
});

describe('bulk: assign anyway for cool-off refusals', () => {
  test('re-sends only the cool-off refusals with the override and the same owner; results merge', async () => {
    const ids = ['0038d0000000001AAA', '0038d0000000002AAA', '0038d0000000003AAA', '0038d0000000004AAA'];
    let answer: AssignResult = {
      assigned: [pf('5', ids[0])],
      notAssigned: [
        { crmProspectId: ids[1], code: 'InvalidState', message: 'in a cool-off period until …', coolOff: true },
        { crmProspectId: ids[2], code: 'InvalidArgument', message: 'not found', coolOff: false },
        { crmProspectId: ids[3], code: 'InvalidState', message: 'in a cool-off period until …', coolOff: true },
      ],
    };
    const t = setup({ enqueue: async (w, id) => entry(id, w, 'done', { result: answer }) });
    t.store.getState().applyIntent({ view: 'bulk-assign', records: ids.map((id) => ({ crm: 'salesforce', objectType: 'contact', id })), createdAt: Date.now() });
    await t.store.getState().bulkAssign({ id: '5', name: 'Flow 5' }, { ownerEmail: 'sam@example.com' });
    const bulk = t.store.getState().bulk!;
    expect(bulk.phase).toBe('done');
    expect(coolOffIds(bulk.results)).toEqual([ids[1], ids[3]]);

    answer = { assigned: [pf('5', ids[1]), pf('5', ids[3])], notAssigned: [] };
    await t.store.getState().bulkAssignAnyway();
    const second = t.sent[1].write as Extract<OutboxWrite, { kind: 'assign' }>;
    expect(second).toMatchObject({ kind: 'assign', flowId: '5', crmProspectIds: [ids[1], ids[3]], coolOffOverride: true, flowInstanceOwnerEmail: 'sam@example.com' });
    // A new idempotency key: it is a new click, not a retry of the first.
    expect(t.sent[1].id).not.toBe(t.sent[0].id);
    const after = t.store.getState().bulk!;
    expect(after.phase).toBe('done');
    expect(after.results).toHaveLength(4);
    expect(after.results.filter((r) => r.ok).map((r) => r.crmProspectId).sort()).toEqual([ids[0], ids[1], ids[3]].sort());
    expect(coolOffIds(after.results)).toEqual([]);
    // Nothing left to override: a second press sends nothing.
    await t.store.getState().bulkAssignAnyway();
    expect(t.sent).toHaveLength(2);
    t.store.getState().dispose();
  });

  test('the bulk view closed while its add is being sent: the outcome comes as a notice, not lost', async () => {
    const ids = ['0038d0000000001AAA', '0038d0000000002AAA'];
    const t = setup({ enqueue: async (w, id) => entry(id, w, 'pending', { attempts: 0 }) });
    t.store.getState().applyIntent({ view: 'bulk-assign', records: ids.map((id) => ({ crm: 'salesforce', objectType: 'contact', id })), createdAt: Date.now() });
    await t.store.getState().bulkAssign({ id: '5', name: 'Flow 5' });
    t.store.getState().closeBulk();
    // The backend refuses it once the view is gone.
    const sent = t.store.getState().outbox[0];
    t.store.getState().setOutbox([{ ...sent, status: 'failed', lastError: { code: 'FORBIDDEN', message: 'Not allowed.' } }]);
    expect(t.store.getState().bulk).toBeNull();
    expect(t.store.getState().notices.map((n) => [n.tone, n.text])).toEqual([['error', expect.stringMatching(/^Add 2 prospects to “Flow 5” failed\./)]]);
    t.store.getState().dispose();
  });

  test('the bulk view closed before the background took its add, which it then could not: the rep is told', async () => {
    let refuse!: () => void;
    const t = setup({ enqueue: () => new Promise((_, reject) => (refuse = () => reject(new Error('The extension could not save it.')))) });
    t.store.getState().applyIntent({ view: 'bulk-assign', records: ['0038d0000000001AAA', '0038d0000000002AAA'].map((id) => ({ crm: 'salesforce', objectType: 'contact', id })), createdAt: Date.now() });
    const sending = t.store.getState().bulkAssign({ id: '5', name: 'Flow 5' });
    t.store.getState().closeBulk();
    refuse();
    await sending;
    expect(t.store.getState().notices.map((n) => [n.tone, n.text])).toEqual([['error', 'Add 2 prospects to “Flow 5” failed. The extension could not save it.']]);
    t.store.getState().dispose();
  });

  test('a bulk add landing after its view closed: partly refused, or started as a job, says so', () => {
    const ids = ['0038d0000000001AAA', '0038d0000000002AAA', '0038d0000000003AAA'];
    const w = assignW('5', ids);
    const partly: AssignResult = { assigned: [pf('5', ids[0])], notAssigned: [{ crmProspectId: ids[1], code: 'InvalidState', message: 'x', coolOff: true }, { crmProspectId: ids[2], code: 'InvalidArgument', message: 'y', coolOff: false }] };
    expect(landedNotice(entry('e1', w, 'done', { result: partly }))).toEqual({ tone: 'warning', text: 'Add 3 prospects to “Flow 5”: 1 added, 2 not added.' });
    expect(landedNotice(entry('e2', w, 'done', { result: { jobId: 'j' } }))).toEqual({ tone: 'info', text: 'Add 3 prospects to “Flow 5”: started; Gong is adding them in the background.' });
    expect(landedNotice(entry('e3', w, 'done', { result: { assigned: ids.map((id) => pf('5', id)), notAssigned: [] } })).tone).toBe('success');
  });

  test("a second list's bulk view is not taken over by the first one's job", async () => {
    const first = ['0038d0000000001AAA', '0038d0000000002AAA'];
    const second = ['0038d0000000003AAA'];
    let progressCalls = 0;
    const t = setup({ enqueue: async (w, id) => entry(id, w, 'done', { result: { jobId: 'job-1' } }) });
    const job = { id: 'job-1', kind: 'assign', flowId: '5', status: 'RUNNING', total: 2, processed: 1, succeeded: 1, failed: 0, createdAt: '', updatedAt: '', error: null };
    Object.assign(t.fns, { jobProgress: vi.fn(async () => (progressCalls++, job)) });
    t.store.getState().applyIntent({ view: 'bulk-assign', records: first.map((id) => ({ crm: 'salesforce', objectType: 'contact', id })), createdAt: Date.now() });
    await t.store.getState().bulkAssign({ id: '5', name: 'Flow 5' });
    await until(() => progressCalls > 0);
    expect(t.store.getState().bulk?.phase).toBe('running');

    t.store.getState().applyIntent({ view: 'bulk-assign', records: second.map((id) => ({ crm: 'salesforce', objectType: 'contact', id })), createdAt: Date.now() });
    const polled = progressCalls;
    await new Promise((r) => setTimeout(r, 50));
    // The new view stays on its choice, with nothing of the first run's job in it.
    expect(t.store.getState().bulk).toMatchObject({ phase: 'choose', job: null, results: [], records: [{ id: second[0] }] });
    expect(progressCalls).toBeLessThanOrEqual(polled + 1);
    t.store.getState().dispose();
  });

  test('job results: cool-off is recognised from the message; merge keeps earlier outcomes', () => {
    const base = [
      { crmProspectId: '1', ok: true, message: null },
      { crmProspectId: '2', ok: false, message: 'cool-off', coolOff: true },
    ];
    expect(mergeBulkResults(base, [{ crmProspectId: '2', ok: true, message: null }])).toEqual([
      { crmProspectId: '1', ok: true, message: null },
      { crmProspectId: '2', ok: true, message: null },
    ]);
    expect(mergeBulkResults([], base)).toBe(base);
  });
});

describe('a Lightning navigation switches the record from the URL alone', () => {
  test('pageForUrl: new record at once; name/email kept only while it is the same record', async () => {
    const { pageForUrl } = await import('../../entrypoints/sidepanel/page');
    const prev = page(A, { name: 'Avery Thompson', email: 'avery@globex.com' });
    const next = pageForUrl(1, page(B).url, prev);
    expect(next.record).toEqual({ crm: 'salesforce', objectType: 'contact', id: B });
    expect(next.name).toBeUndefined();
    expect(next.email).toBeUndefined();
    const sub = pageForUrl(1, `https://acme.lightning.force.com/lightning/r/Contact/${A}/related/Cases/view`, prev);
    expect(sub).toMatchObject({ name: 'Avery Thompson', email: 'avery@globex.com' });
    const account = pageForUrl(1, 'https://acme.lightning.force.com/lightning/r/Account/0018d00000AbCdEAAZ/view', prev);
    expect(account).toMatchObject({ record: null, crm: 'salesforce' });
  });
});

describe('wiring: the tab URL change alone switches the panel', () => {
  test('tabs.onUpdated with a new URL sets the new record synchronously, before any storage read or report', async () => {
    vi.stubGlobal('location', { search: '?tabId=5' });
    fakeBrowser.reset();
    const { createWiredStore } = await import('../../entrypoints/sidepanel/wiring');
    const { store, start } = createWiredStore();
    const stop = start();
    store.getState().setPage(page(A, { tabId: 5, name: 'Avery Thompson' }));
    const urlB = page(B).url;
    void fakeBrowser.tabs.onUpdated.trigger(5, { url: urlB }, { id: 5, url: urlB } as never);
    // No await: the listener itself switched the record (the background's name/email come later).
    expect(store.getState().page).toMatchObject({ tabId: 5, url: urlB, record: { id: B } });
    expect(store.getState().page?.name).toBeUndefined();
    // Another tab's navigation does not move the pinned panel.
    void fakeBrowser.tabs.onUpdated.trigger(6, { url: page(A).url }, { id: 6, url: page(A).url } as never);
    expect(store.getState().page?.record?.id).toBe(B);
    stop();
    vi.unstubAllGlobals();
  });
});

/**
 * A write queued on one record that lands while the rep is on another: its outcome belongs to the record it
 * was made for, never to the record on screen.
 */
import { expect, test, vi } from 'vitest';
import type { AssignResult, CallSummary, Connection, ProspectFlow } from '../../lib/api';
import type { BackendClient } from '../../lib/backend-client';
import type { OutboxEntry, OutboxWrite } from '../../lib/outbox';
import { memoryCache } from '../../entrypoints/sidepanel/cache';
import { createPanelStore } from '../../entrypoints/sidepanel/store';
import { A, B, page, pf, until } from './support/panel-fixtures';

function entry(id: string, write: OutboxWrite, status: OutboxEntry['status'], extra: Partial<OutboxEntry> = {}): OutboxEntry {
  return { id, write, status, attempts: 1, createdAt: 1000, nextAttemptAt: 0, lastError: null, result: null, ...extra };
}

function setup() {
  // Both prospects are in flow 1; B is the record the rep moves to.
  const flows: Record<string, ProspectFlow[]> = { [A]: [pf('1', A)], [B]: [pf('1', B)] };
  const fns = {
    connection: vi.fn(async (): Promise<Connection> => ({ status: 'ACTIVE', identifier: 'rep@example.com', connectionName: 'gong' })),
    prospectFlows: vi.fn(async (id: string) => ({ crmProspectId: id, flows: flows[id] ?? [] })),
    prospectCalls: vi.fn(async (id: string) => ({ crmProspectId: id, calls: [] as CallSummary[] })),
    flows: vi.fn(async () => ({ flows: [] })),
    connectionLink: vi.fn(),
    job: vi.fn(),
  };
  const sent: { write: OutboxWrite; id: string }[] = [];
  // The backend is down: every write waits in the outbox.
  const enqueue = vi.fn(async (w: OutboxWrite, id: string) => {
    sent.push({ write: w, id });
    return entry(id, w, 'pending', { lastError: { code: 'NETWORK', message: 'down' } });
  });
  const cache = memoryCache();
  const store = createPanelStore({ getClient: () => fns as unknown as BackendClient, cache, enqueue, pollMs: 1, probeMs: 5 });
  store.getState().setSettings({ configured: true, backendUrl: 'http://b', repEmail: '' });
  return { store, fns, sent, cache };
}

const ready = (s: ReturnType<typeof setup>['store'], id: string) =>
  until(() => s.getState().flows.key?.endsWith(id) === true && s.getState().flows.status === 'ready' && !s.getState().flows.refreshing);

test("an add queued on A that is refused for cool-off while the rep is on B leaves B's picker alone and tells the rep", async () => {
  const t = setup();
  t.store.getState().setPage(page(A));
  await ready(t.store, A);
  t.store.getState().openPicker(true);
  await t.store.getState().assignFlow({ id: '7', name: 'Flow 7' });
  const { id, write } = t.sent[0];
  t.store.getState().setOutbox([entry(id, write, 'pending')]);

  t.store.getState().setPage(page(B));
  await ready(t.store, B);
  t.store.getState().openPicker(true);
  const refused: AssignResult = { assigned: [], notAssigned: [{ crmProspectId: A, code: 'InvalidState', message: 'in a cool-off period until 2026-12-20', coolOff: true }] };
  t.store.getState().setOutbox([entry(id, write, 'done', { result: refused })]);

  // B's picker still waits for B's choice: no refusal of A's in it (its "Assign anyway" would send B's flow).
  expect(t.store.getState().pickerOpen).toBe(true);
  expect(t.store.getState().assign).toEqual({ status: 'idle' });
  // The rep is still told what happened to A's add.
  expect(t.store.getState().notices.at(-1)).toMatchObject({ tone: 'warning', text: expect.stringMatching(/Flow 7.*cool-off/) });
  t.store.getState().dispose();
});

test("an add queued on A that lands while the rep is on B changes A's saved flows, not B's list or picker", async () => {
  const t = setup();
  t.store.getState().setPage(page(A));
  await ready(t.store, A);
  await t.store.getState().assignFlow({ id: '7', name: 'Flow 7' });
  const { id, write } = t.sent[0];
  t.store.getState().setOutbox([entry(id, write, 'pending')]);

  t.store.getState().setPage(page(B));
  await ready(t.store, B);
  t.store.getState().openPicker(true);
  t.store.getState().setOutbox([entry(id, write, 'done', { result: { assigned: [pf('7', A)], notAssigned: [] } })]);

  expect(t.store.getState().pickerOpen).toBe(true);
  expect(t.store.getState().assign).toEqual({ status: 'idle' });
  expect(t.store.getState().flows.data!.map((f) => f.flowId)).toEqual(['1']);
  expect(t.store.getState().notices.at(-1)).toMatchObject({ tone: 'success', text: expect.stringMatching(/Flow 7/) });
  // A's saved copy has the new flow: going back shows it at once.
  await vi.waitFor(async () => expect((await t.cache.getProspect(`salesforce:contact:${A}`))?.flows?.data.map((f) => f.flowId)).toEqual(['7', '1']));
  t.store.getState().dispose();
});

test("a removal queued on A that lands while the rep is on B keeps B's row of the same flow", async () => {
  const t = setup();
  t.store.getState().setPage(page(A));
  await ready(t.store, A);
  await t.store.getState().unassignFlow(pf('1', A));
  const { id, write } = t.sent[0];
  t.store.getState().setOutbox([entry(id, write, 'pending')]);

  t.store.getState().setPage(page(B));
  await ready(t.store, B);
  t.store.getState().setOutbox([entry(id, write, 'done', { result: { unassigned: [A], notUnassigned: [] } })]);

  expect(t.store.getState().flows.data!.map((f) => f.flowId)).toEqual(['1']);
  expect(t.store.getState().unassign).toEqual({});
  expect(t.store.getState().notices.at(-1)).toMatchObject({ tone: 'success', text: expect.stringMatching(/Remove from “Flow 1”/) });
  await vi.waitFor(async () => expect((await t.cache.getProspect(`salesforce:contact:${A}`))?.flows?.data).toEqual([]));
  t.store.getState().dispose();
});

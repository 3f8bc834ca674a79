/**
 * The popup's task list hook (components/popup/useTasks.ts), rendered with Preact in a linkedom document:
 * cached tasks first, the states a rep sees, and Complete / Skip sent through the outbox as the right write.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { parseHTML } from 'linkedom';
import type { Task } from '../../lib/api';
import type { OutboxEntry, OutboxWrite } from '../../lib/outbox';

const { window } = parseHTML('<!doctype html><html><body><div id="root"></div></body></html>');
vi.stubGlobal('window', window);
vi.stubGlobal('document', window.document);
vi.stubGlobal('browser', fakeBrowser);
vi.stubGlobal('chrome', fakeBrowser);

// The extension renders React components with Preact (wxt.config.ts): so does this test.
vi.mock('react', async () => await import('preact/compat'));
const sendMessage = vi.fn();
vi.mock('../../lib/messages', () => ({ sendMessage: (...a: unknown[]) => sendMessage(...a) }));

const { h, render } = await import('preact');
const { act } = await import('preact/test-utils');
const { useTasks } = await import('../../components/popup/useTasks');
const { tasksCacheItem } = await import('../../lib/storage');
// The client loads the API's schemas (zod) on its first answer, a dynamic import: on a cold machine that takes longer
// than settle()'s timer turns. Loaded once here, as a panel that has been open a while has them.
await (await import('../../lib/backend-client')).loadApiSchemas();

const task = (id: string, status: Task['status'] = 'OPEN'): Task => ({
  id,
  type: 'call',
  title: `Call ${id}`,
  status,
  dueDate: null,
  overdue: false,
  prospect: { name: null, email: null, crmId: null },
  flowName: null,
});

type Hook = ReturnType<typeof useTasks>;
let hook: Hook;
function Probe() {
  hook = useTasks();
  return null;
}
const mount = () => act(() => render(h(Probe, {}), window.document.getElementById('root')!));
/** Lets fetches, storage and effects settle. */
const settle = async () => {
  for (let i = 0; i < 10; i++) await act(() => new Promise<void>((r) => setTimeout(r, 0)));
};

let answers: Record<string, () => Response | Promise<Response>>;
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

beforeEach(async () => {
  fakeBrowser.reset();
  sendMessage.mockReset();
  answers = {
    '/api/v1/connection': () => json(200, { status: 'ACTIVE', identifier: 'rep@example.com', connectionName: 'gong' }),
    '/api/v1/tasks': () => json(200, { tasks: [task('t1'), task('t2')] }),
  };
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      const path = new URL(url).pathname;
      const answer = answers[path];
      if (!answer) throw new TypeError('Failed to fetch');
      return answer();
    }),
  );
  await fakeBrowser.storage.local.set({ settings: { backendUrl: 'http://127.0.0.1:9', apiToken: 't0k', repEmail: '', workspaceId: '' } });
});
afterEach(() => render(null, window.document.getElementById('root')!));

describe('useTasks', () => {
  test('a Complete / Skip still waiting in the outbox shows as queued in a reopened popup (not offered again)', async () => {
    const { outboxItem } = await import('../../lib/outbox');
    const waiting = (id: string, write: OutboxWrite, status: OutboxEntry['status']): OutboxEntry => ({ id, write, status, attempts: 1, createdAt: 1, nextAttemptAt: 0, lastError: null, result: null });
    await outboxItem.setValue([
      waiting('w1', { kind: 'completeTask', taskId: 't1', title: 'Call t1' }, 'pending'),
      waiting('w2', { kind: 'skipTask', taskId: 't2', title: 'Call t2' }, 'done'),
    ]);
    await mount();
    await settle();
    expect(hook.changes).toEqual({ t1: { phase: 'queued', action: 'complete' } });
    // It lands (or is given up): the task's own status from Gong takes over.
    await outboxItem.setValue([]);
    await settle();
    expect(hook.changes).toEqual({});
  });

  test('without a token: not configured, and the backend is not asked', async () => {
    await fakeBrowser.storage.local.set({ settings: { backendUrl: 'http://127.0.0.1:9', apiToken: '', repEmail: '', workspaceId: '' } });
    await mount();
    await settle();
    expect(hook.state).toEqual({ kind: 'not-configured', reason: 'missing' });
    expect(fetch).not.toHaveBeenCalled();
  });

  test('shows the cached tasks at once, then the fresh ones, and caches them', async () => {
    await tasksCacheItem.setValue({ tasks: [task('old')], fetchedAt: 1 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    answers['/api/v1/tasks'] = async () => (await gate, json(200, { tasks: [task('t1'), task('t2')] }));
    await mount();
    await settle();
    expect(hook.tasks?.map((t) => t.id)).toEqual(['old']);
    expect(hook.state.kind).toBe('loading');
    release();
    await settle();
    expect(hook.state.kind).toBe('ready');
    expect(hook.tasks?.map((t) => t.id)).toEqual(['t1', 't2']);
    expect((await tasksCacheItem.getValue())?.tasks.map((t) => t.id)).toEqual(['t1', 't2']);
  });

  test('a cached list younger than an hour is shown without asking for tasks (the connection is asked); Refresh asks Gong past the cache', async () => {
    await tasksCacheItem.setValue({ tasks: [task('cached')], fetchedAt: Date.now() - 30 * 60_000 });
    await mount();
    await settle();
    expect(hook.state.kind).toBe('ready');
    expect(hook.tasks?.map((t) => t.id)).toEqual(['cached']);
    const paths = () => vi.mocked(fetch).mock.calls.map(([u]) => String(u).replace(/^https?:\/\/[^/]+/, ''));
    expect(paths()).toEqual(['/api/v1/connection']);

    await act(() => hook.reload());
    await settle();
    expect(paths()).toContain('/api/v1/tasks?due=today&fresh=1');
    expect(hook.tasks?.map((t) => t.id)).toEqual(['t1', 't2']);
    expect((await tasksCacheItem.getValue())?.tasks.map((t) => t.id)).toEqual(['t1', 't2']);
  });

  test('a cached list younger than an hour with the backend down: shown as saved, with why', async () => {
    await tasksCacheItem.setValue({ tasks: [task('cached')], fetchedAt: Date.now() - 30 * 60_000 });
    delete answers['/api/v1/connection'];
    await mount();
    await settle();
    expect(hook.state.kind).toBe('unreachable');
    expect(hook.tasks?.map((t) => t.id)).toEqual(['cached']);
  });

  test('the states a rep sees: backend down, token rejected, Gong not connected', async () => {
    delete answers['/api/v1/tasks'];
    await mount();
    await settle();
    expect(hook.state.kind).toBe('unreachable');

    answers['/api/v1/tasks'] = () => json(401, { error: { code: 'UNAUTHENTICATED', message: 'bad token' } });
    await act(() => hook.reload());
    await settle();
    expect(hook.state).toEqual({ kind: 'not-configured', reason: 'rejected' });

    answers['/api/v1/connection'] = () => json(200, { status: 'EXPIRED', identifier: 'rep@example.com', connectionName: 'gong' });
    answers['/api/v1/tasks'] = () => json(200, { tasks: [task('t1')] });
    await act(() => hook.reload());
    await settle();
    expect(hook.state).toEqual({ kind: 'not-connected', status: 'EXPIRED' });
  });

  test('a sign-in that ended (401, reason revoked) is forgotten: the popup asks to sign in again; Gong refusing access is said plainly', async () => {
    await fakeBrowser.storage.local.set({ signedIn: { email: 'rep@example.com', expiresAt: null } });
    answers['/api/v1/tasks'] = () => json(401, { error: { code: 'UNAUTHENTICATED', message: 'You were signed out (this sign-in was revoked). Sign in again.', reason: 'revoked' } });
    await mount();
    await settle();
    expect(hook.state).toEqual({ kind: 'not-configured', reason: 'signed-out' });
    const { settings, signedIn } = (await fakeBrowser.storage.local.get(['settings', 'signedIn'])) as { settings: { apiToken: string }; signedIn?: unknown };
    expect(settings.apiToken).toBe('');
    expect(signedIn ?? null).toBeNull();

    await fakeBrowser.storage.local.set({ settings: { backendUrl: 'http://127.0.0.1:9', apiToken: 't0k', repEmail: '', workspaceId: '' } });
    answers['/api/v1/tasks'] = () => json(403, { error: { code: 'GONG_FORBIDDEN', message: 'Gong does not allow this for your connection: Access denied' } });
    await act(() => hook.reload());
    await settle();
    expect(hook.state).toEqual({ kind: 'error', message: "Gong refused: your Gong user isn't allowed to do this. Ask your Gong admin for access." });
    answers['/api/v1/tasks'] = () => json(409, { error: { code: 'GONG_NOT_CONNECTED', message: 'expired', connectionStatus: 'EXPIRED' } });
    await act(() => hook.reload());
    await settle();
    expect(hook.state).toEqual({ kind: 'not-connected', status: 'EXPIRED' });
  });

  test('complete and skip go to the outbox as their own writes, with the note, and show what came back', async () => {
    await mount();
    await settle();
    const entry = (write: OutboxWrite, over: Partial<OutboxEntry>): OutboxEntry => ({ id: 'k', write, status: 'done', attempts: 1, createdAt: 0, nextAttemptAt: 0, lastError: null, result: null, ...over });
    sendMessage.mockImplementation(async (_type: string, w: OutboxWrite) => entry(w, { result: { task: task(w.kind === 'completeTask' ? 't1' : 't2', w.kind === 'completeTask' ? 'DONE' : 'DISMISSED') } }));

    await act(() => hook.act(hook.tasks![0], 'complete', ' Left a voicemail '));
    await act(() => hook.act(hook.tasks![1], 'skip', 'Out of office'));
    const sent = sendMessage.mock.calls.map(([type, w]) => [type, { ...w, idempotencyKey: typeof w.idempotencyKey }]);
    expect(sent).toEqual([
      ['enqueueWrite', { kind: 'completeTask', taskId: 't1', title: 'Call t1', notes: 'Left a voicemail', idempotencyKey: 'string' }],
      ['enqueueWrite', { kind: 'skipTask', taskId: 't2', title: 'Call t2', reason: 'Out of office', idempotencyKey: 'string' }],
    ]);
    // A new key per click: a retry of one write never runs another.
    expect(sendMessage.mock.calls[0][1].idempotencyKey).not.toBe(sendMessage.mock.calls[1][1].idempotencyKey);
    expect(hook.changes).toEqual({ t1: { phase: 'done', action: 'complete' }, t2: { phase: 'done', action: 'skip' } });
    expect(hook.tasks?.map((t) => t.status)).toEqual(['DONE', 'DISMISSED']);

    // Saved but not sent yet; refused by the backend; the background not answering.
    sendMessage.mockImplementationOnce(async (_t: string, w: OutboxWrite) => entry(w, { status: 'pending', lastError: { code: 'NETWORK', message: 'down' } }));
    await act(() => hook.act(task('t3'), 'complete', ''));
    expect(hook.changes.t3).toEqual({ phase: 'queued', action: 'complete' });
    sendMessage.mockImplementationOnce(async (_t: string, w: OutboxWrite) => entry(w, { status: 'failed', lastError: { code: 'GONG_NOT_FOUND', message: 'That task is gone.' } }));
    await act(() => hook.act(task('t4'), 'skip', ''));
    expect(hook.changes.t4).toEqual({ phase: 'failed', action: 'skip', message: 'That task is gone.' });
    sendMessage.mockRejectedValueOnce(new Error('Could not establish connection. Receiving end does not exist.'));
    await act(() => hook.act(task('t5'), 'complete', ''));
    expect(hook.changes.t5).toMatchObject({ phase: 'failed', action: 'complete' });
    act(() => hook.dismissChange('t5'));
    expect(hook.changes.t5).toBeUndefined();
  });
});

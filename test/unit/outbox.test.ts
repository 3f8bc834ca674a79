/**
 * Outbox with WXT's fakeBrowser (in-memory chrome.storage / alarms) and a scripted fetch: first attempt,
 * retry with backoff on unreachable / 5xx / 429 (Retry-After), drop on 4xx, idempotency key stable across
 * retries, resume after a worker restart.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import type { OutboxWrite } from '../../lib/outbox';
import { IDEMPOTENCY_KEY_RETENTION_DAYS } from '../../lib/api-paths';

vi.stubGlobal('chrome', fakeBrowser);
vi.stubGlobal('browser', fakeBrowser);

type Outbox = typeof import('../../background/outbox');
let outbox: Outbox;
let backoff: typeof import('../../background/backoff');
let contract: typeof import('../../lib/outbox');

interface Sent {
  url: string;
  key: string | null;
  body: unknown;
}
let sent: Sent[];
let script: Array<(req: Sent) => Response | 'network-error'>;

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}
const okTask = (id: string, status: 'DONE' | 'DISMISSED') =>
  json(200, { task: { id, type: 'call', title: 'Call', status, dueDate: null, overdue: false, prospect: { name: null, email: null, crmId: null }, flowName: null } });
const okAssign = () => json(200, { assigned: [], notAssigned: [] });

beforeAll(async () => {
  outbox = await import('../../background/outbox');
  backoff = await import('../../background/backoff');
  contract = await import('../../lib/outbox');
});

beforeEach(async () => {
  fakeBrowser.reset();
  sent = [];
  script = [];
  await fakeBrowser.storage.local.set({ settings: { backendUrl: 'http://127.0.0.1:9', apiToken: 't0k', repEmail: '', workspaceId: '' } });
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      const headers = init.headers as Record<string, string>;
      const req: Sent = { url, key: headers['idempotency-key'] ?? null, body: init.body ? JSON.parse(String(init.body)) : undefined };
      sent.push(req);
      const next = script.shift() ?? (() => okAssign());
      const res = next(req);
      if (res === 'network-error') throw new TypeError('Failed to fetch');
      return res;
    }),
  );
});

afterEach(() => {
  vi.useRealTimers();
});

const assign = { kind: 'assign' as const, flowId: 'f1', flowName: 'Q4 outbound', crmProspectIds: ['0035g00000ABCdeAAH'] };

describe('backoffDelay', () => {
  it('grows exponentially, is capped, and honours Retry-After when longer', () => {
    const mid = () => 0.5; // no jitter
    expect(backoff.backoffDelay(1, null, mid)).toBe(2_000);
    expect(backoff.backoffDelay(2, null, mid)).toBe(4_000);
    expect(backoff.backoffDelay(5, null, mid)).toBe(32_000);
    expect(backoff.backoffDelay(30, null, mid)).toBe(backoff.BACKOFF_MAX_MS);
    expect(backoff.backoffDelay(1, 30, mid)).toBe(30_000);
    expect(backoff.backoffDelay(6, 1, mid)).toBe(64_000);
  });
  it('jitters within ±20 %', () => {
    expect(backoff.backoffDelay(3, null, () => 0)).toBe(6_400);
    expect(backoff.backoffDelay(3, null, () => 1)).toBe(9_600);
  });
});

describe('outbox', () => {
  it('sends at once with the idempotency key made at click time, and resolves done', async () => {
    const entry = await outbox.enqueueWrite(assign, { id: 'click-1' });
    expect(entry.status).toBe('done');
    expect(entry.attempts).toBe(1);
    expect(sent).toHaveLength(1);
    expect(sent[0].url).toBe('http://127.0.0.1:9/api/v1/flows/f1/assign');
    expect(sent[0].key).toBe('click-1');
    expect(sent[0].body).toEqual({ crmProspectIds: ['0035g00000ABCdeAAH'] });
    const stored = await contract.outboxItem.getValue();
    expect(stored.map((e) => [e.id, e.status])).toEqual([['click-1', 'done']]);
  });

  it('keeps a write pending while the backend is unreachable and retries it with the same key', async () => {
    script.push(() => 'network-error', () => 'network-error');
    const t0 = Date.now();
    const first = await outbox.enqueueWrite(assign, { id: 'click-2' });
    expect(first.status).toBe('pending');
    expect(first.lastError?.code).toBe('NETWORK');
    expect(first.nextAttemptAt - t0).toBeGreaterThanOrEqual(1_600);
    // An alarm is armed so that a terminated worker wakes up for the retry.
    expect(await fakeBrowser.alarms.get(outbox.OUTBOX_ALARM)).toBeTruthy();

    // Not due yet: a plain flush leaves it alone.
    await outbox.flushOutbox();
    expect(sent).toHaveLength(1);

    // Second attempt fails too; the delay grows.
    await outbox.flushOutbox({ force: true });
    const second = (await contract.outboxItem.getValue())[0];
    expect(second.attempts).toBe(2);
    expect(second.nextAttemptAt - Date.now()).toBeGreaterThan(3_000);

    // Backend is back.
    await outbox.flushOutbox({ force: true });
    const done = (await contract.outboxItem.getValue())[0];
    expect(done.status).toBe('done');
    expect(done.attempts).toBe(3);
    expect(sent.map((s) => s.key)).toEqual(['click-2', 'click-2', 'click-2']);
    expect(await fakeBrowser.alarms.get(outbox.OUTBOX_ALARM)).toBeFalsy();
  });

  it('retries on 5xx and on 429, waiting at least Retry-After', async () => {
    script.push(
      () => json(503, { error: { code: 'GONG_UNAVAILABLE', message: 'Gong is down' } }),
      () => json(429, { error: { code: 'GONG_RATE_LIMITED', message: 'Slow down', retryAfter: 45 } }),
    );
    const a = await outbox.enqueueWrite(assign, { id: 'k5' });
    expect(a.status).toBe('pending');
    expect(a.lastError?.code).toBe('GONG_UNAVAILABLE');
    await outbox.flushOutbox({ force: true });
    const b = (await contract.outboxItem.getValue())[0];
    expect(b.status).toBe('pending');
    expect(b.lastError?.code).toBe('GONG_RATE_LIMITED');
    expect(b.nextAttemptAt - Date.now()).toBeGreaterThanOrEqual(44_000);
    await outbox.flushOutbox({ force: true });
    expect((await contract.outboxItem.getValue())[0].status).toBe('done');
    expect(new Set(sent.map((s) => s.key))).toEqual(new Set(['k5']));
  });

  it('marks a 4xx refusal failed with its message and never retries it', async () => {
    script.push(() => json(404, { error: { code: 'GONG_NOT_FOUND', message: 'That flow no longer exists.' } }));
    const e = await outbox.enqueueWrite(assign, { id: 'k4' });
    expect(e.status).toBe('failed');
    expect(e.lastError).toEqual({ code: 'GONG_NOT_FOUND', message: 'That flow no longer exists.' });
    await outbox.flushOutbox({ force: true });
    await outbox.resumeOutbox();
    expect(sent).toHaveLength(1);
    expect(await fakeBrowser.alarms.get(outbox.OUTBOX_ALARM)).toBeFalsy();
  });

  it('keeps order: later writes wait behind a blocked one and then go in order, each once', async () => {
    script.push(() => 'network-error');
    await outbox.enqueueWrite(assign, { id: 'a' });
    script.push(() => 'network-error');
    const second = await outbox.enqueueWrite({ kind: 'completeTask', taskId: 't1', title: 'Call' }, { id: 'b' });
    expect(second.status).toBe('pending');
    expect(sent.map((s) => s.key)).toEqual(['a', 'a']); // b never overtook a
    script.push(() => okAssign(), () => okTask('t1', 'DONE'));
    await outbox.flushOutbox({ force: true });
    expect(sent.map((s) => s.key)).toEqual(['a', 'a', 'a', 'b']);
    expect((await contract.outboxItem.getValue()).map((e) => e.status)).toEqual(['done', 'done']);
  });

  it('a write caught mid-send by a worker termination is sent again with the same key on restart', async () => {
    const now = Date.now();
    await contract.outboxItem.setValue([
      { id: 'mid', write: { kind: 'skipTask', taskId: 't9', title: 'Email', reason: 'OOO' }, status: 'sending', attempts: 0, createdAt: now, nextAttemptAt: now, lastError: null, result: null },
    ]);
    script.push(() => okTask('t9', 'DISMISSED'));
    await outbox.resumeOutbox();
    const [e] = await contract.outboxItem.getValue();
    expect(e.status).toBe('done');
    expect(sent).toEqual([{ url: 'http://127.0.0.1:9/api/v1/tasks/t9/skip', key: 'mid', body: { reason: 'OOO' } }]);
  });

  it('the same click enqueued twice is one write', async () => {
    await outbox.enqueueWrite(assign, { id: 'dup' });
    await outbox.enqueueWrite(assign, { id: 'dup' });
    expect(sent).toHaveLength(1);
    expect(await contract.outboxItem.getValue()).toHaveLength(1);
  });

  it('reports settled writes and prunes old done entries', async () => {
    const settled: string[] = [];
    const off = outbox.onWriteSettled((e) => settled.push(`${e.id}:${e.status}`));
    await outbox.enqueueWrite(assign, { id: 'n1' });
    off();
    expect(settled).toEqual(['n1:done']);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + contract.DONE_TTL_MS + 1_000);
    await outbox.flushOutbox();
    expect(await contract.outboxItem.getValue()).toEqual([]);
  });

  it('gives up on a write it could not send before the backend forgets its key, and tells the rep; a younger one is still sent', async () => {
    script.push(() => 'network-error', () => 'network-error');
    await outbox.enqueueWrite(assign, { id: 'old-write' });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + contract.PENDING_GIVE_UP_MS - 60_000);
    await outbox.enqueueWrite({ ...assign, flowId: 'f2' }, { id: 'young-write' });
    expect((await contract.outboxItem.getValue()).map((e) => e.status)).toEqual(['pending', 'pending']);
    // Within the backend's key retention, with a day to spare for clocks that disagree.
    expect(contract.PENDING_GIVE_UP_MS).toBeLessThan(IDEMPOTENCY_KEY_RETENTION_DAYS * 86_400_000);

    const settled: string[] = [];
    const off = outbox.onWriteSettled((e) => settled.push(`${e.id}:${e.status}`));
    vi.setSystemTime(Date.now() + 120_000);
    await outbox.flushOutbox({ force: true });
    off();
    const [old, young] = await contract.outboxItem.getValue();
    expect(old).toMatchObject({ id: 'old-write', status: 'failed', lastError: { code: 'NOT_SENT_IN_TIME' } });
    expect(old.lastError?.message).toMatch(/not sent.*29 days.*again/i);
    expect(young).toMatchObject({ id: 'young-write', status: 'done' });
    expect(settled).toEqual(['old-write:failed', 'young-write:done']);
    // Never sent after giving up.
    expect(sent.map((s) => s.key)).toEqual(['old-write', 'old-write', 'young-write']);
  });

  it('keeps a refusal no page has shown for the next panel (a week), one the rep was shown a day', async () => {
    script.push(() => json(404, { error: { code: 'GONG_NOT_FOUND', message: 'Flow not found' } }), () => json(404, { error: { code: 'GONG_NOT_FOUND', message: 'Flow not found' } }));
    await outbox.enqueueWrite(assign, { id: 'shown' });
    await outbox.enqueueWrite({ ...assign, flowId: 'f2' }, { id: 'not-shown' });
    await outbox.markTold(['shown', 'no-such-write']);
    expect((await contract.outboxItem.getValue()).map((e) => [e.id, e.status, e.told ?? false])).toEqual([
      ['shown', 'failed', true],
      ['not-shown', 'failed', false],
    ]);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + contract.FAILED_TTL_MS + 60_000);
    await outbox.flushOutbox();
    expect((await contract.outboxItem.getValue()).map((e) => e.id)).toEqual(['not-shown']);
    vi.setSystemTime(Date.now() + contract.FAILED_UNTOLD_TTL_MS);
    await outbox.flushOutbox();
    expect(await contract.outboxItem.getValue()).toEqual([]);
  });

  it('sends each write kind to its own route with its own body, and keeps what that route answered', async () => {
    // Answers by route, like the backend: a write sent to another kind's route gets that route's answer.
    const byRoute: Record<string, () => Response> = {
      '/flows/f1/assign': () => json(200, { assigned: [], notAssigned: [] }),
      '/flows/f2/unassign': () => json(200, { unassigned: ['51'], notUnassigned: [] }),
      '/interactions': () => json(202, { accepted: true }),
      '/tasks/t1/complete': () => okTask('t1', 'DONE'),
      '/tasks/t2/skip': () => okTask('t2', 'DISMISSED'),
    };
    const route = (req: Sent) => req.url.replace('http://127.0.0.1:9/api/v1', '');
    for (let i = 0; i < 5; i++) script.push((req) => byRoute[route(req)]?.() ?? json(404, { error: { code: 'NOT_FOUND', message: route(req) } }));
    const writes: OutboxWrite[] = [
      { kind: 'assign', flowId: 'f1', flowName: 'Q3', crmProspectIds: ['51'], coolOffOverride: true, flowInstanceOwnerEmail: 'sam@example.com' },
      { kind: 'unassign', flowId: 'f2', flowName: 'X', crmProspectIds: ['51'] },
      { kind: 'interaction', body: { crmProspectId: '51', eventName: 'Visited pricing', eventTimestamp: '2025-01-01T00:00:00.000Z' } },
      { kind: 'completeTask', taskId: 't1', title: 'Call', notes: 'Left a voicemail' },
      { kind: 'skipTask', taskId: 't2', title: 'Email', reason: 'Out of office' },
    ];
    const entries = [];
    for (const [i, w] of writes.entries()) entries.push(await outbox.enqueueWrite(w, { id: `w${i}` }));
    expect(sent.map((s) => [route(s), s.key, s.body])).toEqual([
      ['/flows/f1/assign', 'w0', { crmProspectIds: ['51'], coolOffOverride: true, flowInstanceOwnerEmail: 'sam@example.com' }],
      ['/flows/f2/unassign', 'w1', { crmProspectIds: ['51'] }],
      ['/interactions', 'w2', { crmProspectId: '51', eventName: 'Visited pricing', eventTimestamp: '2025-01-01T00:00:00.000Z' }],
      ['/tasks/t1/complete', 'w3', { notes: 'Left a voicemail' }],
      ['/tasks/t2/skip', 'w4', { reason: 'Out of office' }],
    ]);
    expect(entries.map((e) => e.status)).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(entries.slice(3).map((e) => (e.result as { task: { status: string } }).task.status)).toEqual(['DONE', 'DISMISSED']);
  });
});

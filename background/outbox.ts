/**
 * The outbox: every write the rep makes is stored in chrome.storage.local first, keyed by an idempotency
 * key made at click time, then sent with that key. Retried with backoff while the backend is unreachable
 * or busy (5xx/429, honouring Retry-After); a refusal (4xx) is marked failed and never retried. Survives
 * service worker termination and browser restarts: an alarm wakes the worker, and `resumeOutbox` runs on
 * every worker start.
 */
import { browser } from 'wxt/browser';
import { BackendError } from '../lib/backend-error';
import { currentClient } from '../lib/current-client';
import { DONE_TTL_MS, FAILED_TTL_MS, FAILED_UNTOLD_TTL_MS, PENDING_GIVE_UP_MS, outboxItem, pendingEntries, type OutboxEntry, type OutboxResult, type OutboxWrite } from '../lib/outbox';
import { backoffDelay } from './backoff';

export const OUTBOX_ALARM = 'gong-outbox';

type LandedListener = (entry: OutboxEntry) => void;
const landedListeners = new Set<LandedListener>();
/** Called when a write reaches a final state (done or failed), e.g. to refresh the task badge. */
export function onWriteSettled(listener: LandedListener): () => void {
  landedListeners.add(listener);
  return () => landedListeners.delete(listener);
}

// Every read-modify-write of the outbox runs on this chain, so concurrent clicks and alarms never
// overwrite each other's changes inside one worker (the worker is the only writer).
let chain: Promise<unknown> = Promise.resolve();
function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const run = chain.then(fn, fn);
  chain = run.catch(() => undefined);
  return run;
}

let timer: ReturnType<typeof setTimeout> | undefined;

export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/** Stores a write and makes its first attempt; resolves with the entry as it stands after that attempt. */
export function enqueueWrite(write: OutboxWrite, opts: { id?: string } = {}): Promise<OutboxEntry> {
  const id = opts.id ?? newIdempotencyKey();
  return serialized(async () => {
    // A copy: wxt/storage hands out its shared fallback array when the key is absent.
    const entries = [...(await outboxItem.getValue())];
    // The same click sent twice (e.g. a UI retry of the message) is the same write.
    if (!entries.some((e) => e.id === id)) {
      const now = Date.now();
      entries.push({ id, write, status: 'pending', attempts: 0, createdAt: now, nextAttemptAt: now, lastError: null, result: null });
      await outboxItem.setValue(entries);
    }
    // A click is a good moment to retry everything still waiting, in order.
    await flushLocked(true);
    const after = await outboxItem.getValue();
    return after.find((e) => e.id === id) ?? entries.find((e) => e.id === id)!;
  });
}

/** Sends every due write, oldest first. `force` ignores backoff (a click, a worker start, `online`). */
export function flushOutbox(opts: { force?: boolean } = {}): Promise<void> {
  return serialized(() => flushLocked(opts.force ?? false));
}

/** A page showed the rep why these writes failed: they may go after FAILED_TTL_MS. */
export function markTold(ids: string[]): Promise<void> {
  return serialized(async () => {
    const entries = await outboxItem.getValue();
    if (!entries.some((e) => ids.includes(e.id) && e.status === 'failed' && !e.told)) return;
    await outboxItem.setValue(entries.map((e) => (ids.includes(e.id) && e.status === 'failed' ? { ...e, told: true } : e)));
  });
}

/** On worker start: writes caught mid-send when the worker died are sent again (same key: no double). */
export function resumeOutbox(): Promise<void> {
  return serialized(async () => {
    const entries = await outboxItem.getValue();
    if (entries.some((e) => e.status === 'sending')) {
      await outboxItem.setValue(entries.map((e) => (e.status === 'sending' ? { ...e, status: 'pending' as const } : e)));
    }
    await flushLocked(true);
  });
}

async function flushLocked(force: boolean): Promise<void> {
  const stored = await outboxItem.getValue();
  const tooOld = stored.filter((e) => (e.status === 'pending' || e.status === 'sending') && Date.now() - e.createdAt >= PENDING_GIVE_UP_MS);
  let entries = prune(stored, Date.now()).map((e) => (tooOld.includes(e) ? giveUp(e) : e));
  // Every write wakes each page's watcher: only when something was pruned or given up.
  if (entries.length !== stored.length || tooOld.length) await outboxItem.setValue(entries);
  for (const e of entries) if (tooOld.some((old) => old.id === e.id)) notifySettled(e);
  const due = entries.filter((e) => (e.status === 'pending' || e.status === 'sending') && (force || e.nextAttemptAt <= Date.now()));
  for (const entry of due) {
    entries = await update(entry.id, { status: 'sending' });
    let outcome: Partial<OutboxEntry>;
    let stop = false;
    try {
      const result = await send(entry.id, entry.write);
      outcome = { status: 'done', attempts: entry.attempts + 1, result, lastError: null, settledAt: Date.now() };
    } catch (err) {
      const e = toBackendError(err);
      const attempts = entry.attempts + 1;
      if (e.kind === 'refused') {
        outcome = { status: 'failed', attempts, lastError: { code: e.code, message: e.message, ...(e.connectionStatus ? { connectionStatus: e.connectionStatus } : {}) }, settledAt: Date.now() };
      } else {
        outcome = { status: 'pending', attempts, nextAttemptAt: Date.now() + backoffDelay(attempts, e.retryAfter), lastError: { code: e.code, message: e.message } };
        // The backend is down or struggling: later writes would fail the same way, and must not overtake this one.
        stop = true;
      }
    }
    entries = await update(entry.id, outcome);
    const settled = entries.find((x) => x.id === entry.id);
    if (settled && (settled.status === 'done' || settled.status === 'failed')) notifySettled(settled);
    if (stop) {
      const blocker = entries.find((x) => x.id === entry.id)!;
      // Writes queued behind it wait with it and show the same reason.
      entries = entries.map((x) =>
        x.id !== entry.id && x.status === 'pending' && x.nextAttemptAt < blocker.nextAttemptAt
          ? { ...x, nextAttemptAt: blocker.nextAttemptAt, lastError: x.lastError ?? blocker.lastError }
          : x,
      );
      await outboxItem.setValue(entries);
      break;
    }
  }
  await schedule(entries);
}

async function update(id: string, patch: Partial<OutboxEntry>): Promise<OutboxEntry[]> {
  const entries = (await outboxItem.getValue()).map((e) => (e.id === id ? { ...e, ...patch } : e));
  await outboxItem.setValue(entries);
  return entries;
}

/** A write that could not be sent before the backend would forget its key (PENDING_GIVE_UP_MS): failed, the rep told. */
function giveUp(e: OutboxEntry): OutboxEntry {
  const days = Math.round(PENDING_GIVE_UP_MS / 86_400_000);
  const message = `Not sent: the backend could not be reached for ${days} days. Make this change again if you still want it.`;
  return { ...e, status: 'failed', lastError: { code: 'NOT_SENT_IN_TIME', message }, settledAt: Date.now() };
}

function prune(entries: OutboxEntry[], now: number): OutboxEntry[] {
  return entries.filter((e) => {
    if (e.status === 'done') return now - (e.settledAt ?? e.createdAt) < DONE_TTL_MS;
    if (e.status === 'failed') return now - (e.settledAt ?? e.createdAt) < (e.told ? FAILED_TTL_MS : FAILED_UNTOLD_TTL_MS);
    return true;
  });
}

async function schedule(entries: OutboxEntry[]): Promise<void> {
  const waiting = pendingEntries(entries);
  if (timer) clearTimeout(timer);
  timer = undefined;
  if (waiting.length === 0) {
    await Promise.resolve(browser.alarms.clear(OUTBOX_ALARM)).catch(() => undefined);
    return;
  }
  const next = Math.min(...waiting.map((e) => e.nextAttemptAt));
  const delay = Math.max(0, next - Date.now());
  // While the worker lives a timer retries promptly; the alarm wakes a terminated worker (and survives restarts).
  timer = setTimeout(() => void flushOutbox(), delay);
  await Promise.resolve(browser.alarms.create(OUTBOX_ALARM, { when: Math.max(next, Date.now() + 1_000) })).catch(() => undefined);
}

function notifySettled(entry: OutboxEntry): void {
  for (const l of landedListeners) {
    try {
      l(entry);
    } catch {
      /* a listener's bug must not stop the outbox */
    }
  }
}

function toBackendError(err: unknown): BackendError {
  if (err instanceof BackendError) return err;
  // Anything unexpected (a bug, a storage hiccup) is retried rather than losing the rep's click.
  return new BackendError('unavailable', 'BAD_RESPONSE', err instanceof Error ? err.message : String(err));
}

async function send(idempotencyKey: string, w: OutboxWrite): Promise<OutboxResult> {
  const { client } = await currentClient();
  // Not set up (yet): kept and sent once settings are saved (saving them flushes the outbox).
  if (!client) throw new BackendError('unreachable', 'NETWORK', 'The extension is not set up yet: add the backend URL and token in settings.');
  switch (w.kind) {
    case 'assign':
      return client.assign(
        w.flowId,
        {
          crmProspectIds: w.crmProspectIds,
          ...(w.coolOffOverride ? { coolOffOverride: true } : {}),
          ...(w.flowInstanceOwnerEmail ? { flowInstanceOwnerEmail: w.flowInstanceOwnerEmail } : {}),
        },
        idempotencyKey,
      );
    case 'unassign':
      return client.unassign(w.flowId, { crmProspectIds: w.crmProspectIds }, idempotencyKey);
    case 'interaction':
      return client.reportInteraction(w.body, idempotencyKey);
    case 'completeTask':
      return client.completeTask(w.taskId, w.notes ? { notes: w.notes } : {}, idempotencyKey);
    case 'skipTask':
      return client.skipTask(w.taskId, w.reason ? { reason: w.reason } : {}, idempotencyKey);
  }
}

/**
 * The popup's task list: renders the cached list at once and fetches today's tasks only when that list is
 * older than TASKS_CACHE_FRESH_MS (the badge refreshes it hourly) or the rep presses Refresh (then past the
 * backend's cache too: each fetch is a Gong call); sends Complete / Skip through the background outbox so
 * that a click is never lost.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Task } from '../../lib/api';
import { BackendError } from '../../lib/backend-error';
import { currentClient } from '../../lib/current-client';
import { sendMessage } from '../../lib/messages';
import { pendingEntries, type OutboxEntry } from '../../lib/outbox';
import { TASKS_CACHE_FRESH_MS, tasksCacheItem } from '../../lib/storage';
import { explainFailure } from '../format';
import { forgetSignIn } from '../sign-in-flow';
import { usePendingWrites } from './usePendingWrites';

export type TasksState =
  | { kind: 'loading' }
  /** rejected: a token the backend never took (fix it in settings); signed-out: a sign-in that ended (forgotten here). */
  | { kind: 'not-configured'; reason: 'missing' | 'rejected' | 'signed-out' }
  | { kind: 'not-connected'; status?: string }
  | { kind: 'unreachable'; message: string }
  | { kind: 'error'; message: string }
  | { kind: 'ready' };

/** How a rep closes a task. */
export type TaskAction = 'complete' | 'skip';

/** What the rep did to a task in this popup session, shown in place. */
export type TaskChange =
  | { phase: 'saving'; action: TaskAction }
  | { phase: 'queued'; action: TaskAction }
  | { phase: 'done'; action: TaskAction }
  | { phase: 'failed'; action: TaskAction; message: string };

/** Complete / Skip still waiting in the outbox, by task: queued, whichever popup made them (one closed since). */
export function queuedTaskChanges(entries: OutboxEntry[]): Record<string, TaskChange> {
  const out: Record<string, TaskChange> = {};
  for (const { write } of pendingEntries(entries)) {
    if (write.kind === 'completeTask') out[write.taskId] = { phase: 'queued', action: 'complete' };
    else if (write.kind === 'skipTask') out[write.taskId] = { phase: 'queued', action: 'skip' };
  }
  return out;
}

export function useTasks() {
  const [state, setState] = useState<TasksState>({ kind: 'loading' });
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [fetchedAt, setFetchedAt] = useState<number | null>(null);
  const [refreshing, setRefreshing] = useState(false);
  const [changes, setChanges] = useState<Record<string, TaskChange>>({});
  const alive = useRef(true);
  // A reopened popup shows a task closed while its write waits in the outbox: offered again, a second click would
  // queue a second write for it.
  const pending = usePendingWrites();
  const shownChanges = useMemo(() => ({ ...queuedTaskChanges(pending), ...changes }), [pending, changes]);

  /** `ifStale`: a fresh cached list is kept (the popup opening); `fresh`: the rep asked, past the backend's cache. */
  const load = useCallback(async (opts: { ifStale?: boolean; fresh?: boolean } = {}) => {
    setRefreshing(true);
    let token = '';
    try {
      const { client, settings } = await currentClient();
      token = settings.apiToken;
      if (!client) {
        setState({ kind: 'not-configured', reason: 'missing' });
        return;
      }
      const cache = opts.ifStale ? await tasksCacheItem.getValue() : null;
      const cached = cache && Date.now() - cache.fetchedAt < TASKS_CACHE_FRESH_MS ? cache : null;
      // The connection is asked too (Scalekit, not Gong): cached tasks are not shown as current after Gong access expired.
      const [conn, list] = await Promise.allSettled([client.connection(), cached ? Promise.resolve(cached) : client.tasks('today', { fresh: opts.fresh })]);
      if (!alive.current) return;
      if (conn.status === 'fulfilled' && conn.value.status !== 'ACTIVE') {
        setState({ kind: 'not-connected', status: conn.value.status });
        return;
      }
      if (list.status === 'rejected') throw list.reason;
      if (cached) {
        // The backend cannot be reached: the saved list is shown as saved, with why.
        if (conn.status === 'rejected') throw conn.reason;
        setTasks(cached.tasks);
        setFetchedAt(cached.fetchedAt);
        setState({ kind: 'ready' });
        return;
      }
      const fresh = list.value.tasks;
      setTasks(fresh);
      setFetchedAt(Date.now());
      setState({ kind: 'ready' });
      // The background's watcher of this item updates the badge.
      await tasksCacheItem.setValue({ tasks: fresh, fetchedAt: Date.now() });
    } catch (err) {
      const next = stateForError(err);
      // As the side panel does: a dead sign-in is forgotten, so no page keeps sending it.
      if (next.kind === 'not-configured' && next.reason === 'signed-out') await forgetSignIn(token);
      if (!alive.current) return;
      setState(next);
    } finally {
      if (alive.current) setRefreshing(false);
    }
  }, []);

  useEffect(() => {
    alive.current = true;
    void tasksCacheItem.getValue().then((cache) => {
      if (cache && alive.current) {
        setTasks((t) => t ?? cache.tasks);
        setFetchedAt((f) => f ?? cache.fetchedAt);
      }
    });
    void load({ ifStale: true });
    return () => {
      alive.current = false;
    };
  }, [load]);

  const act = useCallback(async (task: Task, action: TaskAction, text: string) => {
    // The idempotency key is made now, at the click: a retry of this write can never run twice.
    const idempotencyKey = crypto.randomUUID();
    const note = text.trim() || undefined;
    setChanges((c) => ({ ...c, [task.id]: { phase: 'saving', action } }));
    try {
      const entry: OutboxEntry = await sendMessage(
        'enqueueWrite',
        action === 'complete'
          ? { kind: 'completeTask', taskId: task.id, title: task.title, notes: note, idempotencyKey }
          : { kind: 'skipTask', taskId: task.id, title: task.title, reason: note, idempotencyKey },
      );
      const change: TaskChange =
        entry.status === 'done'
          ? { phase: 'done', action }
          : entry.status === 'failed'
            ? { phase: 'failed', action, message: entry.lastError ? explainFailure(entry.lastError) : 'Gong refused this change.' }
            : { phase: 'queued', action };
      setChanges((c) => ({ ...c, [task.id]: change }));
      if (entry.status === 'done' && entry.result && 'task' in entry.result) {
        const updated = entry.result.task;
        setTasks((ts) => ts?.map((t) => (t.id === updated.id ? updated : t)) ?? ts);
      }
    } catch (err) {
      setChanges((c) => ({ ...c, [task.id]: { phase: 'failed', action, message: err instanceof Error ? err.message : String(err) } }));
    }
  }, []);

  const dismissChange = useCallback((taskId: string) => {
    setChanges(({ [taskId]: _gone, ...rest }) => rest);
  }, []);

  /** The rep's Refresh (and Try again): from Gong now. */
  const reload = useCallback(() => load({ fresh: true }), [load]);
  /** Looking again by itself (backend unreachable): the backend's cache is good enough. */
  const recheck = useCallback(() => load(), [load]);
  return { state, tasks, fetchedAt, refreshing, changes: shownChanges, reload, recheck, act, dismissChange };
}

export function stateForError(err: unknown): TasksState {
  if (err instanceof BackendError) {
    if (err.kind === 'unreachable') return { kind: 'unreachable', message: err.message };
    if (err.code === 'GONG_NOT_CONNECTED') return { kind: 'not-connected', ...(err.connectionStatus ? { status: err.connectionStatus } : {}) };
    if (err.code === 'UNAUTHENTICATED') return { kind: 'not-configured', reason: err.reason ? 'signed-out' : 'rejected' };
    if (err.kind === 'unavailable') return { kind: 'unreachable', message: err.message };
    return { kind: 'error', message: explainFailure(err) };
  }
  return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
}

/**
 * Work kept off the request path: tasks run when no request has been in flight for a moment.
 *
 * A rep's requests come seconds apart. Anything the backend does on its own schedule (a write-behind flush,
 * a garbage collection) lands in the middle of some request unless it waits for such a quiet moment. Under
 * steady load there is none, and the tasks' own fallbacks apply (the usage counter's deadline, V8's own GC).
 */
import type { Server } from 'node:http';
import v8 from 'node:v8';

export interface IdleWork {
  /** Runs `task` at every quiet moment (after the tasks added before it). */
  add(task: () => void): void;
  /** Quiet moments that ran the tasks so far. */
  runs(): number;
  stop(): void;
}

/** `idleMs`: quiet time after the last response before the tasks run. */
export function installIdleWork(server: Server, idleMs = 20): IdleWork {
  const tasks: (() => void)[] = [];
  let inFlight = 0;
  let runs = 0;
  let pending: NodeJS.Timeout | undefined;

  const run = () => {
    pending = undefined;
    if (inFlight > 0) return;
    runs++;
    for (const task of tasks) {
      try {
        task();
      } catch {
        // A task's failure is its own business (each has its own fallback); the others still run.
      }
    }
  };
  const done = () => {
    if (--inFlight > 0) return;
    pending = setTimeout(run, idleMs);
    pending.unref();
  };
  const onRequest = (_req: unknown, res: NodeJS.EventEmitter) => {
    inFlight++;
    if (pending) {
      clearTimeout(pending);
      pending = undefined;
    }
    res.once('close', done);
  };
  server.on('request', onRequest);
  return {
    add: (task) => void tasks.push(task),
    runs: () => runs,
    stop() {
      server.off('request', onRequest);
      if (pending) clearTimeout(pending);
      pending = undefined;
    },
  };
}

export type GcFunction = (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

const youngBytes = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_used_size ?? 0;

/**
 * A young-generation GC, as an idle task. Under sparse traffic V8 keeps the new space small and scavenges
 * every few requests, in the middle of one (1.5–2.5 ms on a 2-core box: much of that request is still alive
 * and gets copied). Between requests nearly everything young is dead, so the same scavenge is cheap, and off
 * every request's path. Needs `node --expose-gc` (the `server` and `start` scripts pass it): without it, or
 * below `minYoungBytes` (not worth a collection), it does nothing.
 */
export function youngGcTask(gc = (globalThis as { gc?: GcFunction }).gc, minYoungBytes = 128 * 1024, used = youngBytes): (() => void) | undefined {
  if (typeof gc !== 'function') return undefined;
  return () => {
    if (used() >= minYoungBytes) gc({ type: 'minor' });
  };
}

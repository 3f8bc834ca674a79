/** Shared helpers for the benchmarks: statistics, the result shape, small waits. */
import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';

export interface BenchResult {
  /** Stable id (results.json key). */
  id: string;
  figure: string;
  /** Human-readable measured value. */
  value: string;
  goal: string;
  /** null: could not be measured (see error). */
  pass: boolean | null;
  /** Raw numbers behind the value (for results.json). */
  data?: Record<string, unknown>;
  error?: string;
}

export const sleep = (ms: number) => delay(ms);

export function median(xs: number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  return ms < 1 ? `${round(ms, 3)} ms` : ms < 100 ? `${round(ms, 2)} ms` : `${Math.round(ms)} ms`;
}

/** Deterministic PRNG so every run simulates the same day: the simulator's own mulberry32. */
export { prng } from '../server/sandbox/gong/util';

export function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

/** Polls until `fn` is truthy or the timeout passes. */
export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs: number, what: string, everyMs = 5): Promise<NonNullable<T>> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (performance.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * Holds `flock <path>` while the browser runs, so a parallel `flock /tmp/build.lock npm run build` cannot
 * rewrite .output/chrome-mv3 under the running extension. Resolves once the lock is held.
 */
export function holdLock(path: string): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const child = spawn('flock', [path, 'sh', '-c', 'echo locked; cat >/dev/null'], { stdio: ['pipe', 'pipe', 'ignore'] });
    child.on('error', reject);
    child.stdout.once('data', () => resolve(() => child.stdin.end()));
  });
}

/**
 * Per-company Gong rate limiter: at most `rate` calls in any `windowMs`, queued, served round-robin
 * between users so one rep's bulk job cannot starve another rep's click.
 *
 * A slot is held from the moment a call is let through until `windowMs` after it *finished*. Gong
 * counts a call when it arrives, which is somewhere between those two moments, so however the
 * network delays individual calls, Gong never sees more than `rate` arrivals in one window.
 */
export interface LimiterOptions {
  /** Calls per window (Gong: 3). */
  rate: number;
  /** Window length in ms (Gong: 1000). */
  windowMs: number;
  /**
   * Added to the window to absorb timer and clock granularity (default 5 ms). Counting from the end of a
   * call is already conservative: Gong saw the request before we saw its answer.
   */
  marginMs?: number;
}

export type Release = () => void;

/** The company's Gong rate: this process's (FairRateLimiter) or shared by replicas (shared-limiter.ts). */
export interface RateLimiter {
  /** Waits for a slot; call the returned release when the Gong call has finished (ok or not). */
  acquire(user: string, signal?: AbortSignal): Promise<Release>;
  /** Gong said 429: let nothing through until it said we may retry. */
  pauseFor(ms: number): void;
  /** How long no call is let through yet after a pause (0 when none), ms. */
  pausedForMs(): number;
  readonly queued: number;
  close(): void;
}

interface Waiter {
  resolve: (release: Release) => void;
  reject: (err: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class FairRateLimiter implements RateLimiter {
  private readonly queues = new Map<string, Waiter[]>();
  /** Users with waiters, in round-robin order. */
  private readonly turn: string[] = [];
  private active = 0;
  /** Finish times of recent calls still inside the window. */
  private finished: number[] = [];
  private blockedUntil = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly holdMs: number;

  constructor(private readonly opts: LimiterOptions) {
    this.holdMs = opts.windowMs + (opts.marginMs ?? 5);
  }

  /** Waits for a slot; call the returned release when the Gong call has finished (ok or not). */
  acquire(user: string, signal?: AbortSignal): Promise<Release> {
    return new Promise<Release>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const q = this.queues.get(user);
          const i = q?.indexOf(waiter) ?? -1;
          if (q && i >= 0) q.splice(i, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      let q = this.queues.get(user);
      if (!q) this.queues.set(user, (q = []));
      q.push(waiter);
      if (!this.turn.includes(user)) this.turn.push(user);
      this.pump();
    });
  }

  /** Gong said 429: let nothing through until it said we may retry. */
  pauseFor(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, Date.now() + ms);
    this.pump();
  }

  /** How long no call is let through yet after a pause (0 when none), ms. */
  pausedForMs(): number {
    return Math.max(0, this.blockedUntil - Date.now());
  }

  get queued(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  private pump(): void {
    const now = Date.now();
    this.finished = this.finished.filter((t) => now - t < this.holdMs);
    while (this.turn.length && now >= this.blockedUntil && this.active + this.finished.length < this.opts.rate) {
      const user = this.turn.shift()!;
      const q = this.queues.get(user)!;
      const waiter = q.shift();
      if (q.length) this.turn.push(user);
      else this.queues.delete(user);
      if (!waiter) continue;
      if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
      this.active++;
      let released = false;
      waiter.resolve(() => {
        if (released) return;
        released = true;
        this.active--;
        this.finished.push(Date.now());
        this.pump();
      });
    }
    this.schedule(now);
  }

  private schedule(now: number): void {
    if (this.timer || !this.turn.length) return;
    const candidates: number[] = [];
    if (this.blockedUntil > now) candidates.push(this.blockedUntil - now);
    if (this.finished.length && this.active + this.finished.length >= this.opts.rate) {
      candidates.push(this.finished[0] + this.holdMs - now);
    }
    // With every slot busy (active) there is nothing to wait for: a release pumps.
    if (!candidates.length) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, Math.max(1, Math.max(...candidates)));
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const q of this.queues.values()) for (const w of q) w.reject(new Error('limiter closed'));
    this.queues.clear();
    this.turn.length = 0;
  }
}

/** Fixed-window counter per key (requests per user; failed token checks per address and per token prefix). */
export class WindowCounter {
  private readonly counts = new Map<string, { windowStart: number; n: number }>();

  constructor(private readonly max: number, private readonly windowMs: number) {}

  /** Counts one event; returns seconds to wait when over the limit, else 0. */
  hit(key: string, now = Date.now()): number {
    const c = this.current(key, now, true)!;
    c.n++;
    return this.waitFor(c, now);
  }

  /** Seconds to wait if `key` is already at its limit (counts nothing), else 0. */
  over(key: string, now = Date.now()): number {
    const c = this.current(key, now, false);
    return c && c.n >= this.max ? Math.max(1, Math.ceil((c.windowStart + this.windowMs - now) / 1000)) : 0;
  }

  private current(key: string, now: number, create: boolean): { windowStart: number; n: number } | undefined {
    let c = this.counts.get(key);
    if (c && now - c.windowStart >= this.windowMs) {
      this.counts.delete(key);
      c = undefined;
    }
    if (!c && create) {
      c = { windowStart: now, n: 0 };
      this.counts.set(key, c);
      if (this.counts.size > 10_000) this.sweep(now);
    }
    return c;
  }

  private waitFor(c: { windowStart: number; n: number }, now: number): number {
    if (c.n <= this.max) return 0;
    return Math.max(1, Math.ceil((c.windowStart + this.windowMs - now) / 1000));
  }

  private sweep(now: number): void {
    for (const [k, c] of this.counts) if (now - c.windowStart >= this.windowMs) this.counts.delete(k);
  }
}

/** Fixed-window request counter per key (per user in front of the Gong limiter). */
export class WindowCounter {
  private readonly counts = new Map<string, { windowStart: number; n: number }>();

  constructor(private readonly max: number, private readonly windowMs: number) {}

  /** Counts one request; returns seconds to wait when over the limit, else 0. */
  hit(key: string, now = Date.now()): number {
    let c = this.counts.get(key);
    if (!c || now - c.windowStart >= this.windowMs) {
      c = { windowStart: now, n: 0 };
      this.counts.set(key, c);
      if (this.counts.size > 10_000) this.sweep(now);
    }
    c.n++;
    if (c.n <= this.max) return 0;
    return Math.max(1, Math.ceil((c.windowStart + this.windowMs - now) / 1000));
  }

  private sweep(now: number): void {
    for (const [k, c] of this.counts) if (now - c.windowStart >= this.windowMs) this.counts.delete(k);
  }
}

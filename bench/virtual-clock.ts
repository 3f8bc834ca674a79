/**
 * A clock that can jump forward, for simulating a working day in minutes: Date.now() and `new Date()`
 * return real time plus an offset that only grows. Everything in this process that reads the wall clock
 * (the backend's read-cache TTLs, its limiter windows, the daily usage counter, the simulator, token
 * expiry) sees a continuous, monotonic day in which the idle gaps between events are skipped.
 * Timers (setTimeout) still run in real time.
 */
export interface VirtualClock {
  /** Virtual ms since epoch. */
  now(): number;
  /** Jumps forward so that now() >= t (never backwards). */
  advanceTo(t: number): void;
  restore(): void;
}

export function installVirtualClock(startAt: number): VirtualClock {
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  let offset = Math.max(0, startAt - realNow());
  const now = () => realNow() + offset;
  class VirtualDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(now());
      else super(...(args as [string | number | Date]));
    }
    static now(): number {
      return now();
    }
  }
  (globalThis as { Date: DateConstructor }).Date = VirtualDate as unknown as DateConstructor;
  return {
    now,
    advanceTo(t) {
      const cur = now();
      if (t > cur) offset += t - cur;
    },
    restore() {
      (globalThis as { Date: DateConstructor }).Date = RealDate;
    },
  };
}

/**
 * Gong's per-company API limits: N calls per second and M per day. Accepted calls count against both;
 * a refused call gets 429 with Retry-After (whole seconds, at least 1).
 */
import { DAY_MS, startOfUtcDay } from './util';

export interface Limits {
  perSecond: number;
  perDay: number;
}

export type LimitDecision = { ok: true } | { ok: false; retryAfter: number; reason: 'second' | 'day' };

export class RateLimiter {
  private recent: number[] = [];
  private day = -1;
  private dayCount = 0;

  constructor(public limits: Limits) {}

  /**
   * `calls`: the Gong calls one connector tool run makes (lib/gong-tools.ts GONG_CALL_COST), all counted against the
   * day. Against the second the run counts once: how fast the connector makes its calls is not known (a guess).
   */
  check(nowMs: number, calls = 1): LimitDecision {
    const today = startOfUtcDay(nowMs);
    if (today !== this.day) {
      this.day = today;
      this.dayCount = 0;
    }
    if (this.dayCount + calls > this.limits.perDay) {
      return { ok: false, reason: 'day', retryAfter: Math.max(1, Math.ceil((today + DAY_MS - nowMs) / 1000)) };
    }
    this.recent = this.recent.filter((t) => t > nowMs - 1000);
    if (this.recent.length >= this.limits.perSecond) {
      const oldest = this.recent[0];
      return { ok: false, reason: 'second', retryAfter: Math.max(1, Math.ceil((oldest + 1000 - nowMs) / 1000)) };
    }
    this.recent.push(nowMs);
    this.dayCount += calls;
    return { ok: true };
  }

  reset(): void {
    this.recent = [];
    this.day = -1;
    this.dayCount = 0;
  }
}

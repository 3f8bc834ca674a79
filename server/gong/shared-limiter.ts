/**
 * Gong's 3 calls per second per company, shared by every replica through Postgres. The rule is the one
 * FairRateLimiter keeps in one process (limiter.ts), with its slots in the database: a call takes one of
 * `rate` slots (`gong_rate_slots`), and the slot stays busy until `windowMs` after the call finished, on the
 * database's clock (one clock for every replica). Gong counts a call when it arrives, somewhere between those
 * two moments, so however many replicas call, Gong never sees more than `rate` arrivals in one window.
 *
 * A slot taken is marked busy for `maxCallMs` first: if its replica dies mid-call, the slot comes back then.
 * Gong's 429 pauses every replica (`gong_rate_pause`). Within a replica, a FairRateLimiter in front keeps
 * the round-robin between reps, so one rep's bulk job does not starve another rep's click.
 */
import type { Db } from '../store/db';
import { nowMsSql } from '../store/sql';
import { sleep } from './retry';
import { FairRateLimiter, type LimiterOptions, type RateLimiter, type Release } from './limiter';

export interface SharedLimiterOptions extends LimiterOptions {
  /** A slot held longer than this (its replica died mid-call) is taken back. */
  maxCallMs: number;
  /** This replica (written as the slot's holder, so only it frees the slot). */
  replica: string;
  /** Longest wait between two looks for a free slot while a slot is held by a call in flight, ms. */
  pollMs?: number;
}

/** A slot that frees within this is taken already, and waited for here (ms). */
const LOOKAHEAD_MS = 50;

export class SharedRateLimiter implements RateLimiter {
  private readonly local: FairRateLimiter;
  private readonly holdMs: number;
  private readonly pollMs: number;
  /** The company's pause as last read, on this process's clock. */
  private sharedPauseUntil = 0;
  private readonly closing = new AbortController();

  private constructor(
    private readonly db: Db,
    private readonly opts: SharedLimiterOptions,
  ) {
    // Only the order (round-robin between reps) and at most `rate` calls in flight here: the window is kept by the
    // shared slots, so a call waits on one clock, not on this process's timer and then the database's.
    this.local = new FairRateLimiter({ ...opts, windowMs: 0, marginMs: 0 });
    this.holdMs = opts.windowMs + (opts.marginMs ?? 5);
    this.pollMs = opts.pollMs ?? 20;
  }

  /** Makes sure the company's `rate` slots exist (replicas starting together: the first insert wins). */
  static async open(db: Db, opts: SharedLimiterOptions): Promise<SharedRateLimiter> {
    for (let slot = 0; slot < opts.rate; slot++) {
      await db.run('INSERT INTO gong_rate_slots (slot, busy_until) VALUES (?, 0) ON CONFLICT (slot) DO NOTHING', [slot]);
    }
    return new SharedRateLimiter(db, opts);
  }

  async acquire(user: string, signal?: AbortSignal): Promise<Release> {
    const releaseLocal = await this.local.acquire(user, signal);
    let slot: number;
    try {
      slot = await this.takeSlot(signal);
    } catch (err) {
      releaseLocal();
      throw err;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      releaseLocal();
      this.freeSlot(slot, performance.now()).catch(() => undefined);
    };
  }

  /**
   * Takes a slot that is free now or frees within `lookaheadMs`, then waits out the rest here: the call goes at
   * the slot's free time without one more trip to the database after it.
   */
  private async takeSlot(signal?: AbortSignal): Promise<number> {
    const now = nowMsSql('postgres');
    const pause = '(SELECT until_ms FROM gong_rate_pause WHERE id = 1)';
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      if (this.closing.signal.aborted) throw new Error('limiter closed');
      const taken = await this.db.get<{ slot: number; waitMs: number; freeAt: number }>(
        `WITH pick AS (
           SELECT slot, GREATEST(busy_until, ${pause}) AS free_at FROM gong_rate_slots
           WHERE slot < ? AND GREATEST(busy_until, ${pause}) <= ${now} + ?
           ORDER BY busy_until, slot LIMIT 1 FOR UPDATE SKIP LOCKED)
         UPDATE gong_rate_slots s SET busy_until = GREATEST(pick.free_at, ${now}) + ?, holder = ?
         FROM pick WHERE s.slot = pick.slot
         RETURNING s.slot AS slot, pick.free_at - ${now} AS "waitMs", pick.free_at AS "freeAt"`,
        [this.opts.rate, LOOKAHEAD_MS, this.opts.maxCallMs, this.opts.replica],
      );
      if (taken) {
        if (taken.waitMs > 0) {
          try {
            await sleep(taken.waitMs, anySignal(signal, this.closing.signal));
          } catch (err) {
            // Not used after all: free at the time it would have freed anyway.
            await this.db.run('UPDATE gong_rate_slots SET busy_until = ?, holder = NULL WHERE slot = ? AND holder = ?', [taken.freeAt, taken.slot, this.opts.replica]).catch(() => undefined);
            throw err;
          }
        }
        return taken.slot;
      }
      const wait = (await this.db.get<{ freeIn: number; pausedFor: number }>(
        `SELECT (SELECT MIN(busy_until) FROM gong_rate_slots WHERE slot < ?) - ${now} AS "freeIn", ${pause} - ${now} AS "pausedFor"`,
        [this.opts.rate],
      ))!;
      if (wait.pausedFor > 0) this.sharedPauseUntil = Math.max(this.sharedPauseUntil, Date.now() + wait.pausedFor);
      // Look again when the earliest slot comes within reach (or sooner: a call in flight finishes and sets its real end).
      const ms = Math.max(1, Math.max(wait.pausedFor, Math.min(wait.freeIn, this.pollMs)) - LOOKAHEAD_MS);
      await sleep(ms, anySignal(signal, this.closing.signal));
    }
  }

  /** The window counts from when the call finished here, not from when the database hears of it (a busy event loop, a pool wait). */
  private async freeSlot(slot: number, finishedAt: number): Promise<void> {
    const since = Math.max(0, Math.floor(performance.now() - finishedAt));
    await this.db.run(`UPDATE gong_rate_slots SET busy_until = ${nowMsSql('postgres')} - ? + ?, holder = NULL WHERE slot = ? AND holder = ?`, [
      since,
      this.holdMs,
      slot,
      this.opts.replica,
    ]);
  }

  pauseFor(ms: number): void {
    this.local.pauseFor(ms);
    this.sharedPauseUntil = Math.max(this.sharedPauseUntil, Date.now() + ms);
    this.db
      .run(`UPDATE gong_rate_pause SET until_ms = GREATEST(until_ms, ${nowMsSql('postgres')} + ?) WHERE id = 1`, [Math.round(ms)])
      .catch(() => undefined);
  }

  pausedForMs(): number {
    return Math.max(this.local.pausedForMs(), this.sharedPauseUntil - Date.now(), 0);
  }

  get queued(): number {
    return this.local.queued;
  }

  close(): void {
    this.closing.abort(new Error('limiter closed'));
    this.local.close();
  }
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
}

/**
 * The one way the backend calls Gong: through the real Scalekit SDK, behind the per-company limiter,
 * with one retry for a rate limit (after the company backed off) and bounded backoff for transient failures, coalescing and
 * a short TTL cache for reads, cache invalidation on writes, a persisted daily count, and one log
 * line per Gong call (tool, latency, outcome) under the request's id and user.
 */
import type { ScalekitClient } from '@scalekit-sdk/node';
import type { FastifyBaseLogger } from 'fastify';
import { gongCallsFor, gongTools, GONG_CALLS_PER_DAY, GONG_CALLS_PER_SECOND, type GongToolName } from '../../lib/gong-tools';
import { gongReaders } from '../../lib/gong-types';
import { utcDay, type UsageCounter } from '../store/usage';
import { EVERY_READ_TAG, readTags, UNCACHED_READS, writeTags } from './cache-tags';
import type { ConnectionStatus } from '../../lib/api';
import { classifyGongError, GongFailure, notConnected, type GongFailureKind } from './failure';
import { FairRateLimiter, type RateLimiter } from './limiter';
import { ReadCache } from './read-cache';
import { backoffDelay, sleep } from './retry';

export interface GatewayOptions {
  /** Gong calls per window per company (Gong: 3/s). */
  ratePerWindow: number;
  windowMs: number;
  /** Attempts per call, first included. */
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Multiplies a wait the provider named (tests shrink it; production keeps 1). */
  retryAfterScale: number;
  /** A wait longer than this is not waited for: the caller gets 429 with retryAfter instead. */
  maxRetryAfterMs: number;
  /**
   * The company's back-off after a rate limit that named no wait (Scalekit passes no Retry-After): doubled for each
   * further rate limit in a row, up to `rateLimitBackoffMaxMs`, and back to this after a call goes through.
   */
  rateLimitBackoffMs: number;
  rateLimitBackoffMaxMs: number;
  /** Tool calls one request makes while rate limited, first included: the first and one retry after the back-off. */
  maxRateLimitedAttempts: number;
  cacheTtlMs: number;
  /** Per-user cache of `gong_engage_tasks_list` (invalidated by task writes and assignments). */
  tasksTtlMs: number;
  /** Company-wide cache of a prospect's flows (services/prospect-flows.ts), invalidated by writes. */
  prospectFlowsTtlMs: number;
  /**
   * How long a list view's prefetch waits for other reps' prefetches, to share a Gong call (0: never). A record
   * opened from the list meanwhile waits with its row: at most this long, while the CRM page itself loads.
   */
  prospectFlowsBatchMs: number;
  /** How long the company-wide calls index (services/calls-index.ts) is used before it is refreshed. */
  callsIndexTtlMs: number;
  dailyBudget: number;
  /** Each rep's Gong calls a day; null: an equal part of the budget for every active user. */
  dailyCallsPerRep: number | null;
}

export const defaultGatewayOptions: GatewayOptions = {
  ratePerWindow: GONG_CALLS_PER_SECOND,
  windowMs: 1000,
  maxAttempts: 5,
  backoffBaseMs: 250,
  backoffMaxMs: 4000,
  retryAfterScale: 1,
  maxRetryAfterMs: 10_000,
  // Gong's per-second limit counts 1-second windows: two of them have surely passed.
  rateLimitBackoffMs: 2_000,
  rateLimitBackoffMaxMs: 60_000,
  maxRateLimitedAttempts: 2,
  cacheTtlMs: 5_000,
  tasksTtlMs: 5 * 60_000,
  prospectFlowsTtlMs: 5 * 60_000,
  prospectFlowsBatchMs: 5_000,
  callsIndexTtlMs: 5 * 60_000,
  dailyBudget: GONG_CALLS_PER_DAY,
  dailyCallsPerRep: null,
};

export interface GongCallContext {
  /** Connected-account identifier: the user's email. */
  identifier: string;
  log: FastifyBaseLogger;
  signal?: AbortSignal;
  /** Skip the cache (still coalesced with nothing: a fresh call). */
  fresh?: boolean;
  /**
   * A call made for several reps at once (a lookup that carries other reps' prospects, the company's calls index):
   * it counts against the company's budget only, not against the share of the rep whose request sent it.
   */
  forCompany?: boolean;
}

export type AnswerListener = (tool: GongToolName, input: Record<string, unknown>, identifier: string, data: unknown) => void | Promise<void>;

/** How one call through the SDK ended: Gong answered, or the failure it was classified as (failure.ts). */
export type GongCallOutcome = 'ok' | GongFailureKind;
export type CallListener = (tool: GongToolName, outcome: GongCallOutcome) => void;

export interface GongCallResult {
  executionId: string;
  data: unknown;
  /** Calls made for this answer, when more than one: an earlier one that failed may still have been done by Gong. */
  attempts?: number;
}

export interface GatewayStats {
  sdkCalls: number;
  retries: number;
  cache: ReadCache['stats'];
  /** How long the company's limiter still lets no Gong call through (after a rate limit), ms. */
  limiterPausedMs: number;
  /** Calls refused here before reaching Gong: the company's day used up, or the rep's share of it. */
  budgetRefusals: { company: number; repShare: number };
}

/** Where the gateway learns a rep's connected-account status, to explain a refused call (GongConnections). */
export interface AccountStatusSource {
  recentStatus(identifier: string): Promise<ConnectionStatus>;
}

export class GongGateway {
  readonly options: GatewayOptions;
  private readonly limiter: RateLimiter;
  private readonly writeListeners: ((tags: string[]) => void)[] = [];
  private readonly cache: ReadCache;
  private readonly invalidationListeners: ((tags: string[]) => void)[] = [];
  private readonly connectionListeners: ((identifier: string, active: boolean) => void)[] = [];
  private readonly answerListeners: AnswerListener[] = [];
  private readonly callListeners: CallListener[] = [];
  private sdkCalls = 0;
  private retries = 0;
  private readonly budgetRefusals = { company: 0, repShare: 0 };
  /** Rate limits in a row without a named wait: each doubles the company's back-off. */
  private rateLimitStreak = 0;
  private closed = false;

  constructor(
    private readonly client: ScalekitClient,
    private readonly connectionName: string,
    private readonly usage: UsageCounter,
    options: Partial<GatewayOptions> = {},
    private readonly accounts?: AccountStatusSource,
    /** Active users now, for the default share of the budget. */
    private readonly activeUsers: () => number | Promise<number> = () => 1,
    /** The company's limiter shared with other replicas (server/gong/shared-limiter.ts); default: this process's own. */
    limiter?: RateLimiter,
  ) {
    this.options = { ...defaultGatewayOptions, ...options };
    this.cache = new ReadCache(this.options.cacheTtlMs);
    if (limiter) {
      this.limiter = limiter;
    } else {
      this.limiter = new FairRateLimiter({ rate: this.options.ratePerWindow, windowMs: this.options.windowMs });
      // A previous process (crashed or restarted a moment ago) may have called Gong within the last
      // window; its limiter's memory is gone, so start as if the window were full. (A shared limiter
      // remembers: its slots are in the database.)
      this.limiter.pauseFor(this.options.windowMs);
    }
  }

  get stats(): GatewayStats {
    return { sdkCalls: this.sdkCalls, retries: this.retries, cache: { ...this.cache.stats }, limiterPausedMs: this.limiter.pausedForMs(), budgetRefusals: { ...this.budgetRefusals } };
  }

  /** Gong calls per day, the last `n` UTC days (admin console). */
  usageDays(n: number): Promise<{ date: string; gongCalls: number }[]> {
    return this.usage.lastDays(n);
  }

  usageToday(): { date: string; gongCalls: number; dailyBudget: number; remaining: number } {
    const calls = this.usage.calls();
    return { date: utcDay(), gongCalls: calls, dailyBudget: this.options.dailyBudget, remaining: Math.max(0, this.options.dailyBudget - calls) };
  }

  /** A rep's Gong calls a day: GONG_DAILY_CALLS_PER_REP, else the budget shared equally by the active users. */
  async dailyShare(): Promise<number> {
    return this.options.dailyCallsPerRep ?? Math.floor(this.options.dailyBudget / Math.max(1, await this.activeUsers()));
  }

  /** The rep's own use of their share today. */
  async repUsageToday(identifier: string): Promise<{ gongCalls: number; dailyShare: number; remaining: number }> {
    const calls = this.usage.callsBy(identifier);
    const share = await this.dailyShare();
    return { gongCalls: calls, dailyShare: share, remaining: Math.max(0, share - calls) };
  }

  /** Each rep's Gong calls per day, the last `n` UTC days (admin console). */
  usageByRepDays(n: number): Promise<{ identifier: string; days: { date: string; gongCalls: number }[] }[]> {
    return this.usage.repsLastDays(n);
  }

  /** Every rep who used Gong today (admins' view). */
  async usageByRepToday(): Promise<{ identifier: string; gongCalls: number }[]> {
    return (await this.usage.byRep()).map((r) => ({ identifier: r.identifier, gongCalls: r.calls }));
  }

  /** Runs a catalog tool for the user. Input must already be validated against the catalog. */
  async execute(tool: GongToolName, input: Record<string, unknown>, ctx: GongCallContext): Promise<GongCallResult> {
    const def = gongTools[tool];
    if (def.write) {
      try {
        return await this.callWithRetries(tool, input, ctx);
      } finally {
        // Also after a failure: a write that timed out may still have happened in Gong.
        this.invalidate(writeTags(tool, input));
      }
    }
    if (UNCACHED_READS.has(tool) || ctx.fresh) return this.callWithRetries(tool, input, ctx);
    const key = JSON.stringify([ctx.identifier, tool, sortKeys(input)]);
    const ttl = tool === 'gong_engage_tasks_list' ? this.options.tasksTtlMs : this.options.cacheTtlMs;
    return this.cache.read(key, readTags(tool, input), () => this.callWithRetries(tool, input, ctx), ttl);
  }

  /** Hears, per user, whether a Gong call went through their connection or was refused as not connected. */
  onConnectionSeen(listener: (identifier: string, active: boolean) => void): void {
    this.connectionListeners.push(listener);
  }

  /** Hears every answer Gong gave (not cached replays): the backend learns who owns what from them. */
  onAnswer(listener: AnswerListener): void {
    this.answerListeners.push(listener);
  }

  /** Hears how each call through the SDK ended (not cached replays, not budget refusals): the /metrics counters. */
  onCall(listener: CallListener): void {
    this.callListeners.push(listener);
  }

  /** Caches outside the gateway (prospect flows, calls index) hear about every write's tags. */
  onInvalidate(listener: (tags: string[]) => void): void {
    this.invalidationListeners.push(listener);
  }

  /** Hears the tags of every write made here, to tell other replicas (app.ts publishes them). */
  onWrite(listener: (tags: string[]) => void): void {
    this.writeListeners.push(listener);
  }

  private invalidate(tags: string[]): void {
    this.dropCached(tags);
    if (tags.length) for (const l of this.writeListeners) l(tags);
  }

  /** Drops every cached read, here and in the services that keep Gong's answers (prospects' flows, calls). */
  dropAllCached(): void {
    this.cache.clear();
    for (const l of this.invalidationListeners) l([...EVERY_READ_TAG]);
  }

  /** Drops what was cached under these tags (a write here, or one another replica told us about). */
  dropCached(tags: string[]): void {
    this.cache.invalidate(tags);
    if (tags.length) for (const l of this.invalidationListeners) l(tags);
  }

  private async callWithRetries(tool: GongToolName, input: Record<string, unknown>, ctx: GongCallContext): Promise<GongCallResult> {
    let rateLimited = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.callOnce(tool, input, ctx, attempt);
        return attempt ? { ...result, attempts: attempt + 1 } : result;
      } catch (err) {
        let failure = classifyGongError(err);
        const last = attempt + 1 >= this.options.maxAttempts;
        let waitMs: number;
        if (failure.kind === 'rate-limited') {
          waitMs = this.backOffCompany(failure);
          rateLimited++;
          // The rep hears when to come back: the wait named, or the company's back-off.
          failure = new GongFailure('rate-limited', failure.message, failure.status, failure.retryAfter ?? Math.max(1, Math.ceil(waitMs / 1000)));
          if (rateLimited >= this.options.maxRateLimitedAttempts || waitMs > this.options.maxRetryAfterMs || last || this.closed) throw retried(failure, attempt);
        } else {
          if (!failure.retryable || last || this.closed) throw retried(failure, attempt);
          waitMs = backoffDelay(attempt, { baseMs: this.options.backoffBaseMs, maxMs: this.options.backoffMaxMs });
        }
        this.retries++;
        ctx.log.warn({ gong: { tool, attempt: attempt + 1, retryInMs: waitMs, failure: failure.kind, status: failure.status } }, 'gong call retry');
        await sleep(waitMs, ctx.signal);
      }
    }
  }

  /**
   * A rate limit (Gong's, through Scalekit, or Scalekit's own): nobody in this company calls Gong until the wait is
   * over. The wait is the one the provider named ("retry after N" in its text), else our own rule, since Scalekit
   * passes no Retry-After: `rateLimitBackoffMs` (2 s, two of Gong's 1-second windows), doubled for each further
   * rate limit in a row up to `rateLimitBackoffMaxMs`; a call that goes through resets it. Returns the wait in ms.
   */
  private backOffCompany(failure: GongFailure): number {
    let waitMs: number;
    const pausedMs = this.limiter.pausedForMs();
    if (failure.retryAfter !== undefined) {
      waitMs = failure.retryAfter * 1000 * this.options.retryAfterScale;
    } else if (pausedMs > 0) {
      // Sent before the company backed off: the back-off already under way covers it.
      waitMs = pausedMs;
    } else {
      waitMs = Math.min(this.options.rateLimitBackoffMaxMs, this.options.rateLimitBackoffMs * 2 ** this.rateLimitStreak);
      this.rateLimitStreak++;
    }
    this.limiter.pauseFor(waitMs);
    return waitMs;
  }

  /**
   * Scalekit refused the call for a reason that may be the rep's account (or Gong refused the account's token): the
   * account's status, asked of Scalekit (cached briefly), says which; its wording is never read.
   */
  private async explainRefusal(failure: GongFailure, identifier: string): Promise<GongFailure> {
    if (failure.kind !== 'account-refused' && failure.kind !== 'not-connected') return failure;
    if (!this.accounts) return failure.kind === 'account-refused' ? new GongFailure('backend', failure.message, null) : failure;
    let status: ConnectionStatus;
    try {
      status = await this.accounts.recentStatus(identifier);
    } catch {
      // Scalekit did not say: a token refusal still needs a reconnect; anything else is Scalekit's refusal.
      return failure.kind === 'not-connected' ? failure : new GongFailure('backend', failure.message, null);
    }
    if (failure.kind === 'not-connected') {
      // Gong refused the token even though Scalekit may still call the account ACTIVE: connecting again helps.
      return new GongFailure('not-connected', failure.message, failure.status, undefined, status === 'ACTIVE' ? undefined : status);
    }
    if (status !== 'ACTIVE') return notConnected(status);
    // The account is fine: Scalekit refused the backend (connection name, tool, configuration).
    return new GongFailure('backend', 'Scalekit refused the call although the Gong connection is active; an admin should run `npm run server -- doctor`', null);
  }

  private async callOnce(tool: GongToolName, input: Record<string, unknown>, ctx: GongCallContext, attempt: number): Promise<GongCallResult> {
    // A tool run costs as many Gong calls as it makes (lib/gong-tools.ts): refused unless all of them fit.
    const cost = gongCallsFor(tool, input);
    if (this.usage.calls() + cost > this.options.dailyBudget) {
      const left = Math.max(0, this.options.dailyBudget - this.usage.calls());
      const message = left ? `This takes ${cost} Gong calls; ${left} are left of today's budget` : "Today's Gong call budget is used up";
      this.budgetRefusals.company++;
      throw new GongFailure('over-budget', message, 429, secondsUntilMidnight());
    }
    // One rep cannot spend what the others need: each has a share of the day's budget (a call for the company is
    // no one rep's spending).
    const rep = ctx.forCompany ? undefined : ctx.identifier;
    const share = rep === undefined ? Infinity : await this.dailyShare();
    const mine = rep === undefined ? 0 : this.usage.callsBy(rep);
    if (mine + cost > share) {
      const left = Math.max(0, share - mine);
      const message = left
        ? `This takes ${cost} Gong calls; ${left} are left of your share of today's budget`
        : `Your share of today's Gong budget (${share} calls) is used up`;
      this.budgetRefusals.repShare++;
      throw new GongFailure('over-budget', message, 429, secondsUntilMidnight());
    }
    const release = await this.limiter.acquire(ctx.identifier, ctx.signal);
    const started = performance.now();
    this.sdkCalls++;
    // Counted before the call so concurrent calls cannot overshoot; taken back if Gong never answered.
    this.usage.increment(undefined, cost, rep);
    let res: Awaited<ReturnType<ScalekitClient['actions']['executeTool']>>;
    try {
      res = await this.client.actions.executeTool({
        toolName: tool,
        toolInput: input,
        identifier: ctx.identifier,
        connector: this.connectionName,
      });
      // Gong is done with this call: its rate slot starts its window now, not after what we do with the answer.
      release();
      ctx.log.info({ gong: { tool, attempt: attempt + 1, latencyMs: Math.round(performance.now() - started), outcome: 'ok', executionId: res.executionId } }, 'gong call');
      this.rateLimitStreak = 0;
      for (const l of this.callListeners) l(tool, 'ok');
      for (const l of this.connectionListeners) l(ctx.identifier, true);
      for (const l of this.answerListeners) {
        try {
          // Awaited: what the backend learns from an answer (who owns an instance) holds before the rep sees it.
          await l(tool, input, ctx.identifier, res.data ?? null);
        } catch (err) {
          ctx.log.error({ err, gong: { tool } }, 'answer listener failed');
        }
      }
    } catch (err) {
      release();
      const failure = await this.explainRefusal(classifyGongError(err), ctx.identifier);
      // No Gong status: Scalekit refused the call or it failed on the way (not connected, dropped, timed out).
      if (failure.status === null) this.usage.increment(undefined, -cost, rep);
      ctx.log.info(
        { gong: { tool, attempt: attempt + 1, latencyMs: Math.round(performance.now() - started), outcome: failure.kind, status: failure.status } },
        'gong call',
      );
      for (const l of this.callListeners) l(tool, failure.kind);
      if (failure.kind === 'not-connected') for (const l of this.connectionListeners) l(ctx.identifier, false);
      throw failure;
    } finally {
      release();
    }
    // The SDK already hands back plain JSON (protobuf-es turns the Struct into plain objects): no copy.
    const data = res.data ?? null;
    checkAnswer(tool, data, res.executionId, ctx.log);
    return { executionId: res.executionId, data };
  }

  close(): void {
    this.closed = true;
    this.limiter.close();
    this.cache.clear();
  }
}

/**
 * Loud, not silent: an answer the backend reads must fit its reader schema (lib/gong-types.ts gongReaders), or
 * the call fails as GONG_UNEXPECTED_ANSWER (502) naming the tool, logged with what did not fit, rather than
 * reaching a rep as an empty list. Not retried: Gong gave the same answer it would give again.
 */
function checkAnswer(tool: GongToolName, data: unknown, executionId: string, log: FastifyBaseLogger): void {
  const reader = gongReaders[tool];
  if (!reader) return;
  const parsed = reader.safeParse(data);
  if (parsed.success) return;
  const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`);
  log.error({ gong: { tool, executionId, outcome: 'unexpected-answer', issues } }, 'gong answer in an unexpected shape');
  throw new GongFailure('unexpected-answer', `Gong answered ${tool} in a shape the backend cannot read (${issues[0]})`, null);
}

/** When an over-budget call may be made again (UTC midnight): not retried here, waiting hours inside a request helps nobody. */
function secondsUntilMidnight(): number {
  const midnight = new Date();
  midnight.setUTCHours(24, 0, 0, 0);
  return Math.ceil((midnight.getTime() - Date.now()) / 1000);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The failure a call ended with, marked with the calls it took when there were several. */
function retried(failure: GongFailure, attempt: number): GongFailure {
  if (attempt) failure.attempts = attempt + 1;
  return failure;
}

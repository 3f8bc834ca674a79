/**
 * The one way the backend calls Gong: through the real Scalekit SDK, behind the per-company limiter,
 * with retries for 429 (after Retry-After) and transient failures (bounded backoff), coalescing and
 * a short TTL cache for reads, cache invalidation on writes, a persisted daily count, and one log
 * line per Gong call (tool, latency, outcome) under the request's id and user.
 */
import type { ScalekitClient } from '@scalekit-sdk/node';
import type { FastifyBaseLogger } from 'fastify';
import { gongCallsFor, gongTools, GONG_CALLS_PER_DAY, GONG_CALLS_PER_SECOND, type GongToolName } from '../../lib/gong-tools';
import { gongReaders } from '../../lib/gong-types';
import { utcDay, type UsageCounter } from '../store/usage';
import { readTags, UNCACHED_READS, writeTags } from './cache-tags';
import { classifyGongError, GongFailure } from './failure';
import { FairRateLimiter } from './limiter';
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
  /** Multiplies Gong's Retry-After (tests shrink it; production keeps 1). */
  retryAfterScale: number;
  /** A Retry-After longer than this is not waited for: the caller gets 429 with retryAfter instead. */
  maxRetryAfterMs: number;
  cacheTtlMs: number;
  /** Per-user cache of `gong_engage_tasks_list` (invalidated by task writes and assignments). */
  tasksTtlMs: number;
  /** Company-wide cache of a prospect's flows (services/prospect-flows.ts), invalidated by writes. */
  prospectFlowsTtlMs: number;
  /** How long the company-wide calls index (services/calls-index.ts) is used before it is refreshed. */
  callsIndexTtlMs: number;
  dailyBudget: number;
}

export const defaultGatewayOptions: GatewayOptions = {
  ratePerWindow: GONG_CALLS_PER_SECOND,
  windowMs: 1000,
  maxAttempts: 5,
  backoffBaseMs: 250,
  backoffMaxMs: 4000,
  retryAfterScale: 1,
  maxRetryAfterMs: 10_000,
  cacheTtlMs: 5_000,
  tasksTtlMs: 5 * 60_000,
  prospectFlowsTtlMs: 5 * 60_000,
  callsIndexTtlMs: 5 * 60_000,
  dailyBudget: GONG_CALLS_PER_DAY,
};

export interface GongCallContext {
  /** Connected-account identifier: the user's email. */
  identifier: string;
  log: FastifyBaseLogger;
  signal?: AbortSignal;
  /** Skip the cache (still coalesced with nothing: a fresh call). */
  fresh?: boolean;
}

export interface GongCallResult {
  executionId: string;
  data: unknown;
}

export interface GatewayStats {
  sdkCalls: number;
  retries: number;
  cache: ReadCache['stats'];
}

export class GongGateway {
  readonly options: GatewayOptions;
  private readonly limiter: FairRateLimiter;
  private readonly cache: ReadCache;
  private readonly invalidationListeners: ((tags: string[]) => void)[] = [];
  private readonly connectionListeners: ((identifier: string, active: boolean) => void)[] = [];
  private sdkCalls = 0;
  private retries = 0;
  private closed = false;

  constructor(
    private readonly client: ScalekitClient,
    private readonly connectionName: string,
    private readonly usage: UsageCounter,
    options: Partial<GatewayOptions> = {},
  ) {
    this.options = { ...defaultGatewayOptions, ...options };
    this.limiter = new FairRateLimiter({ rate: this.options.ratePerWindow, windowMs: this.options.windowMs });
    this.cache = new ReadCache(this.options.cacheTtlMs);
    // A previous process (crashed or restarted a moment ago) may have called Gong within the last
    // window; its limiter's memory is gone, so start as if the window were full.
    this.limiter.pauseFor(this.options.windowMs);
  }

  get stats(): GatewayStats {
    return { sdkCalls: this.sdkCalls, retries: this.retries, cache: { ...this.cache.stats } };
  }

  usageToday(): { date: string; gongCalls: number; dailyBudget: number; remaining: number } {
    const calls = this.usage.calls();
    return { date: utcDay(), gongCalls: calls, dailyBudget: this.options.dailyBudget, remaining: Math.max(0, this.options.dailyBudget - calls) };
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

  /** Caches outside the gateway (prospect flows, calls index) hear about every write's tags. */
  onInvalidate(listener: (tags: string[]) => void): void {
    this.invalidationListeners.push(listener);
  }

  private invalidate(tags: string[]): void {
    this.cache.invalidate(tags);
    if (tags.length) for (const l of this.invalidationListeners) l(tags);
  }

  private async callWithRetries(tool: GongToolName, input: Record<string, unknown>, ctx: GongCallContext): Promise<GongCallResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.callOnce(tool, input, ctx, attempt);
      } catch (err) {
        const failure = classifyGongError(err);
        const last = attempt + 1 >= this.options.maxAttempts;
        if (!failure.retryable || last || this.closed) throw failure;
        let waitMs: number;
        if (failure.kind === 'rate-limited') {
          waitMs = (failure.retryAfter ?? 1) * 1000 * this.options.retryAfterScale;
          if (waitMs > this.options.maxRetryAfterMs) throw failure;
          // Gong is counting us over: nobody in this company calls it until the wait is over.
          this.limiter.pauseFor(waitMs);
        } else {
          waitMs = backoffDelay(attempt, { baseMs: this.options.backoffBaseMs, maxMs: this.options.backoffMaxMs });
        }
        this.retries++;
        ctx.log.warn({ gong: { tool, attempt: attempt + 1, retryInMs: waitMs, failure: failure.kind, status: failure.status } }, 'gong call retry');
        await sleep(waitMs, ctx.signal);
      }
    }
  }

  private async callOnce(tool: GongToolName, input: Record<string, unknown>, ctx: GongCallContext, attempt: number): Promise<GongCallResult> {
    // A tool run costs as many Gong calls as it makes (lib/gong-tools.ts): refused unless all of them fit.
    const cost = gongCallsFor(tool, input);
    if (this.usage.calls() + cost > this.options.dailyBudget) {
      const midnight = new Date();
      midnight.setUTCHours(24, 0, 0, 0);
      // Not retryable here: waiting hours inside a request helps nobody.
      const left = Math.max(0, this.options.dailyBudget - this.usage.calls());
      const message = left ? `This takes ${cost} Gong calls; ${left} are left of today's budget` : "Today's Gong call budget is used up";
      throw new GongFailure('rate-limited', message, 429, Math.ceil((midnight.getTime() - Date.now()) / 1000));
    }
    const release = await this.limiter.acquire(ctx.identifier, ctx.signal);
    const started = performance.now();
    this.sdkCalls++;
    this.usage.increment(undefined, cost);
    let res: Awaited<ReturnType<ScalekitClient['actions']['executeTool']>>;
    try {
      res = await this.client.actions.executeTool({
        toolName: tool,
        toolInput: input,
        identifier: ctx.identifier,
        connector: this.connectionName,
      });
      ctx.log.info({ gong: { tool, attempt: attempt + 1, latencyMs: Math.round(performance.now() - started), outcome: 'ok', executionId: res.executionId } }, 'gong call');
      for (const l of this.connectionListeners) l(ctx.identifier, true);
    } catch (err) {
      const failure = classifyGongError(err);
      ctx.log.info(
        { gong: { tool, attempt: attempt + 1, latencyMs: Math.round(performance.now() - started), outcome: failure.kind, status: failure.status } },
        'gong call',
      );
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

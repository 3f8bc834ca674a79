/**
 * A stateful, in-process stand-in for Gong behind the Scalekit Gong connector's 31 tools.
 * Inputs arrive in the connector's snake_case names and are validated with the catalog's zod schemas;
 * answers have Gong's shapes (gong-openapi.json); Gong-level failures throw GongHttpError.
 */
import {
  gongCallsFor,
  gongTools,
  isGongToolName,
  GONG_ASSIGN_PROSPECTS_PER_CALL,
  GONG_BULK_PROSPECTS_PER_REQUEST,
  GONG_CALLS_PER_DAY,
  GONG_CALLS_PER_SECOND,
} from '../../../lib/gong-tools';
import { GongHttpError } from './http-error';
import type { GongBackend, ToolContext } from '../types';
import { advance, assignHandlers } from './assign';
import { callHandlers } from './calls';
import type { Ctx, Handler, SizeCaps } from './context';
import { activityHandlers } from './activity';
import { Faults, SimulatedDrop } from './faults';
import { flowHandlers } from './flows';
import { orgHandlers } from './org';
import { RateLimiter, type Limits } from './rate-limiter';
import { buildSeed } from './seed';
import type { GongState } from './state';
import { Store } from './state';
import { taskHandlers } from './tasks';
import { gongError, gongRequestId, startOfUtcDay, stripNulls } from './util';

export { SimulatedDrop } from './faults';
export type { FaultSpec, FaultKind } from './faults';
export { SEED, COOL_OFF_DAYS, buildSeed } from './seed';
export type { GongState } from './state';

export interface GongSimulatorOptions {
  /** Simulated clock (default: real time). Drives limits, cool-off, Pending → Running, bulk progress. */
  now?: () => Date;
  /** Persist state as JSON here (debounced, atomic rename); loaded at construction when present. */
  statePath?: string;
  /** Real delay added to every answer. */
  latencyMs?: number;
  /** Per-company limits (default Gong's: 3/s, 10,000/day). */
  limits?: { perSecond?: number; perDay?: number } & Partial<SizeCaps>;
}

export interface CallLogEntry {
  /** ms since epoch on the simulator's clock. */
  at: number;
  tool: string;
  outcome: 'ok' | 'error' | 'rate_limited' | 'fault' | 'dropped';
  status?: number;
  /** Gong calls the tool run made (lib/gong-tools.ts GONG_CALL_COST). */
  gongCalls: number;
}

export interface SimulatorStats {
  /** Tool runs (connector calls). */
  totalCalls: number;
  /** Gong calls today: a tool run may make several (lib/gong-tools.ts GONG_CALL_COST). */
  callsToday: number;
  byTool: Record<string, number>;
  /** Most calls that arrived within any 1-second window (all calls, including refused ones). */
  maxCallsInAnySecond: number;
  /** Calls answered 429 by the rate limiter (injected 429 faults not included). */
  rateLimited: number;
}

const HANDLERS: Record<string, Handler> = {
  ...flowHandlers,
  ...assignHandlers,
  ...taskHandlers,
  ...callHandlers,
  ...orgHandlers,
  ...activityHandlers,
};

const MAX_LOG = 100_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class GongSimulator implements GongBackend {
  readonly faults = new Faults();
  readonly callLog: CallLogEntry[] = [];
  private readonly store: Store;
  private readonly limiter: RateLimiter;
  private readonly clock: () => Date;
  /** Added before every answer (tests may change it while running). */
  latencyMs: number;
  /** Gong's per-request size limits (tests may lower them while running). */
  readonly caps: SizeCaps;
  private counters = { total: 0, rateLimited: 0, maxInSecond: 0, day: -1, today: 0 };
  private byTool: Record<string, number> = {};
  private window: number[] = [];
  private seq = 0;

  constructor(opts: GongSimulatorOptions = {}) {
    this.clock = opts.now ?? (() => new Date());
    this.latencyMs = opts.latencyMs ?? 0;
    this.caps = {
      prospectsPerAssign: opts.limits?.prospectsPerAssign ?? GONG_ASSIGN_PROSPECTS_PER_CALL,
      prospectsPerBulkAssignment: opts.limits?.prospectsPerBulkAssignment ?? GONG_BULK_PROSPECTS_PER_REQUEST,
    };
    this.limiter = new RateLimiter({
      perSecond: opts.limits?.perSecond ?? GONG_CALLS_PER_SECOND,
      perDay: opts.limits?.perDay ?? GONG_CALLS_PER_DAY,
    });
    this.store = new Store(() => buildSeed(this.clock().getTime()), opts.statePath);
  }

  private nowMs(): number {
    return this.clock().getTime();
  }

  async execute(toolName: string, input: Record<string, unknown>, ctx: ToolContext): Promise<unknown> {
    const arrived = this.nowMs();
    // The Gong calls this tool run makes (one connector tool may make several): what Gong counts against the day.
    const gongCalls = isGongToolName(toolName) ? gongCallsFor(toolName, input ?? {}) : 1;
    const entry: CallLogEntry = { at: arrived, tool: toolName, outcome: 'ok', gongCalls };
    this.record(entry);
    const requestId = gongRequestId(`${ctx.executionId}|${++this.seq}`);
    try {
      if (this.latencyMs > 0) await sleep(this.latencyMs);
      const limit = this.limiter.check(arrived, gongCalls);
      if (!limit.ok) {
        this.counters.rateLimited += 1;
        entry.outcome = 'rate_limited';
        throw gongError(429, requestId, [limit.reason === 'day' ? 'API daily request limit exceeded' : 'API request limit exceeded: too many requests per second'], limit.retryAfter);
      }
      const fault = this.faults.take(toolName);
      if (fault) {
        if (fault.kind === 'drop') {
          entry.outcome = 'dropped';
          throw new SimulatedDrop(toolName);
        }
        if (fault.kind === 'slow') await sleep(fault.delayMs ?? 3000);
        else if (fault.kind !== 'lost') {
          entry.outcome = 'fault';
          if (fault.kind === '429') throw gongError(429, requestId, ['API request limit exceeded'], Math.max(1, Math.ceil(fault.retryAfter ?? 1)));
          if (fault.kind === '503') throw gongError(503, requestId, ['Service temporarily unavailable']);
          if (fault.kind === '403') throw gongError(403, requestId, ['Access denied']);
          throw gongError(500, requestId, ['Failed to complete the operation due to an unexpected error']);
        }
      }
      if (!isGongToolName(toolName)) throw gongError(404, requestId, [`Unknown tool ${toolName}`]);
      const parsed = gongTools[toolName].input.safeParse(stripNulls(input ?? {}));
      if (!parsed.success) {
        throw gongError(
          400,
          requestId,
          parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`),
        );
      }
      const handler = HANDLERS[toolName];
      if (!handler) throw gongError(500, requestId, [`Tool ${toolName} is not simulated`]);
      const c: Ctx = { store: this.store, state: this.store.state, nowMs: this.nowMs(), requestId, identifier: ctx.identifier, caps: this.caps };
      advance(c);
      const result = handler(c, parsed.data);
      if (fault?.kind === 'lost') {
        entry.outcome = 'dropped';
        throw new SimulatedDrop(toolName);
      }
      return structuredClone(result);
    } catch (err) {
      if (err instanceof GongHttpError) {
        entry.status = err.status;
        if (entry.outcome === 'ok') entry.outcome = 'error';
      }
      throw err;
    }
  }

  private record(entry: CallLogEntry): void {
    this.counters.total += 1;
    this.byTool[entry.tool] = (this.byTool[entry.tool] ?? 0) + 1;
    const day = startOfUtcDay(entry.at);
    if (day !== this.counters.day) {
      this.counters.day = day;
      this.counters.today = 0;
    }
    this.counters.today += entry.gongCalls;
    this.window.push(entry.at);
    while (this.window.length && this.window[0] <= entry.at - 1000) this.window.shift();
    this.counters.maxInSecond = Math.max(this.counters.maxInSecond, this.window.length);
    this.callLog.push(entry);
    if (this.callLog.length > MAX_LOG) this.callLog.splice(0, this.callLog.length - MAX_LOG);
  }

  stats(): SimulatorStats {
    const today = startOfUtcDay(this.nowMs()) === this.counters.day ? this.counters.today : 0;
    return {
      totalCalls: this.counters.total,
      callsToday: today,
      byTool: { ...this.byTool },
      maxCallsInAnySecond: this.counters.maxInSecond,
      rateLimited: this.counters.rateLimited,
    };
  }

  /** Changes the limits at run time (e.g. a test lowering the daily budget). */
  setLimits(limits: Partial<Limits>): void {
    Object.assign(this.limiter.limits, limits);
  }

  /** Introspection for tests (live objects: do not mutate). */
  get state() {
    const s = (): GongState => this.store.state;
    const ctx = (): Ctx => ({ store: this.store, state: this.store.state, nowMs: this.nowMs(), requestId: 'introspection', identifier: '', caps: this.caps });
    return {
      get raw() {
        return s();
      },
      get instances() {
        advance(ctx());
        return s().instances;
      },
      flowInstancesByProspect: (crmId: string) => {
        advance(ctx());
        return s().instances.filter((i) => i.crmProspectId.toLowerCase() === crmId.toLowerCase());
      },
      task: (id: string | number) => s().tasks.find((t) => String(t.id) === String(id)),
      get tasks() {
        return s().tasks;
      },
      get interactions() {
        return s().interactions;
      },
      get emailActivities() {
        return s().emailActivities;
      },
      get bulkAssignments() {
        advance(ctx());
        return s().bulkAssignments;
      },
      get calls() {
        return s().calls;
      },
    };
  }

  /** Back to the seed; clears limits, faults, stats and the call log. */
  reset(): void {
    this.store.reset();
    this.limiter.reset();
    this.faults.clear();
    this.counters = { total: 0, rateLimited: 0, maxInSecond: 0, day: -1, today: 0 };
    this.byTool = {};
    this.window = [];
    this.callLog.length = 0;
  }

  /** Writes pending state to statePath now. */
  flush(): void {
    this.store.flush();
  }

  /** Flushes state; call on shutdown. */
  close(): void {
    this.store.flush();
  }
}

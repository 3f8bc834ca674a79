/**
 * Gong calls per record view for a simulated team, and how they grow with the team (bench/README.md has the
 * model and every assumption): reps work list views in sessions, open records from them (30% revisits),
 * belong to teams of 10 that share a territory's accounts, the task badge refreshes hourly and the popup is
 * opened 20 times a day.
 *
 * Two replays of the same schedule, both on a virtual clock (virtual-clock.ts) so cache TTLs and windows see
 * day-scale gaps, both with the backend's 3/s limiter, its daily budget and the simulator's limits opened (to
 * count demand, not throttling), Gong calls counted by the simulator:
 * - `runDay`: the real backend over HTTP, one request after the other (the figure per view at 50 reps).
 * - `replayTeam`: the same backend's services in process (the route handlers' calls without HTTP), every rep
 *   at once: events are started in time order without waiting for each other, so that lookups of different
 *   reps meet in the backend's batching window as they would in a real day (the team curve).
 */
import { ScalekitServerException } from '@scalekit-sdk/node';
import type { FastifyBaseLogger } from 'fastify';
import { GongHttpError } from '../server/sandbox/gong/http-error';
import { SEED } from '../server/sandbox/gong/seed';
import { toolError } from '../server/sandbox/standin';
import { GongSession } from '../server/gong/session';
import { prospectCalls } from '../server/services/calls';
import type { ProspectFlowsStats } from '../server/services/prospect-flows';
import { listFlows } from '../server/services/flows';
import { listTasks } from '../server/services/tasks';
import { toSalesforceId18 } from '../lib/crm-record';
import { GONG_CALLS_PER_DAY } from '../lib/gong-tools';
import type { User } from '../server/store/users';
import { OPEN_HTTP_LIMITS, startBenchBackend, type BenchBackend } from './backend';
import { startPostgresCluster } from '../test/postgres-cluster';
import { installVirtualClock } from './virtual-clock';
import { log, prng, round, type BenchResult } from './util';

export const TEAM = {
  reps: 50,
  viewsPerRep: 200,
  revisitShare: 0.3,
  dayHours: 8,
  /** The badge alarm (background/tasks.ts BADGE_PERIOD_MINUTES): a tasks fetch each period. */
  badgeEveryMin: 60,
  popupOpensPerRep: 20,
  /**
   * The popup shows the cached tasks when younger than the badge period (lib/storage.ts TASKS_CACHE_FRESH_MS),
   * else fetches; assumed: the rep presses Refresh on 1 open in 10 (a fetch past the backend's cache).
   */
  popupRefreshShare: 0.1,
  /** Reps open records from list views: one list of 25–50 rows per 10 record views, 20–60 s per record. */
  viewsPerList: 10,
  listRows: [25, 50] as const,
  secondsPerView: [20, 60] as const,
  /**
   * Assumed: reps work in teams of 10 on one territory (its accounts' contacts and leads, 2,000 records); half of
   * the records on a rep's lists (rows and the records opened) are the territory's, which teammates also work,
   * the other half the rep's own leads, which nobody else sees.
   */
  teamSize: 10,
  territoryRecords: 2_000,
  territoryShare: 0.5,
};

/** The backend's calls window the panel asks (lib/api.ts callsQuery: default 90 days). */
const CALLS_DAYS = 90;

/**
 * What the side panel requests on a record navigation (entrypoints/sidepanel/store/record.ts): flows and calls when
 * the record changes, then calls again with the email once the content script reports it (setPage).
 */
export const REQUESTS_PER_VIEW = ['flows', 'calls', 'calls+email'] as const;

type Ev =
  | { at: number; rep: number; kind: 'view'; crmId: string; email: string; revisit: boolean }
  | { at: number; rep: number; kind: 'list'; rows: string[] }
  | { at: number; rep: number; kind: 'popup'; refresh: boolean }
  | { at: number; rep: number; kind: 'badge' }
  | { at: number; rep: number; kind: 'panelOpen' };

/** 15-character Salesforce ids (made 18), unique per rep (up to 10,000 reps) and per team's territory. */
const sfId = (prefix: string, a: number, n: number) => {
  const id = toSalesforceId18(`${prefix}${String(a).padStart(4, '0')}${String(n).padStart(6, '0')}`);
  if (!id) throw new Error(`not a Salesforce id: ${prefix} ${a} ${n}`);
  return id;
};
const recordId = (rep: number, n: number) => sfId('003TD', rep, n);
const territoryId = (team: number, n: number) => sfId('003TT', team, n);
const emailOf = (crmId: string) => `p${crmId.toLowerCase()}@prospect.example`;

/**
 * Per rep: the day's views come in list sessions at random times. A session opens a list view of 25–50
 * records (the extension prefetches the rows' flows through POST /prospects/flows/lookup), then the rep
 * opens 10 of its records one after another (20–60 s each), going back to the list (another prefetch of
 * its rows: the backend answers fresh rows from its cache) before each next record. 30% of the opened
 * records are revisits of records the rep saw earlier that day (they are in the list too: reps work the
 * same lists); of the others and of the other rows, half are records of the rep's team's territory
 * (TEAM.territoryShare), half the rep's own records never opened that day.
 */
export function schedule(reps: number, seed = 7): Ev[] {
  const rand = prng(seed);
  const day = TEAM.dayHours * 3_600_000;
  const between = (lo: number, hi: number) => lo + rand() * (hi - lo);
  const evs: Ev[] = [];
  for (let r = 0; r < reps; r++) {
    const team = Math.floor(r / TEAM.teamSize);
    const sessions = TEAM.viewsPerRep / TEAM.viewsPerList;
    const starts = Array.from({ length: sessions }, () => rand() * (day - 15 * 60_000)).sort((a, b) => a - b);
    const seen: string[] = [];
    let n = 0;
    const fresh = () => (rand() < TEAM.territoryShare ? territoryId(team, Math.floor(rand() * TEAM.territoryRecords)) : recordId(r, n++));
    let firstAt = Infinity;
    for (const start of starts) {
      const picks: { crmId: string; revisit: boolean }[] = [];
      for (let v = 0; v < TEAM.viewsPerList; v++) {
        const revisit = seen.length > 0 && rand() < TEAM.revisitShare;
        const crmId = revisit ? seen[Math.floor(rand() * seen.length)] : fresh();
        picks.push({ crmId, revisit });
      }
      const rows = [...new Set(picks.map((p) => p.crmId))];
      const size = Math.round(between(TEAM.listRows[0], TEAM.listRows[1]));
      while (rows.length < size) {
        const id = fresh();
        if (!rows.includes(id)) rows.push(id);
      }
      let at = start;
      firstAt = Math.min(firstAt, at);
      for (const pick of picks) {
        evs.push({ at, rep: r, kind: 'list', rows });
        at += 1_000;
        evs.push({ at, rep: r, kind: 'view', crmId: pick.crmId, email: emailOf(pick.crmId), revisit: pick.revisit });
        if (!pick.revisit && !seen.includes(pick.crmId)) seen.push(pick.crmId);
        at += between(TEAM.secondsPerView[0], TEAM.secondsPerView[1]) * 1000;
      }
    }
    evs.push({ at: Math.max(0, firstAt - 1), rep: r, kind: 'panelOpen' });
    const phase = rand() * TEAM.badgeEveryMin * 60_000;
    for (let t = phase; t < day; t += TEAM.badgeEveryMin * 60_000) evs.push({ at: t, rep: r, kind: 'badge' });
    for (let k = 0; k < TEAM.popupOpensPerRep; k++) evs.push({ at: rand() * day, rep: r, kind: 'popup', refresh: rand() < TEAM.popupRefreshShare });
  }
  return evs.sort((a, b) => a.at - b.at);
}

/** The extension's tasks cache per rep (lib/storage.ts tasksCacheItem): whether a popup open fetches, and how. */
function popupFetch(ev: Extract<Ev, { kind: 'popup' }>, lastFetch: number | undefined, at: number): 'none' | 'cached' | 'fresh' {
  if (ev.refresh) return 'fresh';
  return lastFetch !== undefined && at - lastFetch < TEAM.badgeEveryMin * 60_000 ? 'none' : 'cached';
}

interface DayOutcome {
  views: number;
  revisits: number;
  listRenders: number;
  gongCalls: number;
  byTool: Record<string, number>;
  httpRequests: number;
  httpErrors: number;
  realSeconds: number;
}

async function runDay(reps: number, mode: 'backend' | 'naive'): Promise<DayOutcome> {
  const evs = schedule(reps);
  // Start the virtual day at 08:00 UTC tomorrow so it never crosses midnight.
  const start = new Date();
  start.setUTCHours(24 + 8, 0, 0, 0);
  const clock = installVirtualClock(start.getTime());
  const t0 = performance.now();
  const b = await startBenchBackend({
    sim: { limits: { perSecond: 1e9, perDay: 1e9 } },
    gong: {
      ratePerWindow: 1e9,
      dailyBudget: 1e9,
      // The replay is sequential (each request awaited): a prefetch waiting for other reps would only wait.
      prospectFlowsBatchMs: 0,
      ...(mode === 'naive' ? { cacheTtlMs: 0, tasksTtlMs: 0, prospectFlowsTtlMs: 0, callsIndexTtlMs: 0 } : {}),
    },
    limits: OPEN_HTTP_LIMITS,
  });
  try {
    const tokens = await Promise.all(Array.from({ length: reps }, (_, r) => b.addRep(`bench.rep${r}@example.com`)));
    const before = b.sim.stats();
    let httpRequests = 0;
    let httpErrors = 0;
    const get = async (rep: number, path: string, body?: unknown) => {
      httpRequests++;
      const headers: Record<string, string> = { authorization: `Bearer ${tokens[rep]}` };
      if (body) headers['content-type'] = 'application/json';
      const res = await fetch(`${b.url}/api/v1${path}`, body ? { method: 'POST', headers, body: JSON.stringify(body) } : { headers });
      await res.arrayBuffer();
      if (!res.ok) {
        httpErrors++;
        if (httpErrors <= 3) log(`team-day: ${path} answered ${res.status}`);
      }
    };
    const dayStart = clock.now();
    let done = 0;
    const lastTasks = new Map<number, number>();
    for (const ev of evs) {
      clock.advanceTo(dayStart + ev.at);
      if (ev.kind === 'popup' || ev.kind === 'badge') {
        // Naive: no cache in the extension either, every open fetches.
        const how = ev.kind === 'badge' ? 'cached' : mode === 'naive' ? 'cached' : popupFetch(ev, lastTasks.get(ev.rep), ev.at);
        if (how !== 'none') {
          await get(ev.rep, how === 'fresh' ? '/tasks?due=today&fresh=1' : '/tasks?due=today');
          lastTasks.set(ev.rep, ev.at);
        }
        if (++done % Number(process.env.BENCH_PROGRESS ?? 5000) === 0) log(`team-day (${mode}): ${done}/${evs.length} events`);
        continue;
      }
      if (ev.kind === 'list') {
        await get(ev.rep, '/prospects/flows/lookup', { crmProspectIds: ev.rows });
        if (++done % Number(process.env.BENCH_PROGRESS ?? 5000) === 0) log(`team-day (${mode}): ${done}/${evs.length} events`);
        continue;
      }
      let reqs: string[];
      if (ev.kind === 'view') {
        const id = encodeURIComponent(ev.crmId);
        reqs = REQUESTS_PER_VIEW.map((r) => (r === 'flows' ? `/prospects/${id}/flows` : r === 'calls' ? `/prospects/${id}/calls` : `/prospects/${id}/calls?email=${encodeURIComponent(ev.email)}`));
      } else reqs = ['/connection', '/flows'];
      if (mode === 'naive') for (const p of reqs) await get(ev.rep, p);
      else {
        // flows + calls go out together; the email-refined calls request follows once the page reported it.
        const [last, ...first] = ev.kind === 'view' ? [reqs[2], reqs[0], reqs[1]] : [undefined, ...reqs];
        await Promise.all(first.map((p) => get(ev.rep, p!)));
        if (last) await get(ev.rep, last);
      }
      if (++done % Number(process.env.BENCH_PROGRESS ?? 5000) === 0) log(`team-day (${mode}): ${done}/${evs.length} events, ${Math.round(performance.now() - t0)} ms`);
    }
    const after = b.sim.stats();
    const byTool: Record<string, number> = {};
    for (const [k, v] of Object.entries(after.byTool)) if (v - (before.byTool[k] ?? 0) > 0) byTool[k] = v - (before.byTool[k] ?? 0);
    const views = evs.filter((e) => e.kind === 'view');
    const lists = evs.filter((e) => e.kind === 'list').length;
    return {
      views: views.length,
      revisits: views.filter((e) => e.kind === 'view' && e.revisit).length,
      listRenders: lists,
      gongCalls: after.totalCalls - before.totalCalls,
      byTool,
      httpRequests,
      httpErrors,
      realSeconds: round((performance.now() - t0) / 1000, 1),
    };
  } finally {
    await b.close();
    clock.restore();
  }
}

/** A logger that drops everything (the replay's sessions; the backend itself runs with logging off). */
const SILENT: FastifyBaseLogger = Object.assign(Object.create(null), {
  level: 'silent',
  fatal() {},
  error() {},
  warn() {},
  info() {},
  debug() {},
  trace() {},
  silent() {},
  child() {
    return SILENT;
  },
}) as FastifyBaseLogger;

export interface TeamReplay {
  reps: number;
  /** Backends the requests were spread over (1: one backend, SQLite). */
  replicas: number;
  views: number;
  listRenders: number;
  tasksFetches: number;
  gongCalls: number;
  callsPerView: number;
  byTool: Record<string, number>;
  /** Prospect-flows lookups, summed over replicas: ids answered from the cache, missed, calls to Gong, and the rest of ProspectFlowsStats. */
  lookups: ProspectFlowsStats;
  errors: number;
  /**
   * Each rep's calls charged to their share of the day's budget (one backend): the equal share 10,000 / reps that a
   * real company has (the replay opens the budget), the busiest rep's calls, and how many reps went over the share.
   */
  repShare?: { share: number; busiestRep: number; medianRep: number; repsOverShare: number };
  realSeconds: number;
}

/** Which replica a request goes to: a plain load balancer, no stickiness (seeded, so runs compare). */
export const REPLICA_SEED = 15;

/**
 * The day of `reps` reps at once, through the backend's own services in this process (what each route
 * handler calls, without HTTP): every event starts at its time on the virtual clock without waiting for
 * earlier ones (a list prefetch waits in the backend's batching window while other reps' events go on).
 * Before the clock moves on, every Gong call already started is let finish (Gong answers in no virtual time,
 * which can only under-count the batching of lookups arriving while a call is in flight), and a batch whose
 * window is over is sent (the backend's timer, on the virtual clock).
 *
 * `replicas` > 1: that many backends in this process over one PostgreSQL (`databaseUrl`) and one simulated Gong,
 * each with its own caches, batching window and limiter as separate replicas have; each request goes to a replica
 * drawn at random (seeded), as a load balancer without stickiness sends it. All of them share the virtual clock,
 * which also dates the replicas' shared reads (the database's clock in production).
 */
export async function replayTeam(reps: number, opts: { batchMs?: number; replicas?: number; databaseUrl?: string } = {}): Promise<TeamReplay> {
  const evs = schedule(reps);
  const n = opts.replicas ?? 1;
  if (n > 1 && !opts.databaseUrl) throw new Error('replicas need a PostgreSQL database (databaseUrl)');
  const start = new Date();
  start.setUTCHours(24 + 8, 0, 0, 0);
  const clock = installVirtualClock(start.getTime());
  const t0 = performance.now();
  const gong = {
    // Opened to count demand, not throttling. With PostgreSQL the limiter's slots are rows: a few, freed at once.
    ...(opts.databaseUrl ? { ratePerWindow: 64, windowMs: 1 } : { ratePerWindow: 1e9 }),
    dailyBudget: 1e9,
    ...(opts.batchMs !== undefined ? { prospectFlowsBatchMs: opts.batchMs } : {}),
  };
  const replicas: BenchBackend[] = [];
  try {
    const first = await startBenchBackend({ sim: { limits: { perSecond: 1e9, perDay: 1e9 } }, gong, limits: OPEN_HTTP_LIMITS, databaseUrl: opts.databaseUrl, databaseClock: opts.databaseUrl ? clock.now : undefined });
    replicas.push(first);
    for (let i = 1; i < n; i++) replicas.push(await startBenchBackend({ sim: first.sim, gong, limits: OPEN_HTTP_LIMITS, databaseUrl: opts.databaseUrl, databaseClock: clock.now }));
    const sim = first.sim;
    const ctxs = replicas.map((b) => b.backend.ctx);
    // Gong calls in flight on any replica (the replay lets them finish before the clock moves on).
    let inFlight = 0;
    let executions = 0;
    // Database queries in flight on any replica: with replicas a lookup reads the shared level before it queues, so the
    // replay lets them finish too before the clock moves on (they take milliseconds, not the seconds between events).
    let queries = 0;
    for (const { backend } of replicas) {
      const db = backend.db;
      for (const m of ['all', 'get', 'run'] as const) {
        const orig = db[m].bind(db) as (...a: unknown[]) => Promise<unknown>;
        (db as unknown as Record<string, unknown>)[m] = async (...a: unknown[]) => {
          queries++;
          try {
            return await orig(...a);
          } finally {
            queries--;
          }
        };
      }
    }
    for (const ctx of ctxs) {
      const gateway = ctx.gateway;
      // Tool calls go straight to the simulator (the SDK's wire and the stand-in are skipped: they change how a
      // call travels, not which calls are made), answers as plain JSON as the SDK hands them back.
      const sdk = (gateway as unknown as { client: { actions: { executeTool: (req: { toolName: string; toolInput: Record<string, unknown>; identifier: string }) => Promise<unknown> } } }).client;
      sdk.actions.executeTool = async (req) => {
        const executionId = `replay-${++executions}`;
        let data: unknown;
        try {
          data = await sim.execute(req.toolName, req.toolInput, { identifier: req.identifier, executionId });
        } catch (err) {
          // Gong's refusal as the SDK throws it (the stand-in's TOOL_ERROR, promoted as the SDK does), so that the
          // backend classes it as in production (a 400 is not retried) and the replay counts it as such.
          if (err instanceof GongHttpError) throw ScalekitServerException.promote(toolError(err, executionId));
          throw err;
        }
        return { executionId, data: JSON.parse(JSON.stringify(data ?? null)) };
      };
      const execute = gateway.execute.bind(gateway);
      gateway.execute = async (...args) => {
        inFlight++;
        try {
          return await execute(...args);
        } finally {
          inFlight--;
        }
      };
    }
    const users: User[] = [];
    for (let r = 0; r < reps; r++) {
      const email = `bench.rep${r}@example.com`;
      await first.addRep(email);
      for (const b of replicas.slice(1)) b.backend.sandbox!.accounts.setStatus('gong', email, 'ACTIVE');
      users.push((await first.backend.users.byEmail(email))!);
    }
    const pick = prng(REPLICA_SEED);
    /** The rep's request as the replica the load balancer picked sees it. */
    const sessionOf = (rep: number) => {
      const ctx = ctxs[n > 1 ? Math.floor(pick() * n) : 0];
      // The connection check in front of the company-wide caches asks Scalekit (a status call, not a Gong call)
      // once a minute per rep: the replay gives its answer (ACTIVE) instead of asking.
      ctx.connections.seen(users[rep].email, true);
      return { ctx, s: new GongSession(ctx, users[rep], SILENT, 'bench replay', null) };
    };
    const before = sim.stats();
    const lookupsOf = () => {
      const sum: Record<string, number> = {};
      for (const c of ctxs) for (const [k, v] of Object.entries(c.prospectFlows.stats)) sum[k] = (sum[k] ?? 0) + v;
      return sum as unknown as ProspectFlowsStats;
    };
    const lookupsBefore = lookupsOf();
    const flushDue = () => {
      for (const c of ctxs) c.prospectFlows.flushDue();
    };
    const pending = new Set<Promise<unknown>>();
    let errors = 0;
    let tasksFetches = 0;
    const track = (p: Promise<unknown>) => {
      const q = p.catch((err) => {
        if (++errors <= 3) log(`team replay: ${err instanceof Error ? err.message : String(err)}`);
      });
      pending.add(q);
      void q.finally(() => pending.delete(q));
    };
    const settle = async () => {
      // Microtasks and I/O of what was started: until no Gong call nor database query is in flight two turns in a row,
      // nor a lookup call or a calls index refresh under way.
      const busy = () => inFlight > 0 || queries > 0 || ctxs.some((c) => c.prospectFlows.callsUnderWay > 0 || c.callsIndex.refreshesUnderWay > 0);
      for (let quiet = 0; quiet < 2; ) {
        await new Promise((r) => setImmediate(r));
        quiet = busy() ? 0 : quiet + 1;
      }
    };
    const lastTasks = new Map<number, number>();
    const dayStart = clock.now();
    let done = 0;
    /** Moves the clock to `t`, stopping at each batch window's end on the way (the backends' timers, in their order). */
    const advanceTo = async (t: number) => {
      for (;;) {
        await settle();
        const due = Math.min(...ctxs.map((c) => c.prospectFlows.nextDueAt));
        if (due > t) break;
        clock.advanceTo(due);
        flushDue();
        // A queue not sent (its window moved on): nothing changed this step, so on to the event.
        if (Math.min(...ctxs.map((c) => c.prospectFlows.nextDueAt)) <= due && ctxs.every((c) => c.prospectFlows.callsUnderWay === 0)) break;
      }
      clock.advanceTo(t);
      flushDue();
    };
    for (const ev of evs) {
      if (dayStart + ev.at > clock.now()) await advanceTo(dayStart + ev.at);
      if (ev.kind === 'list') {
        const { ctx, s } = sessionOf(ev.rep);
        track(ctx.prospectFlows.lookup(s, ev.rows, { wait: true }));
      } else if (ev.kind === 'view') {
        const [flows, calls, callsByEmail] = [sessionOf(ev.rep), sessionOf(ev.rep), sessionOf(ev.rep)];
        track(
          Promise.all([flows.ctx.prospectFlows.lookup(flows.s, [ev.crmId]), prospectCalls(calls.ctx.callsIndex, calls.s, ev.crmId, undefined, CALLS_DAYS)]).then(() =>
            prospectCalls(callsByEmail.ctx.callsIndex, callsByEmail.s, ev.crmId, ev.email, CALLS_DAYS),
          ),
        );
      } else if (ev.kind === 'panelOpen') track(listFlows(sessionOf(ev.rep).s));
      else {
        const how = ev.kind === 'badge' ? 'cached' : popupFetch(ev, lastTasks.get(ev.rep), ev.at);
        if (how !== 'none') {
          tasksFetches++;
          lastTasks.set(ev.rep, ev.at);
          track(listTasks(sessionOf(ev.rep).s, 'today', how === 'fresh'));
        }
      }
      if (++done % Number(process.env.BENCH_PROGRESS ?? 100_000) === 0) log(`team replay (${reps} reps${n > 1 ? `, ${n} replicas` : ''}): ${done}/${evs.length} events, ${Math.round(performance.now() - t0)} ms`);
    }
    // The last windows close.
    await advanceTo(clock.now() + 60_000);
    while (pending.size) await Promise.all([...pending]);
    const after = sim.stats();
    const byTool: Record<string, number> = {};
    for (const [k, v] of Object.entries(after.byTool)) if (v - (before.byTool[k] ?? 0) > 0) byTool[k] = v - (before.byTool[k] ?? 0);
    const views = evs.filter((e) => e.kind === 'view').length;
    const gongCalls = after.totalCalls - before.totalCalls;
    const st = lookupsOf();
    // What a rep's share would have refused with Gong's real budget (the replay's is opened so that demand is counted).
    let repShare: TeamReplay['repShare'];
    if (n === 1) {
      const charged = (await Promise.all(users.slice(0, reps).map(async (u) => (await ctxs[0].gateway.repUsageToday(u.email)).gongCalls))).sort((a, b) => a - b);
      const share = Math.floor(GONG_CALLS_PER_DAY / reps);
      repShare = { share, busiestRep: charged[charged.length - 1], medianRep: charged[charged.length >> 1], repsOverShare: charged.filter((c) => c > share).length };
    }
    return {
      reps,
      replicas: n,
      views,
      listRenders: evs.filter((e) => e.kind === 'list').length,
      tasksFetches,
      gongCalls,
      callsPerView: round(gongCalls / views, 3),
      byTool,
      lookups: Object.fromEntries(Object.entries(st).map(([k, v]) => [k, v - lookupsBefore[k as keyof ProspectFlowsStats]])) as unknown as ProspectFlowsStats,
      errors,
      repShare,
      realSeconds: round((performance.now() - t0) / 1000, 1),
    };
  } finally {
    for (const b of replicas.reverse()) await b.close();
    clock.restore();
  }
}

export const TEAM_SIZES = [50, 500, 2000] as const;

/**
 * The calls index is shared by the whole company, so the team must be simulated in full (50 reps, the
 * default): simulating fewer reps and scaling would charge the shared index to too few views. Fewer reps
 * (BENCH_TEAM_REPS) give a pessimistic figure, scaled × reps / simReps. Requests are sent one after the other,
 * so the list prefetch's batching window is off here (a prefetch would only wait for itself): the team curve
 * (teamCurveBench) shows what sharing across reps adds.
 */
export async function teamDayBench(opts: { simReps?: number; naiveReps?: number } = {}): Promise<BenchResult> {
  const base = {
    id: 'gong-calls-per-view',
    figure: `Gong calls per record view (${TEAM.reps} reps × ${TEAM.viewsPerRep} views, ${TEAM.revisitShare * 100}% revisits, task polling)`,
    goal: '≤ 0.5 per view; day ≤ 10,000 calls',
  };
  log('team-day: simulating the day through the backend over HTTP, one request after the other (batching window off)');
  const simReps = Math.min(TEAM.reps, opts.simReps ?? TEAM.reps);
  const day = await runDay(simReps, 'backend');
  const scale = TEAM.reps / simReps;
  const teamViews = TEAM.reps * TEAM.viewsPerRep;
  const naiveReps = opts.naiveReps ?? 10;
  log(`team-day: naive baseline (no cache, no coalescing) for ${naiveReps} reps`);
  const naive = await runDay(naiveReps, 'naive');
  const perView = day.gongCalls / day.views;
  const naivePerView = naive.gongCalls / naive.views;
  const naiveDay = Math.round(naivePerView * teamViews);
  const teamDay = Math.round(day.gongCalls * scale);
  const perTool = (t: Record<string, number>, views: number) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, round(v / views, 3)]));
  return {
    ...base,
    value: `${round(perView, 2)} per view, ~${teamDay.toLocaleString('en-US')} calls/day; naive ${round(naivePerView, 2)} per view (~${naiveDay.toLocaleString('en-US')}/day) [${simReps} of ${TEAM.reps} reps simulated, scaled]`,
    pass: perView <= 0.5 && teamDay <= 10_000 && day.httpErrors === 0,
    data: {
      team: TEAM,
      simulatedReps: simReps,
      requestsPerView: REQUESTS_PER_VIEW,
      perView: round(perView, 3),
      perViewByTool: perTool(day.byTool, day.views),
      teamDayCalls: teamDay,
      simulated: day,
      naive: { ...naive, reps: naiveReps, perView: round(naivePerView, 3), perViewByTool: perTool(naive.byTool, naive.views), teamDayCalls: naiveDay },
      seedRepEmail: SEED.repEmail,
    },
  };
}

/**
 * The team curve: the day replayed with every rep at once (replayTeam) at 50, 500 and 2,000 reps, so that reps
 * share what the backend shares across reps (the company-wide caches, list prefetches batched in a window,
 * rows refreshed ahead in calls with room, the calls index). Also the 50-rep replay with the batching window
 * off, to compare with the HTTP day (same counts expected but for timing; see bench/README.md).
 */
export async function teamCurveBench(sizes: readonly number[] = TEAM_SIZES): Promise<BenchResult> {
  const base = { id: 'gong-calls-team-curve', figure: 'Gong calls as the team grows (50 / 500 / 2,000 reps)', goal: '500 reps: ≤ 0.1 per view, day ≤ 10,000 calls' };
  const curve: TeamReplay[] = [];
  for (const reps of sizes) {
    log(`team curve: ${reps} reps at once, in process`);
    const r = await replayTeam(reps);
    log(`team curve: ${reps} reps ${r.callsPerView}/view ${r.gongCalls.toLocaleString('en-US')}/day (${r.realSeconds} s)`);
    curve.push(r);
  }
  log('team curve: 50 reps with the batching window off (to compare with the HTTP day)');
  const windowOff = await replayTeam(50, { batchMs: 0 });
  const at500 = curve.find((c) => c.reps === 500);
  return {
    ...base,
    value: curve
      .map(
        (c) =>
          `${c.reps.toLocaleString('en-US')} reps: ${c.callsPerView} per view, ${c.gongCalls.toLocaleString('en-US')}/day` +
          (c.repShare ? ` (busiest rep ${c.repShare.busiestRep} of a ${c.repShare.share}-call share, ${c.repShare.repsOverShare} over)` : ''),
      )
      .join(' · '),
    // A rep refused by their share mid-day is a team that does not fit, whatever the total.
    pass: at500 ? at500.callsPerView <= 0.1 && at500.gongCalls <= 10_000 && curve.every((c) => c.errors === 0) && at500.repShare?.repsOverShare === 0 : null,
    data: {
      curve: curve.map((c) => ({ ...c, perViewByTool: Object.fromEntries(Object.entries(c.byTool).map(([k, v]) => [k, round(v / c.views, 4)])) })),
      team: TEAM,
      windowOff50: windowOff,
    },
  };
}

/**
 * The 500-rep day over 3 replicas behind a load balancer without stickiness (one PostgreSQL, a throwaway cluster:
 * test/postgres-cluster.ts; one Gong), against the same day on one backend: an operator running replicas for
 * availability expects the same Gong budget to hold.
 */
export async function teamReplicasBench(opts: { reps?: number; replicas?: number; oneBackend?: TeamReplay } = {}): Promise<BenchResult> {
  const reps = opts.reps ?? 500;
  const n = opts.replicas ?? 3;
  const base = {
    id: 'gong-calls-replicas',
    figure: `Gong calls, ${reps} reps over ${n} replicas + Postgres (vs one backend)`,
    goal: '≤ 0.1 per view, day ≤ 10,000 calls',
  };
  const one = opts.oneBackend ?? (log(`team replicas: ${reps} reps on one backend`), await replayTeam(reps));
  const pg = await startPostgresCluster();
  let spread: TeamReplay;
  try {
    log(`team replicas: ${reps} reps over ${n} replicas, one PostgreSQL`);
    spread = await replayTeam(reps, { replicas: n, databaseUrl: pg.url });
  } finally {
    pg.stop();
  }
  const tools = [...new Set([...Object.keys(one.byTool), ...Object.keys(spread.byTool)])].sort((a, b) => (spread.byTool[b] ?? 0) - (spread.byTool[a] ?? 0));
  const table = tools.map((t) => `${t} ${(one.byTool[t] ?? 0).toLocaleString('en-US')} → ${(spread.byTool[t] ?? 0).toLocaleString('en-US')}`);
  log(`team replicas: calls/day by tool, 1 backend → ${n} replicas: ${table.join(', ')}`);
  return {
    ...base,
    value: `${n} replicas: ${spread.callsPerView} per view, ${spread.gongCalls.toLocaleString('en-US')}/day; one backend ${one.callsPerView}, ${one.gongCalls.toLocaleString('en-US')}/day (${table.join(' · ')})`,
    pass: spread.callsPerView <= 0.1 && spread.gongCalls <= 10_000 && spread.errors === 0,
    data: { oneBackend: one, replicas: spread },
  };
}

/**
 * Gong calls per record view for a simulated team: 50 reps × 200 record views in an 8-hour day, 30% of
 * views revisit a record the rep saw earlier that day, every rep's task badge refreshing on the
 * extension's 5-minute alarm and the popup (which fetches today's tasks) opened 20 times a day.
 *
 * Method: real backend over HTTP, 50 real API users (UserStore) each with a connected account, the
 * requests the extension makes per event (see REQUESTS_PER_VIEW), Gong calls counted by the simulator.
 * The day runs on a virtual clock (virtual-clock.ts): events are replayed in order and the clock jumps
 * over idle gaps, so cache TTLs and windows see real day-scale gaps. To measure demand rather than
 * throttling, the backend's 3/s limiter, its daily budget and the simulator's limits are opened.
 */
import { SEED } from '../server/sandbox/gong/seed';
import { toSalesforceId18 } from '../lib/crm-record';
import { OPEN_HTTP_LIMITS, startBenchBackend } from './backend';
import { installVirtualClock } from './virtual-clock';
import { log, prng, round, type BenchResult } from './util';

export const TEAM = { reps: 50, viewsPerRep: 200, revisitShare: 0.3, dayHours: 8, badgeEveryMin: 5, popupOpensPerRep: 20 };

/**
 * What the side panel requests on a record navigation (entrypoints/sidepanel/store.ts): flows and calls when
 * the record changes, then calls again with the email once the content script reports it (setPage).
 */
export const REQUESTS_PER_VIEW = ['flows', 'calls', 'calls+email'] as const;

type Ev =
  | { at: number; rep: number; kind: 'view'; crmId: string; email: string; revisit: boolean }
  | { at: number; rep: number; kind: 'badge' | 'popup' | 'panelOpen' };

function schedule(reps: number, seed = 7): Ev[] {
  const rand = prng(seed);
  const day = TEAM.dayHours * 3_600_000;
  const evs: Ev[] = [];
  for (let r = 0; r < reps; r++) {
    const times = Array.from({ length: TEAM.viewsPerRep }, () => rand() * day).sort((a, b) => a - b);
    const seen: string[] = [];
    times.forEach((at, i) => {
      const revisit = seen.length > 0 && rand() < TEAM.revisitShare;
      let crmId: string;
      if (revisit) crmId = seen[Math.floor(rand() * seen.length)];
      else {
        crmId = toSalesforceId18(`003TD${String(r).padStart(3, '0')}${String(i).padStart(7, '0')}`)!;
        seen.push(crmId);
      }
      evs.push({ at, rep: r, kind: 'view', crmId, email: `p${crmId.toLowerCase()}@prospect.example`, revisit });
    });
    evs.push({ at: Math.max(0, times[0] - 1), rep: r, kind: 'panelOpen' });
    const phase = rand() * TEAM.badgeEveryMin * 60_000;
    for (let t = phase; t < day; t += TEAM.badgeEveryMin * 60_000) evs.push({ at: t, rep: r, kind: 'badge' });
    for (let k = 0; k < TEAM.popupOpensPerRep; k++) evs.push({ at: rand() * day, rep: r, kind: 'popup' });
  }
  return evs.sort((a, b) => a.at - b.at);
}

interface DayOutcome {
  views: number;
  revisits: number;
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
    gong: { ratePerWindow: 1e9, dailyBudget: 1e9, ...(mode === 'naive' ? { cacheTtlMs: 0 } : {}) },
    limits: OPEN_HTTP_LIMITS,
  });
  try {
    const tokens = Array.from({ length: reps }, (_, r) => b.addRep(`bench.rep${r}@example.com`));
    const before = b.sim.stats();
    let httpRequests = 0;
    let httpErrors = 0;
    const get = async (rep: number, path: string) => {
      httpRequests++;
      const res = await fetch(`${b.url}/api/v1${path}`, { headers: { authorization: `Bearer ${tokens[rep]}` } });
      await res.arrayBuffer();
      if (!res.ok) {
        httpErrors++;
        if (httpErrors <= 3) log(`team-day: ${path} answered ${res.status}`);
      }
    };
    const dayStart = clock.now();
    let done = 0;
    for (const ev of evs) {
      clock.advanceTo(dayStart + ev.at);
      let reqs: string[];
      if (ev.kind === 'view') {
        const id = encodeURIComponent(ev.crmId);
        reqs = REQUESTS_PER_VIEW.map((r) => (r === 'flows' ? `/prospects/${id}/flows` : r === 'calls' ? `/prospects/${id}/calls` : `/prospects/${id}/calls?email=${encodeURIComponent(ev.email)}`));
      } else if (ev.kind === 'panelOpen') reqs = ['/connection', '/flows'];
      else reqs = ['/tasks?due=today'];
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
    return {
      views: views.length,
      revisits: views.filter((e) => e.kind === 'view' && e.revisit).length,
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

/**
 * The backend's read cache is keyed per user and the reps' records do not overlap, so reps do not share
 * Gong calls: the day of `simReps` reps is simulated in full (each with all 200 views, badge and popup
 * polls) and scaled to the team (× reps / simReps). Set BENCH_TEAM_REPS=50 for the whole team (slow).
 */
export async function teamDayBench(opts: { simReps?: number; naiveReps?: number } = {}): Promise<BenchResult> {
  const base = {
    id: 'gong-calls-per-view',
    figure: `Gong calls per record view (${TEAM.reps} reps × ${TEAM.viewsPerRep} views, ${TEAM.revisitShare * 100}% revisits, task polling)`,
    goal: '≤ 0.5 per view; day ≤ 10,000 calls',
  };
  log('team-day: simulating the day through the backend (cache + coalescing on)');
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

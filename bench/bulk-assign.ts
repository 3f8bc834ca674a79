/**
 * Bulk assign 10,000 prospects through the real backend (POST /flows/:id/assign → job) against the
 * simulator at Gong's limits (3 calls/s, 10,000/day). The simulator's seed has 62 prospects, so the
 * benchmark adds 10,000 valid Salesforce contacts to its state first.
 */
import { addSalesforceContacts, SEED } from '../server/sandbox/gong/seed';
import { startBenchBackend } from './backend';
import { log, round, sleep, type BenchResult } from './util';

export async function bulkAssignBench(opts: { prospects?: number } = {}): Promise<BenchResult> {
  const n = opts.prospects ?? 10_000;
  const base = { id: 'bulk-assign', figure: `bulk assign ${n.toLocaleString('en-US')} prospects at 3 calls/s`, goal: 'zero 429s; ≤ 110% of the rate-limit floor' };
  const b = await startBenchBackend(); // Gong's real limits in the simulator and in the backend
  try {
    const ids = addSalesforceContacts(b.sim.state.raw.prospects, n, 'BK', 'Bulk');
    // A backend that has just started holds Gong calls for one window (a previous process may have called
    // Gong a moment ago); an admin's bulk assignment meets a backend that has been running, so start after it.
    await sleep(1_100);
    const before = b.sim.stats();
    const t0 = performance.now();
    const t0Wall = Date.now();
    const res = await fetch(`${b.url}/api/v1/flows/${SEED.flowId}/assign`, {
      method: 'POST',
      headers: { authorization: `Bearer ${b.token}`, 'content-type': 'application/json', 'idempotency-key': `bench-bulk-${Date.now()}` },
      body: JSON.stringify({ crmProspectIds: ids }),
    });
    const body = (await res.json()) as { jobId?: string };
    if (res.status !== 202 || !body.jobId) throw new Error(`assign answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
    log(`bulk job ${body.jobId} accepted in ${Math.round(performance.now() - t0)} ms; waiting`);
    let job: { status: string; succeeded?: number; failed?: number; total?: number; results?: unknown[] } = { status: 'PENDING' };
    // Progress polls without the per-prospect results (`?results=0`); once it is done, the full job once.
    for (;;) {
      const r = await fetch(`${b.url}/api/v1/jobs/${body.jobId}?results=0`, { headers: { authorization: `Bearer ${b.token}` } });
      job = (await r.json()) as typeof job;
      if (job.status === 'COMPLETED' || job.status === 'FAILED') break;
      if (performance.now() - t0 > 180_000) throw new Error(`job still ${job.status} after 180 s`);
      await sleep(100);
    }
    const full = await fetch(`${b.url}/api/v1/jobs/${body.jobId}`, { headers: { authorization: `Bearer ${b.token}` } });
    job = (await full.json()) as typeof job;
    if (job.results?.length !== job.succeeded! + job.failed!) throw new Error(`job answered ${job.results?.length} results for ${job.succeeded! + job.failed!} done`);
    const totalS = (performance.now() - t0) / 1000;
    const doneWall = Date.now();
    const after = b.sim.stats();
    const calls = after.totalCalls - before.totalCalls;
    const rateLimited = after.rateLimited - before.rateLimited;
    const log429 = b.sim.callLog.filter((c) => c.status === 429).length;
    // N calls with at most 3 in any 1 s window: the last can start no earlier than floor((N-1)/3) s after the first.
    const floorS = Math.floor((calls - 1) / 3);
    const ratio = totalS / floorS;
    const assignCalls = b.sim.callLog.filter((c) => c.tool === 'gong_engage_prospects_assign');
    const gaps = assignCalls.slice(1).map((c, i) => c.at - assignCalls[i].at);
    const cycle = assignCalls.length > 3 ? (assignCalls[assignCalls.length - 1].at - assignCalls[0].at) / Math.floor((assignCalls.length - 1) / 3) : NaN;
    return {
      ...base,
      value: `${round(totalS, 1)} s for ${calls} Gong calls, floor ${floorS} s (${Math.round(ratio * 100)}%), ${rateLimited} 429s, job ${job.status} ${job.succeeded ?? '?'} ok / ${job.failed ?? '?'} failed`,
      pass: rateLimited === 0 && log429 === 0 && ratio <= 1.1 && job.status === 'COMPLETED',
      data: {
        prospects: n,
        totalSeconds: round(totalS, 2),
        gongCalls: calls,
        byTool: Object.fromEntries(Object.entries(after.byTool).map(([k, v]) => [k, v - (before.byTool[k] ?? 0)]).filter(([, v]) => (v as number) > 0)),
        floorSeconds: floorS,
        ratioToFloor: round(ratio, 3),
        rateLimited,
        maxCallsInAnySecond: after.maxCallsInAnySecond,
        secondsPerThreeCalls: round(cycle / 1000, 3),
        medianGapMs: gaps.sort((a, c) => a - c)[Math.floor(gaps.length / 2)],
        // Where the time outside the 3/s pacing goes: request → first call at Gong, last call at Gong → job seen done.
        firstCallAfterMs: assignCalls.length ? assignCalls[0].at - t0Wall : null,
        lastCallToDoneMs: assignCalls.length ? doneWall - assignCalls[assignCalls.length - 1].at : null,
        job: { status: job.status, succeeded: job.succeeded, failed: job.failed, total: job.total },
      },
    };
  } finally {
    await b.close();
  }
}

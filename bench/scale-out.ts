/**
 * Scale-out bulk (issue: three replicas share one Gong budget): the scale test's cluster (test/scale/scale-cluster.ts)
 * on a throwaway PostgreSQL (test/postgres-cluster.ts): 3 backend replicas, one Gong in its own process with its
 * real 3/s and 10,000/day; 10,000 prospects as four reps' jobs sent to the replicas in turn. Goal: zero 429s and
 * at most 110% of the rate-limit floor (the floor for N calls at 3 per second: floor((N-1)/3) s).
 */
import { startPostgresCluster } from '../test/postgres-cluster';
import { ScaleCluster } from '../test/scale/scale-cluster';
import { log, round, type BenchResult } from './util';

export async function scaleOutBench(opts: { prospects?: number } = {}): Promise<BenchResult> {
  const n = opts.prospects ?? 10_000;
  const base = {
    id: 'scale-out-bulk',
    figure: `scale-out: bulk ${n.toLocaleString('en-US')} over 3 replicas + Postgres`,
    goal: 'zero 429s; ≤ 110% of the rate-limit floor',
  };
  const pg = await startPostgresCluster();
  let cluster: ScaleCluster | undefined;
  try {
    cluster = await ScaleCluster.start({ databaseUrl: pg.url, replicas: 3, prospects: n });
    log(`scale-out: 3 replicas up; bulk ${n}`);
    const r = await cluster.bulkAcrossReplicas(cluster.prospectIds.slice(0, n));
    const ok = r.jobs.every((j) => j.status === 'COMPLETED' && j.failed === 0) && r.notExactlyOnce.length === 0;
    return {
      ...base,
      value: `${round(r.seconds, 1)} s for ${r.calls} Gong calls, floor ${r.floorSeconds} s (${Math.round(r.ratio * 100)}%), ${r.calls429} 429s, at most ${r.maxCallsInAnySecond} calls in a second, ${ok ? 'every prospect assigned once' : 'NOT every prospect assigned once'}`,
      pass: ok && r.calls429 === 0 && r.ratio <= 1.1,
      data: { ...r, jobs: r.jobs, notExactlyOnce: r.notExactlyOnce.length },
    };
  } finally {
    await cluster?.close();
    pg.stop();
  }
}

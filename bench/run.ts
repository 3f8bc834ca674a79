/**
 * `npm run bench`: runs every benchmark, prints one table and writes bench/results.json.
 *   npm run bench -- --only=detection,bulk   (ids: size, detection, sidepanel, wake, team, load, overhead, bulk, scale)
 * Needs the built extension (flock /tmp/build.lock npm run build) and Chromium at /usr/bin/chromium
 * (or CHROMIUM_PATH).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, EXTENSION_DIR } from '../test/e2e/fixtures';
import { cachedReadsBench, overheadBench } from './backend-load';
import { bulkAssignBench } from './bulk-assign';
import { scaleOutBench } from './scale-out';
import { contentScriptSize, sidePanelScriptSize } from './content-size';
import { detectionBench } from './detection';
import { sidePanelBench } from './sidepanel';
import { teamCurveBench, teamDayBench, teamReplicasBench, type TeamReplay } from './team-day';
import { workerWakeBench } from './worker-wake';
import { log, type BenchResult } from './util';

const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const want = (id: string) => !only || only.includes(id);

const steps: { id: string; ids: string[]; figure: string; goal: string; run: () => Promise<BenchResult | BenchResult[]> }[] = [
  {
    id: 'size',
    ids: ['content-script-size', 'sidepanel-js-size'],
    figure: 'content script / side panel JS size, gzipped',
    goal: '≤ 4 KB, no React / ≤ 80 KB',
    run: async () => [contentScriptSize(EXTENSION_DIR), sidePanelScriptSize(EXTENSION_DIR)],
  },
  { id: 'detection', ids: ['record-detection'], figure: 'record detection per navigation', goal: '≤ 1 ms median', run: () => detectionBench({ chromiumPath: CHROMIUM }) },
  {
    id: 'sidepanel',
    ids: ['sidepanel-cached', 'sidepanel-cold-open', 'sidepanel-first-visit', 'sidepanel-memory'],
    figure: 'side panel (cached / cold open / first visit / memory)',
    goal: '≤ 50 ms / ≤ 100 ms / ≤ 150 ms / ≤ 20 MB',
    run: () => sidePanelBench(),
  },
  {
    id: 'team',
    ids: ['gong-calls-per-view', 'gong-calls-team-curve', 'gong-calls-replicas'],
    figure: 'Gong calls per record view / as the team grows / 500 reps over 3 replicas',
    goal: '≤ 0.5 per view / 500 reps ≤ 0.1 per view / the same over 3 replicas',
    // The replicas' figure needs PostgreSQL's binaries (Debian's postgresql package): a throwaway cluster is started for it.
    run: async () => {
      const team = await teamDayBench({ simReps: Number(process.env.BENCH_TEAM_REPS ?? 50), naiveReps: Number(process.env.BENCH_NAIVE_REPS ?? 1) });
      const curve = await teamCurveBench();
      const oneBackend = (curve.data as { curve: TeamReplay[] } | undefined)?.curve.find((c) => c.reps === 500);
      return [team, curve, await teamReplicasBench({ oneBackend })];
    },
  },
  { id: 'wake', ids: ['worker-wake-menu'], figure: 'service worker stopped → menu click queued', goal: '≤ 100 ms median', run: () => workerWakeBench() },
  { id: 'load', ids: ['backend-cached-reads'], figure: 'backend cached reads', goal: '≥ 2,000 req/s, p99 ≤ 20 ms', run: () => cachedReadsBench() },
  { id: 'overhead', ids: ['backend-overhead'], figure: 'backend overhead over the tool call', goal: 'p99 ≤ 5 ms', run: () => overheadBench() },
  { id: 'bulk', ids: ['bulk-assign'], figure: 'bulk assign 10,000 prospects', goal: 'zero 429s; ≤ 110% of floor', run: () => bulkAssignBench() },
  // Needs PostgreSQL's binaries (Debian's postgresql package): a throwaway cluster is started for it.
  { id: 'scale', ids: ['scale-out-bulk'], figure: 'scale-out: bulk 10,000 over 3 replicas', goal: 'zero 429s; ≤ 110% of floor', run: () => scaleOutBench() },
];

function table(results: BenchResult[]): string {
  const rows = results.map((r) => [r.figure, r.error ? `ERROR: ${r.error}` : r.value, r.goal, r.pass === null ? 'n/a' : r.pass ? 'PASS' : 'FAIL']);
  const head = ['figure', 'value', 'goal', 'result'];
  const widths = head.map((h, i) => Math.min(i === 1 ? 110 : 70, Math.max(h.length, ...rows.map((r) => r[i].length))));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const started = new Date();
const load0 = loadavg();
const results: BenchResult[] = [];
for (const step of steps) {
  if (!want(step.id)) continue;
  const t = performance.now();
  log(`▶ ${step.id}`);
  try {
    const r = await step.run();
    results.push(...(Array.isArray(r) ? r : [r]));
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    log(`${step.id} failed: ${msg}`);
    for (const id of step.ids) results.push({ id, figure: step.figure, goal: step.goal, value: 'n/a', pass: null, error: msg });
  }
  log(`✔ ${step.id} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const load1 = loadavg();
console.log(table(results));
const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, loadavgAtStart: load0.map((x) => Math.round(x * 100) / 100), loadavgAtEnd: load1.map((x) => Math.round(x * 100) / 100) };
console.log(`\n${machine.cpus} CPUs, load average at start ${machine.loadavgAtStart.join(' / ')}, at end ${machine.loadavgAtEnd.join(' / ')} (figures are only comparable on an otherwise idle machine)`);
const out = join(import.meta.dirname, 'results.json');
// With --only, keep the other figures of the last full run (each result says when it was measured).
const stamped = results.map((r) => ({ ...r, measuredAt: started.toISOString(), machine }));
let all: (BenchResult & { measuredAt?: string; machine?: unknown })[] = stamped;
if (only && existsSync(out)) {
  const prev = JSON.parse(readFileSync(out, 'utf8')) as { results: (BenchResult & { measuredAt?: string })[] };
  const fresh = new Set(stamped.map((r) => r.id));
  all = [...prev.results.filter((r) => !fresh.has(r.id)), ...stamped];
}
writeFileSync(out, `${JSON.stringify({ startedAt: started.toISOString(), finishedAt: new Date().toISOString(), machine, only: only ?? null, results: all }, null, 2)}\n`);
log(`wrote ${out}`);
process.exitCode = 0;

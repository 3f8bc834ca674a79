/**
 * Child processes of the overhead benchmark (`backend-load.ts` `overheadBench`), laid out as in production,
 * where the caller, the backend and Scalekit are three machines:
 * - `--role=scalekit`: the Scalekit stand-in + Gong simulator (0 ms latency; its 3/s limit opened, since the
 *   bench's direct SDK calls count against it too). Prints `{ url, clientId, clientSecret }`.
 * - `--role=backend`: the real backend in scalekit mode (SCALEKIT_* from the environment, pointing at the
 *   stand-in), with an API user for the demo rep. Prints `{ url, token }`. It also times each request from the
 *   inside (arrival → response written, and the SDK call within it) and, when stdin ends, prints those
 *   timings as a second JSON line before closing: the backend's own share, without the network hop. Its CPU time
 *   per request only when asked (BENCH_OVERHEAD_CPU or BENCH_OVERHEAD_STAGES): reading it (`process.cpuUsage`, four
 *   times a request, on the request's path) cost the route arm ~0.3 ms at p50 here, which no production request pays.
 * Each prints one JSON line on stdout and exits when stdin ends (the parent closes it, or dies).
 */
import dc from 'node:diagnostics_channel';
import http from 'node:http';
import { PerformanceObserver } from 'node:perf_hooks';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBackend } from '../server/app';
import { GongSimulator } from '../server/sandbox/gong/simulator';
import { SEED } from '../server/sandbox/gong/seed';
import { startSandbox } from '../server/sandbox/index';

const role = process.argv.find((a) => a.startsWith('--role='))?.slice('--role='.length);
let close: () => Promise<void>;
/** Written on stdout when stdin ends, before closing. */
let report: () => unknown = () => null;

if (role === 'scalekit') {
  const sim = new GongSimulator({ latencyMs: 0, limits: { perSecond: 1_000_000, perDay: 100_000_000 } });
  const sandbox = await startSandbox({ gong: sim });
  process.stdout.write(`${JSON.stringify({ url: sandbox.url, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret })}\n`);
  close = async () => {
    await sandbox.close();
    sim.close();
  };
} else if (role === 'backend') {
  const backend = await startBackend({
    port: 0,
    host: '127.0.0.1',
    dataDir: mkdtempSync(join(tmpdir(), 'gong-bench-overhead-')),
    logger: false,
    // BENCH_OVERHEAD_NO_IDLE_GC=1 measures without the young GC between requests (for comparison).
    youngGcWhenIdle: !process.env.BENCH_OVERHEAD_NO_IDLE_GC,
  });
  if (backend.mode !== 'scalekit') throw new Error('the backend child needs SCALEKIT_* in its environment');
  const { token } = (await backend.users.add(SEED.repEmail));
  // Inside timings: Node's HTTP server diagnostics channels mark a request's arrival (headers parsed) and its
  // response written; the SDK call is timed by wrapping the gateway's client (bench instrumentation only).
  // `cpu*`: the process's CPU time (user + system, µs) at the same moments: what the backend itself spent, which the
  // machine's other load (a descheduled vCPU) does not inflate as it does wall time.
  const requests: {
    start: number;
    finish?: number;
    sdkStart?: number;
    sdkEnd?: number;
    cpuStart: number;
    cpuFinish?: number;
    cpuSdkStart?: number;
    cpuSdkEnd?: number;
    handlerStart?: number;
    sendStart?: number;
    endStart?: number;
    endDone?: number;
    handlerEnd?: number;
  }[] = [];
  const stages = Boolean(process.env.BENCH_OVERHEAD_STAGES);
  const cpu = stages || Boolean(process.env.BENCH_OVERHEAD_CPU);
  const cpuUs = () => {
    if (!cpu) return 0;
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  let current: (typeof requests)[number] | undefined;
  dc.subscribe('http.server.request.start', () => {
    current = { start: performance.now(), cpuStart: cpuUs() };
    requests.push(current);
  });
  dc.subscribe('http.server.response.finish', () => {
    if (current && current.finish === undefined) {
      current.finish = performance.now();
      current.cpuFinish = cpuUs();
    }
  });
  const actions = (backend.gateway as unknown as { client: { actions: { executeTool: (...a: unknown[]) => Promise<unknown> } } }).client.actions;
  const executeTool = actions.executeTool.bind(actions);
  actions.executeTool = async (...args: unknown[]) => {
    const r = current;
    if (r) {
      r.sdkStart = performance.now();
      r.cpuSdkStart = cpuUs();
    }
    try {
      return await executeTool(...args);
    } finally {
      if (r) {
        r.sdkEnd = performance.now();
        r.cpuSdkEnd = cpuUs();
      }
    }
  };
  // Where the backend's own time goes, and which requests had a GC pause inside them. Only when asked: Fastify's
  // tracing channel costs a little, and Node's GC performance entries ~0.1 ms each, in the backend's event loop.
  const gcs: { start: number; end: number }[] = [];
  if (stages) {
    dc.subscribe('tracing:fastify.request.handler:start', () => {
      if (current) current.handlerStart ??= performance.now();
    });
    dc.subscribe('tracing:fastify.request.handler:asyncStart', () => {
      if (current) current.sendStart ??= performance.now();
    });
    dc.subscribe('tracing:fastify.request.handler:asyncEnd', () => {
      if (current) current.handlerEnd ??= performance.now();
    });
    const end = http.ServerResponse.prototype.end;
    http.ServerResponse.prototype.end = function (this: http.ServerResponse, ...args: unknown[]) {
      if (current) current.endStart ??= performance.now();
      const r = (end as (...a: unknown[]) => unknown).apply(this, args);
      if (current) current.endDone ??= performance.now();
      return r;
    } as typeof end;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcs.push({ start: e.startTime, end: e.startTime + e.duration });
    }).observe({ entryTypes: ['gc'] });
  }
  report = () =>
    requests
      .filter((r) => r.finish !== undefined && r.sdkEnd !== undefined)
      .map((r) => ({
        totalMs: r.finish! - r.start,
        stages: stages ? [r.handlerStart, r.sdkStart, r.sdkEnd, r.sendStart, r.endStart, r.endDone, r.handlerEnd, r.finish].map((t) => (t === undefined ? -1 : +(t - r.start).toFixed(3))) : undefined,
        sdkMs: r.sdkEnd! - r.sdkStart!,
        // CPU outside the SDK call (while it is in flight the process runs the SDK's client and little else).
        ownCpuMs: cpu ? (r.cpuFinish! - r.cpuStart - (r.cpuSdkEnd! - r.cpuSdkStart!)) / 1000 : undefined,
        gcMs: gcs.filter((g) => g.end > r.start && g.start < r.finish!).reduce((sum, g) => sum + g.end - g.start, 0),
      }));
  process.stdout.write(`${JSON.stringify({ url: backend.url, token })}\n`);
  close = () => backend.close();
} else {
  throw new Error('usage: overhead-entry.ts --role=scalekit|backend');
}

let closing = false;
const shutdown = async () => {
  if (closing) return;
  closing = true;
  try {
    process.stdout.write(`${JSON.stringify({ report: report() })}\n`);
    await close();
  } finally {
    process.exit(0);
  }
};
process.stdin.on('end', () => void shutdown());
process.stdin.on('error', () => void shutdown());
process.stdin.resume();
process.on('SIGTERM', () => void shutdown());

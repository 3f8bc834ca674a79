/**
 * Child processes of the overhead benchmark (`backend-load.ts` `overheadBench`), laid out as in production,
 * where the caller, the backend and Scalekit are three machines:
 * - `--role=scalekit`: the Scalekit stand-in + Gong simulator (0 ms latency; its 3/s limit opened, since the
 *   bench's direct SDK calls count against it too). Prints `{ url, clientId, clientSecret }`.
 * - `--role=backend`: the real backend in scalekit mode (SCALEKIT_* from the environment, pointing at the
 *   stand-in), with an API user for the demo rep. Prints `{ url, token }`. It also times each request from the
 *   inside (arrival → response written, and the SDK call within it) and, when stdin ends, prints those
 *   timings as a second JSON line before closing: the backend's own share, without the network hop.
 * Each prints one JSON line on stdout and exits when stdin ends (the parent closes it, or dies).
 */
import dc from 'node:diagnostics_channel';
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
  const backend = await startBackend({ port: 0, host: '127.0.0.1', dataDir: mkdtempSync(join(tmpdir(), 'gong-bench-overhead-')), logger: false });
  if (backend.mode !== 'scalekit') throw new Error('the backend child needs SCALEKIT_* in its environment');
  const { token } = backend.users.add(SEED.repEmail);
  // Inside timings: Node's HTTP server diagnostics channels mark a request's arrival (headers parsed) and its
  // response written; the SDK call is timed by wrapping the gateway's client (bench instrumentation only).
  const requests: { start: number; finish?: number; sdkStart?: number; sdkEnd?: number }[] = [];
  let current: (typeof requests)[number] | undefined;
  dc.subscribe('http.server.request.start', () => {
    current = { start: performance.now() };
    requests.push(current);
  });
  dc.subscribe('http.server.response.finish', () => {
    if (current) current.finish ??= performance.now();
  });
  const actions = (backend.gateway as unknown as { client: { actions: { executeTool: (...a: unknown[]) => Promise<unknown> } } }).client.actions;
  const executeTool = actions.executeTool.bind(actions);
  actions.executeTool = async (...args: unknown[]) => {
    const r = current;
    if (r) r.sdkStart = performance.now();
    try {
      return await executeTool(...args);
    } finally {
      if (r) r.sdkEnd = performance.now();
    }
  };
  report = () => requests.filter((r) => r.finish !== undefined && r.sdkEnd !== undefined).map((r) => ({ totalMs: r.finish! - r.start, sdkMs: r.sdkEnd! - r.sdkStart! }));
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

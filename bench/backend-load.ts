/**
 * Backend figures over loopback:
 *  - cached reads under load: autocannon (its own process, so it does not share the server's event loop)
 *    against GET /prospects/:id/flows, which the gateway answers from its read cache;
 *  - overhead over the tool call: the same Gong tool called directly with the real SDK vs through the
 *    backend route, interleaved in one run, sandbox answering instantly (0 ms latency); the backend and its
 *    sandbox run in a child process (overhead-entry.ts), the client here.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ScalekitClient } from '@scalekit-sdk/node';
import { toSalesforceId18 } from '../lib/crm-record';
import { SEED } from '../server/sandbox/gong/seed';
import { OPEN_HTTP_LIMITS, startBenchBackend } from './backend';
import { fmtMs, log, median, percentile, round, sleep, type BenchResult } from './util';

const ROOT = join(import.meta.dirname, '..');

interface AutocannonJson {
  requests: { average: number; mean: number; total: number };
  latency: { p50: number; p99: number; p97_5: number; average: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}

function autocannon(args: string[]): Promise<AutocannonJson> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/autocannon/autocannon.js'), '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}: ${err.slice(-500)}`));
      try {
        resolve(JSON.parse(out) as AutocannonJson);
      } catch (e) {
        reject(new Error(`autocannon output not JSON: ${out.slice(0, 300)} ${err.slice(-300)}`));
      }
    });
  });
}

export async function cachedReadsBench(opts: { seconds?: number; connections?: number } = {}): Promise<BenchResult> {
  const base = { id: 'backend-cached-reads', figure: 'backend cached reads (autocannon, loopback)', goal: '≥ 2,000 req/s, p99 ≤ 20 ms' };
  const b = await startBenchBackend({ limits: OPEN_HTTP_LIMITS });
  try {
    const url = `${b.url}/api/v1/prospects/${SEED.sfContactWithFlows}/flows`;
    const headers = ['-H', `authorization=Bearer ${b.token}`];
    // Prime the cache and check the route answers.
    const res = await fetch(url, { headers: { authorization: `Bearer ${b.token}` } });
    if (!res.ok) throw new Error(`priming request answered ${res.status}: ${await res.text()}`);
    const connections = String(opts.connections ?? 10);
    log('autocannon warm-up 3 s');
    await autocannon(['-c', connections, '-d', '3', ...headers, url]);
    const callsBefore = b.sim.stats().totalCalls;
    const seconds = opts.seconds ?? 10;
    log(`autocannon ${seconds} s, ${connections} connections`);
    const r = await autocannon(['-c', connections, '-d', String(seconds), ...headers, url]);
    const gongCalls = b.sim.stats().totalCalls - callsBefore;
    const rps = r.requests.average;
    const p99 = r.latency.p99;
    return {
      ...base,
      value: `${Math.round(rps)} req/s, p99 ${p99} ms, p50 ${r.latency.p50} ms (${r.requests.total} requests, ${r.non2xx} non-2xx, ${gongCalls} Gong calls)`,
      pass: rps >= 2000 && p99 <= 20 && r.non2xx === 0 && r.errors === 0,
      data: { reqPerSec: rps, p50Ms: r.latency.p50, p99Ms: p99, maxMs: r.latency.max, total: r.requests.total, non2xx: r.non2xx, errors: r.errors, connections: Number(connections), seconds, gongCallsDuringRun: gongCalls },
    };
  } finally {
    await b.close();
  }
}

interface Child<T> {
  info: T;
  close(): Promise<void>;
}

/** Starts `overhead-entry.ts --role=<role>` in a child process and reads its one JSON line from stdout. */
function startChild<T>(role: 'scalekit' | 'backend', env: NodeJS.ProcessEnv = process.env): Promise<Child<T>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'overhead-entry.ts'), `--role=${role}`], {
      cwd: ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let started = false;
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!started) reject(new Error(`${role} child exited ${code} before starting: ${err.slice(-500)}`));
    });
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (started || nl < 0) return;
      started = true;
      resolve({
        info: JSON.parse(out.slice(0, nl)) as T,
        async close() {
          child.stdin.end();
          const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(t);
        },
      });
    });
  });
}

export async function overheadBench(opts: { samples?: number } = {}): Promise<BenchResult> {
  const base = { id: 'backend-overhead', figure: 'backend overhead over the tool call (sandbox 0 ms)', goal: 'p99 ≤ 5 ms' };
  // As in production, caller, backend and Scalekit are separate: the Scalekit stand-in + Gong simulator (its 3/s
  // limit opened, as the direct SDK calls count against it too) in one child, the backend in scalekit mode in
  // another, the bench client here. The direct arm is client → Scalekit; the route arm client → backend →
  // Scalekit, so the difference is what the backend adds.
  const scalekit = await startChild<{ url: string; clientId: string; clientSecret: string }>('scalekit');
  const backendChild = await startChild<{ url: string; token: string }>('backend', {
    ...process.env,
    SCALEKIT_ENV_URL: scalekit.info.url,
    SCALEKIT_CLIENT_ID: scalekit.info.clientId,
    SCALEKIT_CLIENT_SECRET: scalekit.info.clientSecret,
  }).catch(async (e) => {
    await scalekit.close();
    throw e;
  });
  const b = backendChild.info;
  try {
    const sandbox = scalekit.info;
    const direct = new ScalekitClient(sandbox.url, sandbox.clientId, sandbox.clientSecret, { toolTimeoutMs: 30_000, timeoutMs: 10_000 });
    const samples = opts.samples ?? Number(process.env.BENCH_OVERHEAD_PAIRS ?? 300);
    // Distinct prospect ids so every backend request misses the read cache and reaches the tool.
    const ids = Array.from({ length: samples * 2 + 10 }, (_, i) => toSalesforceId18(`0038d9${String(i).padStart(9, '0')}`)!);
    const directMs: number[] = [];
    const routeMs: number[] = [];
    const diffs: number[] = [];
    const callDirect = async (id: string) => {
      const t = performance.now();
      await direct.actions.executeTool({ toolName: 'gong_engage_prospects_flows_list', toolInput: { crm_prospect_ids: [id] }, identifier: SEED.repEmail, connector: 'gong' });
      return performance.now() - t;
    };
    const callRoute = async (id: string) => {
      const t = performance.now();
      const res = await fetch(`${b.url}/api/v1/prospects/${id}/flows`, { headers: { authorization: `Bearer ${b.token}` } });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`route answered ${res.status}`);
      return performance.now() - t;
    };
    // Warm both paths (SDK token, HTTP/2 session, fetch keep-alive, JIT).
    for (let i = 0; i < 3; i++) {
      await callDirect(ids[ids.length - 1 - i]);
      await sleep(350);
      await callRoute(ids[ids.length - 4 - i]);
      await sleep(350);
    }
    log(`overhead: ${samples} interleaved pairs, 350 ms apart (stays under the backend's 3 calls/s limiter); backend and Scalekit stand-in in two child processes`);
    for (let i = 0; i < samples; i++) {
      // Alternate which goes first so neither always runs on a warmer loop.
      let dd: number;
      let rr: number;
      if (i % 2) {
        dd = await callDirect(ids[2 * i]);
        rr = await callRoute(ids[2 * i + 1]);
      } else {
        rr = await callRoute(ids[2 * i + 1]);
        dd = await callDirect(ids[2 * i]);
      }
      directMs.push(dd);
      routeMs.push(rr);
      diffs.push(rr - dd);
      await sleep(350);
    }
    // The figure: p99 of (route − direct SDK call) over pairs run back to back, so both saw the same machine.
    const p99Diff = percentile(diffs, 99);
    const p99Gap = percentile(routeMs, 99) - percentile(directMs, 99);
    return {
      ...base,
      value: `p99 ${fmtMs(p99Diff)}, median ${fmtMs(median(diffs))} (paired route − SDK; route p50/p99 ${fmtMs(median(routeMs))}/${fmtMs(percentile(routeMs, 99))}, SDK p50/p99 ${fmtMs(median(directMs))}/${fmtMs(percentile(directMs, 99))})`,
      pass: p99Diff <= 5,
      data: {
        samples,
        // Caller, backend and Scalekit stand-in are three processes, as three machines are in production.
        processes: ['bench client', 'backend (scalekit mode)', 'Scalekit stand-in + Gong simulator'],
        routeMs: { p50: round(median(routeMs)), p99: round(percentile(routeMs, 99)) },
        sdkMs: { p50: round(median(directMs)), p99: round(percentile(directMs, 99)) },
        overheadP99Ms: round(p99Gap),
        overheadMedianMs: round(median(routeMs) - median(directMs)),
        pairedDiffMs: { p50: round(median(diffs)), p99: round(p99Diff), over5: diffs.filter((d) => d > 5).length },
        // The five worst pairs (route, SDK): is the tail the backend's, or the machine's?
        worstPairs: diffs
          .map((d, i) => ({ d, i }))
          .sort((a, c) => c.d - a.d)
          .slice(0, 5)
          .map(({ i }) => [round(routeMs[i]), round(directMs[i])]),
      },
    };
  } finally {
    await backendChild.close();
    await scalekit.close();
  }
}

/**
 * Scale-out as an operator runs it, for the scale test (`scale-out.test.ts`) and the bench (`bench/scale-out.ts`):
 * N backend replicas (each its own process, in Scalekit mode) on loopback, one PostgreSQL database, one shared
 * Gong in its own process (`gong-process.ts`: its 3 calls/s and 10,000/day are the company's).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { jobAccepted } from '../../lib/api';
import { SEED } from '../../server/sandbox/gong/seed';
import { openPostgres } from '../../server/store/db';
import { UserStore } from '../../server/store/users';
import { spawnServer } from '../server-process';

/** Seeded Gong users (server/sandbox/gong/seed.ts) who act as the reps. */
export const SCALE_REPS = ['rep@example.com', 'sam.rivera@example.com', 'morgan.lee@example.com', 'taylor.nguyen@example.com'];
const root = process.cwd();

export interface Replica {
  name: string;
  url: string;
  child: ChildProcess;
}

export interface GongStats {
  totalCalls: number;
  rateLimited: number;
  calls429: number;
  maxCallsInAnySecond: number;
  byTool: Record<string, number>;
  /** Arrival of each call at Gong, ms since the epoch. */
  arrivals: number[];
  instancesByProspect?: Record<string, number>;
}

export interface BulkResult {
  seconds: number;
  calls: number;
  /** N calls with at most 3 in any second: the last starts at least floor((N-1)/3) s after the first. */
  floorSeconds: number;
  ratio: number;
  calls429: number;
  maxCallsInAnySecond: number;
  jobs: { status: string; total: number; succeeded: number; failed: number }[];
  /** Prospects of the bulk not in the flow exactly once (Gong's count). */
  notExactlyOnce: string[];
  firstCallAfterS: number;
  spanS: number;
  lastCallToDoneS: number;
}

function firstLine(child: ChildProcess, pattern: RegExp, stream: 'stdout' | 'stderr'): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child[stream]! });
    let seen = '';
    lines.on('line', (line) => {
      seen += `${line}\n`;
      const m = pattern.exec(line);
      if (m) resolve(m[1] ?? line);
    });
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before it was ready:\n${seen.slice(-2000)}`)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ScaleCluster {
  replicas: Replica[] = [];
  private readonly children: ChildProcess[] = [];
  private readonly tokens = new Map<string, string>();
  private gong!: { url: string; clientId: string; clientSecret: string; prospectIds: string[]; statsUrl: string };

  private constructor(private readonly databaseUrl: string) {}

  /** Starts Gong (with `prospects` extra Salesforce contacts), adds the reps, then `replicas` backends. */
  static async start(opts: { databaseUrl: string; replicas: number; prospects: number; jobLeaseMs?: number }): Promise<ScaleCluster> {
    const c = new ScaleCluster(opts.databaseUrl);
    try {
      const g = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/scale/gong-process.ts'), String(opts.prospects), ...SCALE_REPS], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      c.children.push(g);
      c.gong = JSON.parse(await firstLine(g, /^(\{.*\})$/, 'stdout'));
      const db = await openPostgres(opts.databaseUrl);
      try {
        const users = new UserStore(db);
        for (const rep of SCALE_REPS) c.tokens.set(rep, (await users.add(rep)).token);
      } finally {
        await db.close();
      }
      c.replicas = await Promise.all(Array.from({ length: opts.replicas }, (_, k) => c.startReplica(String.fromCharCode(65 + k), opts.jobLeaseMs ?? 3000)));
      // A bulk job meets backends that have been running (code loaded, Scalekit token and database connections
      // open): each replica serves a rep's flow list once, then Gong's window passes.
      for (const [k, replica] of c.replicas.entries()) {
        const res = await c.api(replica, 'GET', '/api/v1/flows', SCALE_REPS[k % SCALE_REPS.length]);
        if (res.status !== 200) throw new Error(`replica ${replica.name} answered ${res.status} to its warm-up`);
      }
      await sleep(1_100);
      return c;
    } catch (err) {
      await c.close();
      throw err;
    }
  }

  get prospectIds(): string[] {
    return this.gong.prospectIds;
  }

  private async startReplica(name: string, jobLeaseMs: number): Promise<Replica> {
    const child = await spawnServer([], {
      env: {
        ...process.env,
        SCALEKIT_ENV_URL: this.gong.url,
        SCALEKIT_CLIENT_ID: this.gong.clientId,
        SCALEKIT_CLIENT_SECRET: this.gong.clientSecret,
        DATABASE_URL: this.databaseUrl,
        DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'gong-replica-')),
        PORT: '0',
        LOG_LEVEL: process.env.SCALE_LOG_LEVEL ?? 'warn',
        // A dead replica's job is taken over after its lease: short here, so the test does not wait 10 s.
        JOB_LEASE_MS: String(jobLeaseMs),
        GONG_DAILY_CALLS_PER_REP: '10000',
        // No load balancer here to notice a draining replica: stop at once when told.
        SHUTDOWN_DRAIN_MS: '0',
      },
      // The JSON log goes to SCALE_LOG_FILE when set (with SCALE_LOG_LEVEL=info it has every Gong call's latency).
      stdio: ['ignore', process.env.SCALE_LOG_FILE ? fs.openSync(process.env.SCALE_LOG_FILE, 'a') : 'ignore', 'pipe'],
    });
    this.children.push(child);
    const url = await firstLine(child, /backend: (http:\/\/\S+)/, 'stderr');
    return { name, url, child };
  }

  async api(replica: Replica, method: string, p: string, rep: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${replica.url}${p}`, {
      method,
      headers: { authorization: `Bearer ${this.tokens.get(rep)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json() };
  }

  async gongStats(flow?: string): Promise<GongStats> {
    return (await fetch(`${this.gong.statsUrl}${flow ? `?flow=${flow}` : ''}`)).json() as Promise<GongStats>;
  }

  async waitForJobs(jobs: { replica: Replica; rep: string; jobId: string }[], timeoutMs: number): Promise<BulkResult['jobs']> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const views = await Promise.all(jobs.map((j) => this.api(j.replica, 'GET', `/api/v1/jobs/${j.jobId}?results=0`, j.rep)));
      if (views.every((v) => v.body.status === 'COMPLETED' || v.body.status === 'FAILED')) return views.map((v) => v.body);
      if (Date.now() > end) throw new Error(`jobs not done after ${timeoutMs} ms: ${views.map((v) => `${v.body.status} ${v.body.processed}/${v.body.total}`).join(', ')}`);
      await sleep(250);
    }
  }

  /**
   * Bulk-assigns `ids` into `flowId` as one job per rep (equal parts), each sent to the next replica in turn, and
   * waits for all of them.
   */
  async bulkAcrossReplicas(ids: string[], flowId = SEED.flowId): Promise<BulkResult> {
    const before = await this.gongStats();
    const started = performance.now();
    const startedWall = Date.now();
    const part = Math.ceil(ids.length / SCALE_REPS.length);
    const jobs = await Promise.all(
      SCALE_REPS.map(async (rep, k) => {
        const replica = this.replicas[k % this.replicas.length];
        const res = await this.api(replica, 'POST', `/api/v1/flows/${flowId}/assign`, rep, { crmProspectIds: ids.slice(k * part, (k + 1) * part) });
        if (res.status !== 202) throw new Error(`replica ${replica.name} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
        return { replica, rep, jobId: jobAccepted.parse(res.body).jobId };
      }),
    );
    const done = await this.waitForJobs(jobs, 300_000);
    const seconds = (performance.now() - started) / 1000;
    const doneWall = Date.now();
    const after = await this.gongStats(flowId);
    const calls = after.totalCalls - before.totalCalls;
    const floorSeconds = Math.floor((calls - 1) / 3);
    const arrivals = after.arrivals.slice(before.arrivals.length);
    return {
      seconds,
      calls,
      floorSeconds,
      ratio: seconds / floorSeconds,
      calls429: after.calls429 - before.calls429 + (after.rateLimited - before.rateLimited),
      maxCallsInAnySecond: after.maxCallsInAnySecond,
      jobs: done,
      notExactlyOnce: ids.filter((id) => after.instancesByProspect?.[id] !== 1),
      firstCallAfterS: (arrivals[0] - startedWall) / 1000,
      spanS: (arrivals[arrivals.length - 1] - arrivals[0]) / 1000,
      lastCallToDoneS: (doneWall - arrivals[arrivals.length - 1]) / 1000,
    };
  }

  async close(): Promise<void> {
    const exited = (c: ChildProcess) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r)));
    for (const c of this.children) c.kill('SIGTERM');
    // A replica finishing its shutdown is not what this is about: a few seconds, then it is killed.
    await Promise.race([Promise.all(this.children.map(exited)), sleep(5_000)]);
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(this.children.map(exited));
  }
}

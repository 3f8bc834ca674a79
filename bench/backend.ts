/**
 * Starts the real backend (sandbox mode: the in-process Scalekit stand-in, reached by the real SDK)
 * with a Gong simulator the benchmark can inspect, and creates real API users.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBackend, type Backend, type BackendOptions } from '../server/app';
import { GongSimulator, type GongSimulatorOptions } from '../server/sandbox/gong/simulator';
import type { User as GongUser } from '../server/sandbox/gong/state';
import { SEED } from '../server/sandbox/gong/seed';

export const DEMO_TOKEN = 'bench-demo-token';
/** Per-IP / per-user HTTP limits high enough that the load generator (one IP) measures the server, not its 429s. */
export const OPEN_HTTP_LIMITS = { perIpPerMinute: 10_000_000, perUserPerMinute: 10_000_000 };

export interface BenchBackend {
  backend: Backend;
  sim: GongSimulator;
  url: string;
  token: string;
  /** Adds a Gong user + connected account + backend API user; returns the API token. */
  addRep(email: string): Promise<string>;
  close(): Promise<void>;
}

export async function startBenchBackend(
  opts: {
    /** The simulator's options, or a simulator another backend uses too (replicas: one Gong; it is not closed here). */
    sim?: GongSimulatorOptions | GongSimulator;
    gong?: BackendOptions['gong'];
    limits?: BackendOptions['limits'];
    jobs?: BackendOptions['jobs'];
    /** A PostgreSQL database (replicas share it); default SQLite in a temp dir. */
    databaseUrl?: string;
    databaseClock?: BackendOptions['databaseClock'];
  } = {},
): Promise<BenchBackend> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gong-bench-'));
  const ownSim = !(opts.sim instanceof GongSimulator);
  const sim = opts.sim instanceof GongSimulator ? opts.sim : new GongSimulator(opts.sim ?? {});
  const backend = await startBackend({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    demoToken: DEMO_TOKEN,
    logger: false,
    sandbox: { gong: sim },
    gong: opts.gong,
    limits: opts.limits,
    jobs: opts.jobs,
    databaseClock: opts.databaseClock,
    env: { ...process.env, SCALEKIT_ENV_URL: undefined, SCALEKIT_CLIENT_ID: undefined, SCALEKIT_CLIENT_SECRET: undefined, DATABASE_URL: opts.databaseUrl },
  });
  if (!backend.sandbox) throw new Error('backend did not start in sandbox mode');
  const template = sim.state.raw.users.find((u) => u.emailAddress === SEED.repEmail)!;
  let n = 0;
  return {
    backend,
    sim,
    url: backend.url,
    token: DEMO_TOKEN,
    async addRep(email: string) {
      // A Gong user (so tasks/flows answer for them) with a connected account, and a backend API user.
      const u: GongUser = { ...template, id: `9${String(++n).padStart(18, '0')}`, emailAddress: email, firstName: 'Bench', lastName: `Rep ${n}` };
      sim.state.raw.users.push(u);
      backend.sandbox!.accounts.setStatus('gong', email, 'ACTIVE');
      return (await backend.users.add(email)).token;
    },
    async close() {
      await backend.close();
      if (ownSim) sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts the real backend (real SDK → sandbox stand-in → Gong simulator) on loopback for a test, and
 * talks to it over real HTTP. Nothing between the backend and the sandbox is replaced.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterEach } from 'vitest';
import { startBackend, type Backend, type BackendOptions } from '../../server/app';
import { openDb, openPostgres, type Db, type MigrateOptions } from '../../server/store/db';
import type { Role } from '../../lib/gong-tools';
import type { GongSimulator } from '../../server/sandbox/gong/simulator';

export const DEMO_TOKEN = 'test-demo-token-0123456789';

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  token?: string | null;
  body?: unknown;
  /** Sent as is (bad JSON, other content types). */
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface TestBackend {
  backend: Backend;
  dataDir: string;
  gong: GongSimulator;
  url: string;
  api<T = any>(method: string, path: string, opts?: RequestOptions): Promise<ApiAnswer<T>>;
  close(): Promise<void>;
}

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'gong-backend-test-'));
}

/**
 * The engine under test: Postgres when GONG_TEST_POSTGRES_URL names a server (test/postgres-cluster.mjs starts a
 * throwaway one for the `backend-pg` project), else SQLite. With Postgres, each data directory gets its own
 * database, so a test that restarts a backend on the same data directory finds its data again.
 */
export const TEST_POSTGRES_URL = process.env.GONG_TEST_POSTGRES_URL || undefined;
export const ENGINE_UNDER_TEST = TEST_POSTGRES_URL ? 'postgres' : 'sqlite';

const createdDatabases = new Map<string, Promise<string>>();

/** The DATABASE_URL of this data directory's own database on the test server (made on first use). */
export function testDatabaseUrl(dataDir: string): Promise<string> {
  if (!TEST_POSTGRES_URL) throw new Error('no test Postgres server (GONG_TEST_POSTGRES_URL)');
  const name = `t_${createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 24)}`;
  let made = createdDatabases.get(name);
  if (!made) {
    made = (async () => {
      const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await admin.connect();
      try {
        const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (!exists.rowCount) await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      const url = new URL(TEST_POSTGRES_URL);
      url.pathname = `/${name}`;
      return url.toString();
    })();
    createdDatabases.set(name, made);
  }
  return made;
}

/** The store a backend started on this data directory uses, for the engine under test. */
export async function openTestDb(dataDir: string = tempDataDir(), opts: MigrateOptions = {}): Promise<Db> {
  return TEST_POSTGRES_URL ? openPostgres(await testDatabaseUrl(dataDir), undefined, opts) : openDb(dataDir, opts);
}

/** The environment a backend on this data directory needs for the engine under test (DATABASE_URL with Postgres). */
/**
 * A test file's databases: `const testDb = useTestDb();` at the top, `const db = await testDb();` in a test. Each is
 * closed after its test (a Postgres one releases its pool), whether the test passed or not.
 */
export function useTestDb(): (dataDir?: string, opts?: MigrateOptions) => Promise<Db> {
  const opened: Db[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()));
  });
  return async (dataDir, opts) => {
    const db = await openTestDb(dataDir, opts);
    opened.push(db);
    return db;
  };
}

/** The plan of `sql`, as text; with Postgres, as if the table were large (sequential scans ruled out). */
export async function queryPlan(db: Db, sql: string, params: (string | number)[]): Promise<string> {
  if (db.engine === 'sqlite') return (await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params)).map((r) => r.detail).join('\n');
  return db.tx(async (tx) => {
    await tx.run('SET LOCAL enable_seqscan = off');
    return (await tx.all<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params)).map((r) => r['QUERY PLAN']).join('\n');
  });
}

export async function engineEnv(dataDir: string): Promise<Record<string, string>> {
  return TEST_POSTGRES_URL ? { DATABASE_URL: await testDatabaseUrl(dataDir) } : {};
}

/** Quick retries keep fault tests short; the 3/s limit itself is never shortened. */
export const FAST_RETRIES: BackendOptions['gong'] = { retryAfterScale: 0.2, backoffBaseMs: 20, backoffMaxMs: 200, rateLimitBackoffMs: 400 };

export async function startTestBackend(opts: BackendOptions = {}): Promise<TestBackend> {
  const dataDir = opts.dataDir ?? tempDataDir();
  const env = { ...(await engineEnv(dataDir)), ...opts.env };
  const backend = await startBackend({ port: 0, host: '127.0.0.1', demoToken: DEMO_TOKEN, ...opts, env, dataDir });
  const api = async (method: string, p: string, o: RequestOptions = {}): Promise<ApiAnswer> => {
    const headers: Record<string, string> = { ...o.headers };
    const token = o.token === undefined ? DEMO_TOKEN : o.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (o.rawBody !== undefined) body = o.rawBody;
    else if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined) headers['content-type'] = o.contentType ?? 'application/json';
    const res = await fetch(`${backend.url}${p}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON: the test will say so */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    backend,
    dataDir,
    gong: backend.sandbox!.gong as GongSimulator,
    url: backend.url,
    api,
    close: () => backend.close(),
  };
}

/** Adds an ACTIVE Gong connection and an API user for `email` (a rep unless told); returns the user's token. */
export async function addConnectedUser(t: TestBackend, email: string, role?: Role): Promise<string> {
  t.backend.sandbox!.accounts.setStatus('gong', email, 'ACTIVE');
  // The sandbox seeds some people (SANDBOX_ROLES) with no token: issue them one.
  await t.backend.users.revoke(email);
  return (await t.backend.users.add(email, undefined, role)).token;
}

/** The seed's VP of Sales, who no one manages: the admin of tests that need one. */
export const ADMIN_EMAIL = 'morgan.lee@example.com';

export async function waitFor<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > end) throw new Error('waitFor timed out');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A log stream for `startBackend({ logger: true, logStream })` that keeps each JSON line. */
export function logCollector(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { stream, lines };
}

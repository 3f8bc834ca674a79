/**
 * GET /metrics (server/http/metrics.ts): absent without METRICS_TOKEN; with it, opened only by that token (never by
 * a rep's or an admin's API token), in Prometheus' text format, counting Gong calls and requests as they happen and
 * reading the budget, jobs and (Postgres) the pool when scraped. Runs on both engines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError } from '../../lib/api';
import { loadConfig } from '../../server/config';
import { SEED } from '../../server/sandbox/gong/seed';
import { LISTEN_APPLICATION_NAME, PostgresDb } from '../../server/store/sql';
import { ADMIN_EMAIL, addConnectedUser, DEMO_TOKEN, startTestBackend, waitFor, type TestBackend } from './harness';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const DAILY_BUDGET = 4321;
/** DATABASE_POOL_SIZE (Postgres): small, so that a test can hold every connection. */
const POOL_SIZE = 3;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The exposition text's samples (comment lines skipped). */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the one sample named so whose labels include `labels`; undefined if none. */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

describe('/metrics without METRICS_TOKEN', () => {
  let t: TestBackend;
  beforeAll(async () => {
    t = await startTestBackend();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is an unknown route (404, the same JSON as any unknown path), with or without a token', async () => {
    const unknown = await t.api('GET', '/no-such-path', { token: null });
    expect(unknown.status).toBe(404);
    for (const token of [null, DEMO_TOKEN, METRICS_TOKEN]) {
      const res = await t.api('GET', '/metrics', { token });
      expect(res.status).toBe(404);
      expect(res.body).toEqual(unknown.body);
    }
  });
});

describe('/metrics with METRICS_TOKEN', () => {
  let t: TestBackend;
  let adminToken: string;
  const scrape = async () => {
    const res = await t.api('GET', '/metrics', { token: METRICS_TOKEN });
    expect(res.status).toBe(200);
    return parse(res.body as string);
  };
  beforeAll(async () => {
    t = await startTestBackend({ env: { METRICS_TOKEN, DATABASE_POOL_SIZE: String(POOL_SIZE) }, gong: { dailyBudget: DAILY_BUDGET } });
    adminToken = await addConnectedUser(t, ADMIN_EMAIL, 'admin');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a wrong token, no token, and the API tokens of a rep and an admin (401, the API error shape), unaudited', async () => {
    const deniedBefore = await t.backend.audit.denialCount();
    for (const token of [null, `${METRICS_TOKEN}x`, METRICS_TOKEN.slice(0, -1), DEMO_TOKEN, adminToken]) {
      const res = await t.api('GET', '/metrics', { token });
      expect(res.status, String(token)).toBe(401);
      expect(apiError.parse(res.body).error.code).toBe('UNAUTHENTICATED');
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    }
    // Not a user route: a refused scrape is not an access denial of the API.
    expect(await t.backend.audit.denialCount()).toBe(deniedBefore);
  });

  it('is not an API token: the metrics token opens no API route', async () => {
    const res = await t.api('GET', '/api/v1/me', { token: METRICS_TOKEN });
    expect(res.status).toBe(401);
  });

  it('answers the right token in the Prometheus text format, with this replica described', async () => {
    const res = await t.api('GET', '/metrics', { token: METRICS_TOKEN });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parse(res.body as string);
    expect(value(samples, 'gong_everywhere_info', { version: '0.1.0', mode: 'sandbox', engine: t.backend.db.engine })).toBe(1);
    expect(value(samples, 'gong_everywhere_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(value(samples, 'gong_everywhere_process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(value(samples, 'gong_everywhere_process_uptime_seconds')).toBeGreaterThan(0);
    // prom-client's default metrics (GC observers, event-loop timer) are not installed.
    expect(samples.filter((s) => !s.name.startsWith('gong_everywhere_'))).toEqual([]);
  });

  it("counts a prospect's flows lookup: its Gong call by tool and outcome, and its request by route pattern", async () => {
    const route = '/api/v1/prospects/:crmId/flows';
    const tool = 'gong_engage_prospects_flows_list';
    const before = await scrape();
    const requestsBefore = value(before, 'gong_everywhere_http_requests_total', { route, status_class: '2xx' }) ?? 0;
    const latencyBefore = value(before, 'gong_everywhere_http_request_duration_seconds_count', { route }) ?? 0;
    const callsBefore = value(before, 'gong_everywhere_gong_sdk_calls_total', { tool, outcome: 'ok' }) ?? 0;

    const res = await t.api('GET', `/api/v1/prospects/${SEED.sfContactWithFlows}/flows`);
    expect(res.status).toBe(200);

    const after = await scrape();
    expect(value(after, 'gong_everywhere_gong_sdk_calls_total', { tool, outcome: 'ok' })).toBeGreaterThanOrEqual(Math.max(1, callsBefore + 1));
    expect(value(after, 'gong_everywhere_http_requests_total', { route, status_class: '2xx' })).toBe(requestsBefore + 1);
    expect(value(after, 'gong_everywhere_http_request_duration_seconds_count', { route })).toBe(latencyBefore + 1);
    expect(value(after, 'gong_everywhere_prospect_flows_total', { event: 'gong_calls' })).toBeGreaterThanOrEqual(1);
    // Scrapes are not the API's traffic; no label names a person or a prospect.
    expect(after.some((s) => s.labels.route === '/metrics')).toBe(false);
    const labelValues = after.flatMap((s) => Object.values(s.labels)).join(' ');
    expect(labelValues).not.toContain('@');
    expect(labelValues).not.toContain(SEED.sfContactWithFlows);
  });

  it('counts a path no route matches as unmatched, by status class', async () => {
    const before = value(await scrape(), 'gong_everywhere_http_requests_total', { route: 'unmatched', status_class: '4xx' }) ?? 0;
    expect((await t.api('GET', `/no-such-path/${SEED.sfContactWithFlows}`)).status).toBe(404);
    expect(value(await scrape(), 'gong_everywhere_http_requests_total', { route: 'unmatched', status_class: '4xx' })).toBe(before + 1);
  });

  it("gives the company's Gong budget and today's calls, read when scraped", async () => {
    expect((await t.api('GET', `/api/v1/prospects/${SEED.sfContactWithFlows}/flows`)).status).toBe(200);
    const samples = await scrape();
    expect(value(samples, 'gong_everywhere_gong_daily_budget_calls')).toBe(DAILY_BUDGET);
    const today = t.backend.gateway.usageToday().gongCalls;
    expect(today).toBeGreaterThanOrEqual(1);
    expect(value(samples, 'gong_everywhere_gong_calls_today')).toBe(today);
    expect(value(samples, 'gong_everywhere_gong_limiter_paused_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('gives the unfinished bulk jobs by status, counted in the database', async () => {
    const samples = await scrape();
    const counts = await t.backend.ctx.jobs.unfinishedCounts();
    expect(value(samples, 'gong_everywhere_bulk_jobs', { status: 'pending' })).toBe(counts.PENDING);
    expect(value(samples, 'gong_everywhere_bulk_jobs', { status: 'in_progress' })).toBe(counts.IN_PROGRESS);
  });

  it('gives no Postgres figures with SQLite', async () => {
    if (t.backend.db.engine !== 'sqlite') return;
    expect((await scrape()).filter((s) => s.name.startsWith('gong_everywhere_db_'))).toEqual([]);
  });

  it('gives the Postgres pool: its size, open connections, and queries waiting for one (Postgres only)', async () => {
    const db = t.backend.db;
    if (!(db instanceof PostgresDb)) return;
    const idle = await scrape();
    expect(value(idle, 'gong_everywhere_db_pool_max_connections')).toBe(POOL_SIZE);
    expect(value(idle, 'gong_everywhere_db_pool_connections')).toBeGreaterThanOrEqual(1);
    expect(value(idle, 'gong_everywhere_db_pool_idle_connections')).toBeGreaterThanOrEqual(0);
    // Every connection of the pool held: a query waits, and the scrape says so.
    const held = await Promise.all(Array.from({ length: POOL_SIZE }, () => db.pool.connect()));
    const waiting = db.get('SELECT 1 AS one');
    const scraped = scrape();
    // Held until the scrape waits too (the jobs backlog is counted in the database): by then it has read the pool's
    // figures, in the same turn. Not a timer: on a slow machine the scrape could arrive after it.
    await waitFor(() => db.pool.waitingCount >= 2, 10_000, 5);
    held.forEach((c) => c.release());
    const busy = await scraped;
    await waiting;
    expect(value(busy, 'gong_everywhere_db_pool_connections')).toBe(POOL_SIZE);
    expect(value(busy, 'gong_everywhere_db_pool_idle_connections')).toBe(0);
    expect(value(busy, 'gong_everywhere_db_pool_waiting_queries')).toBeGreaterThanOrEqual(1);
  });

  it("says whether this replica's LISTEN connection is up: 0 once Postgres ends it, 1 when it listens again (Postgres only)", async () => {
    const db = t.backend.db;
    if (!(db instanceof PostgresDb)) return;
    const listening = async () => value(await scrape(), 'gong_everywhere_db_listen_connected');
    expect(await listening()).toBe(1);
    await db.all('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = ?', [LISTEN_APPLICATION_NAME]);
    await waitFor(async () => (await listening()) === 0, 5_000, 20);
    await waitFor(async () => (await listening()) === 1, 10_000, 50);
  });
});

describe('/metrics: Gong calls refused for the budget', () => {
  let t: TestBackend;
  afterAll(async () => {
    await t?.close();
  });

  it("counts refusals by budget: a rep's share used up, the company's day used up", async () => {
    // Each rep may make 1 call a day, the company 2; nothing cached, so each request is a call.
    t = await startTestBackend({ env: { METRICS_TOKEN, GONG_DAILY_CALLS_PER_REP: '1' }, gong: { dailyBudget: 2, cacheTtlMs: 0 } });
    const sam = await addConnectedUser(t, SEED.otherRepEmail);
    const manager = await addConnectedUser(t, SEED.managerEmail);
    const refusals = async () => {
      const res = await t.api('GET', '/metrics', { token: METRICS_TOKEN });
      const samples = parse(res.body as string);
      return { rep: value(samples, 'gong_everywhere_gong_budget_refusals_total', { budget: 'rep_share' }), company: value(samples, 'gong_everywhere_gong_budget_refusals_total', { budget: 'company' }) };
    };
    expect(await refusals()).toEqual({ rep: 0, company: 0 });
    const call = (token?: string) => t.api('POST', '/api/v1/tools/gong_engage_workspaces_list', { body: {}, token });
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(429);
    expect(await refusals()).toEqual({ rep: 1, company: 0 });
    expect((await call(sam)).status).toBe(200);
    expect((await call(manager)).status).toBe(429);
    expect(await refusals()).toEqual({ rep: 1, company: 1 });
  });
});

describe('METRICS_TOKEN', () => {
  it('is refused when short enough to guess or holding spaces, with a clear error', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be 16 to 512/);
    expect(() => loadConfig({ METRICS_TOKEN: 'with a space in it 0123456789' })).toThrow(/METRICS_TOKEN/);
    expect(loadConfig({ METRICS_TOKEN: ` ${METRICS_TOKEN} ` }).metricsToken).toBe(METRICS_TOKEN);
    expect(loadConfig({}).metricsToken).toBeNull();
  });
});

/**
 * `GET /metrics` for Prometheus, one per replica, only when METRICS_TOKEN is set (else the path is unknown: 404).
 * It is not a user route: no API token opens it, only `Authorization: Bearer <METRICS_TOKEN>` (compared in
 * constant time); it is not audited nor counted against anyone. Labels are bounded (tool names, outcome kinds,
 * route patterns, status classes): never a person or a prospect.
 *
 * What costs nothing on the hot path: the registry is this module's own (not prom-client's global one), no
 * `collectDefaultMetrics` (its GC observers and event-loop timer cost CPU between requests); process figures, the
 * Gong budget, caches, jobs and the database pool are read when Prometheus scrapes. Per request there is one
 * callback hook; per Gong call one counter increment.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AppContext } from '../app-context';
import { PostgresDb, type Db } from '../store/sql';
import { unauthenticated } from './api-failure';

export const METRICS_PATH = '/metrics';
const PREFIX = 'gong_everywhere_';
/** Seconds: a cached read answers in a few ms, a Gong call in a few hundred, a bulk request within seconds. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const STATUS_CLASSES = ['', '1xx', '2xx', '3xx', '4xx', '5xx'];
/** A request no route matched (its path is not a label: anyone can send any path). */
const UNMATCHED = 'unmatched';

export interface MetricsOptions {
  ctx: AppContext;
  db: Db;
  /** Where a figure that could not be read at scrape time is reported. */
  warn: (err: unknown, what: string) => void;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A counter whose value is read from a running total at scrape time. */
function totalsCounter(registry: Registry, name: string, help: string, label: string, read: () => Record<string, number>): void {
  new Counter({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      this.reset();
      for (const [key, value] of Object.entries(read())) this.inc({ [label]: snake(key) }, value);
    },
  });
}

/** A gauge of one figure, read when Prometheus scrapes. */
function scrapedGauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

/** Registers `/metrics` and what it counts, when METRICS_TOKEN is set; without it nothing is installed. */
export function installMetrics(app: FastifyInstance, { ctx, db, warn }: MetricsOptions): void {
  const token = ctx.config.metricsToken;
  if (!token) return;
  const expected = sha256(`Bearer ${token}`);
  const registry = new Registry();
  const { gateway, prospectFlows, jobs, config } = ctx;

  new Gauge({
    name: `${PREFIX}info`,
    help: 'This replica: version, mode (sandbox or scalekit), store engine (sqlite or postgres); always 1',
    labelNames: ['version', 'mode', 'engine'],
    registers: [registry],
  }).set({ version: ctx.version, mode: config.mode, engine: db.engine }, 1);

  // Process figures, read when scraped.
  scrapedGauge(registry, `${PREFIX}process_resident_memory_bytes`, 'Resident memory of this replica', () => process.memoryUsage.rss());
  scrapedGauge(registry, `${PREFIX}process_heap_used_bytes`, 'V8 heap in use in this replica', () => process.memoryUsage().heapUsed);
  new Counter({
    name: `${PREFIX}process_cpu_seconds_total`,
    help: 'CPU time (user and system) this replica used',
    registers: [registry],
    collect() {
      const { user, system } = process.cpuUsage();
      this.reset();
      this.inc((user + system) / 1e6);
    },
  });
  scrapedGauge(registry, `${PREFIX}process_uptime_seconds`, 'Seconds since this replica started', () => process.uptime());

  // Gong: the calls this replica made, counted as they end; the rest read when scraped.
  const gongCalls = new Counter({
    name: `${PREFIX}gong_sdk_calls_total`,
    help: 'Tool calls this replica made to Gong through the Scalekit SDK, by tool and outcome (ok, or the failure kind: rate_limited, transient, not_connected, ...); retries count again, cached answers and budget refusals not',
    labelNames: ['tool', 'outcome'],
    registers: [registry],
  });
  gateway.onCall((tool, outcome) => gongCalls.inc({ tool, outcome: outcome.replace(/-/g, '_') }));
  scrapedGauge(registry, `${PREFIX}gong_calls_today`, "The company's Gong calls today (UTC), every replica's (the same on each)", () => gateway.usageToday().gongCalls);
  scrapedGauge(registry, `${PREFIX}gong_daily_budget_calls`, "The company's daily budget of Gong calls; calls beyond it are refused until UTC midnight", () => gateway.usageToday().dailyBudget);
  scrapedGauge(registry, `${PREFIX}gong_limiter_paused_seconds`, 'How long the company rate limiter still lets no Gong call through (after a rate limit)', () => gateway.stats.limiterPausedMs / 1000);
  new Counter({
    name: `${PREFIX}gong_retries_total`,
    help: 'Gong calls this replica retried (rate limits after the back-off, transient failures)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(gateway.stats.retries);
    },
  });
  totalsCounter(
    registry,
    `${PREFIX}gong_budget_refusals_total`,
    "Gong calls this replica refused before sending them, by budget: the company's day used up (company), or the rep's share of it (rep_share: GONG_DAILY_CALLS_PER_REP or an equal part too small)",
    'budget',
    () => ({ ...gateway.stats.budgetRefusals }),
  );
  totalsCounter(registry, `${PREFIX}gong_read_cache_total`, "This replica's short cache of Gong reads: hits, coalesced (joined a call in flight), misses", 'result', () => ({
    ...gateway.stats.cache,
  }));
  totalsCounter(
    registry,
    `${PREFIX}prospect_flows_total`,
    "Prospects' flows lookups on this replica (services/prospect-flows.ts): hits, misses, gong_calls, refreshed_ahead, shared_hits, taken_from_others, answered_elsewhere",
    'event',
    () => ({ ...prospectFlows.stats }),
  );

  // Bulk jobs: the company's backlog, counted in the database when scraped.
  new Gauge({
    name: `${PREFIX}bulk_jobs`,
    help: "Bulk-assignment jobs not finished, by status (pending: waiting for a replica; in_progress), every replica's (the same on each)",
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      try {
        const counts = await jobs.unfinishedCounts();
        this.set({ status: 'pending' }, counts.PENDING);
        this.set({ status: 'in_progress' }, counts.IN_PROGRESS);
      } catch (err) {
        // The database is unreachable (/readyz says so): the other figures still go out.
        this.reset();
        warn(err, 'bulk jobs');
      }
    },
  });

  if (db instanceof PostgresDb) {
    const pool = db.pool;
    scrapedGauge(registry, `${PREFIX}db_pool_connections`, "Connections open in this replica's Postgres pool", () => pool.totalCount);
    scrapedGauge(registry, `${PREFIX}db_pool_idle_connections`, "Idle connections in this replica's Postgres pool", () => pool.idleCount);
    scrapedGauge(registry, `${PREFIX}db_pool_waiting_queries`, "Queries waiting for a connection of this replica's Postgres pool (above 0 for long: the pool is too small)", () => pool.waitingCount);
    new Gauge({
      name: `${PREFIX}db_pool_max_connections`,
      help: 'DATABASE_POOL_SIZE: connections the pool may open',
      registers: [registry],
    }).set(config.databasePoolSize);
    scrapedGauge(registry, `${PREFIX}db_listen_connected`, "1 while this replica's LISTEN connection is up (it hears the other replicas' writes and revocations), else 0", () => (db.listenConnected ? 1 : 0));
  }

  // HTTP, per route pattern: one callback hook; each route's series are looked up once (no label objects per request).
  const requests = new Counter({
    name: `${PREFIX}http_requests_total`,
    help: 'Requests this replica answered, by route pattern (or unmatched) and status class',
    labelNames: ['route', 'status_class'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'Time to answer a request, by route pattern (or unmatched)',
    labelNames: ['route'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  interface RouteSeries {
    byClass: (Counter.Internal | undefined)[];
    latency: Histogram.Internal<'route'>;
  }
  const byRoute = new Map<string, RouteSeries>();
  app.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const route = req.routeOptions.url ?? UNMATCHED;
    // The scrapes themselves are not the API's traffic.
    if (route === METRICS_PATH) return done();
    let series = byRoute.get(route);
    if (!series) {
      series = { byClass: [], latency: latency.labels({ route }) };
      byRoute.set(route, series);
    }
    const cls = Math.min(5, Math.max(1, Math.floor(reply.statusCode / 100)));
    (series.byClass[cls] ??= requests.labels({ route, status_class: STATUS_CLASSES[cls] })).inc();
    series.latency.observe(reply.elapsedTime / 1000);
    done();
  });

  app.get(
    METRICS_PATH,
    {
      // Not a user route: the user-token check (auth.ts) passes it by; its own token is checked here.
      config: { public: true },
      schema: { hide: true },
      onRequest: (req: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
        const header = req.headers.authorization;
        // Hashes: equal lengths for timingSafeEqual, and nothing learnt of the token's length.
        if (typeof header === 'string' && timingSafeEqual(sha256(header.trim()), expected)) return done();
        done(unauthenticated('A valid metrics token is required (Authorization: Bearer <METRICS_TOKEN>)'));
      },
    },
    async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  );
}

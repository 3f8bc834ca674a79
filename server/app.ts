/**
 * The companion backend: Fastify + zod routes in front of Gong, reached only through the real
 * Scalekit SDK. In sandbox mode it starts the stand-in Scalekit (with the Gong simulator, its state
 * kept in the data directory) on a free loopback port and points the SDK at it.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import pino from 'pino';
import { API_PREFIX, health } from '../lib/api';
import { GONG_CALLS_PER_SECOND } from '../lib/gong-tools';
import type { AppContext } from './app-context';
import { DEMO_USER_EMAIL, SANDBOX_ROLES, loadConfig, type BackendMode } from './config';
import { GongConnections } from './gong/connection';
import { GongGateway, type GatewayOptions } from './gong/gateway';
import { installAuth } from './http/auth';
import { frameworkErrors, installErrorHandling } from './http/error-handler';
import { installIdleWork, youngGcTask } from './http/idle-work';
import { installMetrics } from './http/metrics';
import { installSecurity, originAllowed } from './http/security';
import { JobRunner, replicaId, type JobRunnerOptions } from './jobs/job-runner';
import { SharedRateLimiter } from './gong/shared-limiter';
import { JobStore } from './jobs/job-store';
import { activityRoutes } from './routes/activity';
import { adminRoutes } from './routes/admin';
import { authPages, SIGNED_OUT_PATH } from './routes/auth';
import { callRoutes } from './routes/calls';
import { connectionRoutes } from './routes/connection';
import { flowRoutes } from './routes/flows';
import { jobRoutes } from './routes/jobs';
import { sessionRoutes } from './routes/session';
import { taskRoutes } from './routes/tasks';
import { toolRoutes } from './routes/tools';
import { usageRoutes } from './routes/usage';
import type { Sandbox, SandboxOptions } from './sandbox/index';
import { connectScalekit } from './scalekit-client';
import { AuditLog } from './store/audit';
import { CHANNELS, openDatabase, type Db } from './store/db';
import { IdempotencyStore } from './store/idempotency';
import { pruneStore } from './store/retention';
import { SessionStore } from './store/sessions';
import { GongLinkRequests } from './sso/gong-links';
import { SignIn } from './sso/sign-in';
import { UsageCounter } from './store/usage';
import { SharedReads } from './store/shared-reads';
import { WaitingLookups } from './store/waiting-lookups';
import { WorkedRows } from './store/worked-rows';
import type { ProspectFlow } from '../lib/api';
import { SeenItems } from './store/seen-items';
import { UserStore } from './store/users';
import type { PostgresTimeouts } from './store/sql';
import { within } from './within';
import { CallsIndex, SHARED_CALLS_INDEX } from './services/calls';
import { ProspectFlowsCache, REFRESH_AHEAD_ASKED_WITHIN_MS, SHARED_PROSPECT_FLOWS, type SharedProspectFlows } from './services/prospect-flows';
import { CompanyDirectory } from './services/scope';

export const VERSION = '0.1.0';

/** How often a replica reads the company's Gong usage written by the others. */
const USAGE_REFRESH_MS = 2_000;
/** /readyz answers within this (load balancers' health checks wait 2–5 s by default). */
const READY_CHECK_MS = 2_000;
/** At shutdown, requests under way get this long to finish (a Gong call waiting out a rate limit included). */
const HTTP_CLOSE_GRACE_MS = 15_000;
/** A rate slot taken by a replica that died mid-call comes back after this (longer than any Gong call). */
const SHARED_SLOT_MAX_CALL_MS = 30_000;
/** A prospect still waiting this long after its replica's window ended was left behind (the replica died): not taken. */
const WAITING_STALE_MS = 60_000;
/** NOTIFY payloads are at most 8000 bytes: a longer list of tags is sent as the broad tags it falls under. */
const MAX_TAGS_PAYLOAD = 7_000;

function cacheMessage(from: string, tags: string[]): string {
  const message = JSON.stringify({ from, tags });
  if (message.length <= MAX_TAGS_PAYLOAD) return message;
  return JSON.stringify({ from, tags: [...new Set(tags.map((t) => (t.startsWith('prospect:') ? 'prospects' : t)))] });
}

function parseCacheMessage(payload: string): { from: string; tags: string[] } | undefined {
  try {
    const m = JSON.parse(payload) as { from?: unknown; tags?: unknown };
    if (typeof m.from !== 'string' || !Array.isArray(m.tags)) return undefined;
    return { from: m.from, tags: m.tags.filter((t): t is string => typeof t === 'string') };
  } catch {
    return undefined;
  }
}

/** Request bodies are small JSON; the largest (10,000 CRM ids) stays well under this. */
const BODY_LIMIT = 512 * 1024;

export interface BackendOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  demoToken?: string;
  env?: Record<string, string | undefined>;
  sandbox?: SandboxOptions;
  /** Log requests and Gong calls (pino, JSON). Default false. */
  logger?: boolean;
  /** Where logs go when `logger` is on (default stdout). */
  logStream?: Writable;
  /** Gateway tuning (tests shorten retry waits; the 3/s limit stays Gong's). */
  gong?: Partial<GatewayOptions>;
  jobs?: Partial<JobRunnerOptions>;
  limits?: {
    perIpPerMinute?: number;
    perUserPerMinute?: number;
    /** Failed token checks per minute from one address / with one token prefix before 429. */
    failedAuthPerIpPerMinute?: number;
    failedAuthPerTokenPrefixPerMinute?: number;
    /** Rows kept in the access-denials log. */
    maxDenialRows?: number;
  };
  /** Socket limits (tests shorten them). */
  http?: Partial<HttpLimits>;
  /** Bounds on waiting for Postgres (tests shorten them). */
  postgresTimeouts?: Partial<PostgresTimeouts>;
  /** Young-generation GC between requests (when node runs with --expose-gc). Default true. */
  youngGcWhenIdle?: boolean;
  /**
   * The clock (ms) the replicas' shared reads are dated by; default the database's. A replay of a day on a virtual
   * clock (bench/team-day.ts) passes it, so that in-process replicas' TTLs see the day, not the few real minutes.
   */
  databaseClock?: () => number;
}

export interface HttpLimits {
  /** Time to receive a request's headers, and its whole body. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Connections beyond this are dropped at once. */
  maxConnections: number;
  /** How often node checks the two request timeouts. */
  checkIntervalMs: number;
}

/** Slow-client limits: generous for a browser on a bad network, short enough that slow-loris gets nowhere. */
export const defaultHttpLimits: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 512,
  checkIntervalMs: 1_000,
};

export interface Backend {
  url: string;
  mode: BackendMode;
  demoToken?: string;
  sandbox?: Sandbox;
  db: Db;
  users: UserStore;
  sessions: SessionStore;
  audit: AuditLog;
  gateway: GongGateway;
  /** Owners of flow instances and bulk assignments as seen in Gong's answers. */
  seen: SeenItems;
  /** What the routes use (services, company-wide caches): for benchmarks that replay a day in process. */
  ctx: AppContext;
  /**
   * Stops: the requests under way are answered, then jobs, Gong and the database close. `drain` (SIGTERM) first
   * stays up SHUTDOWN_DRAIN_MS, not ready but answering, so that a load balancer stops sending requests in time.
   */
  close(opts?: { drain?: boolean }): Promise<void>;
}

/** Paths whose values must never reach a log line. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  'clientSecret',
  'client_secret',
  '*.clientSecret',
  '*.token',
];

function makeLogger(enabled: boolean, level: string, stream?: Writable): FastifyBaseLogger | false {
  if (!enabled) return false;
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } }, stream ?? process.stdout) as unknown as FastifyBaseLogger;
}

export async function startBackend(opts: BackendOptions = {}): Promise<Backend> {
  const config = loadConfig(opts.env ?? process.env);
  if (opts.port !== undefined) config.port = opts.port;
  if (opts.host) config.host = opts.host;
  if (opts.dataDir) config.dataDir = path.resolve(opts.dataDir);
  if (opts.demoToken) config.demoToken = opts.demoToken;

  const db = await openDatabase(config, opts.postgresTimeouts);
  const replica = replicaId();
  const users = new UserStore(db);
  const sessions = new SessionStore(db, users);
  const audit = new AuditLog(db, opts.limits?.maxDenialRows);
  const httpLimits: HttpLimits = { ...defaultHttpLimits, maxConnections: config.maxConnections, ...opts.http };
  const cleanups: (() => unknown)[] = [() => db.close()];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch(() => undefined);
  };
  /** Shutting down: /readyz answers 503 and every answer closes its connection. */
  let draining = false;
  let closeHttp: () => Promise<void> = async () => undefined;

  try {
    const scalekit = await connectScalekit(config, { sandbox: opts.sandbox, gongStatePath: path.join(config.dataDir, 'gong-sandbox.json') });
    cleanups.push(() => scalekit.close());
    const { client, sandbox } = scalekit;
    // Other replicas changed users or sessions (a revocation, a role): forget what was kept of them.
    const forgetPeople = () => {
      users.forget();
      sessions.clearCache();
    };
    await db.subscribe(
      CHANNELS.people,
      (from) => {
        if (from !== replica) forgetPeople();
      },
      // Changes made while this replica could not hear them.
      forgetPeople,
    );
    const peopleChanged = () => void db.publish(CHANNELS.people, replica).catch(() => undefined);
    users.onChange = peopleChanged;
    sessions.onChange = peopleChanged;
    if (sandbox) {
      users.sandboxSignIns = true;
      await users.ensureSandboxDemo(DEMO_USER_EMAIL, config.demoToken);
      // The hosted login's manager and admin, with the roles an admin would have given them.
      for (const [email, role] of SANDBOX_ROLES) {
        if ((await users.byEmail(email))?.role !== role) await users.setRole((await users.findOrCreateForSso(email)).email, role);
      }
    }
    /** Scalekit's environment URL and our client id: issuer and audience of the ID tokens. */
    const scalekitAt = sandbox ? { envUrl: sandbox.url, clientId: sandbox.clientId } : { envUrl: config.scalekit!.envUrl, clientId: config.scalekit!.clientId };

    const logger = makeLogger(opts.logger ?? false, config.logLevel, opts.logStream);
    const app = Fastify({
      ...(logger ? { loggerInstance: logger } : { logger: false }),
      bodyLimit: BODY_LIMIT,
      genReqId: () => randomUUID(),
      requestIdHeader: false,
      trustProxy: false,
      onProtoPoisoning: 'error',
      onConstructorPoisoning: 'error',
      routerOptions: { maxParamLength: 200 },
      frameworkErrors,
      // A browser keeps keep-alive sockets open (and the panel polls); without this, close() waits for them
      // for a minute. Requests under way are answered first (closeHttp), then their sockets close.
      forceCloseConnections: 'idle',
      requestTimeout: httpLimits.requestTimeoutMs,
      keepAliveTimeout: httpLimits.keepAliveTimeoutMs,
      http: { headersTimeout: httpLimits.headersTimeoutMs, connectionsCheckingInterval: httpLimits.checkIntervalMs },
    }).withTypeProvider<ZodTypeProvider>();
    app.server.maxConnections = httpLimits.maxConnections;
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    // Stops listening and lets the requests under way finish, Gong calls included (so before the gateway closes);
    // whatever is still open after HTTP_CLOSE_GRACE_MS is cut: writes are idempotent and retried by the outbox.
    let httpClosed: Promise<void> | undefined;
    closeHttp = () =>
      (httpClosed ??= (async () => {
        draining = true;
        const cut = setTimeout(() => app.server.closeAllConnections(), HTTP_CLOSE_GRACE_MS);
        try {
          await app.close();
        } finally {
          clearTimeout(cut);
        }
      })());
    cleanups.push(() => closeHttp());
    // An audit entry the database would not take after every try: this error line is its one remaining record.
    audit.onLost = (entry, err) => app.log.error({ err, auditEntry: entry }, 'audit entry could not be written to the database');
    const idle = installIdleWork(app.server);
    cleanups.push(() => idle.stop());
    app.addHook('onSend', (req, reply, payload, done) => {
      reply.header('x-request-id', req.id);
      // The client's next request opens a new connection, which the load balancer sends to another replica.
      if (draining) reply.header('connection', 'close');
      reply.header('cache-control', 'no-store');
      // Every audit entry a request started (a write, a refusal) is in the database before its answer leaves. Most
      // answers (reads) have none under way: they leave without a wait.
      if (!audit.writing(req.id)) return done(null, payload);
      audit.settled(req.id).then(() => done(null, payload), done);
    });

    const usage = new UsageCounter(db);
    // With Postgres other replicas count too: their calls are read back every few seconds.
    await usage.start(db.engine === 'postgres' ? USAGE_REFRESH_MS : undefined);
    // Written behind: the last counts go to the database before it closes (cleanups run in reverse).
    cleanups.push(() => usage.close());
    // Between requests: the count's write, then a young GC (after the write, which makes garbage).
    idle.add(() => void usage.flush().catch((err) => app.log.warn({ err }, 'could not write Gong usage')));
    const youngGc = opts.youngGcWhenIdle === false ? undefined : youngGcTask();
    if (youngGc) idle.add(youngGc);
    const connections = new GongConnections(client, config.gongConnectionName);
    const gatewayOptions = { dailyCallsPerRep: config.gongDailyCallsPerRep, ...opts.gong };
    // Replicas share the company's 3 calls/s through the database; one process keeps them in memory.
    const limiter =
      db.engine === 'postgres'
        ? await SharedRateLimiter.open(db, {
            rate: gatewayOptions.ratePerWindow ?? GONG_CALLS_PER_SECOND,
            windowMs: gatewayOptions.windowMs ?? 1000,
            maxCallMs: SHARED_SLOT_MAX_CALL_MS,
            replica,
          })
        : undefined;
    const gateway = new GongGateway(client, config.gongConnectionName, usage, gatewayOptions, connections, () => users.activeCount(), limiter);
    cleanups.push(() => gateway.close());
    // A write here drops the cached reads it made stale on every replica (within a second: NOTIFY is immediate).
    gateway.onWrite((tags) => void db.publish(CHANNELS.gongWrites, cacheMessage(replica, tags)).catch((err) => app.log.warn({ err }, 'could not tell replicas of a write')));
    await db.subscribe(
      CHANNELS.gongWrites,
      (payload) => {
        const message = parseCacheMessage(payload);
        if (message && message.from !== replica) gateway.dropCached(message.tags);
      },
      // Writes made while this replica could not hear them: any cached read may be stale.
      () => gateway.dropAllCached(),
    );
    const jobs = new JobStore(db);
    // Replicas share what Gong said of prospects' flows and the calls index, and the prospects waiting in their
    // batching windows (with SQLite the backend is one process: memory is enough).
    const sharedReads = db.engine === 'postgres' ? new SharedReads(db, opts.databaseClock) : undefined;
    const prospectFlowsReads = sharedReads?.of<ProspectFlow[]>(SHARED_PROSPECT_FLOWS, gateway.options.prospectFlowsTtlMs);
    const sharedProspectFlows: SharedProspectFlows | undefined =
      sharedReads && prospectFlowsReads
        ? {
            reads: prospectFlowsReads,
            waiting: new WaitingLookups(sharedReads, replica, WAITING_STALE_MS),
            worked: new WorkedRows(sharedReads, prospectFlowsReads, REFRESH_AHEAD_ASKED_WITHIN_MS),
          }
        : undefined;
    // What is past its retention (server/store/retention.ts) and the shared reads' leftovers: at start and every hour,
    // in the background (a backlog, such as a retention newly set on years of audit, must not hold up the start).
    const stopPruning = new AbortController();
    let pruning: Promise<void> | null = null;
    const prune = () => {
      pruning ??= (async () => {
        const pruned = await pruneStore(db, { jobDays: config.jobRetentionDays, auditDays: config.auditRetentionDays }, { signal: stopPruning.signal });
        if (pruned && Object.values(pruned).some((n) => n > 0)) app.log.info({ pruned, jobRetentionDays: config.jobRetentionDays, auditRetentionDays: config.auditRetentionDays }, 'rows past retention deleted');
        await sharedReads?.prune();
        await sharedProspectFlows?.waiting.prune();
        await sharedProspectFlows?.worked.prune();
      })()
        .catch((err) => (stopPruning.signal.aborted ? undefined : app.log.warn({ err }, 'could not delete rows past retention')))
        .finally(() => (pruning = null));
    };
    const seen = new SeenItems(db);
    prune();
    const pruneTimer = setInterval(prune, 3_600_000);
    pruneTimer.unref();
    cleanups.push(async () => {
      clearInterval(pruneTimer);
      stopPruning.abort();
      await pruning;
    });
    // One process (SQLite): every unfinished job is its own, whatever a previous run of it claimed.
    if (db.engine === 'sqlite') await jobs.releaseAll();
    const jobRunner = new JobRunner(jobs, users, { gateway, audit }, app.log, { leaseMs: config.jobLeaseMs, ...opts.jobs }, replica);
    // Jobs stop before the gateway and the database close (cleanups run in reverse).
    cleanups.push(() => jobRunner.close());

    gateway.onConnectionSeen((identifier, active) => connections.seen(identifier, active));
    // Where browsers reach the backend (Scalekit redirects there): PUBLIC_URL, else where it listens.
    let listeningUrl = '';
    const publicUrl = () => config.publicUrl ?? listeningUrl;
    gateway.onAnswer((tool, input, identifier, data) => seen.learn(tool, input, identifier, data));
    const ctx: AppContext = {
      config,
      version: VERSION,
      users,
      sessions,
      audit,
      idempotency: new IdempotencyStore(db),
      gateway,
      connections,
      jobs,
      jobRunner,
      prospectFlows: new ProspectFlowsCache(gateway, gateway.options.prospectFlowsTtlMs, gateway.options.prospectFlowsBatchMs, undefined, sharedProspectFlows),
      callsIndex: new CallsIndex(gateway, gateway.options.callsIndexTtlMs, undefined, sharedReads?.of(SHARED_CALLS_INDEX, gateway.options.callsIndexTtlMs)),
      gongLinks: new GongLinkRequests(db),
      publicUrl,
      directory: new CompanyDirectory(),
      seen,
    };

    installErrorHandling(app);
    await installSecurity(app, { config, audit, perIpPerMinute: opts.limits?.perIpPerMinute ?? 1200 });
    if (config.mode === 'scalekit') {
      const refused = await users.revokeSandboxDemo();
      if (refused.length) {
        app.log.warn(
          `The sandbox demo users ${refused.join(', ')} are refused because Scalekit credentials are set: their tokens are public, were printed or were issued by the sandbox sign-in. Issue real users with \`npm run server -- user add <email>\``,
        );
      }
    }
    installAuth(app, {
      users,
      sessions,
      audit,
      perUserPerMinute: opts.limits?.perUserPerMinute ?? 600,
      failedPerIpPerMinute: opts.limits?.failedAuthPerIpPerMinute ?? 60,
      failedPerTokenPrefixPerMinute: opts.limits?.failedAuthPerTokenPrefixPerMinute ?? 10,
    });
    // GET /metrics (only with METRICS_TOKEN) and the per-request counts it gives.
    installMetrics(app, { ctx, db, warn: (err, what) => app.log.warn({ err }, `metrics: could not read ${what}`) });
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: { title: 'Gong Everywhere backend', version: VERSION, description: 'Companion backend of the Gong Everywhere extension' },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      },
      transform: jsonSchemaTransform,
    });

    const signIn = new SignIn({
      client,
      db,
      users,
      sessions,
      audit,
      config: config.sso,
      ...scalekitAt,
      callbackUrl: () => `${publicUrl()}/auth/callback`,
      extensionAllowed: (id) => originAllowed(`chrome-extension://${id}`, config),
    });
    await app.register(authPages({ signIn, sessions, client, publicUrl, gongLinks: ctx.gongLinks, connections, audit }));

    app.get('/healthz', { config: { public: true }, schema: { hide: true, response: { 200: health } } }, async () => ({ ok: true as const, mode: config.mode, version: VERSION }));
    // For a load balancer: this replica can reach its database (Postgres may be failing over). 503 takes it out
    // of rotation; /healthz (the process is up) stays the liveness check.
    // A database that stops answering is as unready as one that refuses: answered within READY_CHECK_MS either way.
    app.get('/readyz', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
      if (draining) return reply.status(503).send({ ok: false, engine: db.engine, replica, error: 'shutting down' });
      const answered = await within(
        db.get('SELECT 1 AS ok').then(
          () => true,
          () => false,
        ),
        READY_CHECK_MS,
        false,
      );
      if (answered) return { ok: true, engine: db.engine, replica };
      return reply.status(503).send({ ok: false, engine: db.engine, replica, error: 'database unreachable' });
    });
    await app.register(
      async (api) => {
        api.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
        for (const routes of [sessionRoutes, adminRoutes, connectionRoutes, flowRoutes, jobRoutes, callRoutes, taskRoutes, activityRoutes, usageRoutes, toolRoutes]) {
          await api.register(routes(ctx));
        }
      },
      { prefix: API_PREFIX },
    );

    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    listeningUrl = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    // The sandbox's hosted login knows our redirect URIs, as Scalekit's dashboard would.
    sandbox?.login.allowRedirectUri(`${publicUrl()}/auth/callback`);
    sandbox?.login.allowRedirectUri(`${publicUrl()}${SIGNED_OUT_PATH}`);
    jobRunner.startClaiming();

    let closing: Promise<void> | undefined;
    return {
      url: listeningUrl,
      mode: config.mode,
      demoToken: config.mode === 'sandbox' ? config.demoToken : undefined,
      sandbox,
      db,
      users,
      sessions,
      audit,
      gateway,
      seen,
      ctx,
      close: (opts = {}) =>
        (closing ??= (async () => {
          if (opts.drain && config.shutdownDrainMs > 0) {
            draining = true;
            app.log.info({ drainMs: config.shutdownDrainMs }, 'shutting down: not ready, still answering while the load balancer notices');
            await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainMs));
          }
          await closeHttp();
          await cleanup();
        })()),
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/**
 * Backend configuration from the environment. Without Scalekit credentials the backend runs in
 * sandbox mode: it starts the stand-in in process and points the real SDK at it.
 */
import path from 'node:path';
import type { Role } from '../lib/gong-tools';
import { DEFAULT_DATABASE_POOL_SIZE } from './store/sql';

export type BackendMode = 'sandbox' | 'scalekit';

export interface BackendConfig {
  port: number;
  host: string;
  mode: BackendMode;
  scalekit: { envUrl: string; clientId: string; clientSecret: string } | null;
  gongConnectionName: string;
  /** Token of the sandbox demo user; ignored in scalekit mode. */
  demoToken: string;
  dataDir: string;
  /** DATABASE_URL (postgres://…): the store shared by every replica; null: SQLite in the data directory. */
  databaseUrl: string | null;
  /** With Postgres: the connections each replica's pool may open (DATABASE_POOL_SIZE), besides its one for LISTEN. */
  databasePoolSize: number;
  /** Extension ids whose `chrome-extension://<id>` origin may call the API (CORS). */
  allowedExtensionIds: string[];
  logLevel: string;
  /** Open connections beyond this are dropped (MAX_CONNECTIONS). */
  maxConnections: number;
  /** The backend's address as browsers reach it (Scalekit redirects there); default: where it listens. */
  publicUrl: string | null;
  sso: SsoConfig;
  /** Each rep's Gong calls a day (GONG_DAILY_CALLS_PER_REP); null: the budget shared equally by active users. */
  gongDailyCallsPerRep: number | null;
  /** Per rep: bulk jobs not finished yet, and prospect ids those jobs still have to send. */
  maxOpenJobsPerRep: number;
  maxIdsInFlightPerRep: number;
  /** Finished jobs and their per-prospect results are deleted after this many days. */
  jobRetentionDays: number;
  /** AUDIT_RETENTION_DAYS: Gong writes in the audit older than this are deleted; null (unset): kept for ever. */
  auditRetentionDays: number | null;
  /** A replica's claim on a running job lasts this long unless renewed; another replica takes over a job after it (JOB_LEASE_MS). */
  jobLeaseMs: number;
  /**
   * SHUTDOWN_DRAIN_MS: on SIGTERM, how long the backend stays up answering while /readyz says 503, so that the load
   * balancer stops sending it requests before it stops listening. Default 5 s with Postgres (replicas), 0 with SQLite.
   */
  shutdownDrainMs: number;
  /** METRICS_TOKEN: the bearer token Prometheus scrapes `/metrics` with; null: no `/metrics` (404). */
  metricsToken: string | null;
}

export interface SsoConfig {
  /** Email domains whose people may sign in with SSO (lower case). Empty = SSO sign-in refused. */
  allowedDomains: string[];
  /** Passed to getAuthorizationUrl to pick the company's IdP at Scalekit (optional). */
  organizationId?: string;
  connectionId?: string;
}

/** The sandbox IdP's people are at example.com (see server/sandbox/hosted-login.ts). */
export const SANDBOX_SSO_DOMAINS = ['example.com'];

function publicUrl(value: string | undefined): string | null {
  const v = value?.trim().replace(/\/+$/, '');
  if (!v) return null;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new Error(`PUBLIC_URL must be a URL like https://gong-everywhere.example.com, got "${v}"`);
  }
  if (u.protocol !== 'https:' && !['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) {
    throw new Error('PUBLIC_URL must use https:// (sign-in cookies and tokens travel through it)');
  }
  return u.origin + u.pathname.replace(/\/+$/, '');
}

/** Printed at start-up so a developer can paste it into the extension's options. */
export const DEFAULT_DEMO_TOKEN = 'gong-sandbox-demo-token';
export const DEMO_USER_EMAIL = 'rep@example.com';
/** Sandbox people (server/sandbox/hosted-login.ts SANDBOX_PEOPLE) who are not reps. */
export const SANDBOX_ROLES: readonly (readonly [string, Role])[] = [
  ['manager@example.com', 'manager'],
  ['admin@example.com', 'admin'],
];

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number above 0, got "${value}"`);
  return n;
}

function shutdownDrainMs(value: string | undefined, replicas: boolean): number {
  if (value === undefined || value.trim() === '') return replicas ? 5_000 : 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 600_000) throw new Error(`SHUTDOWN_DRAIN_MS must be a whole number of milliseconds from 0 to 600000, got "${value}"`);
  return n;
}

function databaseUrl(value: string | undefined): string | null {
  const v = value?.trim();
  if (!v) return null;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new Error('DATABASE_URL must be a URL like postgres://user:password@db.example.com:5432/gong_everywhere');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new Error(`DATABASE_URL must be a postgres:// URL (got ${u.protocol}//…)`);
  return v;
}

/** Long enough not to be guessed through the per-address limit; one header word (no spaces). */
function metricsToken(value: string | undefined): string | null {
  const v = value?.trim();
  if (!v) return null;
  if (!/^[\x21-\x7e]{16,512}$/.test(v)) throw new Error('METRICS_TOKEN must be 16 to 512 printable characters without spaces (e.g. `openssl rand -hex 32`)');
  return v;
}

function port(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new Error(`PORT must be a port number, got "${value}"`);
  return n;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): BackendConfig {
  const envUrl = env.SCALEKIT_ENV_URL?.trim();
  const clientId = env.SCALEKIT_CLIENT_ID?.trim();
  const clientSecret = env.SCALEKIT_CLIENT_SECRET?.trim();
  const given = [envUrl, clientId, clientSecret].filter(Boolean).length;
  if (given > 0 && given < 3) {
    // Half-configured credentials are a mistake; silently falling back to the sandbox would hide it.
    throw new Error('Set all of SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET, or none (sandbox mode)');
  }
  const scalekit = given === 3 ? { envUrl: envUrl!, clientId: clientId!, clientSecret: clientSecret! } : null;
  return {
    port: port(env.PORT, 8787),
    host: env.HOST?.trim() || '127.0.0.1',
    mode: scalekit ? 'scalekit' : 'sandbox',
    scalekit,
    gongConnectionName: env.GONG_CONNECTION_NAME?.trim() || 'gong',
    demoToken: env.DEMO_TOKEN?.trim() || DEFAULT_DEMO_TOKEN,
    dataDir: path.resolve(env.DATA_DIR?.trim() || './data'),
    databaseUrl: databaseUrl(env.DATABASE_URL),
    databasePoolSize: positiveInt('DATABASE_POOL_SIZE', env.DATABASE_POOL_SIZE, DEFAULT_DATABASE_POOL_SIZE),
    allowedExtensionIds: (env.ALLOWED_EXTENSION_IDS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => /^[a-p]{32}$/.test(s)),
    logLevel: env.LOG_LEVEL?.trim() || 'info',
    maxConnections: positiveInt('MAX_CONNECTIONS', env.MAX_CONNECTIONS, 512),
    publicUrl: publicUrl(env.PUBLIC_URL),
    sso: {
      allowedDomains:
        env.SSO_ALLOWED_DOMAINS !== undefined
          ? env.SSO_ALLOWED_DOMAINS.split(',').map((d) => d.trim().toLowerCase().replace(/^@/, '')).filter(Boolean)
          : scalekit
            ? []
            : SANDBOX_SSO_DOMAINS,
      organizationId: env.SCALEKIT_ORGANIZATION_ID?.trim() || undefined,
      connectionId: env.SCALEKIT_CONNECTION_ID?.trim() || undefined,
    },
    gongDailyCallsPerRep: env.GONG_DAILY_CALLS_PER_REP?.trim() ? positiveInt('GONG_DAILY_CALLS_PER_REP', env.GONG_DAILY_CALLS_PER_REP, 1) : null,
    maxOpenJobsPerRep: positiveInt('MAX_OPEN_JOBS_PER_REP', env.MAX_OPEN_JOBS_PER_REP, 3),
    maxIdsInFlightPerRep: positiveInt('MAX_IDS_IN_FLIGHT_PER_REP', env.MAX_IDS_IN_FLIGHT_PER_REP, 20_000),
    jobRetentionDays: positiveInt('JOB_RETENTION_DAYS', env.JOB_RETENTION_DAYS, 30),
    auditRetentionDays: env.AUDIT_RETENTION_DAYS?.trim() ? positiveInt('AUDIT_RETENTION_DAYS', env.AUDIT_RETENTION_DAYS, 1) : null,
    jobLeaseMs: positiveInt('JOB_LEASE_MS', env.JOB_LEASE_MS, 10_000),
    metricsToken: metricsToken(env.METRICS_TOKEN),
    shutdownDrainMs: shutdownDrainMs(env.SHUTDOWN_DRAIN_MS, databaseUrl(env.DATABASE_URL) !== null),
  };
}

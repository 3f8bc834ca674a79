/**
 * The backend's database and its schema migrations, for both engines (server/store/sql.ts): SQLite (WAL) in the
 * data directory by default, PostgreSQL when DATABASE_URL is set (several replicas share it). Migrations are
 * append-only and written once, in SQLite's dialect; `forPostgres` turns the few differences (integer widths,
 * row ids) into Postgres' (a migration that reads JSON gives each engine its own text). Each runs once, in order: recorded in `user_version` (SQLite) or `schema_version`
 * (Postgres, under an advisory lock, so replicas starting together migrate once).
 *
 * A migration only adds (tables, columns with a default, indexes) and never drops or renames what a released version
 * reads: during a rolling upgrade, and after a rollback, replicas of the previous version run on the new schema
 * (test/backend/upgrades.test.ts; docs/deploy.md "Upgrading").
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { connectionSettings, LISTEN_APPLICATION_NAME, POSTGRES_TIMEOUTS, PostgresDb, SqliteDb, type Db, type Engine, type PostgresTimeouts } from './sql';

export type { Db, Sql } from './sql';

/**
 * One migration: SQL in SQLite's dialect for both engines (`forPostgres` translates it), or, where the dialects
 * differ beyond that (JSON functions), each engine's own.
 */
type Migration = string | { sqlite: string; postgres: string };

/** The flow writes that name prospects (audit.ts FLOW_WRITE_TOOLS, frozen as they were when this migration was written). */
const INDEXED_FLOW_WRITES = `a.tool IN ('gong_engage_prospects_assign', 'gong_engage_prospects_assign_cool_off_override', 'gong_engage_prospects_unassign') AND a.outcome = 'ok'`;
/** With SQLite the table is its key alone (no row ids); forPostgres makes the ids 64-bit. */
const AUDIT_PROSPECTS_TABLE = `
  CREATE TABLE audit_prospects (
    crm_id TEXT NOT NULL,
    audit_id INTEGER NOT NULL,
    PRIMARY KEY (crm_id, audit_id)
  )`;

/**
 * Each successful flow write's prospects (lowercased CRM id → audit row), so that a prospect's flow history is
 * an index lookup instead of a pass over every flow write's JSON (server/store/audit.ts); filled from the audit.
 */
const AUDIT_PROSPECTS: Migration = {
  sqlite: `${AUDIT_PROSPECTS_TABLE} WITHOUT ROWID;
  INSERT INTO audit_prospects (crm_id, audit_id)
  SELECT DISTINCT lower(j.value), a.id FROM audit a, json_each(a.input, '$.crm_prospect_ids') j
  WHERE ${INDEXED_FLOW_WRITES} AND json_valid(a.input) AND json_type(a.input, '$.crm_prospect_ids') = 'array' AND j.type = 'text';
  `,
  postgres: `${forPostgres(AUDIT_PROSPECTS_TABLE)};
  INSERT INTO audit_prospects (crm_id, audit_id)
  SELECT DISTINCT lower(j.value #>> '{}'), a.id FROM audit a, jsonb_array_elements(CASE WHEN jsonb_typeof(a.input::jsonb -> 'crm_prospect_ids') = 'array' THEN a.input::jsonb -> 'crm_prospect_ids' ELSE '[]'::jsonb END) j(value)
  WHERE ${INDEXED_FLOW_WRITES} AND a.input IS NOT NULL AND jsonb_typeof(j.value) = 'string';
  `,
};

const MIGRATIONS: Migration[] = [
  // 1: users, audit, idempotency, jobs, usage
  `
  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
  );
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id INTEGER,
    user_email TEXT,
    request_id TEXT,
    route TEXT NOT NULL,
    tool TEXT,
    input TEXT,
    outcome TEXT NOT NULL,
    answer TEXT
  );
  CREATE INDEX audit_user ON audit(user_id, at);
  CREATE TABLE access_denials (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    ip TEXT,
    method TEXT,
    route TEXT,
    reason TEXT NOT NULL,
    user_id INTEGER
  );
  CREATE TABLE idempotency (
    user_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
  );
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    identifier TEXT NOT NULL,
    kind TEXT NOT NULL,
    flow_id TEXT NOT NULL,
    owner_email TEXT NOT NULL,
    cool_off_override INTEGER NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE job_items (
    job_id TEXT NOT NULL REFERENCES jobs(id),
    idx INTEGER NOT NULL,
    crm_id TEXT NOT NULL,
    state TEXT NOT NULL,
    code TEXT,
    message TEXT,
    PRIMARY KEY (job_id, idx)
  );
  CREATE TABLE gong_usage (
    day TEXT PRIMARY KEY,
    calls INTEGER NOT NULL
  );
  `,
  // 2: roles (rep by default; see lib/gong-tools.ts ROLES)
  `
  ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'rep' CHECK (role IN ('rep', 'manager', 'admin'));
  `,
  // 3: the sandbox demo user is marked, so Scalekit mode can refuse it (its token was public or printed).
  // A demo user made before the mark existed has the demo email: example.com names no real rep.
  `
  ALTER TABLE users ADD COLUMN sandbox_demo INTEGER NOT NULL DEFAULT 0;
  UPDATE users SET sandbox_demo = 1 WHERE email = 'rep@example.com';
  `,
  // 4: SSO sign-in: sessions (the extension's device tokens and the backend's own browser sessions), sign-in
  // attempts (state, nonce, PKCE verifier; one use), Gong connect links awaiting user verification.
  `
  ALTER TABLE users ADD COLUMN last_seen_at TEXT;
  CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind IN ('extension', 'browser')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at TEXT
  );
  CREATE INDEX sessions_user ON sessions(user_id);
  CREATE TABLE sso_logins (
    state_hash TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    code_verifier TEXT NOT NULL,
    binding_hash TEXT NOT NULL,
    target TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at TEXT
  );
  CREATE TABLE gong_link_requests (
    state_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    identifier TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  `,
  // 5: each rep's Gong calls per day (their share of the daily budget); jobs looked up by user and state
  `
  CREATE TABLE gong_usage_by_rep (
    day TEXT NOT NULL,
    identifier TEXT NOT NULL,
    calls INTEGER NOT NULL,
    PRIMARY KEY (day, identifier)
  );
  CREATE INDEX jobs_user_status ON jobs(user_id, status);
  CREATE INDEX jobs_status_updated ON jobs(status, updated_at);
  `,
  // 6: owners of flow instances and bulk assignments as the backend saw them in Gong's answers
  `
  CREATE TABLE seen_items (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    owner_email TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (kind, id)
  );
  `,
  // 7: scale-out. A job is claimed by one replica for a lease it renews while running; another replica takes
  // over a job whose lease ran out (its replica died). Gong's 3 calls/s per company are slots every replica
  // takes from (busy until a window after the call finished, ms on the database's clock), and a pause after
  // Gong's 429 holds them all. Owners seen are pruned by age.
  `
  ALTER TABLE jobs ADD COLUMN claimed_by TEXT;
  ALTER TABLE jobs ADD COLUMN lease_until INTEGER;
  CREATE TABLE gong_rate_slots (
    slot INTEGER PRIMARY KEY,
    busy_until INTEGER NOT NULL,
    holder TEXT
  );
  CREATE TABLE gong_rate_pause (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    until_ms INTEGER NOT NULL
  );
  INSERT INTO gong_rate_pause (id, until_ms) VALUES (1, 0);
  CREATE INDEX seen_items_seen_at ON seen_items(seen_at);
  `,
  // 8: prospects' flows shared by replicas (moved to shared_reads by 9)
  `
  CREATE TABLE prospect_flows_cache (
    key TEXT PRIMARY KEY,
    crm_id TEXT NOT NULL,
    flows TEXT,
    asked_at INTEGER NOT NULL DEFAULT 0,
    dropped_at INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX prospect_flows_cache_asked_at ON prospect_flows_cache(asked_at);
  `,
  // 9: reads shared by replicas, of several kinds (server/store/shared-reads.ts; prospects' flows move there), and
  // prospects waiting in a replica's batching window, which another replica's call may take (server/store/waiting-lookups.ts)
  `
  DROP TABLE prospect_flows_cache;
  CREATE TABLE shared_reads (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    asked_at INTEGER NOT NULL DEFAULT 0,
    dropped_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, key)
  );
  CREATE INDEX shared_reads_asked_at ON shared_reads(asked_at);
  CREATE TABLE prospect_flows_waiting (
    key TEXT PRIMARY KEY,
    crm_id TEXT NOT NULL,
    replica TEXT NOT NULL,
    due_at INTEGER NOT NULL
  );
  CREATE INDEX prospect_flows_waiting_due_at ON prospect_flows_waiting(due_at);
  `,
  // 10: prospects of each flow write (above)
  AUDIT_PROSPECTS,
  // 11: the prospects reps work on, on any replica, that a call with room refreshes ahead (server/store/worked-rows.ts)
  `
  CREATE TABLE prospect_flows_worked (
    key TEXT PRIMARY KEY,
    crm_id TEXT NOT NULL,
    worked_at INTEGER NOT NULL,
    refreshing_until INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX prospect_flows_worked_worked_at ON prospect_flows_worked(worked_at);
  `,
  // 12: the admin console's audit, filtered by action or person, and its list of actions, without a pass over every
  // row (a team of 500 writes the audit ~25,000 times a day; server/store/audit.ts page and actions)
  `
  CREATE INDEX audit_action ON audit((COALESCE(tool, route)), id);
  CREATE INDEX audit_email ON audit(user_email, id);
  `,
  // 13: the admin console's audit filtered by dates: a day months back found through the index, not by reading every
  // newer row (server/store/audit.ts page)
  `
  CREATE INDEX audit_at ON audit(at);
  `,
  // 14: what retention deletes (server/store/retention.ts), found through an index: idempotency keys by age, and the
  // prospect index rows of audit entries past AUDIT_RETENTION_DAYS
  `
  CREATE INDEX idempotency_created_at ON idempotency(created_at);
  CREATE INDEX audit_prospects_audit_id ON audit_prospects(audit_id);
  `,
];

/** The schema version that made `audit_prospects` (a test opens a database just before it, to see it filled). */
export const AUDIT_PROSPECTS_VERSION = MIGRATIONS.indexOf(AUDIT_PROSPECTS) + 1;

const migrationSql = (m: Migration, engine: Engine): string =>
  typeof m !== 'string' ? m[engine] : engine === 'postgres' ? forPostgres(m) : m;

/** SQLite's dialect → Postgres': integers are 64-bit (ms timestamps), row ids are identities. */
export function forPostgres(migration: string): string {
  return migration
    .replace(/\bINTEGER PRIMARY KEY CHECK\b/g, 'BIGINT PRIMARY KEY CHECK')
    .replace(/\bid INTEGER PRIMARY KEY\b/g, 'id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY')
    .replace(/\bINTEGER\b/g, 'BIGINT');
}

/** The SQLite store's file in a data directory. */
export function sqliteFileIn(dataDir: string): string {
  return path.join(dataDir, 'backend.sqlite');
}

/**
 * The data directory is private to the backend's user (0700), and so is the database (0600): SQLite
 * creates its -wal and -shm files with the database file's permissions. A directory or database made
 * by an older version is tightened here.
 */
export function openDb(dataDir: string, opts: MigrateOptions = {}): SqliteDb {
  privateDataDir(dataDir);
  const file = sqliteFileIn(dataDir);
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrateSqlite(db, opts.schemaVersion ?? MIGRATIONS.length);
  return new SqliteDb(db, file);
}

/** Tests only: migrate up to this version (to see what a later migration does to an older database's rows). */
export interface MigrateOptions {
  schemaVersion?: number;
}

function migrateSqlite(db: Database.Database, target: number): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < target; version++) {
    db.transaction(() => {
      db.exec(migrationSql(MIGRATIONS[version], 'sqlite'));
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

/** Any number that is this backend's: replicas starting together wait on it, so one of them migrates. */
const MIGRATION_LOCK = 7_140_215;

export interface PostgresOptions extends MigrateOptions {
  /** Tests only: shorter bounds on waiting for Postgres. */
  timeouts?: Partial<PostgresTimeouts>;
}

export async function openPostgres(databaseUrl: string, poolSize?: number, opts: PostgresOptions = {}): Promise<PostgresDb> {
  const timeouts = { ...POSTGRES_TIMEOUTS, ...opts.timeouts };
  const db = PostgresDb.open(databaseUrl, poolSize, timeouts);
  try {
    await migratePostgres(databaseUrl, timeouts.connectMs, opts.schemaVersion ?? MIGRATIONS.length);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

/**
 * On a connection of its own, without the pool's statement bounds: a migration may rewrite a big table, and a
 * replica waits for another's migration to finish as long as it takes.
 */
async function migratePostgres(databaseUrl: string, connectMs: number, target: number): Promise<void> {
  const client = new pg.Client(connectionSettings(databaseUrl, connectMs));
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = (await client.query('SELECT version FROM schema_version')).rows[0] as { version: number } | undefined;
    if (!row) await client.query('INSERT INTO schema_version (version) VALUES (0)');
    for (let version = row?.version ?? 0; version < target; version++) {
      await client.query(migrationSql(MIGRATIONS[version], 'postgres'));
      await client.query('UPDATE schema_version SET version = $1', [version + 1]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The version the database's schema was migrated to: this version's, or a later one's (a rolling upgrade, a rollback). */
export async function schemaVersionOf(db: Db): Promise<number> {
  if (db.engine === 'sqlite') return Number((await db.get<{ user_version: number }>('PRAGMA user_version'))!.user_version);
  return Number((await db.get<{ version: number }>('SELECT version FROM schema_version'))!.version);
}

/** With Postgres: the replicas connected now and the connections the server allows (doctor sizes the pools by them). */
export interface PostgresCapacity {
  /** Replicas holding a LISTEN connection to this database now (one each). */
  replicasListening: number;
  /** The server's max_connections less those kept for superusers: what all replicas, the CLI and others share. */
  connectionsAllowed: number;
  /** Connections open to the server now, from anyone (other roles' sessions show no backend type to a plain user: counted too). */
  connectionsOpen: number;
}

/** What `doctor` says of the store: its schema, its people, which replicas hold running jobs, and Postgres' room. */
export async function databaseStatus(
  db: Db,
): Promise<{
  /** The database's schema, and this version's (the database's is later when a later version migrated it). */
  schemaVersion: number;
  knownSchemaVersion: number;
  activeUsers: number;
  runningJobs: { id: string; replica: string }[];
  postgres?: PostgresCapacity;
}> {
  const active = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM users WHERE revoked_at IS NULL');
  const jobs = await db.all<{ id: string; replica: string }>(
    `SELECT id, claimed_by AS replica FROM jobs WHERE status IN ('PENDING', 'IN_PROGRESS') AND claimed_by IS NOT NULL ORDER BY created_at`,
  );
  const status = { schemaVersion: await schemaVersionOf(db), knownSchemaVersion: MIGRATIONS.length, activeUsers: active!.n, runningJobs: jobs };
  if (db.engine !== 'postgres') return status;
  const room = await db.get<PostgresCapacity>(
    `SELECT (SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = ?) AS "replicasListening",
            current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int AS "connectionsAllowed",
            (SELECT COUNT(*) FROM pg_stat_activity WHERE backend_type = 'client backend' OR backend_type IS NULL) AS "connectionsOpen"`,
    [LISTEN_APPLICATION_NAME],
  );
  return { ...status, postgres: room! };
}

/** Messages between replicas (Postgres NOTIFY; in process with SQLite): people changed, Gong writes made. */
export const CHANNELS = { people: 'gong_everywhere_people', gongWrites: 'gong_everywhere_writes' } as const;

/** The database the configuration names: Postgres when DATABASE_URL is set, else SQLite in the data directory. */
export async function openDatabase(config: { databaseUrl: string | null; dataDir: string; databasePoolSize?: number }, timeouts?: Partial<PostgresTimeouts>): Promise<Db> {
  if (!config.databaseUrl) return openDb(config.dataDir);
  // With Postgres the data directory still holds the sandbox's state: as private.
  privateDataDir(config.dataDir);
  return openPostgres(config.databaseUrl, config.databasePoolSize, { timeouts });
}

/** The data directory is the backend user's alone (0700), whatever made it. */
function privateDataDir(dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dataDir, 0o700);
}

/** The database's clock in ms: with Postgres, one clock for every replica (rate slots, leases). */
export async function dbNowMs(db: Db): Promise<number> {
  if (db.engine === 'sqlite') return Date.now();
  const row = await db.get<{ now: number }>('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now');
  return row!.now;
}

export const nowIso = () => new Date().toISOString();

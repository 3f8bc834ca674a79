/**
 * The backend's SQLite database (WAL) and its schema migrations. Migrations are append-only:
 * each runs once, in order, recorded in `user_version`.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

const MIGRATIONS: string[] = [
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
];

/**
 * The data directory is private to the backend's user (0700), and so is the database (0600): SQLite
 * creates its -wal and -shm files with the database file's permissions. A directory or database made
 * by an older version is tightened here.
 */
export function openDb(dataDir: string): Db {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dataDir, 0o700);
  const file = path.join(dataDir, 'backend.sqlite');
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

export const nowIso = () => new Date().toISOString();

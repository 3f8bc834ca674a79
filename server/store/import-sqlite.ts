/**
 * From one process to replicas: copies a SQLite store (the default, `DATA_DIR/backend.sqlite`) into a new
 * PostgreSQL database, so that a company that piloted with one process keeps its users and their tokens (no rep
 * has to be given a new one), sign-ins, audit, jobs and usage when it moves to replicas (docs/deploy.md).
 *
 * Both stores have the same schema (server/store/db.ts migrates each to the latest version first), so each table is
 * copied column for column, in one transaction: the database ends with all of it or none. Only an empty target is
 * accepted. What describes a moment rather than the company (rate slots, reads shared between replicas, lookups
 * waiting in a window) is not copied; each kept table is listed here, and a test checks that every table of the
 * schema is either copied or named as not copied.
 */
import type { PostgresDb, SqliteDb } from './sql';

/** Copied, in this order (a row's references first). */
export const COPIED_TABLES = [
  'users',
  'sessions',
  'sso_logins',
  'gong_link_requests',
  'audit',
  'audit_prospects',
  'access_denials',
  'idempotency',
  'jobs',
  'job_items',
  'gong_usage',
  'gong_usage_by_rep',
  'seen_items',
] as const;

/** Not copied: the moment's state among replicas, rebuilt as they run. */
export const MOMENT_TABLES = ['gong_rate_slots', 'gong_rate_pause', 'shared_reads', 'prospect_flows_waiting', 'prospect_flows_worked'] as const;

/** Tables whose `id` is an identity in Postgres: its sequence continues after the copied ids. */
const IDENTITY_TABLES = new Set<string>(['users', 'sessions', 'audit', 'access_denials']);

/** Rows per INSERT (Postgres takes at most 65,535 parameters in one statement). */
const ROWS_PER_INSERT = 500;

export interface ImportReport {
  /** Rows copied per table. */
  rows: Record<string, number>;
}

export class ImportRefused extends Error {}

/** The tables of a store's schema (without the engines' own). */
export async function tablesOf(db: SqliteDb | PostgresDb): Promise<string[]> {
  const rows =
    db.engine === 'sqlite'
      ? await db.all<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
      : await db.all<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_version'`);
  return rows.map((r) => r.name).sort();
}

/**
 * Copies `source` into `target` (both already migrated to the latest schema). Refuses, changing nothing, when the
 * target already holds any copied row, or when either schema has a table this code does not know.
 */
export async function importSqlite(source: SqliteDb, target: PostgresDb): Promise<ImportReport> {
  const known = new Set<string>([...COPIED_TABLES, ...MOMENT_TABLES]);
  for (const [db, name] of [[source, 'the SQLite store'], [target, 'the Postgres database']] as const) {
    const unknown = (await tablesOf(db)).filter((t) => !known.has(t));
    if (unknown.length) throw new ImportRefused(`${name} has tables this version does not know (${unknown.join(', ')}): import with the version that made them`);
  }
  const rows: Record<string, number> = {};
  await target.tx(async (tx) => {
    for (const table of COPIED_TABLES) {
      const n = (await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n;
      if (n > 0) throw new ImportRefused(`the Postgres database is not empty (${table} has ${n} rows): import only into a new database`);
    }
    for (const table of COPIED_TABLES) {
      rows[table] = 0;
      // Streamed, a chunk at a time: a year of a big team's audit on one process is millions of rows.
      let chunk: Record<string, unknown>[] = [];
      const insert = async () => {
        const columns = Object.keys(chunk[0]);
        const values = chunk.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ');
        await tx.run(
          `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}`,
          chunk.flatMap((row) => columns.map((c) => portable(table, c, row[c]))),
        );
        rows[table] += chunk.length;
        chunk = [];
      };
      for (const row of source.raw.prepare(`SELECT * FROM ${table}`).iterate() as IterableIterator<Record<string, unknown>>) {
        chunk.push(row);
        if (chunk.length === ROWS_PER_INSERT) await insert();
      }
      if (chunk.length) await insert();
      if (IDENTITY_TABLES.has(table) && rows[table]) await tx.run(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT MAX(id) FROM ${table}))`);
    }
  });
  return { rows };
}

/** A SQLite value as Postgres takes it. A job's claim was the single process's: any replica may take the job now. */
function portable(table: string, column: string, value: unknown): string | number | bigint | null {
  if (table === 'jobs' && (column === 'claimed_by' || column === 'lease_until')) return null;
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return value;
  // better-sqlite3 answers text, numbers and null for every column this schema has; anything else is a mistake.
  throw new ImportRefused(`${table}.${column} holds a value of type ${typeof value} that cannot be copied`);
}

/**
 * What the backend keeps, and for how long: every table that grows with use is pruned here, at start and every
 * hour (app.ts). Without it a team of 500 would add millions of idempotency rows (each with its answer) a year.
 *
 * Deletes go in batches, each a short transaction: a backlog (a retention newly set on years of audit) never meets
 * Postgres' statement_timeout nor holds for long the locks reps' requests need. With Postgres one replica prunes at
 * a time (an advisory lock); the others skip the round, as there is nothing left for them.
 */
import { IDEMPOTENCY_KEY_RETENTION_DAYS } from '../../lib/api';
import type { Db, Sql } from './sql';

const DAY_MS = 86_400_000;
/** Rows per delete: milliseconds each, on either engine. */
export const PRUNE_BATCH = 2_000;
/** Held by the replica pruning (pg_try_advisory_xact_lock): its own number, apart from the migrations' and the jobs'. */
const PRUNE_LOCK = 0x67657072;
/** Ended sign-in sessions are kept this long, so a revoked device token is told "revoked", not "unknown", for a while. */
export const ENDED_SESSION_DAYS = 30;

export interface RetentionPolicy {
  /** Finished bulk jobs and their per-prospect results (JOB_RETENTION_DAYS); owners not seen for as long. */
  jobDays: number;
  /** Gong writes in the audit (AUDIT_RETENTION_DAYS); null keeps them all. */
  auditDays: number | null;
}

export interface Pruned {
  jobs: number;
  seenItems: number;
  idempotencyKeys: number;
  sessions: number;
  auditEntries: number;
}

/** Finished jobs per batch: each may hold 10,000 per-prospect rows. */
const JOB_BATCH = 5;

/**
 * Runs `batch` in a transaction of its own until it says it took fewer than `size` rows; returns how many it took
 * in all, or null when another replica is pruning.
 */
async function inBatches(db: Db, batch: (tx: Sql) => Promise<number>, size = PRUNE_BATCH, signal?: AbortSignal): Promise<number | null> {
  let total = 0;
  for (;;) {
    if (signal?.aborted) return total;
    const deleted = await db.tx(async (tx) => {
      if (tx.engine === 'postgres') {
        const got = await tx.get<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock(?) AS locked', [PRUNE_LOCK]);
        if (!got?.locked) return null;
      }
      return batch(tx);
    });
    if (deleted === null) return total || null;
    total += deleted;
    if (deleted < size) return total;
  }
}

/** The ids `select` gives (at most `size`), and as many `?` placeholders. */
async function pick(tx: Sql, select: string, params: (string | number)[], size = PRUNE_BATCH): Promise<{ ids: (string | number)[]; list: string }> {
  const rows = await tx.all<{ id: string | number }>(`${select} LIMIT ${size}`, params);
  return { ids: rows.map((r) => r.id), list: rows.map(() => '?').join(', ') };
}

/**
 * Prunes every table by `policy`, as of `now`; returns how many rows went, or null when another replica is at it.
 * Stops between two batches once `signal` aborts (the backend is closing).
 */
export async function pruneStore(db: Db, policy: RetentionPolicy, opts: { now?: number; signal?: AbortSignal } = {}): Promise<Pruned | null> {
  const now = opts.now ?? Date.now();
  const before = (days: number) => new Date(now - days * DAY_MS).toISOString();

  // Finished jobs with their per-prospect rows, a few jobs a batch. Unfinished jobs are never touched.
  const jobs = await inBatches(
    db,
    async (tx) => {
      const { ids, list } = await pick(tx, `SELECT id FROM jobs WHERE status IN ('COMPLETED', 'FAILED') AND updated_at < ?`, [before(policy.jobDays)], JOB_BATCH);
      if (!ids.length) return 0;
      await tx.run(`DELETE FROM job_items WHERE job_id IN (${list})`, ids);
      return (await tx.run(`DELETE FROM jobs WHERE id IN (${list})`, ids)).changes;
    },
    JOB_BATCH,
    opts.signal,
  );
  if (jobs === null) return null;

  // Owners of flow instances Gong has not shown for as long: a write on one is refused until a lookup shows it again.
  const seenItems = await inBatches(db, async (tx) =>
    (await tx.run(`DELETE FROM seen_items WHERE (kind, id) IN (SELECT kind, id FROM seen_items WHERE seen_at < ? LIMIT ${PRUNE_BATCH})`, [before(policy.jobDays)])).changes,
    PRUNE_BATCH,
    opts.signal,
  );

  // A key older than this is never sent again: the outbox gives up on a write it could not send for as long.
  const idempotencyKeys = await inBatches(db, async (tx) =>
    (
      await tx.run(`DELETE FROM idempotency WHERE (user_id, key) IN (SELECT user_id, key FROM idempotency WHERE created_at < ? LIMIT ${PRUNE_BATCH})`, [
        before(IDEMPOTENCY_KEY_RETENTION_DAYS),
      ])
    ).changes,
    PRUNE_BATCH,
    opts.signal,
  );

  // Sessions that expired or were revoked that long ago.
  const sessions = await inBatches(db, async (tx) => {
    const { ids, list } = await pick(tx, 'SELECT id FROM sessions WHERE expires_at < ? OR revoked_at < ?', [now - ENDED_SESSION_DAYS * DAY_MS, before(ENDED_SESSION_DAYS)]);
    return ids.length ? (await tx.run(`DELETE FROM sessions WHERE id IN (${list})`, ids)).changes : 0;
  }, PRUNE_BATCH, opts.signal);

  // The audit only when the company set a retention; with its index of prospects' flow writes.
  const auditDays = policy.auditDays;
  const auditEntries =
    auditDays === null
      ? 0
      : await inBatches(db, async (tx) => {
          const { ids, list } = await pick(tx, 'SELECT id FROM audit WHERE at < ?', [before(auditDays)]);
          if (!ids.length) return 0;
          await tx.run(`DELETE FROM audit_prospects WHERE audit_id IN (${list})`, ids);
          return (await tx.run(`DELETE FROM audit WHERE id IN (${list})`, ids)).changes;
        }, PRUNE_BATCH, opts.signal);

  return { jobs, seenItems: seenItems ?? 0, idempotencyKeys: idempotencyKeys ?? 0, sessions: sessions ?? 0, auditEntries: auditEntries ?? 0 };
}

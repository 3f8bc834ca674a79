/**
 * Bulk-assignment jobs in the database: the job and one row per prospect. An item is `pending`, then
 * `sent` (its batch went to Gong), then `ok` / `failed`. A batch left `sent` by a crash is
 * reconciled against Gong on resume, so nothing is lost and nothing is assigned twice.
 *
 * A job runs on the replica that holds its lease (`claimed_by`, `lease_until` in ms on the database's clock),
 * renewed while it runs. A replica that dies stops renewing; once the lease has run out another replica claims
 * the job (Postgres: `FOR UPDATE SKIP LOCKED`, so two replicas never claim the same one). Items are marked sent
 * only by the lease holder, so a replica that lost its lease stops before it sends anything more.
 */
import { randomBytes } from 'node:crypto';
import type { AdminJob, Job, JobProgress } from '../../lib/api';
import { isCoolOffRefusal } from '../../lib/gong-types';
import { nowIso, type Db } from '../store/db';
import { nowMsSql, type Sql } from '../store/sql';

export type JobStatus = Job['status'];
export type ItemState = 'pending' | 'sent' | 'ok' | 'failed';

export interface JobRecord {
  id: string;
  userId: number;
  identifier: string;
  flowId: string;
  ownerEmail: string;
  coolOffOverride: boolean;
  status: JobStatus;
  createdAt: string;
}

export interface JobItem {
  idx: number;
  crmId: string;
  state: ItemState;
}

export interface ItemResult {
  idx: number;
  ok: boolean;
  code: string | null;
  message: string | null;
}

/** What one rep may have running at once. */
export interface JobLimits {
  maxOpenJobs: number;
  maxIdsInFlight: number;
}

/** A job refused because the rep is at a limit: nothing was stored. */
export interface OverLimit {
  limit: 'open-jobs' | 'ids-in-flight';
  current: number;
  max: number;
}

/** A replica went on with a job whose lease another replica holds now: it must stop. */
export class LeaseLost extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId} is claimed by another replica`);
  }
}

const UNFINISHED = `status IN ('PENDING', 'IN_PROGRESS')`;
/** Advisory lock class for one rep's job creation (Postgres), any number that is this backend's. */
const JOB_LIMITS_LOCK = 7_140_216;

export class JobStore {
  constructor(private readonly db: Db) {}

  /** The rep's unfinished jobs and the prospect ids they still have to send. */
  async load(userId: number, db: Sql = this.db): Promise<{ openJobs: number; idsInFlight: number }> {
    return (await db.get<{ openJobs: number; idsInFlight: number }>(
      `SELECT (SELECT COUNT(*) FROM jobs WHERE user_id = ? AND ${UNFINISHED}) AS "openJobs",
              (SELECT COUNT(*) FROM job_items i JOIN jobs j ON j.id = i.job_id
                WHERE j.user_id = ? AND j.${UNFINISHED} AND i.state IN ('pending', 'sent')) AS "idsInFlight"`,
      [userId, userId],
    ))!;
  }

  /** Stores a new job, unless it would take the rep over a limit (checked in the same transaction). */
  async create(
    input: { userId: number; identifier: string; flowId: string; ownerEmail: string; coolOffOverride: boolean; crmIds: string[] },
    limits?: JobLimits,
  ): Promise<{ jobId: string } | OverLimit> {
    const id = `job_${randomBytes(12).toString('hex')}`;
    const now = nowIso();
    return this.db.tx(async (tx): Promise<{ jobId: string } | OverLimit> => {
      if (limits) {
        // One rep's jobs are created one at a time (on any replica), so the limits hold across replicas.
        if (tx.engine === 'postgres') await tx.run('SELECT pg_advisory_xact_lock(?, ?)', [JOB_LIMITS_LOCK, input.userId]);
        const { openJobs, idsInFlight } = await this.load(input.userId, tx);
        if (openJobs + 1 > limits.maxOpenJobs) return { limit: 'open-jobs', current: openJobs, max: limits.maxOpenJobs };
        if (idsInFlight + input.crmIds.length > limits.maxIdsInFlight) return { limit: 'ids-in-flight', current: idsInFlight, max: limits.maxIdsInFlight };
      }
      await tx.run(
        `INSERT INTO jobs (id, user_id, identifier, kind, flow_id, owner_email, cool_off_override, status, created_at, updated_at)
         VALUES (?, ?, ?, 'assign', ?, ?, ?, 'PENDING', ?, ?)`,
        [id, input.userId, input.identifier, input.flowId, input.ownerEmail, input.coolOffOverride ? 1 : 0, now, now],
      );
      for (let i = 0; i < input.crmIds.length; i += 500) {
        const chunk = input.crmIds.slice(i, i + 500);
        await tx.run(
          `INSERT INTO job_items (job_id, idx, crm_id, state) VALUES ${chunk.map(() => `(?, ?, ?, 'pending')`).join(', ')}`,
          chunk.flatMap((crmId, k) => [id, i + k, crmId]),
        );
      }
      return { jobId: id };
    });
  }

  async record(id: string): Promise<JobRecord | undefined> {
    const row = await this.db.get<Omit<JobRecord, 'coolOffOverride'> & { coolOffOverride: number }>(
      `SELECT id, user_id AS "userId", identifier, flow_id AS "flowId", owner_email AS "ownerEmail",
              cool_off_override AS "coolOffOverride", status, created_at AS "createdAt" FROM jobs WHERE id = ?`,
      [id],
    );
    return row ? { ...row, coolOffOverride: Number(row.coolOffOverride) === 1 } : undefined;
  }

  async unfinished(): Promise<string[]> {
    return (await this.db.all<{ id: string }>(`SELECT id FROM jobs WHERE ${UNFINISHED} ORDER BY created_at`)).map((r) => r.id);
  }

  /** Unfinished jobs of every rep by status (company-wide: every replica sees the same): /metrics. */
  async unfinishedCounts(): Promise<Record<'PENDING' | 'IN_PROGRESS', number>> {
    const rows = await this.db.all<{ status: 'PENDING' | 'IN_PROGRESS'; n: number }>(`SELECT status, COUNT(*) AS n FROM jobs WHERE ${UNFINISHED} GROUP BY status`);
    const counts = { PENDING: 0, IN_PROGRESS: 0 };
    for (const r of rows) counts[r.status] = Number(r.n);
    return counts;
  }

  /** Claims this unfinished job for `replica` unless another replica's lease on it still runs. */
  async claim(id: string, replica: string, leaseMs: number): Promise<boolean> {
    const now = nowMsSql(this.db.engine);
    const res = await this.db.run(
      `UPDATE jobs SET claimed_by = ?, lease_until = ${now} + ? WHERE id = ? AND ${UNFINISHED}
         AND (claimed_by IS NULL OR claimed_by = ? OR lease_until IS NULL OR lease_until < ${now})`,
      [replica, leaseMs, id, replica],
    );
    return res.changes === 1;
  }

  /** Claims the oldest unfinished job nobody holds (or whose holder's lease ran out: it died). */
  async claimNext(replica: string, leaseMs: number): Promise<string | undefined> {
    const now = nowMsSql(this.db.engine);
    const lock = this.db.engine === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
    const row = await this.db.get<{ id: string }>(
      `UPDATE jobs SET claimed_by = ?, lease_until = ${now} + ?
       WHERE id = (SELECT id FROM jobs WHERE ${UNFINISHED} AND (claimed_by IS NULL OR lease_until IS NULL OR lease_until < ${now})
                   ORDER BY created_at LIMIT 1 ${lock})
       RETURNING id`,
      [replica, leaseMs],
    );
    return row?.id;
  }

  /** Extends `replica`'s lease; false when it no longer holds the job. */
  async renew(id: string, replica: string, leaseMs: number): Promise<boolean> {
    const now = nowMsSql(this.db.engine);
    return (await this.db.run(`UPDATE jobs SET lease_until = ${now} + ? WHERE id = ? AND claimed_by = ?`, [leaseMs, id, replica])).changes === 1;
  }

  /** Lets go of the job (this replica stops): another replica may claim it at once. */
  async release(id: string, replica: string): Promise<void> {
    await this.db.run('UPDATE jobs SET claimed_by = NULL, lease_until = NULL WHERE id = ? AND claimed_by = ?', [id, replica]);
  }

  /** Single-process SQLite: claims left by a previous run of this process are its own; resume at once. */
  async releaseAll(): Promise<void> {
    await this.db.run(`UPDATE jobs SET claimed_by = NULL, lease_until = NULL WHERE ${UNFINISHED}`);
  }

  /** The next batch still to do: items a crash left `sent` first, then `pending` ones. */
  nextBatch(id: string, size: number): Promise<JobItem[]> {
    return this.db.all<JobItem>(
      `SELECT idx, crm_id AS "crmId", state FROM job_items WHERE job_id = ? AND state IN ('sent', 'pending')
       ORDER BY CASE state WHEN 'sent' THEN 0 ELSE 1 END, idx LIMIT ?`,
      [id, size],
    );
  }

  /** Marks the items sent, only while `replica` holds the job's lease (else LeaseLost, and nothing changed). */
  async markSent(id: string, idxs: number[], replica?: string): Promise<void> {
    await this.db.tx(async (tx) => {
      const held = replica === undefined ? `` : ` AND claimed_by = ?`;
      const touched = await tx.run(`UPDATE jobs SET updated_at = ? WHERE id = ?${held}`, replica === undefined ? [nowIso(), id] : [nowIso(), id, replica]);
      if (touched.changes !== 1) throw new LeaseLost(id);
      for (let i = 0; i < idxs.length; i += 500) {
        const chunk = idxs.slice(i, i + 500);
        await tx.run(`UPDATE job_items SET state = 'sent' WHERE job_id = ? AND idx IN (${chunk.map(() => '?').join(', ')})`, [id, ...chunk]);
      }
    });
  }

  async saveResults(id: string, results: ItemResult[]): Promise<void> {
    await this.db.tx(async (tx) => {
      // Most of a batch shares one outcome (assigned): one statement per outcome, not per prospect.
      const groups = new Map<string, { state: string; code: string | null; message: string | null; idxs: number[] }>();
      for (const r of results) {
        const state = r.ok ? 'ok' : 'failed';
        const key = JSON.stringify([state, r.code, r.message]);
        const g = groups.get(key) ?? { state, code: r.code, message: r.message, idxs: [] };
        g.idxs.push(r.idx);
        groups.set(key, g);
      }
      for (const g of groups.values()) {
        for (let i = 0; i < g.idxs.length; i += 500) {
          const chunk = g.idxs.slice(i, i + 500);
          await tx.run(`UPDATE job_items SET state = ?, code = ?, message = ? WHERE job_id = ? AND idx IN (${chunk.map(() => '?').join(', ')})`, [
            g.state,
            g.code,
            g.message,
            id,
            ...chunk,
          ]);
        }
      }
      await tx.run(`UPDATE jobs SET updated_at = ? WHERE id = ?`, [nowIso(), id]);
    });
  }

  /** A finished job lets go of its lease. */
  async setStatus(id: string, status: JobStatus, error: string | null = null): Promise<void> {
    const finished = status === 'COMPLETED' || status === 'FAILED';
    await this.db.run(`UPDATE jobs SET status = ?, error = ?, updated_at = ?${finished ? ', claimed_by = NULL, lease_until = NULL' : ''} WHERE id = ?`, [
      status,
      error,
      nowIso(),
      id,
    ]);
  }

  /**
   * The API view of a job; undefined unless it belongs to `userId`. Without `results`, status and counts
   * only (counted in SQLite, no per-prospect rows read).
   */
  view(id: string, userId: number, opts: { results: false }): Promise<JobProgress | undefined>;
  view(id: string, userId: number, opts?: { results?: true }): Promise<Job | undefined>;
  view(id: string, userId: number, opts?: { results?: boolean }): Promise<Job | JobProgress | undefined>;
  async view(id: string, userId: number, opts: { results?: boolean } = {}): Promise<Job | JobProgress | undefined> {
    const row = await this.db.get<Pick<Job, 'id' | 'flowId' | 'status' | 'createdAt' | 'updatedAt' | 'error'>>(
      `SELECT id, flow_id AS "flowId", status, created_at AS "createdAt", updated_at AS "updatedAt", error
       FROM jobs WHERE id = ? AND user_id = ?`,
      [id, userId],
    );
    if (!row) return undefined;
    if (opts.results === false) {
      const c = (await this.db.get<{ total: number; succeeded: number; failed: number }>(
        `SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN state = 'ok' THEN 1 ELSE 0 END), 0) AS succeeded,
                COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0) AS failed
         FROM job_items WHERE job_id = ?`,
        [id],
      ))!;
      return { ...row, kind: 'assign', total: c.total, processed: c.succeeded + c.failed, succeeded: c.succeeded, failed: c.failed };
    }
    const items = await this.db.all<{ crmId: string; state: ItemState; code: string | null; message: string | null }>(
      `SELECT crm_id AS "crmId", state, code, message FROM job_items WHERE job_id = ? ORDER BY idx`,
      [id],
    );
    const done = items.filter((i) => i.state === 'ok' || i.state === 'failed');
    return {
      ...row,
      kind: 'assign',
      total: items.length,
      processed: done.length,
      succeeded: done.filter((i) => i.state === 'ok').length,
      failed: done.filter((i) => i.state === 'failed').length,
      results: done.map((i) => ({
        crmProspectId: i.crmId,
        ok: i.state === 'ok',
        code: i.code,
        message: i.message,
        coolOff: i.state === 'failed' && isCoolOffRefusal({ errorMessage: i.message, errorCode: i.code }),
      })),
    };
  }

  /** Every user's unfinished jobs and the most recent finished ones (admin console). */
  async adminList(recentLimit = 20): Promise<{ open: AdminJob[]; recent: AdminJob[] }> {
    const select = `SELECT j.id, u.email AS "userEmail", j.flow_id AS "flowId", j.status, j.created_at AS "createdAt", j.updated_at AS "updatedAt",
        (SELECT COUNT(*) FROM job_items i WHERE i.job_id = j.id) AS total,
        (SELECT COUNT(*) FROM job_items i WHERE i.job_id = j.id AND i.state IN ('ok', 'failed')) AS processed
      FROM jobs j JOIN users u ON u.id = j.user_id`;
    return {
      open: await this.db.all<AdminJob>(`${select} WHERE j.${UNFINISHED} ORDER BY j.created_at`),
      recent: await this.db.all<AdminJob>(`${select} WHERE j.status NOT IN ('PENDING', 'IN_PROGRESS') ORDER BY j.updated_at DESC LIMIT ?`, [recentLimit]),
    };
  }
}

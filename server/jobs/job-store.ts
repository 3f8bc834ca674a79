/**
 * Bulk-assignment jobs in SQLite: the job and one row per prospect. An item is `pending`, then
 * `sent` (its batch went to Gong), then `ok` / `failed`. A batch left `sent` by a crash is
 * reconciled against Gong on resume, so nothing is lost and nothing is assigned twice.
 */
import { randomBytes } from 'node:crypto';
import type { AdminJob, Job, JobProgress } from '../../lib/api';
import { isCoolOffRefusal } from '../../lib/gong-types';
import { nowIso, type Db } from '../store/db';

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

export class JobStore {
  constructor(private readonly db: Db) {}

  /** The rep's unfinished jobs and the prospect ids they still have to send. */
  load(userId: number): { openJobs: number; idsInFlight: number } {
    return this.db
      .prepare(
        `SELECT (SELECT COUNT(*) FROM jobs WHERE user_id = ? AND status IN ('PENDING', 'IN_PROGRESS')) AS openJobs,
                (SELECT COUNT(*) FROM job_items i JOIN jobs j ON j.id = i.job_id
                  WHERE j.user_id = ? AND j.status IN ('PENDING', 'IN_PROGRESS') AND i.state IN ('pending', 'sent')) AS idsInFlight`,
      )
      .get(userId, userId) as { openJobs: number; idsInFlight: number };
  }

  /** Stores a new job, unless it would take the rep over a limit (checked in the same transaction). */
  create(
    input: { userId: number; identifier: string; flowId: string; ownerEmail: string; coolOffOverride: boolean; crmIds: string[] },
    limits?: JobLimits,
  ): { jobId: string } | OverLimit {
    const id = `job_${randomBytes(12).toString('hex')}`;
    const now = nowIso();
    return this.db.transaction((): { jobId: string } | OverLimit => {
      if (limits) {
        const { openJobs, idsInFlight } = this.load(input.userId);
        if (openJobs + 1 > limits.maxOpenJobs) return { limit: 'open-jobs', current: openJobs, max: limits.maxOpenJobs };
        if (idsInFlight + input.crmIds.length > limits.maxIdsInFlight) return { limit: 'ids-in-flight', current: idsInFlight, max: limits.maxIdsInFlight };
      }
      this.db
        .prepare(
          `INSERT INTO jobs (id, user_id, identifier, kind, flow_id, owner_email, cool_off_override, status, created_at, updated_at)
           VALUES (?, ?, ?, 'assign', ?, ?, ?, 'PENDING', ?, ?)`,
        )
        .run(id, input.userId, input.identifier, input.flowId, input.ownerEmail, input.coolOffOverride ? 1 : 0, now, now);
      const item = this.db.prepare(`INSERT INTO job_items (job_id, idx, crm_id, state) VALUES (?, ?, ?, 'pending')`);
      input.crmIds.forEach((crmId, idx) => item.run(id, idx, crmId));
      return { jobId: id };
    })();
  }

  /** Deletes finished jobs (and their per-prospect results) last changed before `before`; returns how many. */
  deleteFinishedBefore(before: Date): number {
    const cutoff = before.toISOString();
    return this.db.transaction(() => {
      const finished = `SELECT id FROM jobs WHERE status IN ('COMPLETED', 'FAILED') AND updated_at < ?`;
      this.db.prepare(`DELETE FROM job_items WHERE job_id IN (${finished})`).run(cutoff);
      return this.db.prepare(`DELETE FROM jobs WHERE id IN (${finished})`).run(cutoff).changes;
    })();
  }

  record(id: string): JobRecord | undefined {
    const row = this.db
      .prepare(
        `SELECT id, user_id AS userId, identifier, flow_id AS flowId, owner_email AS ownerEmail,
                cool_off_override AS coolOffOverride, status, created_at AS createdAt FROM jobs WHERE id = ?`,
      )
      .get(id) as (Omit<JobRecord, 'coolOffOverride'> & { coolOffOverride: number }) | undefined;
    return row ? { ...row, coolOffOverride: row.coolOffOverride === 1 } : undefined;
  }

  unfinished(): string[] {
    return (this.db.prepare(`SELECT id FROM jobs WHERE status IN ('PENDING', 'IN_PROGRESS') ORDER BY created_at`).all() as { id: string }[]).map(
      (r) => r.id,
    );
  }

  /** The next batch still to do: items a crash left `sent` first, then `pending` ones. */
  nextBatch(id: string, size: number): JobItem[] {
    return this.db
      .prepare(
        `SELECT idx, crm_id AS crmId, state FROM job_items WHERE job_id = ? AND state IN ('sent', 'pending')
         ORDER BY CASE state WHEN 'sent' THEN 0 ELSE 1 END, idx LIMIT ?`,
      )
      .all(id, size) as JobItem[];
  }

  markSent(id: string, idxs: number[]): void {
    const stmt = this.db.prepare(`UPDATE job_items SET state = 'sent' WHERE job_id = ? AND idx = ?`);
    this.db.transaction(() => {
      for (const idx of idxs) stmt.run(id, idx);
      this.touch(id);
    })();
  }

  saveResults(id: string, results: ItemResult[]): void {
    const stmt = this.db.prepare(`UPDATE job_items SET state = ?, code = ?, message = ? WHERE job_id = ? AND idx = ?`);
    this.db.transaction(() => {
      for (const r of results) stmt.run(r.ok ? 'ok' : 'failed', r.code, r.message, id, r.idx);
      this.touch(id);
    })();
  }

  setStatus(id: string, status: JobStatus, error: string | null = null): void {
    this.db.prepare(`UPDATE jobs SET status = ?, error = ?, updated_at = ? WHERE id = ?`).run(status, error, nowIso(), id);
  }

  private touch(id: string): void {
    this.db.prepare(`UPDATE jobs SET updated_at = ? WHERE id = ?`).run(nowIso(), id);
  }

  /**
   * The API view of a job; undefined unless it belongs to `userId`. Without `results`, status and counts
   * only (counted in SQLite, no per-prospect rows read).
   */
  view(id: string, userId: number, opts: { results: false }): JobProgress | undefined;
  view(id: string, userId: number, opts?: { results?: true }): Job | undefined;
  view(id: string, userId: number, opts?: { results?: boolean }): Job | JobProgress | undefined;
  view(id: string, userId: number, opts: { results?: boolean } = {}): Job | JobProgress | undefined {
    const row = this.db
      .prepare(
        `SELECT id, flow_id AS flowId, status, created_at AS createdAt, updated_at AS updatedAt, error
         FROM jobs WHERE id = ? AND user_id = ?`,
      )
      .get(id, userId) as Pick<Job, 'id' | 'flowId' | 'status' | 'createdAt' | 'updatedAt' | 'error'> | undefined;
    if (!row) return undefined;
    if (opts.results === false) {
      const c = this.db
        .prepare(
          `SELECT COUNT(*) AS total, COALESCE(SUM(state = 'ok'), 0) AS succeeded, COALESCE(SUM(state = 'failed'), 0) AS failed
           FROM job_items WHERE job_id = ?`,
        )
        .get(id) as { total: number; succeeded: number; failed: number };
      return { ...row, kind: 'assign', total: c.total, processed: c.succeeded + c.failed, succeeded: c.succeeded, failed: c.failed };
    }
    const items = this.db
      .prepare(`SELECT crm_id AS crmId, state, code, message FROM job_items WHERE job_id = ? ORDER BY idx`)
      .all(id) as { crmId: string; state: ItemState; code: string | null; message: string | null }[];
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
  adminList(recentLimit = 20): { open: AdminJob[]; recent: AdminJob[] } {
    const select = `SELECT j.id, u.email AS userEmail, j.flow_id AS flowId, j.status, j.created_at AS createdAt, j.updated_at AS updatedAt,
        (SELECT COUNT(*) FROM job_items i WHERE i.job_id = j.id) AS total,
        (SELECT COUNT(*) FROM job_items i WHERE i.job_id = j.id AND i.state IN ('ok', 'failed')) AS processed
      FROM jobs j JOIN users u ON u.id = j.user_id`;
    return {
      open: this.db.prepare(`${select} WHERE j.status IN ('PENDING', 'IN_PROGRESS') ORDER BY j.created_at`).all() as AdminJob[],
      recent: this.db.prepare(`${select} WHERE j.status NOT IN ('PENDING', 'IN_PROGRESS') ORDER BY j.updated_at DESC LIMIT ?`).all(recentLimit) as AdminJob[],
    };
  }
}

/**
 * Runs bulk-assignment jobs: 200 prospects per Gong assign call (Gong's cap), results saved after
 * every batch. Started jobs resume when the backend starts again. A batch that was sent but whose
 * answer was lost (crash, dropped connection) is first checked against Gong's view of the flow.
 */
import type { FastifyBaseLogger } from 'fastify';
import { GONG_MAX_PROSPECTS_PER_CALL } from '../../lib/gong-tools';
import { classifyGongError } from '../gong/failure';
import { GongSession, type SessionDeps } from '../gong/session';
import { sleep } from '../gong/retry';
import type { UserStore } from '../store/users';
import { assignBatch } from '../services/assign';
import { prospectFlowInstances } from '../services/flows';
import type { ItemResult, JobItem, JobRecord, JobStore } from './job-store';

export interface JobRunnerOptions {
  batchSize: number;
  /** Pause before retrying a batch Gong could not take (after the gateway's own retries). */
  batchRetryMs: number;
  maxBatchAttempts: number;
}

export const defaultJobRunnerOptions: JobRunnerOptions = {
  batchSize: GONG_MAX_PROSPECTS_PER_CALL,
  batchRetryMs: 2_000,
  maxBatchAttempts: 8,
};

export class JobRunner {
  private readonly running = new Map<string, Promise<void>>();
  private readonly stop = new AbortController();
  private readonly opts: JobRunnerOptions;

  constructor(
    private readonly store: JobStore,
    private readonly users: UserStore,
    private readonly deps: SessionDeps,
    private readonly log: FastifyBaseLogger,
    opts: Partial<JobRunnerOptions> = {},
  ) {
    this.opts = { ...defaultJobRunnerOptions, ...opts };
  }

  /** Resumes every job a previous run left unfinished. */
  resumeAll(): void {
    for (const id of this.store.unfinished()) this.start(id);
  }

  start(id: string): void {
    if (this.running.has(id) || this.stop.signal.aborted) return;
    const run = this.run(id)
      .catch((err) => this.log.error({ err, jobId: id }, 'job crashed'))
      .finally(() => this.running.delete(id));
    this.running.set(id, run);
  }

  /** Stops taking new batches and waits for the batches in flight to be saved. */
  async close(): Promise<void> {
    this.stop.abort(new Error('backend stopping'));
    await Promise.allSettled([...this.running.values()]);
  }

  /** For tests: resolves when the job is no longer running in this process. */
  async settled(id: string): Promise<void> {
    await this.running.get(id);
  }

  private async run(id: string): Promise<void> {
    const job = this.store.record(id);
    if (!job) return;
    const user = this.users.list().find((u) => u.id === job.userId);
    const log = this.log.child({ jobId: id, user: user?.email });
    if (!user || user.revokedAt) {
      this.store.setStatus(id, 'FAILED', 'The user who started this job no longer has access');
      return;
    }
    const session = new GongSession(this.deps, user, log, `job:${id}`, null, this.stop.signal);
    this.store.setStatus(id, 'IN_PROGRESS');
    log.info({ flowId: job.flowId }, 'job running');
    let attempts = 0;
    for (;;) {
      if (this.stop.signal.aborted) return;
      const batch = this.store.nextBatch(id, this.opts.batchSize);
      if (!batch.length) break;
      try {
        await this.runBatch(session, job, batch);
        attempts = 0;
      } catch (err) {
        if (this.stop.signal.aborted) return;
        const failure = classifyGongError(err);
        attempts++;
        if (!failure.retryable || attempts >= this.opts.maxBatchAttempts) {
          // Gong will not take the rest (flow gone, connection lost): say so per prospect, and stop.
          const rest = this.remaining(id);
          this.store.saveResults(id, rest.map((i) => ({ idx: i.idx, ok: false, code: failure.kind, message: failure.message })));
          this.store.setStatus(id, 'FAILED', failure.message);
          log.warn({ failure: failure.kind }, 'job failed');
          return;
        }
        log.warn({ failure: failure.kind, attempts }, 'job batch will be retried');
        await sleep(this.opts.batchRetryMs * attempts, this.stop.signal).catch(() => undefined);
      }
    }
    this.store.setStatus(id, 'COMPLETED');
    log.info('job completed');
  }

  private remaining(id: string): JobItem[] {
    return this.store.nextBatch(id, Number.MAX_SAFE_INTEGER);
  }

  /** Prospects of `crmIds` that Gong shows in the job's flow with an instance created since the job began. */
  private async alreadyInFlow(session: GongSession, job: JobRecord, crmIds: string[]): Promise<Set<string>> {
    const inFlow = await prospectFlowInstances(session, crmIds, true);
    const since = Date.parse(job.createdAt) - 1000;
    return new Set(
      inFlow
        .filter((f) => f.flowId === job.flowId && (!f.assignedAt || Date.parse(f.assignedAt) >= since))
        .map((f) => f.crmProspectId.toLowerCase()),
    );
  }

  private async runBatch(session: GongSession, job: JobRecord, batch: JobItem[]): Promise<void> {
    // Items already sent once had their answer lost (crash, dropped connection): Gong may have done them.
    const uncertain = new Set(batch.filter((i) => i.state === 'sent').map((i) => i.idx));
    let toSend = batch;
    if (uncertain.size) {
      const done = await this.alreadyInFlow(session, job, batch.filter((i) => uncertain.has(i.idx)).map((i) => i.crmId));
      const reconciled = batch.filter((i) => uncertain.has(i.idx) && done.has(i.crmId.toLowerCase()));
      if (reconciled.length) this.store.saveResults(job.id, reconciled.map((i) => ({ idx: i.idx, ok: true, code: null, message: null })));
      toSend = batch.filter((i) => !reconciled.includes(i));
      if (!toSend.length) return;
    }
    this.store.markSent(job.id, toSend.map((i) => i.idx));
    const result = await assignBatch(
      session,
      job.flowId,
      toSend.map((i) => i.crmId),
      { ownerEmail: job.ownerEmail, coolOffOverride: job.coolOffOverride },
    );
    const assigned = new Set(result.assigned.map((a) => a.crmProspectId.toLowerCase()));
    const refused = new Map(result.notAssigned.map((r) => [r.crmProspectId.toLowerCase(), r]));
    // A lost first attempt may still have landed at Gong after we checked: then the resend is refused
    // as "already assigned", and the prospect is in fact done.
    const lateRefusals = toSend.filter((i) => uncertain.has(i.idx) && refused.get(i.crmId.toLowerCase())?.code === 'InvalidState');
    const landedLate = lateRefusals.length ? await this.alreadyInFlow(session, job, lateRefusals.map((i) => i.crmId)) : new Set<string>();
    this.store.saveResults(
      job.id,
      toSend.map((i): ItemResult => {
        const key = i.crmId.toLowerCase();
        if (assigned.has(key) || landedLate.has(key)) return { idx: i.idx, ok: true, code: null, message: null };
        const r = refused.get(key);
        if (r) return { idx: i.idx, ok: false, code: r.code, message: r.message };
        return { idx: i.idx, ok: false, code: 'UnexpectedError', message: 'Gong did not report on this prospect' };
      }),
    );
  }
}

/**
 * Runs bulk-assignment jobs: 100 prospects per Gong assign call (Gong's cap), results saved after
 * every batch. Started jobs resume when the backend starts again. A batch that was sent but whose
 * answer was lost (crash, dropped connection) is first checked against Gong's view of the flow.
 */
import type { FastifyBaseLogger } from 'fastify';
import { GONG_ASSIGN_PROSPECTS_PER_CALL } from '../../lib/gong-tools';
import { classifyGongError } from '../gong/failure';
import { GongSession, type SessionDeps } from '../gong/session';
import { sleep } from '../gong/retry';
import type { UserStore } from '../store/users';
import { assignProspects } from '../services/assign';
import { prospectFlowInstances } from '../services/flows';
import type { ItemResult, JobItem, JobRecord, JobStore } from './job-store';

export interface JobRunnerOptions {
  batchSize: number;
  /** Pause before retrying a batch Gong could not take (after the gateway's own retries). */
  batchRetryMs: number;
  maxBatchAttempts: number;
  /** Batches in flight at once for one job (the limiter still lets only 3 calls/s reach Gong). */
  concurrency: number;
  /** Pause between one worker's first answer and the next worker's first batch. */
  staggerMs: number;
}

export const defaultJobRunnerOptions: JobRunnerOptions = {
  batchSize: GONG_ASSIGN_PROSPECTS_PER_CALL,
  batchRetryMs: 2_000,
  maxBatchAttempts: 8,
  concurrency: 3,
  staggerMs: 300,
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
    // Every unfinished item, those sent before a restart first; cut into Gong-sized batches that up to
    // `concurrency` workers send side by side (the gateway's limiter paces them at Gong's 3/s).
    const items = this.remaining(id);
    const queue: JobItem[][] = [];
    for (let i = 0; i < items.length; i += this.opts.batchSize) queue.push(items.slice(i, i + this.opts.batchSize));
    let failure: { kind: string; message: string } | null = null;
    // Worker n starts once worker n-1's first batch is back, plus a pause: their calls then reach the
    // (in-process) sandbox and the CPU one at a time instead of together, so each slot of the limiter —
    // held until a second after its call *finished* — comes back sooner.
    const firstDone: Promise<void>[] = [];
    const worker = async (n: number, signalFirst: () => void) => {
      if (n > 0) {
        await firstDone[n - 1];
        await sleep(this.opts.staggerMs, this.stop.signal).catch(() => undefined);
      }
      let signalled = false;
      const first = () => {
        if (!signalled) signalFirst();
        signalled = true;
      };
      try {
        await work(first);
      } finally {
        first();
      }
    };
    const work = async (first: () => void) => {
      let attempts = 0;
      for (;;) {
        if (this.stop.signal.aborted || failure) return;
        const batch = queue.shift();
        if (!batch) return;
        for (;;) {
          try {
            await this.runBatch(session, job, batch);
            first();
            attempts = 0;
            break;
          } catch (err) {
            if (this.stop.signal.aborted) return;
            const f = classifyGongError(err);
            attempts++;
            if (!f.retryable || attempts >= this.opts.maxBatchAttempts) {
              failure ??= { kind: f.kind, message: f.message };
              return;
            }
            log.warn({ failure: f.kind, attempts }, 'job batch will be retried');
            await sleep(this.opts.batchRetryMs * attempts, this.stop.signal).catch(() => undefined);
            if (failure) return;
          }
        }
      }
    };
    const workers = Math.max(1, Math.min(this.opts.concurrency, queue.length));
    const signals: (() => void)[] = [];
    for (let n = 0; n < workers; n++) firstDone.push(new Promise<void>((r) => signals.push(r)));
    await Promise.all(signals.map((signal, n) => worker(n, signal)));
    if (this.stop.signal.aborted) return;
    if (failure) {
      const { kind, message } = failure;
      // Gong will not take the rest (flow gone, connection lost): say so per prospect, and stop.
      const rest = this.remaining(id);
      this.store.saveResults(id, rest.map((i) => ({ idx: i.idx, ok: false, code: kind, message })));
      this.store.setStatus(id, 'FAILED', message);
      log.warn({ failure: kind }, 'job failed');
      return;
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
    // If this attempt fails, the retry must first ask Gong whether these landed.
    for (const i of toSend) i.state = 'sent';
    const result = await assignProspects(
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

/**
 * Runs bulk-assignment jobs: 100 prospects per Gong assign call (Gong's cap), results saved after
 * every batch. A job runs on the replica that claimed it (job-store.ts leases): the one that took the
 * request, else whichever replica finds it unclaimed or its holder's lease run out (that replica died, or
 * this backend restarted). A batch that was sent but whose answer was lost (crash, dropped connection) is
 * first checked against Gong's view of the flow.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import { GONG_ASSIGN_PROSPECTS_PER_CALL } from '../../lib/gong-tools';
import { classifyGongError } from '../gong/failure';
import { GongSession, type SessionDeps } from '../gong/session';
import { sleep } from '../gong/retry';
import type { UserStore } from '../store/users';
import { assignProspects } from '../services/assign';
import { prospectFlowInstances } from '../services/flows';
import { LeaseLost, type ItemResult, type JobItem, type JobRecord, type JobStore } from './job-store';

export interface JobRunnerOptions {
  batchSize: number;
  /** Pause before retrying a batch Gong could not take (after the gateway's own retries). */
  batchRetryMs: number;
  maxBatchAttempts: number;
  /** Batches in flight at once for one job (the limiter still lets only 3 calls/s reach Gong). */
  concurrency: number;
  /** Pause between one worker's first answer and the next worker's first batch. */
  staggerMs: number;
  /** How long a claim on a job lasts unless renewed (renewed every third of it while the job runs). */
  leaseMs: number;
  /** How often a replica looks for jobs nobody runs (new on another replica that could not start them, or orphaned). */
  claimEveryMs: number;
  /** Jobs one replica runs at once (they share the company's Gong rate with every other replica's). */
  maxRunningJobs: number;
}

export const defaultJobRunnerOptions: JobRunnerOptions = {
  batchSize: GONG_ASSIGN_PROSPECTS_PER_CALL,
  batchRetryMs: 2_000,
  maxBatchAttempts: 8,
  concurrency: 3,
  staggerMs: 300,
  leaseMs: 10_000,
  claimEveryMs: 2_000,
  maxRunningJobs: 3,
};

/** This process among the replicas (host, pid and a random part: a restarted process is a new replica). */
export const replicaId = () => `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

export class JobRunner {
  private readonly running = new Map<string, Promise<void>>();
  private readonly stop = new AbortController();
  private readonly opts: JobRunnerOptions;
  private claimTimer: NodeJS.Timeout | null = null;
  private claiming = false;

  constructor(
    private readonly store: JobStore,
    private readonly users: UserStore,
    private readonly deps: SessionDeps,
    private readonly log: FastifyBaseLogger,
    opts: Partial<JobRunnerOptions> = {},
    readonly replica = replicaId(),
  ) {
    this.opts = { ...defaultJobRunnerOptions, ...opts };
  }

  /**
   * Runs unfinished jobs nobody holds now and every `claimEveryMs` after (orphans of a dead replica once their
   * lease ran out).
   */
  startClaiming(): void {
    void this.claimOrphans();
    this.claimTimer = setInterval(() => void this.claimOrphans(), this.opts.claimEveryMs);
    this.claimTimer.unref();
  }

  private async claimOrphans(): Promise<void> {
    if (this.claiming || this.stop.signal.aborted) return;
    this.claiming = true;
    try {
      while (this.running.size < this.opts.maxRunningJobs && !this.stop.signal.aborted) {
        const id = await this.store.claimNext(this.replica, this.opts.leaseMs);
        if (!id) break;
        this.log.info({ jobId: id, replica: this.replica }, 'job claimed');
        this.launch(id);
      }
    } catch (err) {
      this.log.warn({ err }, 'could not look for jobs to claim');
    } finally {
      this.claiming = false;
    }
  }

  /** Runs a job just created here, if this replica has room (else a replica with room claims it soon). */
  async start(id: string): Promise<void> {
    if (this.running.has(id) || this.stop.signal.aborted || this.running.size >= this.opts.maxRunningJobs) return;
    if (await this.store.claim(id, this.replica, this.opts.leaseMs)) this.launch(id);
  }

  private launch(id: string): void {
    if (this.running.has(id)) return;
    const run = this.runClaimed(id)
      .catch((err) => this.log.error({ err, jobId: id }, 'job crashed'))
      .finally(() => {
        this.running.delete(id);
        // Room for another: look at once rather than at the next tick.
        if (!this.stop.signal.aborted) void this.claimOrphans();
      });
    this.running.set(id, run);
  }

  /** Runs a job this replica holds, renewing the lease; stops when the lease is lost or the backend stops. */
  private async runClaimed(id: string): Promise<void> {
    const lost = new AbortController();
    const stopped = () => lost.abort(this.stop.signal.reason);
    this.stop.signal.addEventListener('abort', stopped, { once: true });
    const renew = setInterval(() => {
      this.store
        .renew(id, this.replica, this.opts.leaseMs)
        .then((held) => {
          if (!held) lost.abort(new LeaseLost(id));
        })
        .catch((err) => this.log.warn({ err, jobId: id }, 'could not renew the job lease'));
    }, Math.max(100, Math.floor(this.opts.leaseMs / 3)));
    renew.unref();
    try {
      await this.run(id, lost.signal);
    } catch (err) {
      if (!(err instanceof LeaseLost)) throw err;
      this.log.warn({ jobId: id }, 'job lease lost: another replica runs it now');
    } finally {
      clearInterval(renew);
      this.stop.signal.removeEventListener('abort', stopped);
      // Stopping (or a failure) mid-job: let another replica take it at once instead of after the lease.
      if (!lost.signal.aborted || this.stop.signal.aborted) await this.store.release(id, this.replica).catch(() => undefined);
    }
  }

  /** Stops taking new batches and waits for the batches in flight to be saved. */
  async close(): Promise<void> {
    if (this.claimTimer) clearInterval(this.claimTimer);
    this.stop.abort(new Error('backend stopping'));
    await Promise.allSettled([...this.running.values()]);
  }

  /** For tests: resolves when the job is no longer running in this process. */
  async settled(id: string): Promise<void> {
    await this.running.get(id);
  }

  private async run(id: string, signal: AbortSignal): Promise<void> {
    const job = await this.store.record(id);
    if (!job) return;
    const user = await this.users.byId(job.userId);
    const log = this.log.child({ jobId: id, user: user?.email });
    if (!user || user.revokedAt) {
      await this.store.setStatus(id, 'FAILED', 'The user who started this job no longer has access');
      return;
    }
    const session = new GongSession(this.deps, user, log, `job:${id}`, null, signal);
    await this.store.setStatus(id, 'IN_PROGRESS');
    log.info({ flowId: job.flowId }, 'job running');
    // Every unfinished item, those sent before a restart first; cut into Gong-sized batches that up to
    // `concurrency` workers send side by side (the gateway's limiter paces them at Gong's 3/s).
    const items = await this.remaining(id);
    const queue: JobItem[][] = [];
    for (let i = 0; i < items.length; i += this.opts.batchSize) queue.push(items.slice(i, i + this.opts.batchSize));
    let failure: { kind: string; message: string } | null = null;
    let lostLease: LeaseLost | null = null;
    // Worker n starts once worker n-1's first batch is back, plus a pause: their calls then reach the
    // (in-process) sandbox and the CPU one at a time instead of together, so each slot of the limiter —
    // held until a second after its call *finished* — comes back sooner.
    const firstDone: Promise<void>[] = [];
    const worker = async (n: number, signalFirst: () => void) => {
      if (n > 0) {
        await firstDone[n - 1];
        await sleep(this.opts.staggerMs, signal).catch(() => undefined);
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
        if (signal.aborted || failure) return;
        const batch = queue.shift();
        if (!batch) return;
        for (;;) {
          try {
            await this.runBatch(session, job, batch);
            first();
            attempts = 0;
            break;
          } catch (err) {
            if (signal.aborted) return;
            if (err instanceof LeaseLost) {
              lostLease = err;
              return;
            }
            const f = classifyGongError(err);
            attempts++;
            if (!f.retryable || attempts >= this.opts.maxBatchAttempts) {
              failure ??= { kind: f.kind, message: f.message };
              return;
            }
            log.warn({ failure: f.kind, attempts }, 'job batch will be retried');
            await sleep(this.opts.batchRetryMs * attempts, signal).catch(() => undefined);
            if (failure) return;
          }
        }
      }
    };
    const workers = Math.max(1, Math.min(this.opts.concurrency, queue.length));
    const signals: (() => void)[] = [];
    for (let n = 0; n < workers; n++) firstDone.push(new Promise<void>((r) => signals.push(r)));
    await Promise.all(signals.map((done, n) => worker(n, done)));
    if (lostLease) throw lostLease;
    if (signal.aborted) {
      if (signal.reason instanceof LeaseLost) throw signal.reason;
      return;
    }
    if (failure) {
      const { kind, message } = failure;
      // Gong will not take the rest (flow gone, connection lost): say so per prospect, and stop.
      const rest = await this.remaining(id);
      await this.store.saveResults(id, rest.map((i) => ({ idx: i.idx, ok: false, code: kind, message })));
      await this.store.setStatus(id, 'FAILED', message);
      log.warn({ failure: kind }, 'job failed');
      return;
    }
    await this.store.setStatus(id, 'COMPLETED');
    log.info('job completed');
  }

  private remaining(id: string): Promise<JobItem[]> {
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
      if (reconciled.length) await this.store.saveResults(job.id, reconciled.map((i) => ({ idx: i.idx, ok: true, code: null, message: null })));
      toSend = batch.filter((i) => !reconciled.includes(i));
      if (!toSend.length) return;
    }
    // Only while this replica still holds the job: else another replica runs it, and this one stops here.
    await this.store.markSent(job.id, toSend.map((i) => i.idx), this.replica);
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
    await this.store.saveResults(
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

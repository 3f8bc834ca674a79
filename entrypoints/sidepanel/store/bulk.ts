/**
 * Bulk slice: every prospect collected from a list view, added to one flow. Up to 200 are answered at once;
 * more run as a backend job, polled by its progress (counts only) until it ends, then read once in full.
 */
import type { Job, JobProgress } from '../../../lib/api';
import type { CrmRecord } from '../../../lib/crm-record';
import type { OutboxEntry, OutboxWrite } from '../../../lib/outbox';
import type { PanelIntent } from '../../../lib/storage';
import { explainRefusal } from '../../../components/format';
import { errorMessage } from './connection';
import type { GetState, Runtime, SetState } from './runtime';
import { describeWrite, isAssignResult, isJobAccepted, type WritesSlice } from './writes';

export interface BulkResult {
  crmProspectId: string;
  ok: boolean;
  message: string | null;
  /** Refused for the cool-off period: "Assign anyway" can re-send it with the override. */
  coolOff?: boolean;
}

export interface BulkState {
  /** This view's number: writes and job polls of an earlier view (closed, or another list's) never land here. */
  run: number;
  records: CrmRecord[];
  /** Names shown on the list page, by record id. */
  names: Record<string, string>;
  source: { url: string; title?: string } | null;
  phase: 'choose' | 'sending' | 'queued' | 'running' | 'done' | 'error';
  flowId: string | null;
  flowName: string | null;
  ownerEmail: string | null;
  entryId: string | null;
  /** The running job's status and counts (per-prospect outcomes are in `results`). */
  job: JobProgress | null;
  /** Per-prospect outcome (from the job or from a direct answer). */
  results: BulkResult[];
  /** Outcomes of earlier runs (before an "Assign anyway" re-send), merged under the current run's. */
  baseResults: BulkResult[];
  /** The current run re-sends cool-off refusals with the override. */
  override: boolean;
  error: string | null;
}

export interface BulkSlice {
  view: 'record' | 'bulk';
  bulk: BulkState | null;
  openBulk(intent: PanelIntent): void;
  bulkAssign(flow: { id: string; name: string }, opts?: { ownerEmail?: string; coolOffOverride?: boolean }): Promise<void>;
  /** Re-sends just the prospects refused for cool-off, with the override (through the outbox). */
  bulkAssignAnyway(opts?: { ownerEmail?: string }): Promise<void>;
  /** A bulk write's outcome (from the writes slice's `applyWrite`), shown if view `run` is still open: whether it was. */
  bulkLanded(entry: OutboxEntry, run: number): boolean;
  closeBulk(): void;
}

/** What this slice asks of the others. */
interface Needs extends Pick<WritesSlice, 'send' | 'notify'> {
  loadCatalog(opts?: { force?: boolean }): Promise<void>;
  sawBackend(ok: boolean): void;
  sawError(e: unknown): void;
}

/** Bulk outcomes: the newest run's result for a prospect replaces the earlier one. */
export function mergeBulkResults(base: BulkResult[], next: BulkResult[]): BulkResult[] {
  if (!base.length) return next;
  const byId = new Map(next.map((r) => [r.crmProspectId, r]));
  const merged = base.map((r) => byId.get(r.crmProspectId) ?? r);
  const seen = new Set(base.map((r) => r.crmProspectId));
  return [...merged, ...next.filter((r) => !seen.has(r.crmProspectId))];
}

/** Prospects refused only because of the cool-off period (an override can assign them). */
export function coolOffIds(results: BulkResult[]): string[] {
  return results.filter((r) => !r.ok && r.coolOff).map((r) => r.crmProspectId);
}

/** A finished job's per-prospect outcomes. */
export function jobResults(job: Job): BulkResult[] {
  return job.results.map((r) => ({
    crmProspectId: r.crmProspectId,
    ok: r.ok,
    coolOff: r.coolOff,
    message: r.ok ? null : explainRefusal({ code: r.code ?? '', message: r.message ?? '', coolOff: r.coolOff }, { short: true }),
  }));
}

export function createBulkSlice(rt: Runtime, set: SetState<BulkSlice & Needs>, get: GetState<BulkSlice & Needs>): BulkSlice {
  const patch = (p: Partial<BulkState>) => {
    const b = get().bulk;
    if (b) set({ bulk: { ...b, ...p } });
  };
  /** Views opened so far (the current one's `run`). */
  let runs = 0;

  async function pollJob(jobId: string, run: number) {
    const client = rt.deps.getClient();
    if (!client) return;
    const current = () => get().bulk?.run === run;
    // Patches only while its view is on screen: a view closed or replaced meanwhile stops the polling.
    const patchRun = (p: Partial<BulkState>) => current() && patch(p);
    let failures = 0;
    while (!rt.disposed && current()) {
      try {
        const job = await client.jobProgress(jobId);
        get().sawBackend(true);
        failures = 0;
        if (job.status === 'COMPLETED' || job.status === 'FAILED') {
          const full = await client.job(jobId);
          const base = get().bulk?.baseResults ?? [];
          const failed = full.status === 'FAILED' && !full.succeeded;
          return void patchRun({ job: full, results: mergeBulkResults(base, jobResults(full)), phase: failed ? 'error' : 'done', error: full.error });
        }
        patchRun({ job, phase: 'running', error: job.error });
      } catch (e) {
        get().sawError(e);
        if (++failures > 20) return void patchRun({ phase: 'error', error: errorMessage(e) });
      }
      await rt.wait(rt.pollMs);
    }
  }

  async function send(write: Extract<OutboxWrite, { kind: 'assign' }>) {
    const run = get().bulk!.run;
    await get().send(write, { bulkRun: run }, (error) => {
      if (get().bulk?.run === run) patch({ phase: 'error', error });
      // Its view was closed meanwhile: a notice says it was not sent.
      else get().notify('error', `${describeWrite(write)} failed. ${error}`);
    });
  }

  return {
    view: 'record',
    bulk: null,

    openBulk(intent) {
      const bulk: BulkState = {
        run: ++runs,
        records: intent.records ?? [],
        names: intent.names ?? {},
        source: intent.source ?? null,
        phase: 'choose',
        flowId: null,
        flowName: null,
        ownerEmail: null,
        entryId: null,
        job: null,
        results: [],
        baseResults: [],
        override: false,
        error: null,
      };
      set({ view: 'bulk', bulk });
      void get().loadCatalog();
    },

    async bulkAssign(flow, opts = {}) {
      const bulk = get().bulk;
      if (!bulk) return;
      patch({ phase: 'sending', flowId: flow.id, flowName: flow.name, ownerEmail: opts.ownerEmail ?? null, error: null, results: [], baseResults: [], override: !!opts.coolOffOverride, job: null });
      await send({
        kind: 'assign',
        flowId: flow.id,
        flowName: flow.name,
        crmProspectIds: [...new Set(bulk.records.map((r) => r.id))],
        ...(opts.coolOffOverride ? { coolOffOverride: true } : {}),
        ...(opts.ownerEmail ? { flowInstanceOwnerEmail: opts.ownerEmail } : {}),
      });
    },

    async bulkAssignAnyway(opts = {}) {
      const bulk = get().bulk;
      if (!bulk || !bulk.flowId || (bulk.phase !== 'done' && bulk.phase !== 'error')) return;
      const ids = coolOffIds(bulk.results);
      if (!ids.length) return;
      const ownerEmail = opts.ownerEmail ?? bulk.ownerEmail;
      patch({ phase: 'sending', override: true, baseResults: bulk.results, job: null, error: null });
      await send({
        kind: 'assign',
        flowId: bulk.flowId,
        flowName: bulk.flowName ?? '',
        crmProspectIds: ids,
        coolOffOverride: true,
        ...(ownerEmail ? { flowInstanceOwnerEmail: ownerEmail } : {}),
      });
    },

    bulkLanded(entry, run) {
      const bulk = get().bulk;
      if (bulk?.run !== run) return false;
      if (entry.status === 'failed') {
        patch({ phase: 'error', error: entry.lastError?.message ?? 'Gong refused the request.' });
        return true;
      }
      if (entry.status !== 'done') {
        patch({ phase: 'queued', entryId: entry.id });
        return true;
      }
      const r = entry.result;
      if (isJobAccepted(r)) {
        patch({ phase: 'running', entryId: entry.id });
        void pollJob(r.jobId, bulk.run);
      } else if (isAssignResult(r)) {
        const results = mergeBulkResults(bulk.baseResults, [
          ...r.assigned.map((a) => ({ crmProspectId: a.crmProspectId, ok: true, message: null })),
          ...r.notAssigned.map((n) => ({ crmProspectId: n.crmProspectId, ok: false, coolOff: n.coolOff, message: explainRefusal(n, { short: true }) })),
        ]);
        patch({ phase: 'done', results });
      } else patch({ phase: 'done' });
      return true;
    },

    closeBulk() {
      set({ view: 'record', bulk: null });
    },
  };
}

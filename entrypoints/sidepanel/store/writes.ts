/**
 * Writes slice: assign, unassign and report an interaction for the record on screen, through the background's
 * outbox. The outbox's storage watcher (`setOutbox`) is the one way an outcome comes back: `applyWrite` puts it
 * on the record the write was made for, once, whichever record is on screen.
 */
import type { AssignResult, ProspectFlow, UnassignResult } from '../../../lib/api';
import { recordKey, type CrmRecord } from '../../../lib/crm-record';
import type { OutboxEntry, OutboxWrite } from '../../../lib/outbox';
import { explainFailure, explainRefusal, isActiveFlowStatus } from '../../../components/format';
import { IDLE_WRITE, type WriteState } from '../../../components/write-state';
import { errorMessage } from './connection';
import { subjectKey, subjectOf, subjectPerson, type RecordSlice } from './record';
import type { GetState, Load, Runtime, SetState } from './runtime';

export interface Notice {
  id: string;
  tone: 'success' | 'error' | 'info' | 'warning';
  text: string;
}

/** What a write was made for: a record (its outcome shows there), or one bulk view (its `run`). */
export type WriteTarget = { key: string; prospectId: string } | { bulkRun: number };

export interface WritesSlice {
  pickerOpen: boolean;
  assign: WriteState;
  /** Unassign state per flowId. */
  unassign: Record<string, WriteState>;
  interaction: WriteState;
  /** The background's outbox as last seen in storage. */
  outbox: OutboxEntry[];
  notices: Notice[];
  openPicker(open: boolean): void;
  assignFlow(flow: { id: string; name: string }, opts?: { coolOffOverride?: boolean; ownerEmail?: string }): Promise<void>;
  unassignFlow(pf: ProspectFlow): Promise<void>;
  resetUnassign(flowId: string): void;
  reportInteraction(input: { eventName: string; eventTimestamp: string; url?: string }): Promise<void>;
  resetInteraction(): void;
  /** Queues a write; `onError` runs when the background could not take it. */
  send(write: OutboxWrite, target: WriteTarget, onError: (message: string) => void): Promise<void>;
  /** The outbox changed in storage: the one way writes' outcomes reach the store. */
  setOutbox(entries: OutboxEntry[]): void;
  retryPending(): void;
  resetWrites(keepPicker: boolean): void;
  notify(tone: Notice['tone'], text: string): void;
  dismissNotice(id: string): void;
}

/** What this slice asks of the others. */
interface Needs extends Pick<RecordSlice, 'page' | 'linkRecord' | 'flows' | 'loadFlows' | 'loadCatalog' | 'supersedeFlowsRead'> {
  loadConnection(): Promise<void>;
  sawBackend(ok: boolean): void;
  bulkLanded(entry: OutboxEntry, run: number): boolean;
}

export function pendingEntries(entries: OutboxEntry[]): OutboxEntry[] {
  return entries.filter((e) => e.status === 'pending' || e.status === 'sending');
}

/** A pending (outbox) assign shown as a row in the flows list until it lands. */
export interface PendingFlowAdd {
  entryId: string;
  flowId: string;
  flowName: string;
  ownerEmail: string | null;
  createdAt: number;
}

/** Writes still waiting in the outbox for this prospect: flows being added, and flow ids being removed. */
export function pendingFlowChanges(entries: OutboxEntry[], prospectId: string | null | undefined): { adds: PendingFlowAdd[]; removing: Set<string> } {
  const adds: PendingFlowAdd[] = [];
  const removing = new Set<string>();
  if (!prospectId) return { adds, removing };
  for (const e of pendingEntries(entries)) {
    const w = e.write;
    if ((w.kind !== 'assign' && w.kind !== 'unassign') || !w.crmProspectIds.includes(prospectId)) continue;
    if (w.kind === 'unassign') {
      removing.add(w.flowId);
      continue;
    }
    // The newest write for a flow wins (an add after a remove shows as an add).
    removing.delete(w.flowId);
    if (!adds.some((a) => a.flowId === w.flowId)) adds.push({ entryId: e.id, flowId: w.flowId, flowName: w.flowName, ownerEmail: w.flowInstanceOwnerEmail ?? null, createdAt: e.createdAt });
  }
  return { adds, removing };
}

/** Prospect ids a write touches (for deciding what to refresh when it lands). */
export function writeProspectIds(w: OutboxWrite): string[] {
  if (w.kind === 'assign' || w.kind === 'unassign') return w.crmProspectIds;
  if (w.kind === 'interaction') return w.body.crmProspectId ? [w.body.crmProspectId] : [];
  return [];
}

/** One line describing a write, for the pending list and "landed" notices. */
export function describeWrite(w: OutboxWrite): string {
  switch (w.kind) {
    case 'assign':
      if (w.crmProspectIds.length > 1) return `Add ${w.crmProspectIds.length} prospects to “${w.flowName}”`;
      return w.prospectName ? `Add ${w.prospectName} to “${w.flowName}”` : `Add to “${w.flowName}”`;
    case 'unassign':
      return w.prospectName ? `Remove ${w.prospectName} from “${w.flowName}”` : `Remove from “${w.flowName}”`;
    case 'interaction':
      return `Report “${w.body.eventName}”`;
    case 'completeTask':
      return `Complete task “${w.title}”`;
    case 'skipTask':
      return `Skip task “${w.title}”`;
  }
}

export const isAssignResult = (r: unknown): r is AssignResult =>
  !!r && typeof r === 'object' && Array.isArray((r as AssignResult).assigned) && Array.isArray((r as AssignResult).notAssigned);
/** A bulk add the backend runs as a job. */
export const isJobAccepted = (r: unknown): r is { jobId: string } => !!r && typeof r === 'object' && typeof (r as { jobId?: unknown }).jobId === 'string';
const isUnassignResult = (r: unknown): r is UnassignResult => !!r && typeof r === 'object' && Array.isArray((r as UnassignResult).unassigned);

/** What to tell the rep when a write queued earlier lands: done, refused by Gong, or refused by the backend. */
export function landedNotice(e: OutboxEntry): { tone: Notice['tone']; text: string } {
  const what = describeWrite(e.write);
  if (e.status === 'failed') return { tone: 'error', text: `${what} failed. ${e.lastError ? explainFailure(e.lastError) : 'The backend refused it.'}` };
  const r = e.result;
  const many = e.write.kind === 'assign' && e.write.crmProspectIds.length > 1;
  // A bulk add's outcome, when its view was closed before it landed.
  if (many && isAssignResult(r) && r.notAssigned.length) return { tone: 'warning', text: `${what}: ${r.assigned.length} added, ${r.notAssigned.length} not added.` };
  if (many && isJobAccepted(r)) return { tone: 'info', text: `${what}: started; Gong is adding them in the background.` };
  if (isAssignResult(r) && !r.assigned.length && r.notAssigned[0]) return { tone: 'warning', text: `${what}: ${explainRefusal(r.notAssigned[0])}` };
  if (isUnassignResult(r) && !r.unassigned.length && r.notUnassigned[0]) return { tone: 'warning', text: `${what}: ${explainRefusal(r.notUnassigned[0])}` };
  return { tone: 'success', text: `${what}: saved in Gong.` };
}

/** Merges what an assign answered into the prospect's flows (newest first, no duplicates). */
export function mergeAssigned(current: ProspectFlow[], assigned: ProspectFlow[]): ProspectFlow[] {
  const ids = new Set(assigned.map((a) => a.flowInstanceId ?? `${a.flowId}:${a.crmProspectId}`));
  const rest = current.filter((f) => !ids.has(f.flowInstanceId ?? `${f.flowId}:${f.crmProspectId}`));
  return [...assigned, ...rest];
}

/** What a landed write did to a prospect's flows (null: nothing to change). */
export function landedFlows(e: OutboxEntry, prospectId: string, flows: ProspectFlow[]): ProspectFlow[] | null {
  if (e.status !== 'done') return null;
  const w = e.write;
  if (w.kind === 'assign' && isAssignResult(e.result)) {
    const theirs = e.result.assigned.filter((a) => a.crmProspectId === prospectId);
    return theirs.length ? mergeAssigned(flows, theirs) : null;
  }
  if (w.kind === 'unassign' && isUnassignResult(e.result) && e.result.unassigned.includes(prospectId))
    return flows.filter((f) => !(f.flowId === w.flowId && isActiveFlowStatus(f.status)));
  return null;
}

/** How a write of the record on screen stands after this outbox entry (null: still being sent). */
export function writeStateOf(e: OutboxEntry): WriteState | null {
  const w = e.write;
  const flowId = w.kind === 'assign' || w.kind === 'unassign' ? w.flowId : undefined;
  if (e.status === 'failed') return { status: 'error', flowId, message: e.lastError ? explainFailure(e.lastError) : 'Gong refused the request.' };
  if (e.status !== 'done')
    return e.status === 'pending' && e.attempts > 0
      ? { status: 'queued', flowId, entryId: e.id, message: w.kind === 'unassign' ? 'Waiting for the backend' : 'Saved. It will be sent as soon as the backend is reachable.' }
      : null;
  const r = e.result;
  const refusal = isAssignResult(r) && !r.assigned.length ? r.notAssigned[0] : isUnassignResult(r) && !r.unassigned.length ? r.notUnassigned[0] : undefined;
  if (refusal) return { status: 'refused', flowId, message: explainRefusal(refusal), detail: refusal.message, coolOff: w.kind === 'assign' && refusal.coolOff };
  if (w.kind === 'assign') return { status: 'done', flowId, message: `Added to ${w.flowName}.` };
  if (w.kind === 'interaction') return { status: 'done', message: 'Interaction reported to Gong.' };
  return IDLE_WRITE;
}

export function createWritesSlice(rt: Runtime, set: SetState<WritesSlice & Needs>, get: GetState<WritesSlice & Needs>): WritesSlice {
  let noticeSeq = 0;
  /** Every write this panel made, by idempotency key: what it was made for, and whether its outcome was applied. */
  const mine = new Map<string, { target: WriteTarget; settled: boolean }>();

  const notifyLanded = (e: OutboxEntry) => {
    const { tone, text } = landedNotice(e);
    get().notify(tone, text);
  };

  /** An outbox entry's latest attempt says whether the backend answered. */
  /** Only changes count: an entry first seen settled long ago (a panel just opened) says nothing of now. */
  function noteEntry(e: OutboxEntry, was: OutboxEntry | undefined) {
    if (!was && !mine.has(e.id)) return;
    const final = e.status === 'done' || e.status === 'failed';
    if (final && (!was || was.status === 'pending' || was.status === 'sending')) get().sawBackend(true);
    else if (e.status === 'pending' && e.lastError?.code === 'NETWORK' && e.attempts > (was?.attempts ?? 0)) get().sawBackend(false);
  }

  /** A landed write's effect on the shown flows list, when it is about the shown prospect. */
  function applyToShownFlows(e: OutboxEntry, key: string, prospectId: string): boolean {
    const flows: Load<ProspectFlow[]> = get().flows;
    if (flows.key !== key || !flows.data) return false;
    const next = landedFlows(e, prospectId, flows.data);
    if (next) {
      set({ flows: { ...flows, data: next } });
      get().supersedeFlowsRead();
    }
    return !!next;
  }

  /**
   * The one place a write of this panel's reaches the store: its outcome goes to the record it was made for.
   * On screen: its picker / row / form shows it. Elsewhere: its saved flows change and a notice says what
   * happened.
   */
  function applyWrite(entry: OutboxEntry) {
    const own = mine.get(entry.id)!;
    if (own.settled) return;
    const ui = writeStateOf(entry);
    if (!ui) return;
    const final = entry.status === 'done' || entry.status === 'failed';
    if (final) own.settled = true;
    if ('bulkRun' in own.target) {
      // Its view was closed (or another list's opened) before it landed: a notice says how it went.
      if (!get().bulkLanded(entry, own.target.bulkRun) && final) notifyLanded(entry);
      return;
    }
    const { key, prospectId } = own.target;
    if (final) {
      void rt.updateProspect(key, (c) => {
        const next = c.flows && landedFlows(entry, prospectId, c.flows.data);
        return next ? { ...c, flows: { ...c.flows!, data: next } } : null;
      });
    }
    if (subjectKey(get()) !== key) {
      if (final) notifyLanded(entry);
      return;
    }
    if (final) applyToShownFlows(entry, key, prospectId);
    const w = entry.write;
    // Not connected, the panel trades its picker, rows and form for the connection banner (with its Connect
    // action): a notice is what tells the rep this write failed.
    const notConnected = entry.status === 'failed' && entry.lastError?.code === 'GONG_NOT_CONNECTED';
    if (notConnected) {
      void get().loadConnection();
      notifyLanded(entry);
    }
    if (w.kind === 'assign') {
      // A queued add refused later: the picker that would show why may be closed by now.
      if ((ui.status === 'refused' || ui.status === 'error') && !get().pickerOpen && !notConnected) notifyLanded(entry);
      set(ui.status === 'done' ? { assign: ui, pickerOpen: false } : { assign: ui });
      if (ui.status === 'done') get().notify('success', `Added to “${w.flowName}”.`);
    } else if (w.kind === 'unassign') {
      set((s) => ({ unassign: { ...s.unassign, [w.flowId]: ui } }));
      if (entry.status === 'done' && ui.status === 'idle') get().notify('success', `Removed from “${w.flowName}”.`);
    } else if (w.kind === 'interaction') set({ interaction: ui });
  }

  const recordTarget = (r: CrmRecord): WriteTarget => ({ key: recordKey(r), prospectId: r.id });

  return {
    pickerOpen: false,
    assign: IDLE_WRITE,
    unassign: {},
    interaction: IDLE_WRITE,
    outbox: [],
    notices: [],

    openPicker(open) {
      set({ pickerOpen: open, assign: IDLE_WRITE });
      if (open) void get().loadCatalog();
    },

    async assignFlow(flow, opts = {}) {
      const subject = subjectOf(get());
      if (!subject) return;
      set({ assign: { status: 'sending', flowId: flow.id } });
      const { name } = subjectPerson(get());
      const write: OutboxWrite = {
        kind: 'assign',
        flowId: flow.id,
        flowName: flow.name,
        crmProspectIds: [subject.id],
        ...(name ? { prospectName: name } : {}),
        ...(opts.coolOffOverride ? { coolOffOverride: true } : {}),
        ...(opts.ownerEmail ? { flowInstanceOwnerEmail: opts.ownerEmail } : {}),
      };
      await get().send(write, recordTarget(subject), (message) => set({ assign: { status: 'error', flowId: flow.id, message } }));
    },

    async unassignFlow(pf) {
      const subject = subjectOf(get());
      if (!subject) return;
      const setU = (u: WriteState) => set((s) => ({ unassign: { ...s.unassign, [pf.flowId]: u } }));
      setU({ status: 'sending', flowId: pf.flowId });
      const { name } = subjectPerson(get());
      const write: OutboxWrite = { kind: 'unassign', flowId: pf.flowId, flowName: pf.flowName, crmProspectIds: [subject.id], ...(name ? { prospectName: name } : {}) };
      await get().send(write, recordTarget(subject), (message) =>
        setU({ status: 'error', flowId: pf.flowId, message }),
      );
    },

    resetUnassign(flowId) {
      set((s) => {
        const { [flowId]: _, ...rest } = s.unassign;
        return { unassign: rest };
      });
    },

    async reportInteraction(input) {
      const subject = subjectOf(get());
      if (!subject) return;
      const email = subjectPerson(get()).email;
      set({ interaction: { status: 'sending' } });
      const body = {
        crmProspectId: subject.id,
        ...(email ? { prospectEmail: email } : {}),
        eventName: input.eventName.trim(),
        eventTimestamp: input.eventTimestamp,
        ...(input.url ? { url: input.url } : {}),
      };
      await get().send({ kind: 'interaction', body }, recordTarget(subject), (message) => set({ interaction: { status: 'error', message } }));
    },

    resetInteraction() {
      set({ interaction: IDLE_WRITE });
    },

    async send(write, target, onError) {
      const id = rt.deps.newId ? rt.deps.newId() : crypto.randomUUID();
      mine.set(id, { target, settled: false });
      try {
        // The reply only says the background has it: the outcome comes through the outbox watcher.
        await rt.deps.enqueue(write, id);
      } catch (e) {
        mine.get(id)!.settled = true;
        onError(errorMessage(e));
      }
    },

    setOutbox(entries) {
      const before = new Map(get().outbox.map((e) => [e.id, e]));
      set({ outbox: entries });
      const subject = subjectOf(get());
      let refresh = false;
      /** Failures shown to the rep now (the outbox keeps one nobody was shown for the next panel). */
      const told: string[] = [];
      const untold = (e: OutboxEntry) => e.status === 'failed' && !e.told;
      for (const e of entries) {
        const was = before.get(e.id);
        noteEntry(e, was);
        if (mine.has(e.id)) {
          applyWrite(e);
          if (untold(e)) told.push(e.id);
          continue;
        }
        const landed = (e.status === 'done' || e.status === 'failed') && (!was || was.status === 'pending' || was.status === 'sending');
        if (!landed) continue;
        // A write queued elsewhere (another panel, the popup, or before a restart): shown at once, then confirmed.
        if (subject && writeProspectIds(e.write).includes(subject.id)) {
          applyToShownFlows(e, recordKey(subject), subject.id);
          refresh = true;
        }
        // Landing now, or refused while no panel was open (an old write given up, a refusal after a restart).
        if (was || untold(e)) notifyLanded(e);
        if (untold(e)) told.push(e.id);
      }
      if (refresh) void get().loadFlows({ silent: true });
      if (told.length) void rt.deps.markTold?.(told).catch(() => undefined);
    },

    retryPending() {
      void rt.deps.retryPending?.().catch(() => undefined);
    },

    resetWrites(keepPicker) {
      set({ pickerOpen: keepPicker && get().pickerOpen, assign: IDLE_WRITE, unassign: {}, interaction: IDLE_WRITE });
    },

    notify(tone, text) {
      const id = `n${++noticeSeq}`;
      set((s) => ({ notices: [...s.notices.slice(-2), { id, tone, text }] }));
      void rt.wait(6000).then(() => get().dismissNotice(id));
    },

    dismissNotice(id) {
      set((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
    },
  };
}

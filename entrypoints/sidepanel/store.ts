/**
 * The side panel's state (zustand, vanilla so it runs in unit tests). Browser wiring (tabs, storage
 * watchers, messaging) lives in wiring.ts and feeds this store through its actions; the store only
 * sees injected deps: a backend client, a cache, and the outbox's enqueue.
 */
import { createStore } from 'zustand/vanilla';
import type { AssignResult, CallSummary, Connection, Flow, Job, ProspectFlow, UnassignResult } from '../../lib/api';
import { BackendError, type BackendClient } from '../../lib/backend-client';
import { recordKey, type CrmKind, type CrmRecord } from '../../lib/crm-record';
import type { OutboxEntry, OutboxWrite } from '../../background/outbox-types';
import type { PanelIntent } from '../../background/settings';
import { explainRefusal, isActiveFlowStatus } from '../../components/format';
import { CACHE_FRESH_MS, usable, type CacheStore } from './cache';

// ── Types ──────────────────────────────────────────────────────────────────────────────────────────

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';
export interface Load<T> {
  status: LoadStatus;
  data: T | null;
  /** Set with status 'error', or alongside stale data when a refresh failed. */
  error: string | null;
  /** A refresh is running while (cached) data is shown. */
  refreshing: boolean;
  /** When `data` was fetched (ms); older than now means it came from the cache. */
  at: number | null;
  /** Record key the data belongs to (per-prospect loads). */
  key: string | null;
}
const idle = <T>(): Load<T> => ({ status: 'idle', data: null, error: null, refreshing: false, at: null, key: null });

export interface PageInfo {
  tabId: number;
  url: string;
  record: CrmRecord | null;
  /** A CRM page that is not a contact/lead. */
  crm: CrmKind | null;
  name?: string;
  email?: string;
}

export type WriteUi =
  | { status: 'idle' }
  | { status: 'sending'; flowId?: string }
  | { status: 'done'; flowId?: string; message: string }
  /** Saved in the outbox; the backend was not reachable yet. */
  | { status: 'queued'; flowId?: string; entryId: string; message: string }
  | { status: 'refused'; flowId?: string; message: string; detail?: string; coolOff: boolean }
  | { status: 'error'; flowId?: string; message: string };

export interface BulkState {
  records: CrmRecord[];
  /** Names shown on the list page, by record id. */
  names: Record<string, string>;
  source: { url: string; title?: string } | null;
  phase: 'choose' | 'sending' | 'queued' | 'running' | 'done' | 'error';
  flowId: string | null;
  flowName: string | null;
  ownerEmail: string | null;
  entryId: string | null;
  job: Job | null;
  /** Per-prospect outcome (from the job or from a direct answer). */
  results: BulkResult[];
  /** Outcomes of earlier runs (before an "Assign anyway" re-send), merged under the current run's. */
  baseResults: BulkResult[];
  /** The current run re-sends cool-off refusals with the override. */
  override: boolean;
  error: string | null;
}

export interface BulkResult {
  crmProspectId: string;
  ok: boolean;
  message: string | null;
  /** Refused for the cool-off period: "Assign anyway" can re-send it with the override. */
  coolOff?: boolean;
}

/** What the panel last saw of the backend: a read that could not reach it makes it 'unreachable'. */
export type Reachability = 'unknown' | 'ok' | 'unreachable';

export interface Notice {
  id: string;
  tone: 'success' | 'error' | 'info' | 'warning';
  text: string;
}

export interface PanelState {
  settingsLoaded: boolean;
  configured: boolean;
  backendUrl: string;
  repEmail: string;
  /** null until the panel knows which tab it shows. */
  page: PageInfo | null;
  pinned: boolean;
  /** A record chosen from a context-menu link (overrides the page's record until dismissed). */
  linkRecord: CrmRecord | null;
  view: 'record' | 'bulk';
  bulk: BulkState | null;

  connection: Load<Connection>;
  backend: Reachability;
  awaitingAuth: boolean;
  connectError: string | null;

  flows: Load<ProspectFlow[]>;
  calls: Load<CallSummary[]>;
  catalog: Load<Flow[]>;

  pickerOpen: boolean;
  assign: WriteUi;
  /** Unassign state per flowId. */
  unassign: Record<string, WriteUi>;
  interaction: WriteUi;

  outbox: OutboxEntry[];
  notices: Notice[];
}

export interface PanelDeps {
  /** null when no backend token is configured. */
  getClient(): BackendClient | null;
  cache: CacheStore;
  /** Queues a write in the background's outbox; `id` is its idempotency key, made at click time. */
  enqueue(write: OutboxWrite, id: string): Promise<OutboxEntry>;
  newId?(): string;
  openTab?(url: string): void | Promise<void>;
  /** Asks the outbox to retry waiting writes now. */
  retryPending?(): Promise<void>;
  now?(): number;
  /** Delay between job / connection polls (ms). */
  pollMs?: number;
  /** Delay between checks while the backend is unreachable (ms). */
  probeMs?: number;
}

export interface PanelActions {
  setSettings(s: { configured: boolean; backendUrl: string; repEmail: string }): void;
  setPage(page: PageInfo | null, opts?: { pinned?: boolean }): void;
  applyIntent(intent: PanelIntent): void;
  clearLinkRecord(): void;
  reloadAll(): void;
  loadConnection(): Promise<void>;
  connectGong(): Promise<void>;
  loadFlows(opts?: { silent?: boolean }): Promise<void>;
  loadCalls(opts?: { silent?: boolean }): Promise<void>;
  loadCatalog(opts?: { force?: boolean }): Promise<void>;
  openPicker(open: boolean): void;
  assignFlow(flow: { id: string; name: string }, opts?: { coolOffOverride?: boolean; ownerEmail?: string }): Promise<void>;
  unassignFlow(pf: ProspectFlow): Promise<void>;
  resetUnassign(flowId: string): void;
  reportInteraction(input: { eventName: string; eventTimestamp: string; url?: string }): Promise<void>;
  resetInteraction(): void;
  bulkAssign(flow: { id: string; name: string }, opts?: { ownerEmail?: string; coolOffOverride?: boolean }): Promise<void>;
  /** Re-sends just the prospects refused for cool-off, with the override (through the outbox). */
  bulkAssignAnyway(opts?: { ownerEmail?: string }): Promise<void>;
  closeBulk(): void;
  setOutbox(entries: OutboxEntry[]): void;
  retryPending(): void;
  dismissNotice(id: string): void;
  dispose(): void;
}

export type PanelStore = ReturnType<typeof createPanelStore>;

// ── Selectors ──────────────────────────────────────────────────────────────────────────────────────

/** The prospect the panel is about: a context-menu link's record, else the page's. */
export function subjectOf(s: Pick<PanelState, 'linkRecord' | 'page'>): CrmRecord | null {
  return s.linkRecord ?? s.page?.record ?? null;
}

/** The page's name/email apply only when the subject is the page's own record. */
export function subjectPerson(s: Pick<PanelState, 'linkRecord' | 'page'>): { name?: string; email?: string } {
  if (s.linkRecord && (!s.page?.record || recordKey(s.page.record) !== recordKey(s.linkRecord))) return {};
  return { name: s.page?.name, email: s.page?.email };
}

export function pendingEntries(entries: OutboxEntry[]): OutboxEntry[] {
  return entries.filter((e) => e.status === 'pending' || e.status === 'sending');
}

/** The header's status pill: what the panel last saw of the backend and of Gong. */
export interface StatusPill {
  tone: 'ok' | 'offline' | 'warning' | 'none';
  label: string;
  /** Second half of the label, e.g. "changes are saved and will be sent". */
  detail?: string;
  title?: string;
}

export function statusPill(s: Pick<PanelState, 'configured' | 'backend' | 'connection'>): StatusPill {
  if (!s.configured) return { tone: 'none', label: '' };
  if (s.backend === 'unreachable')
    return { tone: 'offline', label: 'Offline', detail: 'changes are saved and will be sent', title: "Can't reach the Gong backend. Your changes are saved and will be sent when it's back." };
  const c = s.connection.data;
  if (c?.status === 'ACTIVE') return { tone: 'ok', label: 'Connected', title: `Connected${c.identifier ? ` as ${c.identifier}` : ''}` };
  if (c) return { tone: 'warning', label: 'Gong not connected', title: 'Connect Gong to see and change flows and calls.' };
  if (s.connection.status === 'error') return { tone: 'warning', label: 'Backend problem', title: s.connection.error ?? undefined };
  return { tone: 'none', label: '' };
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
      return w.crmProspectIds.length > 1 ? `Add ${w.crmProspectIds.length} prospects to “${w.flowName}”` : `Add to “${w.flowName}”`;
    case 'unassign':
      return `Remove from “${w.flowName}”`;
    case 'interaction':
      return `Report “${w.body.eventName}”`;
    case 'completeTask':
      return `Complete task “${w.title}”`;
    case 'skipTask':
      return `Skip task “${w.title}”`;
  }
}

/** What to tell the rep when a write queued earlier lands: done, refused by Gong, or refused by the backend. */
export function landedNotice(e: OutboxEntry): { tone: Notice['tone']; text: string } {
  const what = describeWrite(e.write);
  if (e.status === 'failed') return { tone: 'error', text: `${what} failed: ${e.lastError?.message ?? 'refused'}` };
  const r = e.result;
  if (isAssignResult(r) && !r.assigned.length && r.notAssigned[0]) return { tone: 'warning', text: `${what}: ${explainRefusal(r.notAssigned[0])}` };
  if (isUnassignResult(r) && !r.unassigned.length && r.notUnassigned[0]) return { tone: 'warning', text: `${what}: ${explainRefusal(r.notUnassigned[0])}` };
  return { tone: 'success', text: `${what}: saved in Gong.` };
}

export function errorMessage(e: unknown): string {
  if (e instanceof BackendError) {
    if (e.kind === 'unreachable') return "Can't reach the Gong backend. Check that it's running and the URL in settings.";
    if (e.code === 'GONG_NOT_CONNECTED') return 'Gong is not connected. Connect Gong to see this.';
    if (e.code === 'UNAUTHENTICATED') return 'The backend did not accept your API token. Check it in settings.';
    if (e.code === 'GONG_RATE_LIMITED' || e.code === 'TOO_MANY_REQUESTS') return 'Gong is busy right now. Try again in a moment.';
    return e.message;
  }
  if (e instanceof Error && /receiving end does not exist|could not establish connection/i.test(e.message))
    return "The extension's background isn't responding. Reload the extension and try again.";
  return e instanceof Error ? e.message : String(e);
}

const isNotConnected = (e: unknown) => e instanceof BackendError && e.code === 'GONG_NOT_CONNECTED';
const isUnreachable = (e: unknown) => e instanceof BackendError && e.kind === 'unreachable';
const isCoolOffMessage = (m: string | null | undefined) => /cool.?off/i.test(m ?? '');

/** Merges what an assign answered into the prospect's flows (newest first, no duplicates). */
export function mergeAssigned(current: ProspectFlow[], assigned: ProspectFlow[]): ProspectFlow[] {
  const ids = new Set(assigned.map((a) => a.flowInstanceId ?? `${a.flowId}:${a.crmProspectId}`));
  const rest = current.filter((f) => !ids.has(f.flowInstanceId ?? `${f.flowId}:${f.crmProspectId}`));
  return [...assigned, ...rest];
}

function isJobAccepted(r: unknown): r is { jobId: string } {
  return !!r && typeof r === 'object' && typeof (r as { jobId?: unknown }).jobId === 'string';
}
function isAssignResult(r: unknown): r is AssignResult {
  return !!r && typeof r === 'object' && Array.isArray((r as AssignResult).assigned) && Array.isArray((r as AssignResult).notAssigned);
}
function isUnassignResult(r: unknown): r is UnassignResult {
  return !!r && typeof r === 'object' && Array.isArray((r as UnassignResult).unassigned);
}

// ── Store ──────────────────────────────────────────────────────────────────────────────────────────

export function createPanelStore(deps: PanelDeps) {
  const now = () => (deps.now ? deps.now() : Date.now());
  const pollMs = deps.pollMs ?? 1500;
  const probeMs = deps.probeMs ?? 5000;
  let probing = false;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let disposed = false;
  let cacheChain: Promise<void> = Promise.resolve();
  let noticeSeq = 0;
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const store = createStore<PanelState & PanelActions>()((set, get) => {
    const currentKey = () => {
      const s = subjectOf(get());
      return s ? recordKey(s) : null;
    };
    const notify = (tone: Notice['tone'], text: string) => {
      const id = `n${++noticeSeq}`;
      set((s) => ({ notices: [...s.notices.slice(-2), { id, tone, text }] }));
      void wait(6000).then(() => get().dismissNotice(id));
    };
    const notifyLanded = (e: OutboxEntry) => {
      const { tone, text } = landedNotice(e);
      notify(tone, text);
    };

    /** Records whether the backend answered; coming back refreshes what may be stale and sends what waited. */
    function sawBackend(ok: boolean) {
      const was = get().backend;
      if (ok) {
        if (was === 'ok') return;
        set({ backend: 'ok' });
        if (was === 'unreachable') {
          get().retryPending();
          void get().loadConnection();
          void get().loadFlows({ silent: true });
          void get().loadCalls({ silent: true });
        }
        return;
      }
      if (was !== 'unreachable') set({ backend: 'unreachable' });
      void probe();
    }
    /** An error says the backend is down (no answer) or up (it answered, e.g. 4xx / 5xx). */
    function sawError(e: unknown) {
      if (isUnreachable(e)) sawBackend(false);
      else if (e instanceof BackendError && e.status != null) sawBackend(true);
    }
    /** While unreachable, ask again every few seconds so the header recovers without a click. */
    async function probe() {
      if (probing) return;
      probing = true;
      try {
        while (!disposed && get().backend === 'unreachable') {
          await wait(probeMs);
          if (disposed || get().backend !== 'unreachable') break;
          await get().loadConnection();
        }
      } finally {
        probing = false;
      }
    }
    /** An outbox entry's latest attempt says something about the backend too. */
    /** `fresh`: the entry was just returned by a send attempt (else only changes since the last look count). */
    function noteEntry(e: OutboxEntry, was: OutboxEntry | undefined, fresh = false) {
      if (e.status === 'done' || e.status === 'failed') {
        if (was ? was.status === 'pending' || was.status === 'sending' : fresh) sawBackend(true);
      } else if (e.status === 'pending' && e.lastError?.code === 'NETWORK' && (was ? e.attempts > was.attempts : fresh)) sawBackend(false);
    }
    /** What a landed write did to a prospect's flows (null: nothing to change). */
    function landedFlows(e: OutboxEntry, prospectId: string, flows: ProspectFlow[]): ProspectFlow[] | null {
      if (e.status !== 'done') return null;
      const w = e.write;
      if (w.kind === 'assign' && isAssignResult(e.result)) {
        const mine = e.result.assigned.filter((a) => a.crmProspectId === prospectId);
        return mine.length ? mergeAssigned(flows, mine) : null;
      }
      if (w.kind === 'unassign' && isUnassignResult(e.result) && e.result.unassigned.includes(prospectId))
        return flows.filter((f) => !(f.flowId === w.flowId && isActiveFlowStatus(f.status)));
      return null;
    }
    /** A write for the shown prospect landed: show its effect on the flows list right away. */
    function applyLandedToFlows(e: OutboxEntry, subject: CrmRecord): boolean {
      const flows = get().flows;
      if (flows.key !== recordKey(subject) || !flows.data) return false;
      const next = landedFlows(e, subject.id, flows.data);
      if (next) set({ flows: { ...flows, data: next } });
      return !!next;
    }
    /** The same for a record's saved copy (the record the write was made for, shown or not). */
    function applyLandedToCache(e: OutboxEntry, key: string, prospectId: string) {
      cacheChain = cacheChain.then(async () => {
        const cached = await deps.cache.getProspect(key).catch(() => null);
        const next = cached?.flows && landedFlows(e, prospectId, cached.flows.data);
        if (next) await deps.cache.setProspect(key, { ...cached, flows: { ...cached.flows!, data: next } }).catch(() => undefined);
      });
    }

    /** Shared SWR loader for per-prospect reads. */
    async function loadProspect<K extends 'flows' | 'calls'>(
      which: K,
      fetcher: (c: BackendClient, r: CrmRecord) => Promise<NonNullable<PanelState[K]['data']>>,
      opts: { silent?: boolean } = {},
    ) {
      const client = deps.getClient();
      const subject = subjectOf(get());
      if (!client || !subject) {
        set({ [which]: idle() } as Partial<PanelState>);
        return;
      }
      const key = recordKey(subject);
      const prev = get()[which] as Load<unknown>;
      if (prev.key !== key) {
        // New record: show the cache immediately if there is one, then revalidate.
        set({ [which]: { ...idle(), status: 'loading', key } } as Partial<PanelState>);
        const cached = await deps.cache.getProspect(key).catch(() => null);
        const data = usable(cached?.[which] as { data: unknown; at: number } | undefined, now());
        if (data && currentKey() === key && (get()[which] as Load<unknown>).status === 'loading')
          set({ [which]: { status: 'ready', data, error: null, refreshing: true, at: cached![which]!.at, key } } as Partial<PanelState>);
      } else if (prev.status === 'ready' || (prev.status === 'error' && prev.data)) {
        set({ [which]: { ...prev, refreshing: true, error: opts.silent ? prev.error : null } } as Partial<PanelState>);
      } else {
        set({ [which]: { ...idle(), status: 'loading', key } } as Partial<PanelState>);
      }
      try {
        const data = await fetcher(client, subject);
        sawBackend(true);
        if (currentKey() !== key) return;
        const at = now();
        set({ [which]: { status: 'ready', data, error: null, refreshing: false, at, key } } as Partial<PanelState>);
        // Flows and calls share one entry: merge writes one after another so neither clobbers the other.
        cacheChain = cacheChain.then(async () => {
          const cached = (await deps.cache.getProspect(key).catch(() => null)) ?? {};
          await deps.cache.setProspect(key, { ...cached, [which]: { data, at } }).catch(() => undefined);
        });
        await cacheChain;
      } catch (e) {
        sawError(e);
        if (currentKey() !== key) return;
        if (isNotConnected(e)) void get().loadConnection();
        const cur = get()[which] as Load<unknown>;
        // Keep whatever is shown (e.g. cached data); the section shows the error next to it.
        set({
          [which]: { ...cur, status: cur.data ? 'ready' : 'error', error: errorMessage(e), refreshing: false, key },
        } as Partial<PanelState>);
      }
    }

    /** The assign picker of the record the write was made for, now on screen. */
    function applyAssignEntry(entry: OutboxEntry) {
      const w = entry.write;
      if (w.kind !== 'assign') return;
      const flowId = w.flowId;
      if (entry.status === 'failed') {
        if (entry.lastError?.code === 'GONG_NOT_CONNECTED') void get().loadConnection();
        set({ assign: { status: 'error', flowId, message: entry.lastError?.message ?? 'Gong refused the request.' } });
        return;
      }
      if (entry.status !== 'done') {
        set({ assign: { status: 'queued', flowId, entryId: entry.id, message: 'Saved. It will be sent as soon as the backend is reachable.' } });
        return;
      }
      const r = entry.result;
      const refusal = isAssignResult(r) && !r.assigned.length ? r.notAssigned[0] : undefined;
      if (refusal) {
        // A queued add refused later: the picker that would show why may be closed by now.
        if (!get().pickerOpen) notifyLanded(entry);
        set({ assign: { status: 'refused', flowId, message: explainRefusal(refusal), detail: refusal.message, coolOff: refusal.coolOff } });
        return;
      }
      set({ assign: { status: 'done', flowId, message: `Added to ${w.flowName}.` }, pickerOpen: false });
      notify('success', `Added to “${w.flowName}”.`);
    }

    function applyUnassignEntry(entry: OutboxEntry) {
      const w = entry.write;
      if (w.kind !== 'unassign') return;
      const flowId = w.flowId;
      const setU = (u: WriteUi) => set((s) => ({ unassign: { ...s.unassign, [flowId]: u } }));
      if (entry.status === 'failed') return setU({ status: 'error', flowId, message: entry.lastError?.message ?? 'Gong refused the request.' });
      if (entry.status !== 'done') return setU({ status: 'queued', flowId, entryId: entry.id, message: 'Waiting for the backend' });
      const r = entry.result;
      if (isUnassignResult(r) && !r.unassigned.length && r.notUnassigned[0]) {
        return setU({ status: 'refused', flowId, message: explainRefusal(r.notUnassigned[0]), coolOff: false });
      }
      setU({ status: 'idle' });
      notify('success', `Removed from “${w.flowName}”.`);
    }

    function applyInteractionEntry(entry: OutboxEntry) {
      if (entry.status === 'failed') set({ interaction: { status: 'error', message: entry.lastError?.message ?? 'Gong refused the event.' } });
      else if (entry.status === 'done') set({ interaction: { status: 'done', message: 'Interaction reported to Gong.' } });
      else set({ interaction: { status: 'queued', entryId: entry.id, message: 'Saved. It will be sent to Gong when the backend is reachable.' } });
    }

    async function pollJob(jobId: string) {
      const client = deps.getClient();
      if (!client) return;
      let failures = 0;
      while (!disposed && get().bulk) {
        try {
          const job = await client.job(jobId);
          sawBackend(true);
          failures = 0;
          const bulk = get().bulk;
          if (!bulk) return;
          const results = mergeBulkResults(
            bulk.baseResults,
            job.results.map((r) => {
              const coolOff = !r.ok && isCoolOffMessage(r.message);
              return { crmProspectId: r.crmProspectId, ok: r.ok, coolOff, message: r.ok ? null : explainRefusal({ code: r.code ?? '', message: r.message ?? '', coolOff }, { short: true }) };
            }),
          );
          const finished = job.status === 'COMPLETED' || job.status === 'FAILED';
          set({ bulk: { ...bulk, job, results, phase: finished ? (job.status === 'FAILED' && !job.succeeded ? 'error' : 'done') : 'running', error: job.error } });
          if (finished) return;
        } catch (e) {
          sawError(e);
          if (++failures > 20) {
            const bulk = get().bulk;
            if (bulk) set({ bulk: { ...bulk, phase: 'error', error: errorMessage(e) } });
            return;
          }
        }
        await wait(pollMs);
      }
    }

    function applyBulkEntry(entry: OutboxEntry) {
      const bulk = get().bulk;
      if (!bulk) return;
      if (entry.status === 'failed') return set({ bulk: { ...bulk, phase: 'error', error: entry.lastError?.message ?? 'Gong refused the request.' } });
      if (entry.status !== 'done') return set({ bulk: { ...bulk, phase: 'queued', entryId: entry.id } });
      const r = entry.result;
      if (isJobAccepted(r)) {
        set({ bulk: { ...bulk, phase: 'running', entryId: entry.id } });
        void pollJob(r.jobId);
      } else if (isAssignResult(r)) {
        const results = mergeBulkResults(bulk.baseResults, [
          ...r.assigned.map((a) => ({ crmProspectId: a.crmProspectId, ok: true, message: null })),
          ...r.notAssigned.map((n) => ({ crmProspectId: n.crmProspectId, ok: false, coolOff: n.coolOff, message: explainRefusal(n, { short: true }) })),
        ]);
        set({ bulk: { ...bulk, phase: 'done', results } });
      } else set({ bulk: { ...bulk, phase: 'done' } });
    }

    /**
     * Every write this panel made, by idempotency key, with what it was made for: a record (by key, with the
     * prospect id) or the bulk view. `settled` once its outcome was applied: each outcome is applied once.
     */
    const mine = new Map<string, { target: { key: string; prospectId: string } | 'bulk'; settled: boolean }>();

    /**
     * The one place a write of this panel's reaches the store: its outcome goes to the record it was made for,
     * whichever record is on screen. On screen: its picker / row / form shows it. Elsewhere: its saved flows
     * change and a notice says what happened.
     */
    function applyWrite(entry: OutboxEntry) {
      const own = mine.get(entry.id);
      if (!own || own.settled) return;
      const final = entry.status === 'done' || entry.status === 'failed';
      // Still waiting: only a failed attempt (not a first send in progress) is worth saying "queued".
      if (!final && !(entry.status === 'pending' && entry.attempts > 0)) return;
      if (final) own.settled = true;
      if (own.target === 'bulk') return applyBulkEntry(entry);
      const { key, prospectId } = own.target;
      const shown = currentKey() === key;
      if (final) {
        applyLandedToCache(entry, key, prospectId);
        const subject = subjectOf(get());
        if (shown && subject) applyLandedToFlows(entry, subject);
      }
      if (!shown) {
        if (final) notifyLanded(entry);
        return;
      }
      if (entry.write.kind === 'assign') applyAssignEntry(entry);
      else if (entry.write.kind === 'unassign') applyUnassignEntry(entry);
      else if (entry.write.kind === 'interaction') applyInteractionEntry(entry);
    }

    async function enqueue(write: OutboxWrite, target: { key: string; prospectId: string } | 'bulk', onError: (msg: string) => void) {
      const id = deps.newId ? deps.newId() : crypto.randomUUID();
      mine.set(id, { target, settled: false });
      try {
        const entry = await deps.enqueue(write, id);
        noteEntry(entry, undefined, true);
        applyWrite(entry);
      } catch (e) {
        mine.get(id)!.settled = true;
        onError(errorMessage(e));
      }
    }
    const recordTarget = (r: CrmRecord) => ({ key: recordKey(r), prospectId: r.id });

    return {
      settingsLoaded: false,
      configured: false,
      backendUrl: '',
      repEmail: '',
      page: null,
      pinned: false,
      linkRecord: null,
      view: 'record',
      bulk: null,
      connection: idle(),
      backend: 'unknown',
      awaitingAuth: false,
      connectError: null,
      flows: idle(),
      calls: idle(),
      catalog: idle(),
      pickerOpen: false,
      assign: { status: 'idle' },
      unassign: {},
      interaction: { status: 'idle' },
      outbox: [],
      notices: [],

      setSettings(s) {
        const prev = get();
        set({ settingsLoaded: true, configured: s.configured, backendUrl: s.backendUrl, repEmail: s.repEmail });
        if (!prev.settingsLoaded || prev.configured !== s.configured || prev.backendUrl !== s.backendUrl) {
          set({ catalog: idle(), flows: idle(), calls: idle(), connection: idle() });
          get().reloadAll();
        }
      },

      setPage(page, opts = {}) {
        const before = currentKey();
        const prevPage = get().page;
        set({ page, ...(opts.pinned !== undefined ? { pinned: opts.pinned } : {}) });
        // Navigating the tab to another record ends a context-menu override.
        if (get().linkRecord && prevPage?.url !== page?.url && prevPage) set({ linkRecord: null });
        const after = currentKey();
        if (before !== after) {
          set({ pickerOpen: get().pickerOpen && !!get().linkRecord, assign: { status: 'idle' }, unassign: {}, interaction: { status: 'idle' } });
          void get().loadFlows();
          void get().loadCalls();
        } else if (after && page && prevPage && (page.email !== prevPage.email) && page.email) {
          // The page revealed the email: calls can now match by email too.
          void get().loadCalls({ silent: true });
        }
      },

      applyIntent(intent) {
        if (intent.view === 'bulk-assign' && intent.records?.length) {
          set({
            view: 'bulk',
            bulk: { records: intent.records, names: intent.names ?? {}, source: intent.source ?? null, phase: 'choose', flowId: null, flowName: null, ownerEmail: null, entryId: null, job: null, results: [], baseResults: [], override: false, error: null },
          });
          void get().loadCatalog();
          return;
        }
        if (intent.view === 'assign') {
          const before = currentKey();
          set({ view: 'record', linkRecord: intent.record ?? null, pickerOpen: true, assign: { status: 'idle' } });
          void get().loadCatalog();
          if (currentKey() !== before) {
            void get().loadFlows();
            void get().loadCalls();
          }
        }
      },

      clearLinkRecord() {
        set({ linkRecord: null, pickerOpen: false, assign: { status: 'idle' } });
        void get().loadFlows();
        void get().loadCalls();
      },

      reloadAll() {
        if (!get().configured) return;
        void get().loadConnection();
        void get().loadFlows();
        void get().loadCalls();
        void get().loadCatalog();
      },

      async loadConnection() {
        const client = deps.getClient();
        if (!client) return;
        const prev = get().connection;
        set({ connection: { ...prev, status: prev.data ? 'ready' : 'loading', refreshing: !!prev.data, error: null } });
        try {
          const data = await client.connection();
          sawBackend(true);
          const wasActive = prev.data?.status === 'ACTIVE';
          set({ connection: { status: 'ready', data, error: null, refreshing: false, at: now(), key: null } });
          if (data.status === 'ACTIVE' && prev.data && !wasActive) {
            set({ awaitingAuth: false, connectError: null });
            notify('success', 'Gong is connected.');
            void get().loadFlows();
            void get().loadCalls();
            void get().loadCatalog({ force: true });
          }
        } catch (e) {
          sawError(e);
          set({ connection: { ...get().connection, status: prev.data ? 'ready' : 'error', error: errorMessage(e), refreshing: false } });
        }
      },

      async connectGong() {
        const client = deps.getClient();
        if (!client) return;
        set({ connectError: null, awaitingAuth: true });
        try {
          const { link } = await client.connectionLink();
          await deps.openTab?.(link);
        } catch (e) {
          set({ connectError: errorMessage(e), awaitingAuth: false });
          return;
        }
        // Poll until Gong says ACTIVE (the rep authorizes in the other tab), for up to 10 minutes.
        const until = now() + 10 * 60_000;
        while (!disposed && get().awaitingAuth && now() < until) {
          await wait(pollMs);
          await get().loadConnection();
          if (get().connection.data?.status === 'ACTIVE') {
            set({ awaitingAuth: false });
            return;
          }
        }
        set({ awaitingAuth: false });
      },

      loadFlows(opts) {
        return loadProspect('flows', (c, r) => c.prospectFlows(r.id).then((x) => x.flows), opts);
      },

      loadCalls(opts) {
        const email = subjectPerson(get()).email;
        return loadProspect('calls', (c, r) => c.prospectCalls(r.id, email ? { email } : {}).then((x) => x.calls), opts);
      },

      async loadCatalog(opts = {}) {
        const client = deps.getClient();
        if (!client) return;
        const prev = get().catalog;
        if (prev.status === 'loading' || (prev.refreshing && !opts.force)) return;
        if (!opts.force && prev.status === 'ready' && prev.at && now() - prev.at < CACHE_FRESH_MS) return;
        if (!prev.data) {
          const cached = await deps.cache.getCatalog().catch(() => null);
          const data = usable(cached, now());
          if (data) set({ catalog: { status: 'ready', data, error: null, refreshing: true, at: cached!.at, key: null } });
          else set({ catalog: { ...idle(), status: 'loading' } });
        } else set({ catalog: { ...prev, refreshing: true, error: null } });
        try {
          const { flows } = await client.flows();
          sawBackend(true);
          const at = now();
          set({ catalog: { status: 'ready', data: flows, error: null, refreshing: false, at, key: null } });
          await deps.cache.setCatalog({ data: flows, at }).catch(() => undefined);
        } catch (e) {
          sawError(e);
          if (isNotConnected(e)) void get().loadConnection();
          const cur = get().catalog;
          set({ catalog: { ...cur, status: cur.data ? 'ready' : 'error', error: errorMessage(e), refreshing: false } });
        }
      },

      openPicker(open) {
        set({ pickerOpen: open, assign: { status: 'idle' } });
        if (open) void get().loadCatalog();
      },

      async assignFlow(flow, opts = {}) {
        const subject = subjectOf(get());
        if (!subject) return;
        set({ assign: { status: 'sending', flowId: flow.id } });
        await enqueue(
          {
            kind: 'assign',
            flowId: flow.id,
            flowName: flow.name,
            crmProspectIds: [subject.id],
            ...(opts.coolOffOverride ? { coolOffOverride: true } : {}),
            ...(opts.ownerEmail ? { flowInstanceOwnerEmail: opts.ownerEmail } : {}),
          },
          recordTarget(subject),
          (message) => set({ assign: { status: 'error', flowId: flow.id, message } }),
        );
      },

      async unassignFlow(pf) {
        const subject = subjectOf(get());
        if (!subject) return;
        set((s) => ({ unassign: { ...s.unassign, [pf.flowId]: { status: 'sending', flowId: pf.flowId } } }));
        await enqueue(
          { kind: 'unassign', flowId: pf.flowId, flowName: pf.flowName, crmProspectIds: [subject.id] },
          recordTarget(subject),
          (message) => set((s) => ({ unassign: { ...s.unassign, [pf.flowId]: { status: 'error', flowId: pf.flowId, message } } })),
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
        await enqueue(
          {
            kind: 'interaction',
            body: {
              crmProspectId: subject.id,
              ...(email ? { prospectEmail: email } : {}),
              eventName: input.eventName.trim(),
              eventTimestamp: input.eventTimestamp,
              ...(input.url ? { url: input.url } : {}),
            },
          },
          recordTarget(subject),
          (message) => set({ interaction: { status: 'error', message } }),
        );
      },

      resetInteraction() {
        set({ interaction: { status: 'idle' } });
      },

      async bulkAssign(flow, opts = {}) {
        const bulk = get().bulk;
        if (!bulk) return;
        set({ bulk: { ...bulk, phase: 'sending', flowId: flow.id, flowName: flow.name, ownerEmail: opts.ownerEmail ?? null, error: null, results: [], baseResults: [], override: !!opts.coolOffOverride, job: null } });
        await enqueue(
          {
            kind: 'assign',
            flowId: flow.id,
            flowName: flow.name,
            crmProspectIds: [...new Set(bulk.records.map((r) => r.id))],
            ...(opts.coolOffOverride ? { coolOffOverride: true } : {}),
            ...(opts.ownerEmail ? { flowInstanceOwnerEmail: opts.ownerEmail } : {}),
          },
          'bulk',
          (message) => {
            const b = get().bulk;
            if (b) set({ bulk: { ...b, phase: 'error', error: message } });
          },
        );
      },

      async bulkAssignAnyway(opts = {}) {
        const bulk = get().bulk;
        if (!bulk || !bulk.flowId || (bulk.phase !== 'done' && bulk.phase !== 'error')) return;
        const ids = coolOffIds(bulk.results);
        if (!ids.length) return;
        const ownerEmail = opts.ownerEmail ?? bulk.ownerEmail;
        set({ bulk: { ...bulk, phase: 'sending', override: true, baseResults: bulk.results, job: null, error: null } });
        await enqueue(
          {
            kind: 'assign',
            flowId: bulk.flowId,
            flowName: bulk.flowName ?? '',
            crmProspectIds: ids,
            coolOffOverride: true,
            ...(ownerEmail ? { flowInstanceOwnerEmail: ownerEmail } : {}),
          },
          'bulk',
          (message) => {
            const b = get().bulk;
            if (b) set({ bulk: { ...b, phase: 'error', error: message } });
          },
        );
      },

      closeBulk() {
        set({ view: 'record', bulk: null });
      },

      setOutbox(entries) {
        const before = new Map(get().outbox.map((e) => [e.id, e]));
        set({ outbox: entries });
        const subject = subjectOf(get());
        let refresh = false;
        for (const e of entries) {
          const was = before.get(e.id);
          noteEntry(e, was);
          if (mine.has(e.id)) {
            applyWrite(e);
            continue;
          }
          const landed = (e.status === 'done' || e.status === 'failed') && (!was || was.status === 'pending' || was.status === 'sending');
          if (!landed) continue;
          // A write queued elsewhere (another panel, the popup, or before a restart): shown at once, then confirmed.
          if (subject && writeProspectIds(e.write).includes(subject.id)) {
            applyLandedToFlows(e, subject);
            refresh = true;
          }
          if (was) notifyLanded(e);
        }
        if (refresh) void get().loadFlows({ silent: true });
      },

      retryPending() {
        void deps.retryPending?.().catch(() => undefined);
      },

      dismissNotice(id) {
        set((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
      },

      dispose() {
        disposed = true;
        for (const t of timers) clearTimeout(t);
        timers.clear();
      },
    };
  });
  return store;
}

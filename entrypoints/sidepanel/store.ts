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
import { explainRefusal } from '../../components/format';
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
  entryId: string | null;
  job: Job | null;
  /** Per-prospect outcome (from the job or from a direct answer). */
  results: { crmProspectId: string; ok: boolean; message: string | null }[];
  error: string | null;
}

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
        if (currentKey() !== key) return;
        if (isNotConnected(e)) void get().loadConnection();
        const cur = get()[which] as Load<unknown>;
        // Keep whatever is shown (e.g. cached data); the section shows the error next to it.
        set({
          [which]: { ...cur, status: cur.data ? 'ready' : 'error', error: errorMessage(e), refreshing: false, key },
        } as Partial<PanelState>);
      }
    }

    /** Applies an outbox entry's outcome to the assign UI. */
    function applyAssignEntry(entry: OutboxEntry, flowName: string) {
      const w = entry.write;
      const flowId = w.kind === 'assign' ? w.flowId : undefined;
      if (entry.status === 'failed') {
        const code = entry.lastError?.code;
        if (code === 'GONG_NOT_CONNECTED') void get().loadConnection();
        set({ assign: { status: 'error', flowId, message: entry.lastError?.message ?? 'Gong refused the request.' } });
        return;
      }
      if (entry.status !== 'done') {
        set({ assign: { status: 'queued', flowId, entryId: entry.id, message: 'Saved. It will be sent as soon as the backend is reachable.' } });
        return;
      }
      const r = entry.result;
      if (isAssignResult(r)) {
        if (r.assigned.length) {
          const key = currentKey();
          const flows = get().flows;
          if (key && flows.key === key && flows.data) {
            const merged = mergeAssigned(flows.data, r.assigned.filter((a) => key.endsWith(`:${a.crmProspectId}`)));
            set({ flows: { ...flows, data: merged } });
          }
          set({ assign: { status: 'done', flowId, message: `Added to ${flowName}.` }, pickerOpen: false });
          notify('success', `Added to “${flowName}”.`);
          void get().loadFlows({ silent: true });
          return;
        }
        const refusal = r.notAssigned[0];
        if (refusal) {
          set({ assign: { status: 'refused', flowId, message: explainRefusal(refusal), detail: refusal.message, coolOff: refusal.coolOff } });
          return;
        }
      }
      set({ assign: { status: 'done', flowId, message: `Added to ${flowName}.` }, pickerOpen: false });
      void get().loadFlows({ silent: true });
    }

    function applyUnassignEntry(entry: OutboxEntry, flowId: string, flowName: string) {
      const setU = (u: WriteUi) => set((s) => ({ unassign: { ...s.unassign, [flowId]: u } }));
      if (entry.status === 'failed') return setU({ status: 'error', flowId, message: entry.lastError?.message ?? 'Gong refused the request.' });
      if (entry.status !== 'done') return setU({ status: 'queued', flowId, entryId: entry.id, message: 'Waiting for the backend' });
      const r = entry.result;
      if (isUnassignResult(r) && !r.unassigned.length && r.notUnassigned[0]) {
        return setU({ status: 'refused', flowId, message: explainRefusal(r.notUnassigned[0]), coolOff: false });
      }
      const flows = get().flows;
      if (flows.data) set({ flows: { ...flows, data: flows.data.filter((f) => f.flowId !== flowId) } });
      setU({ status: 'idle' });
      notify('success', `Removed from “${flowName}”.`);
      void get().loadFlows({ silent: true });
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
          failures = 0;
          const bulk = get().bulk;
          if (!bulk) return;
          const results = job.results.map((r) => ({
            crmProspectId: r.crmProspectId,
            ok: r.ok,
            message: r.ok ? null : explainRefusal({ code: r.code ?? '', message: r.message ?? '', coolOff: /cool.?off/i.test(r.message ?? '') }, { short: true }),
          }));
          const finished = job.status === 'COMPLETED' || job.status === 'FAILED';
          set({ bulk: { ...bulk, job, results, phase: finished ? (job.status === 'FAILED' && !job.succeeded ? 'error' : 'done') : 'running', error: job.error } });
          if (finished) return;
        } catch (e) {
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
        const results = [
          ...r.assigned.map((a) => ({ crmProspectId: a.crmProspectId, ok: true, message: null })),
          ...r.notAssigned.map((n) => ({ crmProspectId: n.crmProspectId, ok: false, message: explainRefusal(n, { short: true }) })),
        ];
        set({ bulk: { ...bulk, phase: 'done', results } });
      } else set({ bulk: { ...bulk, phase: 'done' } });
    }

    /** Writes this panel made that have not landed yet, by idempotency key: their UI applies the outcome. */
    const waiting = new Map<string, (e: OutboxEntry) => void>();
    /** Every write this panel made (its own UI shows the outcome, so no "landed" notice for them). */
    const mine = new Set<string>();

    async function enqueue(write: OutboxWrite, onResult: (e: OutboxEntry) => void, onError: (msg: string) => void) {
      const id = deps.newId ? deps.newId() : crypto.randomUUID();
      mine.add(id);
      waiting.set(id, onResult);
      try {
        const entry = await deps.enqueue(write, id);
        // The outbox watcher may have applied the landing already; apply each outcome once.
        if (!waiting.has(id)) return;
        if (entry.status === 'done' || entry.status === 'failed') waiting.delete(id);
        onResult(entry);
      } catch (e) {
        waiting.delete(id);
        onError(errorMessage(e));
      }
    }

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
            bulk: { records: intent.records, names: intent.names ?? {}, source: intent.source ?? null, phase: 'choose', flowId: null, flowName: null, entryId: null, job: null, results: [], error: null },
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
          const at = now();
          set({ catalog: { status: 'ready', data: flows, error: null, refreshing: false, at, key: null } });
          await deps.cache.setCatalog({ data: flows, at }).catch(() => undefined);
        } catch (e) {
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
          (e) => applyAssignEntry(e, flow.name),
          (message) => set({ assign: { status: 'error', flowId: flow.id, message } }),
        );
      },

      async unassignFlow(pf) {
        const subject = subjectOf(get());
        if (!subject) return;
        set((s) => ({ unassign: { ...s.unassign, [pf.flowId]: { status: 'sending', flowId: pf.flowId } } }));
        await enqueue(
          { kind: 'unassign', flowId: pf.flowId, flowName: pf.flowName, crmProspectIds: [subject.id] },
          (e) => applyUnassignEntry(e, pf.flowId, pf.flowName),
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
          applyInteractionEntry,
          (message) => set({ interaction: { status: 'error', message } }),
        );
      },

      resetInteraction() {
        set({ interaction: { status: 'idle' } });
      },

      async bulkAssign(flow, opts = {}) {
        const bulk = get().bulk;
        if (!bulk) return;
        set({ bulk: { ...bulk, phase: 'sending', flowId: flow.id, flowName: flow.name, error: null, results: [], job: null } });
        await enqueue(
          {
            kind: 'assign',
            flowId: flow.id,
            flowName: flow.name,
            crmProspectIds: [...new Set(bulk.records.map((r) => r.id))],
            ...(opts.coolOffOverride ? { coolOffOverride: true } : {}),
            ...(opts.ownerEmail ? { flowInstanceOwnerEmail: opts.ownerEmail } : {}),
          },
          applyBulkEntry,
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
          const landed = (e.status === 'done' || e.status === 'failed') && (!was || was.status === 'pending' || was.status === 'sending');
          if (!landed) continue;
          const cb = waiting.get(e.id);
          if (cb) {
            waiting.delete(e.id);
            cb(e);
          } else if (was && !mine.has(e.id)) {
            // A write queued earlier (another panel, the popup, or before a restart) just landed.
            const { tone, text } = landedNotice(e);
            notify(tone, text);
          }
          if (subject && writeProspectIds(e.write).includes(subject.id)) refresh = true;
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

/**
 * Record reads slice: which record the panel is about (the tab's page, or a record chosen from a context-menu
 * link) and its reads: the prospect's flows and calls, and the flow catalog. Stale-while-revalidate: a record
 * seen before shows its saved copy at once, then the backend's answer.
 */
import type { CallSummary, Flow, FlowHistoryEntry, ProspectFlow } from '../../../lib/api';
import type { BackendClient } from '../../../lib/backend-client';
import { recordKey, type CrmKind, type CrmRecord } from '../../../lib/crm-record';
import type { Cached, PanelIntent, ProspectCache } from '../../../lib/storage';
import { CACHE_FRESH_MS, usable } from '../cache';
import { errorMessage, isNotConnected } from './connection';
import { idle, type GetState, type Load, type Runtime, type SetState } from './runtime';

export interface PageInfo {
  tabId: number;
  url: string;
  record: CrmRecord | null;
  /** A CRM page that is not a contact/lead. */
  crm: CrmKind | null;
  name?: string;
  email?: string;
}

export interface RecordSlice {
  /** null until the panel knows which tab it shows. */
  page: PageInfo | null;
  pinned: boolean;
  /** A record chosen from a context-menu link (overrides the page's record until dismissed). */
  linkRecord: CrmRecord | null;
  flows: Load<ProspectFlow[]>;
  /** Flows the prospect is no longer open in, from the backend's audit of its own writes; for record `key` only. */
  flowHistory: { key: string | null; entries: FlowHistoryEntry[] };
  calls: Load<CallSummary[]>;
  catalog: Load<Flow[]>;
  setPage(page: PageInfo | null, opts?: { pinned?: boolean }): void;
  applyIntent(intent: PanelIntent): void;
  clearLinkRecord(): void;
  reloadAll(): void;
  /** Forgets every read (the backend changed). */
  resetReads(): void;
  /** Shows a record's saved reads at once (the panel's first render, see ../prefetch); loading it revalidates them. */
  showSaved(key: string, saved: ProspectCache | null | undefined): void;
  loadFlows(opts?: { silent?: boolean }): Promise<void>;
  loadCalls(opts?: { silent?: boolean }): Promise<void>;
  loadCatalog(opts?: { force?: boolean }): Promise<void>;
  /** A write landed on the shown flows: a read sent before it answers what Gong held before, so it is not shown. */
  supersedeFlowsRead(): void;
}

/** What this slice asks of the others. */
interface Needs {
  configured: boolean;
  loadConnection(): Promise<void>;
  sawBackend(ok: boolean): void;
  sawError(e: unknown): void;
  /** The record changed: writes' UI (picker, rows, form) starts afresh. */
  resetWrites(keepPicker: boolean): void;
  openPicker(open: boolean): void;
  openBulk(intent: PanelIntent): void;
  closeBulk(): void;
}

/** The prospect the panel is about: a context-menu link's record, else the page's. */
export function subjectOf(s: Pick<RecordSlice, 'linkRecord' | 'page'>): CrmRecord | null {
  return s.linkRecord ?? s.page?.record ?? null;
}

/** The key of the record the panel is about (null: none). */
export function subjectKey(s: Pick<RecordSlice, 'linkRecord' | 'page'>): string | null {
  const r = subjectOf(s);
  return r ? recordKey(r) : null;
}

/** The page's name/email apply only when the subject is the page's own record. */
export function subjectPerson(s: Pick<RecordSlice, 'linkRecord' | 'page'>): { name?: string; email?: string } {
  if (s.linkRecord && (!s.page?.record || recordKey(s.page.record) !== recordKey(s.linkRecord))) return {};
  return { name: s.page?.name, email: s.page?.email };
}

type ProspectRead = 'flows' | 'calls';

export function createRecordSlice(rt: Runtime, set: SetState<RecordSlice & Needs>, get: GetState<RecordSlice & Needs>): RecordSlice {
  const currentKey = () => subjectKey(get());
  const setRead = (which: ProspectRead, load: Load<unknown>) => set({ [which]: load } as Partial<RecordSlice>);
  /** A saved read, shown while it is revalidated; null past the cache's TTL. */
  const savedRead = (c: Cached<unknown> | null | undefined, key: string): Load<unknown> | null => {
    const data = usable<unknown>(c, rt.now());
    return data ? { status: 'ready', data, error: null, refreshing: true, at: c!.at, key } : null;
  };

  /** Reads started, per kind: only the latest one's answer is shown (an earlier one may answer last). */
  const started: Record<ProspectRead, number> = { flows: 0, calls: 0 };

  /** Shared SWR loader for per-prospect reads. */
  async function loadProspect<K extends ProspectRead>(which: K, fetcher: (c: BackendClient, r: CrmRecord) => Promise<NonNullable<RecordSlice[K]['data']>>, opts: { silent?: boolean } = {}) {
    const client = rt.deps.getClient();
    const subject = subjectOf(get());
    if (!client || !subject) return setRead(which, idle());
    const key = recordKey(subject);
    const read = ++started[which];
    const latest = () => currentKey() === key && started[which] === read;
    const prev = get()[which] as Load<unknown>;
    if (prev.key !== key) {
      // New record: show the cache immediately if there is one, then revalidate.
      setRead(which, { ...idle(), status: 'loading', key });
      const saved = savedRead((await rt.deps.cache.getProspect(key).catch(() => null))?.[which], key);
      if (saved && currentKey() === key && get()[which].status === 'loading') setRead(which, saved);
    } else if (prev.status === 'ready' || (prev.status === 'error' && prev.data)) {
      setRead(which, { ...prev, refreshing: true, error: opts.silent ? prev.error : null });
    } else {
      setRead(which, { ...idle(), status: 'loading', key });
    }
    try {
      const data = await fetcher(client, subject);
      get().sawBackend(true);
      if (!latest()) return;
      const at = rt.now();
      setRead(which, { status: 'ready', data, error: null, refreshing: false, at, key });
      await rt.updateProspect(key, (cached) => ({ ...cached, [which]: { data, at } }));
    } catch (e) {
      get().sawError(e);
      if (!latest()) return;
      if (isNotConnected(e)) void get().loadConnection();
      const cur = get()[which] as Load<unknown>;
      // Keep whatever is shown (e.g. cached data); the section shows the error next to it.
      setRead(which, { ...cur, status: cur.data ? 'ready' : 'error', error: errorMessage(e), refreshing: false, key });
    }
  }

  const reloadRecord = () => {
    void get().loadFlows();
    void get().loadCalls();
  };

  return {
    page: null,
    pinned: false,
    linkRecord: null,
    flows: idle(),
    flowHistory: { key: null, entries: [] },
    calls: idle(),
    catalog: idle(),

    setPage(page, opts = {}) {
      const before = currentKey();
      const prevPage = get().page;
      set({ page, ...(opts.pinned !== undefined ? { pinned: opts.pinned } : {}) });
      // Navigating the tab to another record ends a context-menu override.
      if (get().linkRecord && prevPage?.url !== page?.url && prevPage) set({ linkRecord: null });
      const after = currentKey();
      if (before !== after) {
        get().resetWrites(!!get().linkRecord);
        reloadRecord();
      } else if (after && page && prevPage && page.email !== prevPage.email && page.email) {
        // The page revealed the email: calls can now match by email too.
        void get().loadCalls({ silent: true });
      }
    },

    applyIntent(intent) {
      if (intent.view === 'bulk-assign' && intent.records?.length) return get().openBulk(intent);
      if (intent.view !== 'assign') return;
      const before = currentKey();
      get().closeBulk();
      set({ linkRecord: intent.record ?? null });
      if (currentKey() !== before) {
        get().resetWrites(false);
        reloadRecord();
      }
      get().openPicker(true);
    },

    clearLinkRecord() {
      set({ linkRecord: null });
      get().resetWrites(false);
      reloadRecord();
    },

    reloadAll() {
      if (!get().configured) return;
      void get().loadConnection();
      reloadRecord();
      void get().loadCatalog();
    },

    showSaved(key, saved) {
      for (const which of ['flows', 'calls'] as const) {
        const load = savedRead(saved?.[which], key);
        if (load) setRead(which, load);
      }
    },

    resetReads() {
      set({ catalog: idle(), flows: idle(), flowHistory: { key: null, entries: [] }, calls: idle() });
    },

    supersedeFlowsRead() {
      started.flows++;
      const flows = get().flows;
      if (flows.refreshing) set({ flows: { ...flows, refreshing: false } });
    },

    loadFlows(opts) {
      return loadProspect(
        'flows',
        (c, r) =>
          c.prospectFlows(r.id).then((x) => {
            set({ flowHistory: { key: recordKey(r), entries: x.history } });
            return x.flows;
          }),
        opts,
      );
    },

    loadCalls(opts) {
      const email = subjectPerson(get()).email;
      return loadProspect('calls', (c, r) => c.prospectCalls(r.id, email ? { email } : {}).then((x) => x.calls), opts);
    },

    async loadCatalog(opts = {}) {
      const client = rt.deps.getClient();
      if (!client) return;
      const prev = get().catalog;
      if (prev.status === 'loading' || (prev.refreshing && !opts.force)) return;
      if (!opts.force && prev.status === 'ready' && prev.at && rt.now() - prev.at < CACHE_FRESH_MS) return;
      if (!prev.data) {
        const cached = await rt.deps.cache.getCatalog().catch(() => null);
        const data = usable(cached, rt.now());
        if (data) set({ catalog: { status: 'ready', data, error: null, refreshing: true, at: cached!.at, key: null } });
        else set({ catalog: { ...idle(), status: 'loading' } });
      } else set({ catalog: { ...prev, refreshing: true, error: null } });
      try {
        const { flows } = await client.flows();
        get().sawBackend(true);
        const at = rt.now();
        set({ catalog: { status: 'ready', data: flows, error: null, refreshing: false, at, key: null } });
        await rt.deps.cache.setCatalog({ data: flows, at }).catch(() => undefined);
      } catch (e) {
        get().sawError(e);
        if (isNotConnected(e)) void get().loadConnection();
        const cur = get().catalog;
        set({ catalog: { ...cur, status: cur.data ? 'ready' : 'error', error: errorMessage(e), refreshing: false } });
      }
    },
  };
}

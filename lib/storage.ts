/**
 * Every storage item and key the extension's parts share, declared once with wxt/storage (typed, with
 * defaults): settings, what each tab shows, the panel's intent, the cached tasks, and the side panel's cache
 * of reads (which the background's list-view prefetch also fills). The outbox's item is in ./outbox.
 */
import { storage } from 'wxt/utils/storage';
import type { CallSummary, Flow, ProspectFlow, Task } from './api';
import type { CrmRecord } from './crm-record';
import { STORAGE_KEYS } from './storage-keys';

export const DEFAULT_BACKEND_URL = 'http://127.0.0.1:8787';

export interface Settings {
  backendUrl: string;
  apiToken: string;
  /** The rep's Gong email (flow owner by default). Empty = the backend's user. */
  repEmail: string;
  workspaceId: string;
}

/** Settings before the rep has saved any. */
export const SETTINGS_FALLBACK: Settings = { backendUrl: DEFAULT_BACKEND_URL, apiToken: '', repEmail: '', workspaceId: '' };

export const settingsItem = storage.defineItem<Settings>(STORAGE_KEYS.settings, { fallback: SETTINGS_FALLBACK, version: 1 });

/** Admin-pushed backend URL (Chrome managed storage, see public/managed_schema.json); wins over the rep's. */
export const managedBackendUrlItem = storage.defineItem<string | null>(STORAGE_KEYS.managedBackendUrl, { fallback: null });
/** Admin policy: reps sign in with SSO only (no API token field). */
export const managedSsoOnlyItem = storage.defineItem<boolean | null>('managed:ssoOnly', { fallback: null });

/** Who signed in with SSO (the device token itself is `settings.apiToken`); null for a pasted API token. */
export interface SignedIn {
  email: string;
  expiresAt: string;
}
export const signedInItem = storage.defineItem<SignedIn | null>('local:signedIn', { fallback: null });

/** What the background knows of each tab's page: handed to the side panel through session storage. */
export interface TabRecordInfo {
  tabId: number;
  url: string;
  record: CrmRecord | null;
  /** Set when the page is a CRM page but not a contact or lead (account, opportunity, list view…). */
  crm: CrmRecord['crm'] | null;
  name?: string;
  email?: string;
  updatedAt: number;
}

export const tabRecordsItem = storage.defineItem<Record<string, TabRecordInfo>>(STORAGE_KEYS.tabRecords, { fallback: {} });

/** A request for the panel to open on a view (e.g. the flow picker from the context menu). */
export interface PanelIntent {
  view: 'assign' | 'bulk-assign';
  record?: CrmRecord;
  /** For bulk: every prospect collected from a list view. */
  records?: CrmRecord[];
  /** For bulk: names shown on the page, by record id (for the per-prospect result list). */
  names?: Record<string, string>;
  /** For bulk: the page the records were collected from. */
  source?: { url: string; title?: string };
  /** The browser window it was asked in: only that window's panel shows it. */
  windowId?: number;
  createdAt: number;
}
export const panelIntentItem = storage.defineItem<PanelIntent | null>('session:panelIntent', { fallback: null });

/** Whether the panel of window `windowId` (null: not known) is the one to show `intent`: another window's is left for its own panel. */
export function intentIsFor(intent: PanelIntent, windowId: number | null): boolean {
  return intent.windowId == null || windowId == null || intent.windowId === windowId;
}

export interface TasksCache {
  tasks: Task[];
  fetchedAt: number;
}
/**
 * How long the cached tasks are shown without asking again: each fetch is a Gong call per rep, so the badge
 * refreshes hourly (background/tasks.ts), the popup shows the cached list with its age and a Refresh, and a
 * task completed or skipped through the extension fetches at once.
 */
export const TASKS_CACHE_FRESH_MS = 60 * 60_000;
/** The rep's tasks due today, as last fetched: the popup renders them at once; the badge counts them. */
export const tasksCacheItem = storage.defineItem<TasksCache | null>('local:tasksCache', { fallback: null });

// ── The side panel's cache of reads (stale-while-revalidate) ───────────────────────────────────────

export interface Cached<T> {
  data: T;
  at: number;
}
/** One record's reads, under `local:cache:<recordKey>`. */
export interface ProspectCache {
  flows?: Cached<ProspectFlow[]>;
  calls?: Cached<CallSummary[]>;
}
export const flowCatalogItem = storage.defineItem<Cached<Flow[]> | null>('local:cache:flow-catalog', { fallback: null });

/** The backend URL and token in effect (managed value wins). */
export async function effectiveSettings(): Promise<Settings & { backendUrlManaged: boolean }> {
  const [s, managed] = await Promise.all([settingsItem.getValue(), managedBackendUrlItem.getValue().catch(() => null)]);
  return withManaged(s, managed);
}

/** The rep's settings with the admin's backend URL, when there is one, in place of theirs. */
export function withManaged(s: Settings, managedBackendUrl: string | null | undefined): Settings & { backendUrlManaged: boolean } {
  return managedBackendUrl ? { ...s, backendUrl: managedBackendUrl, backendUrlManaged: true } : { ...s, backendUrlManaged: false };
}

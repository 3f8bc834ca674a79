/**
 * The outbox's contract, shared by the background (its only writer) and the pages (which watch it): a write
 * the rep made (assign, unassign, interaction, task change, bulk add), stored in chrome.storage.local under
 * `local:outbox` with an idempotency key made at click time, sent with the backend's Idempotency-Key,
 * retried while the backend is unreachable or busy.
 *
 * An entry's states: pending (waiting to be sent, or to be retried after `lastError`) → sending → done (the
 * backend answered 2xx; `result` holds its answer) or failed (refused with a 4xx, or not sent within
 * PENDING_GIVE_UP_MS; never retried). Done entries are pruned after DONE_TTL_MS, failed ones after FAILED_TTL_MS once
 * a page has told the rep (`told`), else after FAILED_UNTOLD_TTL_MS.
 */
import { storage } from 'wxt/utils/storage';
import type { AssignResult, ConnectionStatus, InteractionRequest, JobAccepted, Task, UnassignResult } from './api';
import { IDEMPOTENCY_KEY_RETENTION_DAYS } from './api-paths';
import { STORAGE_KEYS } from './storage-keys';

/** `prospectName`: the record's name when the write was made (not sent): what the rep is told names whom it was for. */
export type OutboxWrite =
  | { kind: 'assign'; flowId: string; flowName: string; crmProspectIds: string[]; prospectName?: string; coolOffOverride?: boolean; flowInstanceOwnerEmail?: string }
  | { kind: 'unassign'; flowId: string; flowName: string; crmProspectIds: string[]; prospectName?: string }
  | { kind: 'interaction'; body: InteractionRequest }
  | { kind: 'completeTask'; taskId: string; title: string; notes?: string }
  | { kind: 'skipTask'; taskId: string; title: string; reason?: string };

export type OutboxResult = AssignResult | JobAccepted | UnassignResult | { accepted: true } | { task: Task };

/** Why the last attempt failed, as the backend said it (the panel words it for the rep). */
export interface OutboxError {
  code: string;
  message: string;
  /** GONG_NOT_CONNECTED: the rep's Gong account status, when the backend said. */
  connectionStatus?: ConnectionStatus;
}

export interface OutboxEntry {
  /** Also the Idempotency-Key sent to the backend. */
  id: string;
  write: OutboxWrite;
  /** pending: waiting to be (re)sent; done: the backend answered 2xx; failed: refused (4xx), shown and dropped. */
  status: 'pending' | 'sending' | 'done' | 'failed';
  attempts: number;
  createdAt: number;
  nextAttemptAt: number;
  lastError: OutboxError | null;
  result: OutboxResult | null;
  /** When it became done or failed (for pruning and "saved just now"). */
  settledAt?: number;
  /** Failed, and a page has shown the rep why (a panel's notice or the row it was made on): see FAILED_UNTOLD_TTL_MS. */
  told?: boolean;
}

export const outboxItem = storage.defineItem<OutboxEntry[]>(STORAGE_KEYS.outbox, { fallback: [] });

/** Landed writes stay visible ("Saved") for a while, then go. */
export const DONE_TTL_MS = 10 * 60_000;
/** Refusals the rep was shown stay a day. */
export const FAILED_TTL_MS = 24 * 60 * 60_000;
/**
 * A refusal no page has shown yet (it landed while no panel was open, e.g. a write given up after PENDING_GIVE_UP_MS)
 * waits this long for the next panel to tell the rep.
 */
export const FAILED_UNTOLD_TTL_MS = 7 * 24 * 60 * 60_000;
/**
 * A write not sent within this long fails (the rep is told) instead of being retried: the backend forgets a key
 * after IDEMPOTENCY_KEY_RETENTION_DAYS, so a later retry could run a write that had landed once already. A day
 * short of that, for clocks that disagree.
 */
export const PENDING_GIVE_UP_MS = (IDEMPOTENCY_KEY_RETENTION_DAYS - 1) * 24 * 60 * 60_000;

/** Writes still waiting for the backend (what the UI counts as "changes waiting"). */
export function pendingEntries(entries: OutboxEntry[]): OutboxEntry[] {
  return entries.filter((e) => e.status === 'pending' || e.status === 'sending');
}

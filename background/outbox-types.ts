/**
 * A write the rep made (assign, unassign, interaction, task change, bulk add). Every write goes through
 * the background's outbox: stored in chrome.storage.local with an idempotency key made at click time,
 * sent with the backend's Idempotency-Key, retried while the backend is unreachable or busy.
 */
import type { AssignResult, InteractionRequest, JobAccepted, Task, UnassignResult } from '../lib/api';

export type OutboxWrite =
  | { kind: 'assign'; flowId: string; flowName: string; crmProspectIds: string[]; coolOffOverride?: boolean; flowInstanceOwnerEmail?: string }
  | { kind: 'unassign'; flowId: string; flowName: string; crmProspectIds: string[] }
  | { kind: 'interaction'; body: InteractionRequest }
  | { kind: 'completeTask'; taskId: string; title: string; notes?: string }
  | { kind: 'skipTask'; taskId: string; title: string; reason?: string };

export type OutboxResult = AssignResult | JobAccepted | UnassignResult | { accepted: true } | { task: Task };

export interface OutboxEntry {
  /** Also the Idempotency-Key sent to the backend. */
  id: string;
  write: OutboxWrite;
  /** pending: waiting to be (re)sent; done: the backend answered 2xx; failed: refused (4xx), shown and dropped. */
  status: 'pending' | 'sending' | 'done' | 'failed';
  attempts: number;
  createdAt: number;
  nextAttemptAt: number;
  lastError: { code: string; message: string } | null;
  result: OutboxResult | null;
  /** When it became done or failed (for pruning and "saved just now"). */
  settledAt?: number;
}

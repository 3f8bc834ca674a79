/**
 * Idempotency keys for writes: the first final answer to (user, key) is stored and replayed for every
 * repeat, so a retried click never reaches Gong twice. Concurrent repeats wait for the first attempt.
 * Transient failures (429/5xx) are not stored: the caller is meant to retry those with the same key.
 */
import { createHash } from 'node:crypto';
import { nowIso, type Db } from './db';

export interface StoredAnswer {
  status: number;
  body: unknown;
}

export type IdempotencyLookup =
  | { kind: 'new' }
  | { kind: 'replay'; answer: StoredAnswer }
  | { kind: 'mismatch' };

export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,200}$/;

export function requestFingerprint(route: string, params: unknown, body: unknown): string {
  return createHash('sha256').update(JSON.stringify([route, params ?? null, body ?? null])).digest('hex');
}

export function isFinalStatus(status: number): boolean {
  return status < 500 && status !== 429 && status !== 409;
}

/** A first attempt's claim (status 0) older than this was left by a replica that died: another may take over. */
export const ABANDONED_CLAIM_MS = 120_000;

type RunOutcome = { answer: StoredAnswer; replayed: boolean } | { mismatch: true };

/** Answered while another replica runs the first attempt of this key: not final, so the caller retries it. */
const IN_PROGRESS: StoredAnswer = {
  status: 409,
  body: { error: { code: 'CONFLICT', message: 'A request with this Idempotency-Key is still being processed; retry in a moment', retryAfter: 1 } },
};

export class IdempotencyStore {
  private readonly inFlight = new Map<string, Promise<RunOutcome>>();

  constructor(private readonly db: Db) {}

  async lookup(userId: number, key: string, fingerprint: string): Promise<IdempotencyLookup | { kind: 'in-progress' } | { kind: 'abandoned' }> {
    const row = await this.db.get<{ hash: string; status: number; body: string; createdAt: string }>(
      'SELECT request_hash AS hash, status, body, created_at AS "createdAt" FROM idempotency WHERE user_id = ? AND key = ?',
      [userId, key],
    );
    if (!row) return { kind: 'new' };
    if (row.status === 0) return Date.parse(row.createdAt) + ABANDONED_CLAIM_MS < Date.now() ? { kind: 'abandoned' } : { kind: 'in-progress' };
    if (row.hash !== fingerprint) return { kind: 'mismatch' };
    return { kind: 'replay', answer: { status: row.status, body: JSON.parse(row.body) } };
  }

  /**
   * Runs `attempt` once per (user, key), across replicas: the first attempt claims the key in the database
   * (a row with status 0), a repeat meanwhile gets a retryable 409 (in this process it waits for the first
   * attempt instead), a later repeat gets the stored answer. A transient answer (429/5xx/409) is not kept, so
   * the next repeat is a new first attempt. Returns the answer and whether it was replayed.
   */
  async run(userId: number, key: string, fingerprint: string, attempt: () => Promise<StoredAnswer>): Promise<RunOutcome> {
    const slot = `${userId}\u0000${key}`;
    for (;;) {
      const running = this.inFlight.get(slot);
      if (running) {
        // Then the stored answer, or (the first attempt failed transiently) a new first attempt.
        await running.catch(() => undefined);
        continue;
      }
      // Set before anything is awaited: a concurrent repeat in this process sees it.
      const work = this.firstAttempt(userId, key, fingerprint, attempt);
      this.inFlight.set(slot, work);
      try {
        return await work;
      } finally {
        if (this.inFlight.get(slot) === work) this.inFlight.delete(slot);
      }
    }
  }

  private async firstAttempt(userId: number, key: string, fingerprint: string, attempt: () => Promise<StoredAnswer>): Promise<RunOutcome> {
    const found = await this.lookup(userId, key, fingerprint);
    if (found.kind === 'mismatch') return { mismatch: true };
    if (found.kind === 'replay') return { answer: found.answer, replayed: true };
    if (found.kind === 'in-progress') return { answer: IN_PROGRESS, replayed: false };
    const claimed =
      found.kind === 'new'
        ? await this.db.run(
            `INSERT INTO idempotency (user_id, key, request_hash, status, body, created_at) VALUES (?, ?, ?, 0, '', ?) ON CONFLICT DO NOTHING`,
            [userId, key, fingerprint, nowIso()],
          )
        : // Taken over from a dead replica, by one replica only: the claim must still be the abandoned one.
          await this.db.run(`UPDATE idempotency SET request_hash = ?, created_at = ? WHERE user_id = ? AND key = ? AND status = 0 AND created_at < ?`, [
            fingerprint,
            nowIso(),
            userId,
            key,
            new Date(Date.now() - ABANDONED_CLAIM_MS).toISOString(),
          ]);
    // Another replica claimed it between the look and the claim.
    if (claimed.changes !== 1) return { answer: IN_PROGRESS, replayed: false };
    let answer: StoredAnswer;
    try {
      answer = await attempt();
    } catch (err) {
      await this.forget(userId, key);
      throw err;
    }
    if (isFinalStatus(answer.status)) {
      await this.db.run('UPDATE idempotency SET status = ?, body = ?, request_hash = ? WHERE user_id = ? AND key = ?', [
        answer.status,
        JSON.stringify(answer.body),
        fingerprint,
        userId,
        key,
      ]);
    } else {
      await this.forget(userId, key);
    }
    return { answer, replayed: false };
  }

  /** Lets go of a claim whose attempt ended without a final answer: the next repeat is a first attempt. */
  private async forget(userId: number, key: string): Promise<void> {
    await this.db.run('DELETE FROM idempotency WHERE user_id = ? AND key = ? AND status = 0', [userId, key]);
  }
}

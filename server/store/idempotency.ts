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

export class IdempotencyStore {
  private readonly inFlight = new Map<string, Promise<StoredAnswer>>();

  constructor(private readonly db: Db) {}

  lookup(userId: number, key: string, fingerprint: string): IdempotencyLookup {
    const row = this.db
      .prepare('SELECT request_hash AS hash, status, body FROM idempotency WHERE user_id = ? AND key = ?')
      .get(userId, key) as { hash: string; status: number; body: string } | undefined;
    if (!row) return { kind: 'new' };
    if (row.hash !== fingerprint) return { kind: 'mismatch' };
    return { kind: 'replay', answer: { status: row.status, body: JSON.parse(row.body) } };
  }

  /**
   * Runs `attempt` once per (user, key): a concurrent repeat shares the running attempt, a later
   * repeat gets the stored answer. Returns the answer and whether it was replayed.
   */
  async run(
    userId: number,
    key: string,
    fingerprint: string,
    attempt: () => Promise<StoredAnswer>,
  ): Promise<{ answer: StoredAnswer; replayed: boolean } | { mismatch: true }> {
    const slot = `${userId}\u0000${key}`;
    const running = this.inFlight.get(slot);
    if (running) {
      const answer = await running.catch(() => undefined);
      // The first attempt failed transiently: fall through and try again as the new first attempt.
      if (answer && isFinalStatus(answer.status)) return { answer, replayed: true };
    }
    const found = this.lookup(userId, key, fingerprint);
    if (found.kind === 'mismatch') return { mismatch: true };
    if (found.kind === 'replay') return { answer: found.answer, replayed: true };
    const promise = attempt().then((answer) => {
      if (isFinalStatus(answer.status)) {
        this.db
          .prepare('INSERT OR IGNORE INTO idempotency (user_id, key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(userId, key, fingerprint, answer.status, JSON.stringify(answer.body), nowIso());
      }
      return answer;
    });
    this.inFlight.set(slot, promise);
    try {
      return { answer: await promise, replayed: false };
    } finally {
      if (this.inFlight.get(slot) === promise) this.inFlight.delete(slot);
    }
  }
}

/**
 * Gong connect links bound to the rep they were made for. The link is asked for with `userVerifyUrl` (the
 * backend's /auth/gong/verify) and a random `state`; after the Gong authorization Scalekit sends the browser
 * there with `auth_request_id` (and the state). The backend then proves who that browser belongs to with its own
 * sign-in session and calls verifyConnectedAccountUser with that person's identifier: Scalekit activates the
 * connection only for the identifier the link was made for. The state lets the backend refuse a forwarded link
 * itself, before asking Scalekit, and say so clearly.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../store/db';

/** A little longer than Scalekit's link (10 minutes in the stand-in; unknown at Scalekit, docs/sso.md). */
export const GONG_LINK_TTL_MS = 30 * 60 * 1000;
export const GONG_VERIFY_PATH = '/auth/gong/verify';

const hash = (v: string) => createHash('sha256').update(v).digest('hex');

export class GongLinkRequests {
  constructor(private readonly db: Db) {}

  /** A state for a new link made for this person. */
  create(userId: number, identifier: string): string {
    const state = randomBytes(24).toString('base64url');
    this.db.prepare('DELETE FROM gong_link_requests WHERE expires_at < ?').run(Date.now());
    this.db.prepare('INSERT INTO gong_link_requests (state_hash, user_id, identifier, expires_at) VALUES (?, ?, ?, ?)').run(hash(state), userId, identifier, Date.now() + GONG_LINK_TTL_MS);
    return state;
  }

  /** Who the link with this state was made for (undefined: unknown or expired). */
  find(state: string): { userId: number; identifier: string } | undefined {
    const row = this.db.prepare('SELECT user_id AS userId, identifier, expires_at AS expiresAt FROM gong_link_requests WHERE state_hash = ?').get(hash(state)) as
      | { userId: number; identifier: string; expiresAt: number }
      | undefined;
    return row && row.expiresAt > Date.now() ? { userId: row.userId, identifier: row.identifier } : undefined;
  }

  done(state: string): void {
    this.db.prepare('DELETE FROM gong_link_requests WHERE state_hash = ?').run(hash(state));
  }
}

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
  async create(userId: number, identifier: string): Promise<string> {
    const state = randomBytes(24).toString('base64url');
    await this.db.run('DELETE FROM gong_link_requests WHERE expires_at < ?', [Date.now()]);
    await this.db.run('INSERT INTO gong_link_requests (state_hash, user_id, identifier, expires_at) VALUES (?, ?, ?, ?)', [hash(state), userId, identifier, Date.now() + GONG_LINK_TTL_MS]);
    return state;
  }

  /** Who the link with this state was made for (undefined: unknown or expired). */
  async find(state: string): Promise<{ userId: number; identifier: string } | undefined> {
    const row = await this.db.get<{ userId: number; identifier: string; expiresAt: number }>(
      'SELECT user_id AS "userId", identifier, expires_at AS "expiresAt" FROM gong_link_requests WHERE state_hash = ?',
      [hash(state)],
    );
    return row && row.expiresAt > Date.now() ? { userId: row.userId, identifier: row.identifier } : undefined;
  }

  async done(state: string): Promise<void> {
    await this.db.run('DELETE FROM gong_link_requests WHERE state_hash = ?', [hash(state)]);
  }
}

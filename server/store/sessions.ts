/**
 * Sign-in sessions issued after SSO: the extension's device token (a bearer token for /api/v1, like a CLI
 * token) and the backend's own browser session (a cookie on /auth, used to prove who finishes a Gong connect).
 * Only a SHA-256 of each token is stored. A device token lives 30 days past its last use and ends at once when
 * the rep signs out or an admin revokes the person; a browser session lives 12 hours.
 */
import { randomBytes } from 'node:crypto';
import { nowIso, type Db } from './db';
import { hashToken, type User, type UserStore } from './users';

export type SessionKind = 'extension' | 'browser';

/** Recognisable in a secret scanner, and tells the auth hook which table to ask. */
export const DEVICE_TOKEN_PREFIX = 'ged_';
export const SESSION_TTL_MS: Record<SessionKind, number> = { extension: 30 * 24 * 3600_000, browser: 12 * 3600_000 };
/** A device token's expiry slides forward on use at most this often (one write per hour, not per request). */
const SLIDE_EVERY_MS = 3600_000;
const CACHE_MS = 5_000;

export interface Session {
  id: number;
  userId: number;
  kind: SessionKind;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: number;
  revokedAt: string | null;
}

const COLUMNS = 'id, user_id AS "userId", kind, created_at AS "createdAt", last_seen_at AS "lastSeenAt", expires_at AS "expiresAt", revoked_at AS "revokedAt"';

export class SessionStore {
  private readonly cache = new Map<string, { user: User; session: Session; until: number }>();

  constructor(
    private readonly db: Db,
    private readonly users: UserStore,
  ) {}

  /** Told of every revocation made here, so other replicas forget the sessions they kept (app.ts publishes it). */
  onChange: (() => void) | null = null;

  async issue(userId: number, kind: SessionKind): Promise<{ token: string; session: Session }> {
    const token = `${DEVICE_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const now = nowIso();
    const session = await this.db.get<Session>(
      `INSERT INTO sessions (user_id, kind, token_hash, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
      [userId, kind, hashToken(token), now, now, Date.now() + SESSION_TTL_MS[kind]],
    );
    return { token, session: session! };
  }

  byId(id: number): Promise<Session | undefined> {
    return this.db.get<Session>(`SELECT ${COLUMNS} FROM sessions WHERE id = ?`, [id]);
  }

  /** The active user and session this token belongs to; 'revoked' for a revoked session or person; undefined otherwise. */
  async authenticate(token: string, kind: SessionKind): Promise<{ user: User; session: Session } | 'revoked' | 'expired' | undefined> {
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now() && cached.session.kind === kind) return { user: cached.user, session: cached.session };
    this.cache.delete(hash);
    const session = await this.db.get<Session>(`SELECT ${COLUMNS} FROM sessions WHERE token_hash = ?`, [hash]);
    if (!session || session.kind !== kind) return undefined;
    if (session.revokedAt) return 'revoked';
    if (session.expiresAt <= Date.now()) return 'expired';
    const user = await this.users.byId(session.userId);
    if (!user || user.revokedAt) return 'revoked';
    if (kind === 'extension' && Date.parse(session.lastSeenAt) + SLIDE_EVERY_MS <= Date.now()) {
      session.lastSeenAt = nowIso();
      session.expiresAt = Date.now() + SESSION_TTL_MS.extension;
      await this.db.run('UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?', [session.lastSeenAt, session.expiresAt, session.id]);
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { user, session, until: Date.now() + CACHE_MS });
    return { user, session };
  }

  private revoked(changes: number): number {
    this.cache.clear();
    if (changes > 0) this.onChange?.();
    return changes;
  }

  async revoke(sessionId: number): Promise<boolean> {
    return this.revoked((await this.db.run('UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [nowIso(), sessionId])).changes) > 0;
  }

  async revokeToken(token: string): Promise<boolean> {
    return this.revoked((await this.db.run('UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL', [nowIso(), hashToken(token)])).changes) > 0;
  }

  /** Every session of a person (an admin revoked them). */
  async revokeAllFor(userId: number): Promise<number> {
    return this.revoked((await this.db.run('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL', [nowIso(), userId])).changes);
  }

  activeFor(userId: number): Promise<Session[]> {
    return this.db.all<Session>(`SELECT ${COLUMNS} FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY id`, [userId, Date.now()]);
  }

  /** Each user's valid sign-ins of this kind (only `userId`'s when given), in one query: the admin console's people. */
  async activeCounts(kind: SessionKind, userId?: number): Promise<Map<number, number>> {
    const rows = await this.db.all<{ user_id: number; n: number }>(
      `SELECT user_id, COUNT(*) AS n FROM sessions WHERE kind = ? AND revoked_at IS NULL AND expires_at > ?${userId === undefined ? '' : ' AND user_id = ?'} GROUP BY user_id`,
      userId === undefined ? [kind, Date.now()] : [kind, Date.now(), userId],
    );
    return new Map(rows.map((r) => [Number(r.user_id), Number(r.n)]));
  }

  /** Forgets the answers kept for a few seconds (a change made by another process, e.g. the CLI). */
  clearCache(): void {
    this.cache.clear();
  }
}

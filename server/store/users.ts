/**
 * API users: one token = one user = one email = one Gong connected-account identifier.
 * Only a SHA-256 of each token is stored; lookups compare hashes in constant time.
 */
import crypto, { randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ROLES, type Role } from '../../lib/gong-tools';
import { nowIso, type Db } from './db';

export interface User {
  id: number;
  email: string;
  role: Role;
  createdAt: string;
  revokedAt: string | null;
}

/**
 * Every API request hashes its token: Node's one-shot `crypto.hash` (20.12+) makes no Hash object, which on a backend
 * whose requests come seconds apart costs ~5× less (~20 µs against ~90 µs measured, caches cold).
 */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
export const hashToken: (token: string) => string = oneShotHash
  ? (token) => oneShotHash('sha256', token, 'hex')
  : (token) => crypto.createHash('sha256').update(token, 'utf8').digest('hex');

/** 32 random bytes, URL-safe; prefixed so a leaked token is recognisable in a secret scanner. */
export const newToken = () => `gek_${randomBytes(32).toString('base64url')}`;

const emailSchema = z.email().max(320);

const USER_COLUMNS = 'id, email, role, created_at AS "createdAt", revoked_at AS "revokedAt"';
/** A person as the admin console lists them: with their last use. */
export type ListedUser = User & { lastSeenAt: string | null };
const LISTED_COLUMNS = `${USER_COLUMNS}, last_seen_at AS "lastSeenAt"`;

/** How long a token → user answer is reused without asking SQLite (a revocation by another process takes effect within it). */
export const AUTH_CACHE_MS = 5_000;
const AUTH_CACHE_MAX = 10_000;
const SEEN_WRITE_EVERY_MS = 60_000;

export class UserStore {
  /** Active users by token hash, briefly: every API request authenticates. Cleared by any change in this process. */
  private readonly authCache = new Map<string, { user: User; until: number }>();
  private readonly seenWritten = new Map<number, number>();

  /** Sandbox mode: sign-ins come from the stand-in's hosted login, where anyone can be anyone (set by app.ts). */
  sandboxSignIns = false;

  /** Active users, counted once per change in this process (or after AUTH_CACHE_MS: another process may add one). */
  private activeCache: { n: number; until: number } | null = null;

  constructor(private readonly db: Db, private readonly authCacheMs = AUTH_CACHE_MS) {}

  /** Told of every change of users or tokens made here, so other replicas forget theirs (app.ts publishes it). */
  onChange: (() => void) | null = null;

  /** A change of users or tokens made in this process. */
  private changed(): void {
    this.forget();
    this.onChange?.();
  }

  /** Forgets what was kept of users and tokens (a change here, or on another replica). */
  forget(): void {
    this.authCache.clear();
    this.activeCache = null;
  }

  /** How many users have an active token (each has an equal default share of the Gong budget). */
  async activeCount(): Promise<number> {
    if (this.activeCache && this.activeCache.until > Date.now()) return this.activeCache.n;
    const { n } = (await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM users WHERE revoked_at IS NULL'))!;
    this.activeCache = { n, until: Date.now() + AUTH_CACHE_MS };
    return n;
  }

  /**
   * Creates the user (or re-issues a revoked one, keeping its role unless one is given) and returns the
   * token, which is never stored.
   */
  async add(email: string, token = newToken(), role?: Role): Promise<{ user: User; token: string }> {
    const normalized = emailSchema.parse(email.trim().toLowerCase());
    const checkedRole = role === undefined ? undefined : parseRole(role);
    const existing = await this.byEmail(normalized);
    if (existing && !existing.revokedAt) throw new Error(`user ${normalized} already exists; revoke it first to issue a new token`);
    if (existing) {
      // Re-issued by an operator: a real user from now on, even if it was the sandbox demo user.
      await this.db.run('UPDATE users SET token_hash = ?, revoked_at = NULL, role = ?, sandbox_demo = 0 WHERE id = ?', [
        hashToken(token),
        checkedRole ?? existing.role,
        existing.id,
      ]);
    } else {
      await this.db.run('INSERT INTO users (email, token_hash, created_at, role) VALUES (?, ?, ?, ?)', [normalized, hashToken(token), nowIso(), checkedRole ?? 'rep']);
    }
    this.changed();
    return { user: (await this.byEmail(normalized))!, token };
  }

  /** Changes a user's role; takes effect on that user's next request. */
  async setRole(email: string, role: Role): Promise<User> {
    const checked = parseRole(role);
    const normalized = email.trim().toLowerCase();
    const res = await this.db.run('UPDATE users SET role = ? WHERE email = ?', [checked, normalized]);
    this.changed();
    if (res.changes === 0) throw new Error(`No user ${normalized}`);
    return (await this.byEmail(normalized))!;
  }

  /** Makes sure the sandbox demo user `email` exists and answers to `token`; it is marked as the demo user. */
  async ensureSandboxDemo(email: string, token: string): Promise<User> {
    if (!(await this.byEmail(email))) await this.add(email, token);
    await this.db.run('UPDATE users SET token_hash = ?, revoked_at = NULL, sandbox_demo = 1 WHERE email = ?', [hashToken(token), email]);
    this.changed();
    return (await this.byEmail(email))!;
  }

  /**
   * Scalekit mode: revokes the sandbox demo user, whose token is public or was printed on a terminal, and everyone
   * who signed in through the sandbox's hosted login (anyone can sign in as anyone there). Returns their emails.
   */
  async revokeSandboxDemo(): Promise<string[]> {
    const active = await this.db.all<{ email: string }>('SELECT email FROM users WHERE sandbox_demo = 1 AND revoked_at IS NULL ORDER BY id');
    await this.db.run('UPDATE users SET revoked_at = ? WHERE sandbox_demo = 1 AND revoked_at IS NULL', [nowIso()]);
    this.changed();
    return active.map((r) => r.email);
  }

  async revoke(email: string): Promise<boolean> {
    // A revocation takes effect on this process's next request, and on other replicas' within AUTH_CACHE_MS
    // (sooner: app.ts tells them).
    const res = await this.db.run('UPDATE users SET revoked_at = ? WHERE email = ? AND revoked_at IS NULL', [nowIso(), email.trim().toLowerCase()]);
    this.changed();
    return res.changes > 0;
  }

  list(): Promise<User[]> {
    return this.db.all<User>(`SELECT ${USER_COLUMNS} FROM users ORDER BY id`);
  }

  /** Every person with when they last used the backend (admin console). */
  listWithLastSeen(): Promise<ListedUser[]> {
    return this.db.all<ListedUser>(`SELECT ${LISTED_COLUMNS} FROM users ORDER BY email`);
  }

  /** One person as listWithLastSeen lists them. */
  withLastSeen(id: number): Promise<ListedUser | undefined> {
    return this.db.get<ListedUser>(`SELECT ${LISTED_COLUMNS} FROM users WHERE id = ?`, [id]);
  }

  byId(id: number): Promise<User | undefined> {
    return this.db.get<User>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [id]);
  }

  /**
   * The person an SSO sign-in proved: found (keeping the role an admin gave), or created as a rep. A person
   * created here has no API token: the stored hash is of a random token nobody ever sees.
   */
  async findOrCreateForSso(email: string): Promise<User> {
    const normalized = emailSchema.parse(email.trim().toLowerCase());
    // Signed in through the sandbox's hosted login: marked, so Scalekit mode refuses this person's sessions.
    if (this.sandboxSignIns) await this.db.run('UPDATE users SET sandbox_demo = 1 WHERE email = ?', [normalized]);
    const existing = await this.byEmail(normalized);
    if (existing) return existing;
    // Two sign-ins of a new person at once (two replicas): the second insert changes nothing.
    await this.db.run('INSERT INTO users (email, token_hash, created_at, sandbox_demo) VALUES (?, ?, ?, ?) ON CONFLICT (email) DO NOTHING', [
      normalized,
      hashToken(newToken()),
      nowIso(),
      this.sandboxSignIns ? 1 : 0,
    ]);
    this.changed();
    return (await this.byEmail(normalized))!;
  }

  /**
   * Records that the person used the backend (written at most once a minute per person). Every request calls it:
   * it returns the write when there is one, and nothing (no promise) when it was written within the minute.
   */
  markSeen(userId: number): Promise<void> | undefined {
    const now = Date.now();
    if ((this.seenWritten.get(userId) ?? 0) + SEEN_WRITE_EVERY_MS > now) return undefined;
    this.seenWritten.set(userId, now);
    return this.db.run('UPDATE users SET last_seen_at = ? WHERE id = ?', [new Date(now).toISOString(), userId]).then(() => undefined);
  }

  byEmail(email: string): Promise<User | undefined> {
    return this.db.get<User>(`SELECT ${USER_COLUMNS} FROM users WHERE email = ?`, [email]);
  }

  /** The active user this token belongs to, or 'revoked' / undefined. */
  async authenticate(token: string): Promise<User | 'revoked' | undefined> {
    const hash = hashToken(token);
    const cached = this.authCache.get(hash);
    if (cached && cached.until > Date.now()) return cached.user;
    if (cached) this.authCache.delete(hash);
    // The hash is the lookup key (an index seek); the constant-time compare guards the final equality.
    const row = await this.db.get<User & { tokenHash: string }>(`SELECT ${USER_COLUMNS}, token_hash AS "tokenHash" FROM users WHERE token_hash = ?`, [hash]);
    if (!row || !timingSafeEqual(Buffer.from(row.tokenHash, 'hex'), Buffer.from(hash, 'hex'))) return undefined;
    if (row.revokedAt) return 'revoked';
    const user: User = { id: row.id, email: row.email, role: row.role, createdAt: row.createdAt, revokedAt: null };
    if (this.authCacheMs > 0) {
      if (this.authCache.size >= AUTH_CACHE_MAX) this.authCache.clear();
      this.authCache.set(hash, { user, until: Date.now() + this.authCacheMs });
    }
    return user;
  }
}

export function parseRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) throw new Error(`role must be one of ${ROLES.join(', ')} (got ${JSON.stringify(role)})`);
  return role as Role;
}

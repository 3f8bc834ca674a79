/**
 * API users: one token = one user = one email = one Gong connected-account identifier.
 * Only a SHA-256 of each token is stored; lookups compare hashes in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
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

export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** 32 random bytes, URL-safe; prefixed so a leaked token is recognisable in a secret scanner. */
export const newToken = () => `gek_${randomBytes(32).toString('base64url')}`;

const emailSchema = z.email().max(320);

const USER_COLUMNS = 'id, email, role, created_at AS createdAt, revoked_at AS revokedAt';

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

  /** Any change of users or tokens in this process. */
  private changed(): void {
    this.authCache.clear();
    this.activeCache = null;
  }

  /** How many users have an active token (each has an equal default share of the Gong budget). */
  activeCount(): number {
    if (this.activeCache && this.activeCache.until > Date.now()) return this.activeCache.n;
    const { n } = this.db.prepare('SELECT COUNT(*) AS n FROM users WHERE revoked_at IS NULL').get() as { n: number };
    this.activeCache = { n, until: Date.now() + AUTH_CACHE_MS };
    return n;
  }

  /**
   * Creates the user (or re-issues a revoked one, keeping its role unless one is given) and returns the
   * token, which is never stored.
   */
  add(email: string, token = newToken(), role?: Role): { user: User; token: string } {
    this.changed();
    const normalized = emailSchema.parse(email.trim().toLowerCase());
    const checkedRole = role === undefined ? undefined : parseRole(role);
    const existing = this.byEmail(normalized);
    if (existing && !existing.revokedAt) throw new Error(`user ${normalized} already exists; revoke it first to issue a new token`);
    if (existing) {
      // Re-issued by an operator: a real user from now on, even if it was the sandbox demo user.
      this.db
        .prepare('UPDATE users SET token_hash = ?, revoked_at = NULL, role = ?, sandbox_demo = 0 WHERE id = ?')
        .run(hashToken(token), checkedRole ?? existing.role, existing.id);
    } else {
      this.db
        .prepare('INSERT INTO users (email, token_hash, created_at, role) VALUES (?, ?, ?, ?)')
        .run(normalized, hashToken(token), nowIso(), checkedRole ?? 'rep');
    }
    return { user: this.byEmail(normalized)!, token };
  }

  /** Changes a user's role; takes effect on that user's next request. */
  setRole(email: string, role: Role): User {
    const checked = parseRole(role);
    const normalized = email.trim().toLowerCase();
    this.changed();
    const res = this.db.prepare('UPDATE users SET role = ? WHERE email = ?').run(checked, normalized);
    if (res.changes === 0) throw new Error(`No user ${normalized}`);
    return this.byEmail(normalized)!;
  }

  /** Makes sure the sandbox demo user `email` exists and answers to `token`; it is marked as the demo user. */
  ensureSandboxDemo(email: string, token: string): User {
    this.changed();
    if (!this.byEmail(email)) this.add(email, token);
    this.db.prepare('UPDATE users SET token_hash = ?, revoked_at = NULL, sandbox_demo = 1 WHERE email = ?').run(hashToken(token), email);
    return this.byEmail(email)!;
  }

  /**
   * Scalekit mode: revokes the sandbox demo user, whose token is public or was printed on a terminal, and everyone
   * who signed in through the sandbox's hosted login (anyone can sign in as anyone there). Returns their emails.
   */
  revokeSandboxDemo(): string[] {
    this.changed();
    const active = this.db.prepare('SELECT email FROM users WHERE sandbox_demo = 1 AND revoked_at IS NULL ORDER BY id').all() as { email: string }[];
    this.db.prepare('UPDATE users SET revoked_at = ? WHERE sandbox_demo = 1 AND revoked_at IS NULL').run(nowIso());
    return active.map((r) => r.email);
  }

  revoke(email: string): boolean {
    // A revocation in this process takes effect on the next request.
    this.changed();
    const res = this.db
      .prepare('UPDATE users SET revoked_at = ? WHERE email = ? AND revoked_at IS NULL')
      .run(nowIso(), email.trim().toLowerCase());
    return res.changes > 0;
  }

  list(): User[] {
    return this.db
      .prepare(`SELECT ${USER_COLUMNS} FROM users ORDER BY id`)
      .all() as User[];
  }

  /** Every person with when they last used the backend (admin console). */
  listWithLastSeen(): (User & { lastSeenAt: string | null })[] {
    return this.db.prepare(`SELECT ${USER_COLUMNS}, last_seen_at AS lastSeenAt FROM users ORDER BY email`).all() as (User & { lastSeenAt: string | null })[];
  }

  byId(id: number): User | undefined {
    return this.db
      .prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`)
      .get(id) as User | undefined;
  }

  /**
   * The person an SSO sign-in proved: found (keeping the role an admin gave), or created as a rep. A person
   * created here has no API token: the stored hash is of a random token nobody ever sees.
   */
  findOrCreateForSso(email: string): User {
    const normalized = emailSchema.parse(email.trim().toLowerCase());
    // Signed in through the sandbox's hosted login: marked, so Scalekit mode refuses this person's sessions.
    if (this.sandboxSignIns) this.db.prepare('UPDATE users SET sandbox_demo = 1 WHERE email = ?').run(normalized);
    const existing = this.byEmail(normalized);
    if (existing) return existing;
    this.changed();
    this.db
      .prepare('INSERT INTO users (email, token_hash, created_at, sandbox_demo) VALUES (?, ?, ?, ?)')
      .run(normalized, hashToken(newToken()), nowIso(), this.sandboxSignIns ? 1 : 0);
    return this.byEmail(normalized)!;
  }

  /** Records that the person used the backend (written at most once a minute per person). */
  markSeen(userId: number): void {
    const now = Date.now();
    if ((this.seenWritten.get(userId) ?? 0) + SEEN_WRITE_EVERY_MS > now) return;
    this.seenWritten.set(userId, now);
    this.db.prepare('UPDATE users SET last_seen_at = ? WHERE id = ?').run(new Date(now).toISOString(), userId);
  }

  byEmail(email: string): User | undefined {
    return this.db
      .prepare(`SELECT ${USER_COLUMNS} FROM users WHERE email = ?`)
      .get(email) as User | undefined;
  }

  /** The active user this token belongs to, or 'revoked' / undefined. */
  authenticate(token: string): User | 'revoked' | undefined {
    const hash = hashToken(token);
    const cached = this.authCache.get(hash);
    if (cached && cached.until > Date.now()) return cached.user;
    if (cached) this.authCache.delete(hash);
    // The hash is the lookup key (an index seek); the constant-time compare guards the final equality.
    const row = this.db
      .prepare(`SELECT ${USER_COLUMNS}, token_hash AS tokenHash FROM users WHERE token_hash = ?`)
      .get(hash) as (User & { tokenHash: string }) | undefined;
    if (!row || !timingSafeEqual(Buffer.from(row.tokenHash, 'hex'), Buffer.from(hash, 'hex'))) return undefined;
    if (row.revokedAt) return 'revoked';
    const user: User = { id: row.id, email: row.email, role: row.role, createdAt: row.createdAt, revokedAt: null };
    if (this.authCacheMs > 0) {
      if (this.authCache.size >= AUTH_CACHE_MAX) this.changed();
      this.authCache.set(hash, { user, until: Date.now() + this.authCacheMs });
    }
    return user;
  }
}

export function parseRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) throw new Error(`role must be one of ${ROLES.join(', ')} (got ${JSON.stringify(role)})`);
  return role as Role;
}

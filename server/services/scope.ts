/**
 * Whom a caller may act for: a rep themself; a manager themself and their team (everyone below them in
 * Gong's user list, by managerId, at any depth); an admin everyone. The team comes from Gong's user list
 * (gong_users_list), loaded on the caller's own connection and kept company-wide for a few minutes. The
 * list itself is never handed to a rep: it only answers "who is on whose team" inside the backend.
 */
import type { z } from 'zod';
import { gongUsersResponse, type gongUser } from '../../lib/gong-types';
import type { GongSession } from '../gong/session';
import type { User } from '../store/users';
import { allPages } from './paging';

type DirectoryUser = z.infer<typeof gongUser>;

export interface Scope {
  user: User;
  /** An admin: every user and item of the company. */
  everyone: boolean;
  /** Lowercase emails of the people the caller may act for (themself first). */
  emails: Set<string>;
  /** Their Gong user ids, where the company's user list names them. */
  gongUserIds: Set<string>;
}

export const DIRECTORY_TTL_MS = 5 * 60_000;

export class CompanyDirectory {
  private cached: { users: DirectoryUser[]; loadedAt: number } | undefined;
  private loading: { userId: number; promise: Promise<DirectoryUser[]> } | undefined;

  constructor(private readonly ttlMs = DIRECTORY_TTL_MS) {}

  /** The caller's scope. A rep's Gong id is looked up only when asked for (`withIds`): most checks need only emails. */
  async scopeOf(session: GongSession, withIds = false): Promise<Scope> {
    const user = session.user;
    const self = user.email.toLowerCase();
    if (user.role === 'admin') return { user, everyone: true, emails: new Set([self]), gongUserIds: new Set() };
    if (user.role === 'rep' && !withIds) return { user, everyone: false, emails: new Set([self]), gongUserIds: new Set() };
    const users = await this.users(session);
    const me = users.find((u) => u.emailAddress?.toLowerCase() === self);
    const team = me ? [me, ...(user.role === 'manager' ? reportsOf(users, me.id) : [])] : [];
    return {
      user,
      everyone: false,
      emails: new Set([self, ...team.flatMap((u) => (u.emailAddress ? [u.emailAddress.toLowerCase()] : []))]),
      gongUserIds: new Set(team.map((u) => u.id)),
    };
  }

  /** The company's users (Gong's user list), from the brief shared copy or loaded on the caller's connection. */
  async users(session: GongSession): Promise<DirectoryUser[]> {
    if (this.cached && Date.now() - this.cached.loadedAt < this.ttlMs) return this.cached.users;
    const running = this.loading;
    if (running && running.userId !== session.user.id) {
      // Another user's load: its failure (their connection) is not this caller's answer.
      const got = await running.promise.catch(() => undefined);
      if (got) return got;
    }
    if (this.loading?.userId === session.user.id) return this.loading.promise;
    const promise = allPages(session, 'gong_users_list', {}, (data) => {
      const res = gongUsersResponse.parse(data);
      return { items: res.users, cursor: res.records?.cursor };
    })
      .then((users) => {
        if (this.ttlMs > 0) this.cached = { users, loadedAt: Date.now() };
        return users;
      })
      .finally(() => {
        if (this.loading?.promise === promise) this.loading = undefined;
      });
    this.loading = { userId: session.user.id, promise };
    return promise;
  }
}

/** Everyone below `managerId` in the reporting tree (a cycle in the data cannot loop). */
function reportsOf(users: DirectoryUser[], managerId: string): DirectoryUser[] {
  const out: DirectoryUser[] = [];
  const seen = new Set([managerId]);
  const queue = [managerId];
  while (queue.length) {
    const id = queue.shift()!;
    for (const u of users) {
      if (u.managerId === id && !seen.has(u.id)) {
        seen.add(u.id);
        out.push(u);
        queue.push(u.id);
      }
    }
  }
  return out;
}

export const mayActFor = (scope: Scope, email: string) => scope.everyone || scope.emails.has(email.toLowerCase());

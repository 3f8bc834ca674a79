/**
 * Roles: rep (default), manager, admin. Stored per user, set with `npm run server -- user add|role`,
 * and enforced by one helper (requireRole) that refuses with 403 and records the refusal.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../lib/gong-tools';
import { ApiFailure } from '../../server/http/api-failure';
import { hasRole, requireRole } from '../../server/http/roles';
import { AuditLog } from '../../server/store/audit';
import { UserStore } from '../../server/store/users';
import { serverArgv } from '../server-process';
import { engineEnv, openTestDb, tempDataDir, useTestDb } from './harness';

const run = promisify(execFile);

async function cli(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, await serverArgv(['user', ...args]), {
      env: { ...process.env, DATA_DIR: dataDir, ...(await engineEnv(dataDir)), LOG_LEVEL: 'warn' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const testDb = useTestDb();

describe('user roles in the store', () => {
  it('makes a new user a rep unless told otherwise, and reports the role on authentication', async () => {
    const db = await testDb();
    const users = new UserStore(db);
    const rep = await users.add('Rep.One@example.com');
    expect(rep.user.role).toBe('rep');
    const admin = await users.add('boss@example.com', undefined, 'admin');
    expect(admin.user.role).toBe('admin');
    expect(await users.authenticate(admin.token)).toMatchObject({ email: 'boss@example.com', role: 'admin' });
    expect((await users.list()).map((u) => [u.email, u.role])).toEqual([
      ['rep.one@example.com', 'rep'],
      ['boss@example.com', 'admin'],
    ]);
  });

  it('changes a role at once, even for a token whose answer was cached', async () => {
    const db = await testDb();
    const users = new UserStore(db);
    const { token } = await users.add('rep@example.com');
    expect(await users.authenticate(token)).toMatchObject({ role: 'rep' });
    expect(await users.setRole('REP@example.com', 'manager')).toMatchObject({ email: 'rep@example.com', role: 'manager' });
    expect(await users.authenticate(token)).toMatchObject({ role: 'manager' });
  });

  it('refuses an unknown role or user and changes nothing', async () => {
    const db = await testDb();
    const users = new UserStore(db);
    await users.add('rep@example.com');
    await expect(users.setRole('rep@example.com', 'owner' as never)).rejects.toThrow(/role/);
    await expect(users.add('x@example.com', undefined, 'root' as never)).rejects.toThrow(/role/);
    await expect(users.setRole('nobody@example.com', 'admin')).rejects.toThrow(/No user nobody@example.com/);
    expect((await users.list()).map((u) => [u.email, u.role])).toEqual([['rep@example.com', 'rep']]);
  });

  it('gives users who existed before roles (rows without one) the rep role', async () => {
    const db = await testDb();
    await db.run("INSERT INTO users (email, token_hash, created_at) VALUES ('old@example.com', 'abc', '2026-01-01T00:00:00.000Z')");
    expect((await new UserStore(db).byEmail('old@example.com'))?.role).toBe('rep');
  });
});

describe('requireRole', () => {
  const user = (role: (typeof ROLES)[number]) => ({ id: 7, email: `${role}@example.com`, role, createdAt: '', revokedAt: null });

  it('ranks admin over manager over rep', () => {
    expect(hasRole(user('admin'), 'manager')).toBe(true);
    expect(hasRole(user('manager'), 'manager')).toBe(true);
    expect(hasRole(user('rep'), 'manager')).toBe(false);
    expect(hasRole(user('manager'), 'admin')).toBe(false);
    expect(hasRole(user('rep'), 'rep')).toBe(true);
  });

  it('refuses a lower role with 403 FORBIDDEN and records the refusal', async () => {
    const db = await testDb();
    const audit = new AuditLog(db);
    const req = { user: user('rep'), ip: '127.0.0.1', method: 'GET', url: '/api/v1/admin/users', routeOptions: { url: '/api/v1/admin/users' } };
    let thrown: unknown;
    try {
      requireRole({ audit }, req, 'admin');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ApiFailure);
    expect((thrown as ApiFailure).status).toBe(403);
    expect((thrown as ApiFailure).code).toBe('FORBIDDEN');
    await audit.settled();
    expect(await audit.denialCount()).toBe(1);
    const row = await db.get('SELECT route, reason, user_id AS "userId" FROM access_denials');
    expect(row).toEqual({ route: '/api/v1/admin/users', reason: 'role-required:admin', userId: 7 });
    // An admin passes and gets its user back; nothing more is recorded.
    expect(requireRole({ audit }, { ...req, user: user('admin') }, 'admin').role).toBe('admin');
    await audit.settled();
    expect(await audit.denialCount()).toBe(1);
  });
});

describe('npm run server -- user add|role|list', () => {
  // Each command is a fresh node process: few of them, and a long timeout for a busy machine.
  it('adds a user with a role, changes it, lists it, and refuses a bad role without changing anything', async () => {
    const dataDir = tempDataDir();
    const added = await cli(dataDir, 'add', 'lead@example.com', 'manager');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/Created lead@example.com \(manager\)/);
    expect(added.stdout).toMatch(/\ngek_[A-Za-z0-9_-]{43}\n/);
    const seeded = await openTestDb(dataDir);
    await new UserStore(seeded).add('plain@example.com');
    await seeded.close();

    expect((await cli(dataDir, 'role', 'plain@example.com', 'admin')).stdout).toMatch(/plain@example.com is now admin/);
    const bad = await cli(dataDir, 'role', 'lead@example.com', 'superuser');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/role must be one of rep, manager, admin/);

    const list = (await cli(dataDir, 'list')).stdout.trim().split('\n');
    expect(list.map((l) => l.split('\t').slice(0, 3))).toEqual([
      ['lead@example.com', 'manager', 'active'],
      ['plain@example.com', 'admin', 'active'],
    ]);
  }, 180_000);
});

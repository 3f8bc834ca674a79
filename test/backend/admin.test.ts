/** The admin console's API: admins only; people, role changes, revocation, audit pages and filters, usage, jobs. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { adminAuditPage, adminJobs, adminPeople, adminUsage } from '../../lib/api';
import { addConnectedUser, startTestBackend, type TestBackend } from './harness';
import { ROUTES } from './route-table';

let t: TestBackend;
let adminToken: string;
let managerToken: string;
beforeAll(async () => {
  t = await startTestBackend();
  adminToken = (await t.backend.users.add('boss@example.com', undefined, 'admin')).token;
  managerToken = (await t.backend.users.add('lead@example.com', undefined, 'manager')).token;
});
afterAll(async () => {
  await t?.close();
});

const adminRoutes = ROUTES.filter((r) => r.pattern.startsWith('/api/v1/admin/'));

describe('admin API', () => {
  it('refuses a rep and a manager on every admin route (403, recorded), before changing anything', async () => {
    const roleBefore = (await t.backend.users.byId(1))!.role;
    for (const token of [undefined, managerToken]) {
      for (const r of adminRoutes) {
        const res = await t.api(r.method, r.path, { token, body: r.body });
        expect(res.status, `${r.method} ${r.path}`).toBe(403);
        expect(res.body.error.code).toBe('FORBIDDEN');
      }
    }
    expect((await t.backend.users.byId(1))!.role).toBe(roleBefore);
    expect((await t.backend.users.byId(1))!.revokedAt).toBeNull();
  });

  it("counts each person's extension sign-ins for the whole list at once, not with a query per person", async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await t.backend.users.add(`seller-${i}@example.com`)).user.id);
    const sessions = t.backend.ctx.sessions;
    // seller-0: two extension sign-ins, one revoked, and a browser one (the console's own); seller-1: one.
    await sessions.issue(ids[0], 'extension');
    await sessions.issue(ids[0], 'extension');
    await sessions.revoke((await sessions.issue(ids[0], 'extension')).session.id);
    await sessions.issue(ids[0], 'browser');
    await sessions.issue(ids[1], 'extension');
    const perPerson = vi.spyOn(sessions, 'activeFor');
    try {
      const { people } = adminPeople.parse((await t.api('GET', '/api/v1/admin/people', { token: adminToken })).body);
      const signIns = Object.fromEntries(people.filter((p) => p.email.startsWith('seller-')).map((p) => [p.email, p.activeSignIns]));
      expect(signIns).toEqual({ 'seller-0@example.com': 2, 'seller-1@example.com': 1, 'seller-2@example.com': 0, 'seller-3@example.com': 0, 'seller-4@example.com': 0 });
      expect(perPerson).not.toHaveBeenCalled();
    } finally {
      perPerson.mockRestore();
    }
  });

  it('lists people with role, last use and Gong connection', async () => {
    await t.api('GET', '/api/v1/me'); // the demo rep uses the backend: last seen is set
    const { people } = adminPeople.parse((await t.api('GET', '/api/v1/admin/people', { token: adminToken })).body);
    const rep = people.find((p) => p.email === 'rep@example.com')!;
    expect(rep).toMatchObject({ role: 'rep', gong: 'ACTIVE', revokedAt: null });
    expect(rep.lastSeenAt).not.toBeNull();
    expect(people.find((p) => p.email === 'lead@example.com')).toMatchObject({ role: 'manager', gong: 'NOT_CONNECTED' });
  });

  it('changes a role (audited), refuses a bad role and demoting oneself', async () => {
    const lead = (await t.backend.users.byEmail('lead@example.com'))!;
    const res = await t.api('POST', `/api/v1/admin/people/${lead.id}/role`, { token: adminToken, body: { role: 'admin' } });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('admin');
    expect((await t.api('POST', `/api/v1/admin/people/${lead.id}/role`, { token: adminToken, body: { role: 'owner' } })).status).toBe(400);
    const me = (await t.backend.users.byEmail('boss@example.com'))!;
    expect((await t.api('POST', `/api/v1/admin/people/${me.id}/role`, { token: adminToken, body: { role: 'rep' } })).status).toBe(409);
    expect((await t.api('POST', '/api/v1/admin/people/99999/role', { token: adminToken, body: { role: 'rep' } })).status).toBe(404);
    await t.api('POST', `/api/v1/admin/people/${lead.id}/role`, { token: adminToken, body: { role: 'manager' } });
    const page = adminAuditPage.parse((await t.api('GET', '/api/v1/admin/audit?action=role-change', { token: adminToken })).body);
    expect(page.entries.length).toBe(2);
    expect(page.entries.every((e) => e.action === 'role-change' && e.userEmail === 'boss@example.com')).toBe(true);
  });

  it('answers a role change with the person as the list shows them: last use, Gong connection and sign-ins kept', async () => {
    const token = await addConnectedUser(t, 'promoted@example.com');
    const person = (await t.backend.users.byEmail('promoted@example.com'))!;
    await t.backend.sessions.issue(person.id, 'extension');
    expect((await t.api('GET', '/api/v1/me', { token })).status).toBe(200);
    const listed = async () => adminPeople.parse((await t.api('GET', '/api/v1/admin/people', { token: adminToken })).body).people.find((p) => p.id === person.id)!;
    const before = await listed();
    expect(before).toMatchObject({ gong: 'ACTIVE', activeSignIns: 1 });
    expect(before.lastSeenAt).not.toBeNull();
    const res = await t.api('POST', `/api/v1/admin/people/${person.id}/role`, { token: adminToken, body: { role: 'manager' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...before, role: 'manager' });
    expect(await listed()).toEqual(res.body);
  });

  it('revokes a person: their token and sign-ins end at once; not oneself', async () => {
    const token = await addConnectedUser(t, 'leaver@example.com');
    const leaver = (await t.backend.users.byEmail('leaver@example.com'))!;
    const device = (await t.backend.sessions.issue(leaver.id, 'extension')).token;
    expect((await t.api('GET', '/api/v1/me', { token: device })).status).toBe(200);
    const res = await t.api('POST', `/api/v1/admin/people/${leaver.id}/revoke`, { token: adminToken, body: {} });
    expect(res.status).toBe(200);
    expect(res.body.revokedAt).not.toBeNull();
    expect((await t.api('GET', '/api/v1/me', { token })).status).toBe(401);
    expect((await t.api('GET', '/api/v1/me', { token: device })).status).toBe(401);
    const me = (await t.backend.users.byEmail('boss@example.com'))!;
    expect((await t.api('POST', `/api/v1/admin/people/${me.id}/revoke`, { token: adminToken, body: {} })).status).toBe(409);
  });

  it('pages the audit newest first and filters by person and dates', async () => {
    // Awaited: with Postgres a record lands asynchronously, and the page read below may otherwise come first.
    for (let i = 0; i < 5; i++) await t.backend.audit.record({ userId: null, userEmail: 'rep@example.com', requestId: null, route: '/x', tool: 'gong_engage_flows_assign', input: null, outcome: 'ok', answer: null });
    const first = adminAuditPage.parse((await t.api('GET', '/api/v1/admin/audit?user=rep@example.com&limit=3', { token: adminToken })).body);
    expect(first.entries).toHaveLength(3);
    expect(first.nextBefore).not.toBeNull();
    const second = adminAuditPage.parse((await t.api('GET', `/api/v1/admin/audit?user=rep@example.com&limit=3&before=${first.nextBefore}`, { token: adminToken })).body);
    expect(second.entries[0].id).toBeLessThan(first.entries[2].id);
    expect([...first.entries, ...second.entries].every((e) => e.userEmail === 'rep@example.com')).toBe(true);
    expect(first.actions).toContain('gong_engage_flows_assign');
    const none = adminAuditPage.parse((await t.api('GET', '/api/v1/admin/audit?to=2000-01-01', { token: adminToken })).body);
    expect(none.entries).toHaveLength(0);
    expect((await t.api('GET', '/api/v1/admin/audit?from=yesterday', { token: adminToken })).status).toBe(400);
  });

  it('gives 30 days of Gong usage with the budget, and every open and recent job', async () => {
    await t.api('GET', '/api/v1/workspaces');
    const usage = adminUsage.parse((await t.api('GET', '/api/v1/admin/usage', { token: adminToken })).body);
    expect(usage.days).toHaveLength(30);
    expect(usage.days[29].gongCalls).toBeGreaterThan(0);
    expect(usage.dailyBudget).toBeGreaterThan(0);
    // Per rep: the rep who called Gong above, with today's calls on the same 30 dates, and each rep's share.
    expect(usage.dailyShare).toBeGreaterThan(0);
    const mine = usage.reps.find((r) => r.identifier === 'rep@example.com');
    expect(mine?.days.map((d) => d.date)).toEqual(usage.days.map((d) => d.date));
    expect(mine!.days[29].gongCalls).toBeGreaterThan(0);
    expect(mine!.days[29].gongCalls).toBeLessThanOrEqual(usage.days[29].gongCalls);
    expect(adminJobs.parse((await t.api('GET', '/api/v1/admin/jobs', { token: adminToken })).body)).toEqual({ open: [], recent: [] });
  });

  it('is documented in the OpenAPI description', async () => {
    const spec = (await t.api('GET', '/api/v1/openapi.json', { token: null })).body;
    for (const r of adminRoutes) expect(spec.paths[r.pattern]?.[r.method.toLowerCase()]?.tags, r.pattern).toEqual(['admin']);
  });
});

/**
 * The auth matrix: every route × {no token, malformed header, unknown token, revoked token} is refused
 * with 401 before Gong is touched, and one user cannot see or act on another user's resources.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, jobAccepted } from '../../lib/api';
import { SEED } from '../../server/sandbox/gong/seed';
import { addConnectedUser, startTestBackend, type TestBackend } from './harness';
import { ROUTES } from './route-table';

let t: TestBackend;
let samToken: string;
let revokedToken: string;
beforeAll(async () => {
  // Every route is tried with bad tokens from one address: the failed-check limits (front-door.test.ts) stay out of the way.
  t = await startTestBackend({ limits: { perUserPerMinute: 10_000, failedAuthPerIpPerMinute: 10_000, failedAuthPerTokenPrefixPerMinute: 10_000 } });
  samToken = await addConnectedUser(t, SEED.otherRepEmail);
  revokedToken = await addConnectedUser(t, 'former.rep@example.com');
  (await t.backend.users.revoke('former.rep@example.com'));
});
afterAll(async () => {
  await t?.close();
});

describe('auth matrix', () => {
  it('covers every route the backend documents', async () => {
    const spec = (await t.api('GET', '/api/v1/openapi.json', { token: null })).body;
    const documented = Object.entries(spec.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(documented.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.pattern}`).sort());
  });

  it('refuses every route without a valid token (401, JSON error), before reaching Gong', async () => {
    const gongBefore = t.gong.stats().totalCalls;
    const sdkBefore = t.backend.sandbox!.stats.executeToolCalls;
    const deniedBefore = (await t.backend.audit.denialCount());
    const cases: [string, Record<string, string>][] = [
      ['no token', {}],
      ['malformed header', { authorization: 'Token abc' }],
      ['basic auth', { authorization: 'Basic cmVwQGV4YW1wbGUuY29tOng=' }],
      ['unknown token', { authorization: 'Bearer gek_unknownunknownunknownunknown' }],
      ['revoked token', { authorization: `Bearer ${revokedToken}` }],
      ['empty bearer', { authorization: 'Bearer ' }],
    ];
    for (const route of ROUTES) {
      for (const [label, headers] of cases) {
        const res = await t.api(route.method, route.path, { token: null, headers, body: route.body });
        expect(res.status, `${route.method} ${route.pattern} ${label}`).toBe(401);
        expect(apiError.parse(res.body).error.code).toBe('UNAUTHENTICATED');
      }
    }
    expect(t.gong.stats().totalCalls).toBe(gongBefore);
    expect(t.backend.sandbox!.stats.executeToolCalls).toBe(sdkBefore);
    // Refused calls are audited.
    expect((await t.backend.audit.denialCount()) - deniedBefore).toBe(ROUTES.length * cases.length);
  });

  it("does not let user B see user A's job", async () => {
    const ids = Array.from({ length: 201 }, (_, i) => String(770_000_000 + i));
    const res = await t.api('POST', `/api/v1/flows/${SEED.flowId}/assign`, { body: { crmProspectIds: ids } });
    expect(res.status).toBe(202);
    const { jobId } = jobAccepted.parse(res.body);
    expect((await t.api('GET', `/api/v1/jobs/${jobId}`)).status).toBe(200);
    const asSam = await t.api('GET', `/api/v1/jobs/${jobId}`, { token: samToken });
    expect(asSam.status).toBe(404);
    expect(asSam.body).toEqual({ error: { code: 'NOT_FOUND', message: 'No such job' } });
  });

  it("does not let user B complete or skip user A's task", async () => {
    for (const action of ['complete', 'skip']) {
      const res = await t.api('POST', `/api/v1/tasks/${SEED.openTaskId}/${action}`, { token: samToken, body: {} });
      expect(res.status).toBe(403);
      const viaTool = await t.api('POST', `/api/v1/tools/gong_engage_task_${action}`, { token: samToken, body: { task_id: SEED.openTaskId } });
      expect(viaTool.status).toBe(403);
    }
    expect(t.gong.state.task(SEED.openTaskId)?.status).toBe('OPEN');
  });

  it('does not let user B act as user A in Gong', async () => {
    // A rep's assignment is in their own name: the instance's owner sends its emails and gets its to-dos.
    const res = await t.api('POST', `/api/v1/flows/${SEED.flowId}/assign`, {
      token: samToken,
      body: { crmProspectIds: [SEED.sfContactNoFlows], flowInstanceOwnerEmail: SEED.repEmail },
    });
    expect(res.status).toBe(403);
    expect(t.gong.state.flowInstancesByProspect(SEED.sfContactNoFlows)).toEqual([]);
    const tasks = await t.api('POST', '/api/v1/tools/gong_engage_tasks_list', { token: samToken, body: { assignee_email: SEED.repEmail } });
    expect(tasks.status).toBe(403);
    // B's own views are B's: the connection identifier is B's email.
    const conn = await t.api('GET', '/api/v1/connection', { token: samToken });
    expect(conn.body.identifier).toBe(SEED.otherRepEmail);
  });

  it("keeps idempotency keys per user: B's request with A's key runs as B's own", async () => {
    const key = 'shared-key-123456';
    const body = { crmProspectId: SEED.sfContactWithFlows, eventName: 'Key test', eventTimestamp: '2026-02-01T00:00:00Z' };
    const a = await t.api('POST', '/api/v1/interactions', { body, headers: { 'idempotency-key': key } });
    expect(a.status).toBe(200);
    const b = await t.api('POST', '/api/v1/interactions', { token: samToken, body: { ...body, eventName: 'Key test B' }, headers: { 'idempotency-key': key } });
    expect(b.status).toBe(200);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect(t.gong.state.interactions.filter((i) => i.eventName.startsWith('Key test'))).toHaveLength(2);
  });

  it('a revoked token stops working at once, and a reissued one works', async () => {
    const token = await addConnectedUser(t, 'temp.rep@example.com');
    expect((await t.api('GET', '/api/v1/usage', { token })).status).toBe(200);
    (await t.backend.users.revoke('temp.rep@example.com'));
    expect((await t.api('GET', '/api/v1/usage', { token })).status).toBe(401);
    const { token: fresh } = (await t.backend.users.add('temp.rep@example.com'));
    expect((await t.api('GET', '/api/v1/usage', { token: fresh })).status).toBe(200);
    expect((await t.api('GET', '/api/v1/usage', { token })).status).toBe(401);
  });
});

/**
 * The purpose-built routes: recent calls matched by CRM id and by email, today's tasks, completing and
 * skipping them, interactions, email activity, folders, workspaces, cool-off refusal and override,
 * and Idempotency-Key replays that never reach Gong twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, assignResult, flowFolderList, prospectCalls, taskList, taskResult, workspaceList } from '../../lib/api';
import { callStats } from '../../server/sandbox/gong/calls';
import { SEED } from '../../server/sandbox/gong/seed';
import { addConnectedUser, startTestBackend, type TestBackend } from './harness';

let t: TestBackend;
beforeAll(async () => {
  t = await startTestBackend();
});
afterAll(async () => {
  await t?.close();
});

describe('calls', () => {
  it("finds a prospect's calls by CRM id, newest first, with preview and talk ratio", async () => {
    const res = await t.api('GET', `/api/v1/prospects/${SEED.sfContactWithFlows}/calls`);
    expect(res.status).toBe(200);
    const { calls } = prospectCalls.parse(res.body);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls[0].id).toBe(SEED.callId);
    for (const c of calls) expect(c.matchedBy).toBe('crmId');
    expect([...calls].sort((a, b) => b.startedAt.localeCompare(a.startedAt))).toEqual(calls);
    const first = calls[0];
    expect(first.parties.some((p) => p.affiliation === 'External' && p.email)).toBe(true);
    expect(first.transcriptPreview.length).toBeGreaterThan(0);
    const names = new Set(first.parties.map((p) => p.name));
    for (const line of first.transcriptPreview) expect(names.has(line.speaker)).toBe(true);
  });

  it("gives each call's talk ratio as the rep's side's share of the seeded talk times", async () => {
    const { calls } = prospectCalls.parse((await t.api('GET', `/api/v1/prospects/${SEED.sfContactWithFlows}/calls`)).body);
    expect(calls.length).toBeGreaterThan(1);
    for (const c of calls) {
      const seeded = t.gong.state.raw.calls.find((x) => x.id === c.id)!;
      const byParty = new Map(callStats(seeded).speakers.map((s) => [s.id, s.talkTime]));
      const talk = (side: string) => seeded.parties.filter((p) => p.affiliation === side).reduce((sum, p) => sum + (byParty.get(p.id) ?? 0), 0);
      const internal = talk('Internal');
      const external = talk('External');
      expect(internal).toBeGreaterThan(0);
      expect(external).toBeGreaterThan(0);
      // Far enough from one half that the rep and the prospect swapped would not pass.
      expect(Math.abs(internal - external) / (internal + external)).toBeGreaterThan(0.01);
      expect(c.talkRatio, c.id).toBe(Math.round((internal / (internal + external)) * 1000) / 1000);
    }
  });

  it('matches by email when the CRM id is not on the call', async () => {
    const prospect = t.gong.state.raw.prospects.find((p) => p.crmId === SEED.sfContactWithFlows)!;
    // A HubSpot id no call carries, with the Salesforce contact's email.
    const res = await t.api('GET', `/api/v1/prospects/${SEED.hubspotLead}/calls?email=${encodeURIComponent(prospect.email)}`);
    expect(res.status).toBe(200);
    const { calls } = prospectCalls.parse(res.body);
    expect(calls.length).toBeGreaterThan(0);
    for (const c of calls) {
      expect(c.matchedBy).toBe('email');
      expect(c.parties.map((p) => p.email)).toContain(prospect.email);
    }
  });

  it("matches the email of the call's outside parties only: a colleague's email lists none of their calls", async () => {
    // A colleague of the rep, an internal party on many calls: as a "prospect email" it matches nothing.
    const colleague = t.gong.state.raw.calls.flatMap((c) => c.parties).find((p) => p.affiliation === 'Internal' && p.emailAddress && p.emailAddress !== SEED.repEmail)!.emailAddress!;
    const res = await t.api('GET', `/api/v1/prospects/${SEED.hubspotLead}/calls?email=${encodeURIComponent(colleague)}&days=365`);
    expect(res.status).toBe(200);
    expect(prospectCalls.parse(res.body).calls).toEqual([]);
  });

  it('answers an empty list for a prospect without calls', async () => {
    const res = await t.api('GET', `/api/v1/prospects/${SEED.hubspotLead}/calls`);
    expect(res.status).toBe(200);
    expect(prospectCalls.parse(res.body).calls).toEqual([]);
  });
});

describe('tasks', () => {
  it("lists today's and overdue OPEN tasks, and completes and skips them", async () => {
    const res = await t.api('GET', '/api/v1/tasks?due=today');
    expect(res.status).toBe(200);
    const { tasks } = taskList.parse(res.body);
    const endOfToday = new Date();
    endOfToday.setUTCHours(23, 59, 59, 999);
    expect(tasks.length).toBe(7);
    expect(tasks.filter((x) => x.overdue)).toHaveLength(3);
    for (const x of tasks) {
      expect(x.status).toBe('OPEN');
      expect(Date.parse(x.dueDate!)).toBeLessThanOrEqual(endOfToday.getTime());
    }
    expect(new Set(tasks.map((x) => x.type))).toEqual(new Set(['call', 'email', 'linkedin', 'other']));
    const all = taskList.parse((await t.api('GET', '/api/v1/tasks?due=all')).body).tasks;
    expect(all.length).toBeGreaterThan(tasks.length);

    const done = await t.api('POST', `/api/v1/tasks/${SEED.openTaskId}/complete`, { body: { notes: 'Spoke with Avery' } });
    expect(done.status).toBe(200);
    expect(taskResult.parse(done.body).task).toMatchObject({ id: SEED.openTaskId, status: 'DONE' });
    expect(t.gong.state.task(SEED.openTaskId)?.status).toBe('DONE');

    const other = tasks.find((x) => x.id !== SEED.openTaskId)!;
    const skipped = await t.api('POST', `/api/v1/tasks/${other.id}/skip`, { body: { reason: 'duplicate' } });
    expect(skipped.status).toBe(200);
    expect(taskResult.parse(skipped.body).task.status).toBe('DISMISSED');
    const after = taskList.parse((await t.api('GET', '/api/v1/tasks')).body).tasks.map((x) => x.id);
    expect(after).not.toContain(SEED.openTaskId);
    expect(after).not.toContain(other.id);
  });

  it("serves a rep's tasks from the backend's cache; fresh=1 (the popup's Refresh) asks Gong, and answers what Gong holds now", async () => {
    const tasksCalls = () => t.gong.stats().byTool.gong_engage_tasks_list ?? 0;
    const first = taskList.parse((await t.api('GET', '/api/v1/tasks?due=today')).body).tasks;
    const before = tasksCalls();
    expect(taskList.parse((await t.api('GET', '/api/v1/tasks?due=today')).body).tasks).toEqual(first);
    expect(tasksCalls()).toBe(before);
    // Done in Gong's own UI (not through this backend): the cache cannot know; a Refresh sees it.
    const gone = first[0];
    const raw = t.gong.state.raw.tasks.find((x) => String(x.id) === gone.id)!;
    raw.status = 'DONE';
    const fresh = taskList.parse((await t.api('GET', '/api/v1/tasks?due=today&fresh=1')).body).tasks;
    expect(tasksCalls()).toBeGreaterThan(before);
    expect(fresh.map((x) => x.id)).not.toContain(gone.id);
    expect((await t.api('GET', '/api/v1/tasks?due=today&fresh=yes')).status).toBe(400);
  });

  it("refuses (403) a task that is not one of the caller's open tasks, and records the refusal", async () => {
    const res = await t.api('POST', '/api/v1/tasks/1234567/complete', { body: {} });
    expect(res.status).toBe(403);
    expect(apiError.parse(res.body).error).toEqual({ code: 'FORBIDDEN', message: 'No open task with this id for you' });
    expect((await t.backend.audit.entries({ tool: 'gong_engage_task_complete' })).at(-1)).toMatchObject({ outcome: 'refused', userEmail: SEED.repEmail });
  });
});

describe('activity, folders, workspaces, cool-off', () => {
  it('reports an interaction once, and Gong refuses a repeated event', async () => {
    const body = { crmProspectId: SEED.sfContactWithFlows, eventName: 'Viewed pricing', eventTimestamp: '2026-01-05T10:00:00Z', url: 'https://example.com/pricing' };
    const first = await t.api('POST', '/api/v1/interactions', { body });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ accepted: true });
    expect(t.gong.state.interactions.filter((i) => i.eventName === 'Viewed pricing')).toHaveLength(1);
    const again = await t.api('POST', '/api/v1/interactions', { body });
    expect(again.status).toBe(409);
    expect(apiError.parse(again.body).error.code).toBe('GONG_REFUSED');
    expect(t.gong.state.interactions.filter((i) => i.eventName === 'Viewed pricing')).toHaveLength(1);
  });

  it('reports email activity', async () => {
    const res = await t.api('POST', '/api/v1/email-activity', {
      body: { emailId: 'msg-1', eventType: 'EMAIL_LINK_CLICKED', eventTimestamp: '2026-01-05T10:00:00Z', prospectEmail: 'avery.thompson@globex.com', linkUrl: 'https://example.com/x' },
    });
    expect(res.status).toBe(200);
    expect(t.gong.state.emailActivities.some((e) => e.emailId === 'msg-1' && e.eventType === 'EMAIL_LINK_CLICKED')).toBe(true);
  });

  it('lists folders and workspaces', async () => {
    const folders = flowFolderList.parse((await t.api('GET', '/api/v1/flows/folders')).body).folders;
    expect(folders.map((f) => f.id)).toEqual(expect.arrayContaining([SEED.companyFolderId, SEED.personalFolderId]));
    const ws = workspaceList.parse((await t.api('GET', '/api/v1/workspaces')).body).workspaces;
    expect(ws.map((w) => w.id)).toEqual(expect.arrayContaining([SEED.workspaceId, SEED.emeaWorkspaceId]));
  });

  it('marks a cool-off refusal, and assigns with coolOffOverride', async () => {
    const refused = assignResult.parse((await t.api('POST', `/api/v1/flows/${SEED.otherFlowId}/assign`, { body: { crmProspectIds: [SEED.coolOff] } })).body);
    expect(refused.notAssigned).toEqual([expect.objectContaining({ crmProspectId: SEED.coolOff, coolOff: true })]);
    const forced = await t.api('POST', `/api/v1/flows/${SEED.otherFlowId}/assign`, { body: { crmProspectIds: [SEED.coolOff], coolOffOverride: true } });
    expect(forced.status).toBe(200);
    expect(assignResult.parse(forced.body).assigned.map((a) => a.crmProspectId)).toEqual([SEED.coolOff]);
    expect(t.gong.stats().byTool.gong_engage_prospects_assign_cool_off_override).toBe(1);
  });

  it("assigns in a team member's name only as their manager, and an admin's owner who is not a Gong user is Gong's to refuse", async () => {
    const asRep = await t.api('POST', `/api/v1/flows/${SEED.flowId}/assign`, {
      body: { crmProspectIds: [SEED.sfContactNoFlows2], flowInstanceOwnerEmail: SEED.otherRepEmail },
    });
    expect(asRep.status).toBe(403);
    expect(t.gong.state.flowInstancesByProspect(SEED.sfContactNoFlows2)).toEqual([]);
    const managerToken = await addConnectedUser(t, SEED.managerEmail);
    (await t.backend.users.setRole(SEED.managerEmail, 'manager'));
    const teammate = await t.api('POST', `/api/v1/flows/${SEED.flowId}/assign`, {
      token: managerToken,
      body: { crmProspectIds: [SEED.sfContactNoFlows2], flowInstanceOwnerEmail: SEED.otherRepEmail },
    });
    expect(teammate.status).toBe(200);
    expect(assignResult.parse(teammate.body).assigned).toEqual([expect.objectContaining({ crmProspectId: SEED.sfContactNoFlows2, ownerEmail: SEED.otherRepEmail })]);
    const adminToken = await addConnectedUser(t, 'morgan.lee@example.com');
    (await t.backend.users.setRole('morgan.lee@example.com', 'admin'));
    const stranger = await t.api('POST', `/api/v1/flows/${SEED.otherFlowId}/assign`, {
      token: adminToken,
      body: { crmProspectIds: [SEED.sfContactNoFlows2], flowInstanceOwnerEmail: 'nobody@elsewhere.test' },
    });
    expect(stranger.status).toBe(422);
    expect(apiError.parse(stranger.body).error.message).toMatch(/not an active Gong user/);
    expect(t.gong.state.flowInstancesByProspect(SEED.sfContactNoFlows2).map((i) => i.flowId)).toEqual([SEED.flowId]);
  });
});

describe('idempotency', () => {
  it('answers a repeated Idempotency-Key from the first attempt without calling Gong again', async () => {
    const key = 'assign-key-0001';
    const body = { crmProspectIds: [SEED.sfContactNoFlows] };
    const before = t.gong.stats().byTool.gong_engage_prospects_assign ?? 0;
    const first = await t.api('POST', `/api/v1/flows/${SEED.flowId}/assign`, { body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(200);
    const [second, third] = await Promise.all([
      t.api('POST', `/api/v1/flows/${SEED.flowId}/assign`, { body, headers: { 'idempotency-key': key } }),
      t.api('POST', `/api/v1/flows/${SEED.flowId}/assign`, { body, headers: { 'idempotency-key': key } }),
    ]);
    expect(second.body).toEqual(first.body);
    expect(third.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect((t.gong.stats().byTool.gong_engage_prospects_assign ?? 0) - before).toBe(1);
    expect(t.gong.state.flowInstancesByProspect(SEED.sfContactNoFlows).filter((i) => i.flowId === SEED.flowId)).toHaveLength(1);
    expect((await t.backend.audit.entries({ tool: 'gong_engage_prospects_assign' })).filter((e) => e.input?.includes(SEED.sfContactNoFlows))).toHaveLength(1);
  });

  it('concurrent first attempts with one key reach Gong once', async () => {
    const key = 'interaction-key-0002';
    const body = { prospectEmail: 'avery.thompson@globex.com', eventName: 'Opened deck', eventTimestamp: '2026-01-06T10:00:00Z' };
    const answers = await Promise.all(Array.from({ length: 4 }, () => t.api('POST', '/api/v1/interactions', { body, headers: { 'idempotency-key': key } })));
    for (const a of answers) expect(a.status).toBe(200);
    expect(t.gong.state.interactions.filter((i) => i.eventName === 'Opened deck')).toHaveLength(1);
  });

  it('refuses the same key for a different request, and a malformed key', async () => {
    const key = 'assign-key-0001';
    const res = await t.api('POST', `/api/v1/flows/${SEED.flowId}/assign`, { body: { crmProspectIds: [SEED.sfLead] }, headers: { 'idempotency-key': key } });
    expect(res.status).toBe(409);
    expect(apiError.parse(res.body).error.code).toBe('CONFLICT');
    const bad = await t.api('POST', `/api/v1/flows/${SEED.flowId}/assign`, { body: { crmProspectIds: [SEED.sfLead] }, headers: { 'idempotency-key': 'x' } });
    expect(bad.status).toBe(400);
    expect(t.gong.state.flowInstancesByProspect(SEED.sfLead)).toEqual([]);
  });
});

/**
 * The authorization matrix: every API route and every one of the 31 connector tools, run against the
 * sandbox as the rep who owns the item (Riley), another rep (Sam), Riley's manager (Jordan) and an admin
 * (Morgan). Each answer is allowed (2xx) or refused (403); a refusal changed nothing in the Gong
 * simulator and is in the audit. SECURITY.md's role table states exactly these rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError } from '../../lib/api';
import { gongToolNames, type GongToolName } from '../../lib/gong-tools';
import { flowVisibleTo } from '../../server/sandbox/gong/flows';
import { SEED } from '../../server/sandbox/gong/seed';
import { addConnectedUser, DEMO_TOKEN, startTestBackend, waitFor, type TestBackend } from './harness';
import { ROUTES } from './route-table';

type Actor = 'rep' | 'other' | 'manager' | 'admin';
const ACTORS: Actor[] = ['rep', 'other', 'manager', 'admin'];
type Verdict = 'allow' | 'deny';
type Expect = Record<Actor, Verdict>;

/** Riley's item: Riley, Riley's manager and an admin may act; another rep may not. */
const OWNED: Expect = { rep: 'allow', other: 'deny', manager: 'allow', admin: 'allow' };
const EVERYONE: Expect = { rep: 'allow', other: 'allow', manager: 'allow', admin: 'allow' };
/** Company-wide reads: managers (cut to their team) and admins. */
const COMPANY: Expect = { rep: 'deny', other: 'deny', manager: 'allow', admin: 'allow' };

const ADMIN_EMAIL = 'morgan.lee@example.com';
const OTHER_MANAGER_EMAIL = 'casey.morgan@example.com';
const now = new Date().toISOString();
const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString();

let t: TestBackend;
const tokens = {} as Record<Actor | 'otherManager', string>;
/**
 * (prospect, flow) pairs never used: seed prospects in no flow × the non-exclusive flows Riley may use.
 * Each setup takes a fresh pair, so every allowed write has its own item.
 */
const pairs: { crmId: string; flowId: string }[] = [];
let rileyCallId: string;

beforeAll(async () => {
  // Authorization, not Gong's limits, is under test here: a faster company limit keeps the run short.
  t = await startTestBackend({ limits: { perUserPerMinute: 100_000 }, gong: { ratePerWindow: 40 } });
  t.gong.setLimits({ perSecond: 40 });
  tokens.rep = DEMO_TOKEN;
  tokens.other = await addConnectedUser(t, SEED.otherRepEmail);
  tokens.manager = await addConnectedUser(t, SEED.managerEmail);
  tokens.admin = await addConnectedUser(t, ADMIN_EMAIL);
  tokens.otherManager = await addConnectedUser(t, OTHER_MANAGER_EMAIL);
  (await t.backend.users.setRole(SEED.managerEmail, 'manager'));
  (await t.backend.users.setRole(OTHER_MANAGER_EMAIL, 'manager'));
  (await t.backend.users.setRole(ADMIN_EMAIL, 'admin'));
  const inFlow = new Set(t.gong.state.raw.instances.map((i) => i.crmProspectId.toLowerCase()));
  const withTasks = new Set(t.gong.state.raw.tasks.map((x) => x.crmProspectId?.toLowerCase()));
  const pool = t.gong.state.raw.prospects.map((p) => p.crmId).filter((id) => !inFlow.has(id.toLowerCase()) && !withTasks.has(id.toLowerCase()));
  const flows = t.gong.state.raw.flows.filter((f) => !f.exclusive && flowVisibleTo(f, SEED.repEmail) && flowVisibleTo(f, SEED.otherRepEmail));
  for (const f of flows) for (const crmId of pool) pairs.push({ crmId, flowId: f.id });
  // A call of Riley's with a prospect, no other colleague on it.
  const call = t.gong.state.calls.find((c) => {
    const internal = c.parties.filter((p) => p.affiliation === 'Internal');
    return internal.length === 1 && internal[0].emailAddress === SEED.repEmail && c.parties.some((p) => p.affiliation === 'External');
  });
  rileyCallId = call!.id;
});
afterAll(async () => {
  await t?.close();
});

const api = (actor: Actor | 'otherManager', method: string, path: string, body?: unknown) => t.api(method, path, { token: tokens[actor], body });

/** Bulk assignments progress on Gong's clock: a denial is judged once they are done. */
const bulkSettled = () => waitFor(() => t.gong.state.bulkAssignments.every((b) => b.status === 'COMPLETED' || b.status === 'FAILED'), 30_000, 50);

/** The simulator's state as a denial must leave it (Pending → Running is Gong's clock, not a change). */
const snapshot = () => {
  void t.gong.state.instances; // applies the clock first
  return JSON.stringify(t.gong.state.raw, (k, v) => (k === 'status' && v === 'Pending' ? 'Running' : k === 'startsAt' ? undefined : v));
};

let unknownIds = 0;
/** CRM ids Gong does not know: enough to start a job (its items fail), without using up the pool. */
const unknownProspects = (n: number) => Array.from({ length: n }, () => String(880_000_000 + unknownIds++));

function freshPair(): { crmId: string; flowId: string } {
  const pair = pairs.shift();
  if (!pair) throw new Error('no unused (prospect, flow) pair left');
  return pair;
}

/** Riley's new flow instance (assigned through the backend, so its owner is known) and its first task. */
async function rileyInstance(): Promise<{ crmId: string; flowId: string; instanceId: string; taskId: string }> {
  const { crmId, flowId } = freshPair();
  const res = await api('rep', 'POST', `/api/v1/flows/${flowId}/assign`, { crmProspectIds: [crmId], coolOffOverride: true });
  expect(res.body.assigned?.length, JSON.stringify(res.body)).toBe(1);
  const instanceId = res.body.assigned[0].flowInstanceId as string;
  const task = t.gong.state.tasks.find((x) => x.crmProspectId === crmId && x.flowId === flowId && x.status === 'OPEN');
  return { crmId, flowId, instanceId, taskId: String(task!.id) };
}

async function rileyBulkAssignment(): Promise<string> {
  const { crmId, flowId } = freshPair();
  const res = await api('rep', 'POST', '/api/v1/tools/gong_engage_prospects_bulk_assign', { crm_prospect_ids: [crmId], flow_id: flowId });
  expect(res.status).toBe(200);
  return String(res.body.data.id);
}

let events = 0;
/** Gong refuses an interaction reported twice: each request reports a new one. */
const eventName = () => `Matrix visit ${events++}`;

interface Case {
  name: string;
  expect: Expect;
  /** Builds the request for one actor (fresh items where an allowed write would use one up). */
  request: (actor: Actor) => Promise<{ method: string; path: string; body?: unknown }>;
}

const tool = (name: GongToolName, expect: Expect, input: (actor: Actor) => Promise<Record<string, unknown>> | Record<string, unknown>): Case => ({
  name: `tool ${name}`,
  expect,
  request: async (actor) => ({ method: 'POST', path: `/api/v1/tools/${name}`, body: await input(actor) }),
});

const TOOL_CASES: Case[] = [
  tool('gong_call_outcomes_list', EVERYONE, () => ({})),
  tool('gong_calls_create', OWNED, () => ({ actual_start: now, title: 'Matrix call', parties: [{ emailAddress: SEED.repEmail }, { emailAddress: 'prospect@globex.com' }] })),
  tool('gong_calls_get', OWNED, () => ({ call_ids: [rileyCallId] })),
  tool('gong_calls_list', COMPANY, () => ({ from_date_time: monthAgo, to_date_time: now })),
  tool('gong_calls_transcript_get', OWNED, () => ({ call_ids: [rileyCallId] })),
  tool('gong_coaching_get', COMPANY, () => ({})),
  tool('gong_engage_digital_interactions_create', EVERYONE, () => ({ event_name: eventName(), event_timestamp: now, crm_contact_id: SEED.sfContactWithFlows })),
  tool('gong_engage_email_activity_report', EVERYONE, () => ({ email_id: `matrix-email-${events++}`, event_timestamp: now, event_type: 'EMAIL_OPENED', prospect_email: 'avery.thompson@globex.com' })),
  tool('gong_engage_flow_content_override', OWNED, async () => ({ flow_instance_id: (await rileyInstance()).instanceId, field_values: { 'recipient.first_name': 'Matrix' } })),
  tool('gong_engage_flow_folders_list', OWNED, () => ({ flow_owner_email: SEED.repEmail })),
  tool('gong_engage_flows_list', OWNED, () => ({ flow_owner_email: SEED.repEmail })),
  tool('gong_engage_prospects_assign', OWNED, () => {
    const { crmId, flowId } = freshPair();
    return { crm_prospect_ids: [crmId], flow_id: flowId, flow_instance_owner_email: SEED.repEmail };
  }),
  tool('gong_engage_prospects_assign_cool_off_override', OWNED, () => {
    const { crmId, flowId } = freshPair();
    return { crm_prospect_ids: [crmId], flow_id: flowId, flow_instance_owner_email: SEED.repEmail };
  }),
  tool('gong_engage_prospects_bulk_assign', OWNED, () => {
    const { crmId, flowId } = freshPair();
    return { crm_prospect_ids: [crmId], flow_id: flowId, flow_instance_owner_email: SEED.repEmail };
  }),
  tool('gong_engage_prospects_bulk_assign_status', OWNED, async () => ({ assignment_id: await rileyBulkAssignment() })),
  tool('gong_engage_prospects_flows_list', EVERYONE, () => ({ crm_prospect_ids: [SEED.sfContactWithFlows] })),
  tool('gong_engage_prospects_unassign', OWNED, async () => {
    const { crmId, flowId } = await rileyInstance();
    return { crm_prospect_ids: [crmId], flow_id: flowId };
  }),
  tool('gong_engage_prospects_unassign_by_instance', OWNED, async () => ({ flow_instance_ids: [(await rileyInstance()).instanceId] })),
  tool('gong_engage_task_complete', OWNED, async () => ({ task_id: (await rileyInstance()).taskId, completion_notes: 'matrix' })),
  tool('gong_engage_task_skip', OWNED, async () => ({ task_id: (await rileyInstance()).taskId, skip_reason: 'matrix' })),
  tool('gong_engage_tasks_list', OWNED, () => ({ assignee_email: SEED.repEmail })),
  tool('gong_engage_users_list', COMPANY, () => ({})),
  tool('gong_engage_workspaces_list', EVERYONE, () => ({})),
  tool('gong_library_folder_content_get', COMPANY, () => ({ folder_id: SEED.libraryFolderId })),
  tool('gong_library_folders_list', COMPANY, () => ({})),
  tool('gong_scorecards_list', COMPANY, () => ({})),
  tool('gong_stats_interaction', COMPANY, () => ({ from_date_time: monthAgo, to_date_time: now, call_ids: [rileyCallId] })),
  tool('gong_stats_user_actions', COMPANY, () => ({ from_date_time: monthAgo, to_date_time: now, user_ids: [SEED.repUserId] })),
  tool('gong_trackers_list', COMPANY, () => ({})),
  tool('gong_users_get', COMPANY, () => ({ user_ids: [SEED.repUserId] })),
  tool('gong_users_list', COMPANY, () => ({})),
];

/** Each route with Riley's item where it names one; reads of one's own data are everyone's. */
/** The admin console's API (roleGate 'admin'). */
const ADMIN_ONLY: Expect = { rep: 'deny', other: 'deny', manager: 'deny', admin: 'allow' };
/** A person nobody else uses, for the admin routes that change one. */
const throwaway = async () => {
  const email = `throwaway.${events++}@example.com`;
  await t.backend.users.add(email);
  return (await t.backend.users.byEmail(email))!.id;
};

const ROUTE_CASES: Case[] = [
  { name: 'GET /api/v1/admin/people', expect: ADMIN_ONLY, request: async () => ({ method: 'GET', path: '/api/v1/admin/people' }) },
  { name: 'POST /api/v1/admin/people/{userId}/role', expect: ADMIN_ONLY, request: async () => ({ method: 'POST', path: `/api/v1/admin/people/${await throwaway()}/role`, body: { role: 'manager' } }) },
  { name: 'POST /api/v1/admin/people/{userId}/revoke', expect: ADMIN_ONLY, request: async () => ({ method: 'POST', path: `/api/v1/admin/people/${await throwaway()}/revoke`, body: {} }) },
  { name: 'GET /api/v1/admin/audit', expect: ADMIN_ONLY, request: async () => ({ method: 'GET', path: '/api/v1/admin/audit?limit=5' }) },
  { name: 'GET /api/v1/admin/usage', expect: ADMIN_ONLY, request: async () => ({ method: 'GET', path: '/api/v1/admin/usage' }) },
  { name: 'GET /api/v1/admin/jobs', expect: ADMIN_ONLY, request: async () => ({ method: 'GET', path: '/api/v1/admin/jobs' }) },
  { name: 'GET /api/v1/me', expect: EVERYONE, request: async () => ({ method: 'GET', path: '/api/v1/me' }) },
  // An API token from the CLI is left alone by sign-out (it revokes only an SSO device token).
  { name: 'POST /api/v1/sign-out', expect: EVERYONE, request: async () => ({ method: 'POST', path: '/api/v1/sign-out', body: {} }) },
  { name: 'GET /api/v1/connection', expect: EVERYONE, request: async () => ({ method: 'GET', path: '/api/v1/connection' }) },
  { name: 'POST /api/v1/connection/link', expect: EVERYONE, request: async () => ({ method: 'POST', path: '/api/v1/connection/link', body: {} }) },
  { name: 'GET /api/v1/flows', expect: EVERYONE, request: async () => ({ method: 'GET', path: '/api/v1/flows' }) },
  { name: 'GET /api/v1/flows/folders', expect: EVERYONE, request: async () => ({ method: 'GET', path: '/api/v1/flows/folders' }) },
  { name: 'GET /api/v1/workspaces', expect: EVERYONE, request: async () => ({ method: 'GET', path: '/api/v1/workspaces' }) },
  { name: 'GET /api/v1/prospects/{crmId}/flows', expect: EVERYONE, request: async () => ({ method: 'GET', path: `/api/v1/prospects/${SEED.sfContactWithFlows}/flows` }) },
  {
    name: 'POST /api/v1/prospects/flows/lookup',
    expect: EVERYONE,
    request: async () => ({ method: 'POST', path: '/api/v1/prospects/flows/lookup', body: { crmProspectIds: [SEED.sfContactWithFlows] } }),
  },
  { name: 'GET /api/v1/prospects/{crmId}/calls', expect: EVERYONE, request: async () => ({ method: 'GET', path: `/api/v1/prospects/${SEED.sfContactWithFlows}/calls?days=30` }) },
  {
    name: 'POST /api/v1/flows/{flowId}/assign',
    expect: OWNED,
    request: async () => {
      const { crmId, flowId } = freshPair();
      return { method: 'POST', path: `/api/v1/flows/${flowId}/assign`, body: { crmProspectIds: [crmId], flowInstanceOwnerEmail: SEED.repEmail } };
    },
  },
  {
    name: 'POST /api/v1/flows/{flowId}/unassign',
    expect: OWNED,
    request: async () => {
      const { crmId, flowId } = await rileyInstance();
      return { method: 'POST', path: `/api/v1/flows/${flowId}/unassign`, body: { crmProspectIds: [crmId] } };
    },
  },
  {
    // Each reads a job of their own; another's job is "not found" (below).
    name: 'GET /api/v1/jobs/{jobId}',
    expect: EVERYONE,
    request: async (actor) => {
      const res = await api(actor, 'POST', `/api/v1/flows/${SEED.otherFlowId}/assign`, { crmProspectIds: unknownProspects(201) });
      expect(res.status).toBe(202);
      return { method: 'GET', path: `/api/v1/jobs/${res.body.jobId}` };
    },
  },
  { name: 'GET /api/v1/tasks', expect: EVERYONE, request: async () => ({ method: 'GET', path: '/api/v1/tasks?due=all' }) },
  {
    name: 'POST /api/v1/tasks/{taskId}/complete',
    expect: OWNED,
    request: async () => ({ method: 'POST', path: `/api/v1/tasks/${(await rileyInstance()).taskId}/complete`, body: { notes: 'matrix' } }),
  },
  {
    name: 'POST /api/v1/tasks/{taskId}/skip',
    expect: OWNED,
    request: async () => ({ method: 'POST', path: `/api/v1/tasks/${(await rileyInstance()).taskId}/skip`, body: { reason: 'matrix' } }),
  },
  {
    name: 'POST /api/v1/interactions',
    expect: EVERYONE,
    request: async () => ({ method: 'POST', path: '/api/v1/interactions', body: { crmProspectId: SEED.sfContactWithFlows, eventName: eventName(), eventTimestamp: now } }),
  },
  {
    name: 'POST /api/v1/email-activity',
    expect: EVERYONE,
    request: async () => ({ method: 'POST', path: '/api/v1/email-activity', body: { emailId: `m${events++}`, eventType: 'EMAIL_OPENED', eventTimestamp: now, prospectEmail: 'avery.thompson@globex.com' } }),
  },
  { name: 'GET /api/v1/usage', expect: EVERYONE, request: async () => ({ method: 'GET', path: '/api/v1/usage' }) },
];

async function runCase(c: Case): Promise<string[]> {
  const problems: string[] = [];
  for (const actor of ACTORS) {
    const req = await c.request(actor);
    if (c.expect[actor] === 'deny') await bulkSettled();
    const before = snapshot();
    const auditBefore = (await t.backend.audit.entries()).length;
    const denialsBefore = (await t.backend.audit.denialCount());
    const res = await api(actor, req.method, req.path, req.body);
    const label = `${c.name} as ${actor}`;
    if (c.expect[actor] === 'allow') {
      if (res.status < 200 || res.status > 202) problems.push(`${label}: expected 2xx, got ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      continue;
    }
    if (res.status !== 403) {
      problems.push(`${label}: expected 403, got ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      continue;
    }
    expect(apiError.parse(res.body).error.code).toBe('FORBIDDEN');
    if (snapshot() !== before) problems.push(`${label}: the refusal changed the simulator's state`);
    const refused = (await t.backend.audit.entries()).slice(auditBefore);
    // Refused for an item: in the audit (`refused`); refused at the door for the role: in access_denials.
    const recorded = refused.some((e) => e.outcome === 'refused' && e.userEmail === emailOf(actor)) || (await t.backend.audit.denialCount()) > denialsBefore;
    if (!recorded) problems.push(`${label}: the refusal is not recorded`);
  }
  return problems;
}

const emailOf = (actor: Actor) => ({ rep: SEED.repEmail, other: SEED.otherRepEmail, manager: SEED.managerEmail, admin: ADMIN_EMAIL })[actor];

describe('authorization matrix', () => {
  it('covers every route and every one of the 31 tools', () => {
    expect(TOOL_CASES.map((c) => c.name.slice('tool '.length)).sort()).toEqual([...gongToolNames].sort());
    expect(gongToolNames).toHaveLength(31);
    const routes = ROUTES.filter((r) => r.pattern !== '/api/v1/tools/{toolName}').map((r) => `${r.method} ${r.pattern}`);
    expect(ROUTE_CASES.map((c) => c.name).sort()).toEqual(routes.sort());
  });

  it('runs every route as rep, other rep, manager and admin', async () => {
    const problems: string[] = [];
    for (const c of ROUTE_CASES) problems.push(...(await runCase(c)));
    expect(problems).toEqual([]);
  }, 300_000);

  it('runs every tool as rep, other rep, manager and admin', async () => {
    const problems: string[] = [];
    for (const c of TOOL_CASES) problems.push(...(await runCase(c)));
    expect(problems).toEqual([]);
  }, 300_000);
});

describe('ownership details', () => {
  it("refuses a manager outside the rep's team, like another rep", async () => {
    const { instanceId, taskId } = await rileyInstance();
    const before = snapshot();
    for (const [path, body] of [
      ['/api/v1/tools/gong_engage_prospects_unassign_by_instance', { flow_instance_ids: [instanceId] }],
      [`/api/v1/tasks/${taskId}/complete`, {}],
      ['/api/v1/tools/gong_engage_tasks_list', { assignee_email: SEED.repEmail }],
    ] as const) {
      expect((await api('otherManager', 'POST', path, body)).status, path).toBe(403);
    }
    expect(snapshot()).toBe(before);
  });

  it('refuses a flow instance the backend never saw (the connector cannot look one up by id)', async () => {
    const known = await Promise.all(t.gong.state.raw.instances.map((i) => t.backend.seen.ownerOf('flow-instance', i.id)));
    const unseen = t.gong.state.raw.instances.find((i, k) => i.ownerEmail === SEED.repEmail && !known[k] && !i.status.startsWith('Finished'));
    expect(unseen).toBeDefined();
    const before = snapshot();
    const res = await api('rep', 'POST', '/api/v1/tools/gong_engage_prospects_unassign_by_instance', { flow_instance_ids: [unseen!.id] });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/unknown here/);
    expect(snapshot()).toBe(before);
    // Once a lookup showed it, its owner may act on it.
    await api('rep', 'GET', `/api/v1/prospects/${unseen!.crmProspectId}/flows`);
    const again = await api('rep', 'POST', '/api/v1/tools/gong_engage_prospects_unassign_by_instance', { flow_instance_ids: [unseen!.id] });
    expect(again.status).toBe(200);
  });

  it('cuts company-wide lists to the manager\'s team', async () => {
    const jordan = await api('manager', 'POST', '/api/v1/tools/gong_users_list', {});
    const emails = (jordan.body.data.users as { emailAddress: string }[]).map((u) => u.emailAddress).sort();
    // Jordan and everyone reporting to Jordan in Gong's user list.
    const seedUsers = t.gong.state.raw.users;
    const jordanId = seedUsers.find((u) => u.emailAddress === SEED.managerEmail)!.id;
    expect(emails).toEqual([SEED.managerEmail, ...seedUsers.filter((u) => u.managerId === jordanId).map((u) => u.emailAddress)].sort());
    expect(emails).not.toContain(ADMIN_EMAIL);
    const casey = await api('otherManager', 'POST', '/api/v1/tools/gong_users_list', {});
    expect((casey.body.data.users as { emailAddress: string }[]).map((u) => u.emailAddress).sort()).toEqual(['alex.schmidt@example.com', OTHER_MANAGER_EMAIL]);
    const calls = await api('otherManager', 'POST', '/api/v1/tools/gong_calls_list', { from_date_time: monthAgo, to_date_time: now });
    expect(calls.status).toBe(200);
    const caseyTeam = new Set(seedUsers.filter((u) => u.emailAddress === OTHER_MANAGER_EMAIL || u.emailAddress === 'alex.schmidt@example.com').map((u) => u.id));
    expect((calls.body.data.calls as { primaryUserId: string }[]).every((c) => caseyTeam.has(String(c.primaryUserId)))).toBe(true);
    // Coaching: the manager's own entry (their reports' metrics).
    const coaching = await api('manager', 'POST', '/api/v1/tools/gong_coaching_get', {});
    expect((coaching.body.data.coachingData as { manager: { emailAddress: string } }[]).map((c) => c.manager.emailAddress)).toEqual([SEED.managerEmail]);
    // Naming someone outside the team, or no one (a company-wide read), is refused.
    const before = snapshot();
    for (const [name, body] of [
      ['gong_users_get', { user_ids: [SEED.repUserId] }],
      ['gong_stats_user_actions', { from_date_time: monthAgo, to_date_time: now, user_ids: [SEED.repUserId] }],
      ['gong_stats_user_actions', { from_date_time: monthAgo, to_date_time: now }],
      ['gong_stats_interaction', { from_date_time: monthAgo, to_date_time: now, call_ids: [rileyCallId] }],
      ['gong_stats_interaction', { from_date_time: monthAgo, to_date_time: now }],
      ['gong_calls_transcript_get', { call_ids: [rileyCallId] }],
    ] as const) {
      expect((await api('otherManager', 'POST', `/api/v1/tools/${name}`, body)).status, name).toBe(403);
    }
    expect(snapshot()).toBe(before);
  });

  it("refuses a call that names another rep as a party, and a rep's own call is fine", async () => {
    const calls = t.gong.state.calls.length;
    const res = await api('other', 'POST', '/api/v1/tools/gong_calls_create', { actual_start: now, parties: [{ emailAddress: SEED.otherRepEmail }, { emailAddress: SEED.repEmail }] });
    expect(res.status).toBe(403);
    const byId = await api('other', 'POST', '/api/v1/tools/gong_calls_create', { actual_start: now, parties: [{ userId: SEED.repUserId }] });
    expect(byId.status).toBe(403);
    expect(t.gong.state.calls.length).toBe(calls);
    const own = await api('other', 'POST', '/api/v1/tools/gong_calls_create', { actual_start: now, parties: [{ emailAddress: SEED.otherRepEmail }, { emailAddress: 'buyer@globex.com' }] });
    expect(own.status).toBe(200);
  });

  it('refuses the status of a bulk assignment this backend did not start', async () => {
    const res = await api('rep', 'POST', '/api/v1/tools/gong_engage_prospects_bulk_assign_status', { assignment_id: 'bulk_not_started_here' });
    expect(res.status).toBe(403);
  });

  it("does not show another rep's job, whatever the role", async () => {
    const res = await api('rep', 'POST', `/api/v1/flows/${SEED.otherFlowId}/assign`, { crmProspectIds: unknownProspects(201) });
    for (const actor of ['other', 'manager', 'admin'] as const) {
      expect((await api(actor, 'GET', `/api/v1/jobs/${res.body.jobId}`)).status, actor).toBe(404);
    }
  });
});

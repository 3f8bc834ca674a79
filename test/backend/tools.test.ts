/**
 * Every catalog tool through POST /api/v1/tools/:toolName: valid input runs in Gong; unknown names,
 * unknown fields, wrong types and missing required fields are refused with 400 and change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, toolResult } from '../../lib/api';
import { gongToolNames, gongTools, type GongToolName } from '../../lib/gong-tools';
import { SEED } from '../../server/sandbox/gong/seed';
import { addConnectedUser, startTestBackend, type TestBackend } from './harness';

let t: TestBackend;
/** An admin runs the whole catalog here (which role may run what: authorization.test.ts). */
let adminToken: string;
beforeAll(async () => {
  t = await startTestBackend({ limits: { perUserPerMinute: 10_000 } });
  adminToken = await addConnectedUser(t, 'morgan.lee@example.com');
  (await t.backend.users.setRole('morgan.lee@example.com', 'admin'));
});
afterAll(async () => {
  await t?.close();
});

const now = new Date().toISOString();
const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString();
const rep = SEED.repEmail;

/** Valid input per tool; functions see what earlier tools answered (run in this order). */
type Made = Record<string, any>;
const VALID: [GongToolName, (made: Made) => Record<string, unknown>][] = [
  ['gong_call_outcomes_list', () => ({})],
  ['gong_calls_create', () => ({ actual_start: now, title: 'Tools test call', direction: 'Outbound', duration: 60, parties: [{ emailAddress: rep, name: 'Riley Parker' }] })],
  ['gong_calls_get', () => ({ call_ids: [SEED.callId] })],
  ['gong_calls_list', () => ({ from_date_time: monthAgo, to_date_time: now })],
  ['gong_calls_transcript_get', () => ({ call_ids: [SEED.callId] })],
  ['gong_coaching_get', () => ({})],
  ['gong_engage_digital_interactions_create', () => ({ event_name: 'Visited pricing page', event_timestamp: now, crm_contact_id: SEED.sfContactWithFlows })],
  ['gong_engage_email_activity_report', () => ({ email_id: 'tools-test-email-1', event_timestamp: now, event_type: 'EMAIL_OPENED', prospect_email: 'avery.thompson@globex.com' })],
  ['gong_engage_flow_content_override', () => ({ flow_instance_id: SEED.runningInstanceId, field_values: { 'recipient.first_name': 'Ave' } })],
  ['gong_engage_flow_folders_list', () => ({ flow_owner_email: rep })],
  ['gong_engage_flows_list', () => ({ flow_owner_email: rep })],
  ['gong_engage_prospects_assign', () => ({ crm_prospect_ids: [SEED.sfLead], flow_id: SEED.flowId, flow_instance_owner_email: rep })],
  ['gong_engage_prospects_assign_cool_off_override', () => ({ crm_prospect_ids: [SEED.coolOff], flow_id: SEED.otherFlowId })],
  ['gong_engage_prospects_bulk_assign', () => ({ crm_prospect_ids: [SEED.hubspotContactNoFlows], flow_id: SEED.otherFlowId })],
  ['gong_engage_prospects_bulk_assign_status', (m) => ({ assignment_id: String(m.gong_engage_prospects_bulk_assign.id ?? m.gong_engage_prospects_bulk_assign.assignmentId) })],
  ['gong_engage_prospects_flows_list', () => ({ crm_prospect_ids: [SEED.sfContactWithFlows] })],
  ['gong_engage_prospects_unassign', () => ({ crm_prospect_ids: [SEED.sfLead], flow_id: SEED.flowId })],
  ['gong_engage_prospects_unassign_by_instance', (m) => ({ flow_instance_ids: [m.gong_engage_prospects_assign_cool_off_override.prospectsAssigned[0].flowInstanceId] })],
  ['gong_engage_tasks_list', () => ({ assignee_email: rep })],
  ['gong_engage_task_complete', () => ({ task_id: SEED.openTaskId, completion_notes: 'done in test' })],
  ['gong_engage_task_skip', (m) => ({ task_id: String(m.gong_engage_tasks_list.tasks.find((x: any) => String(x.id) !== SEED.openTaskId).id), skip_reason: 'not needed' })],
  ['gong_engage_users_list', () => ({})],
  ['gong_engage_workspaces_list', () => ({})],
  ['gong_library_folder_content_get', () => ({ folder_id: SEED.libraryFolderId })],
  ['gong_library_folders_list', () => ({})],
  ['gong_scorecards_list', () => ({})],
  ['gong_stats_interaction', () => ({ from_date_time: monthAgo, to_date_time: now })],
  ['gong_stats_user_actions', () => ({ from_date_time: monthAgo, to_date_time: now })],
  ['gong_trackers_list', () => ({})],
  ['gong_users_get', () => ({ user_ids: [SEED.repUserId] })],
  ['gong_users_list', () => ({})],
];

/** Invalid variants of a valid input: an unknown field, a wrong type for each field, each required field missing. */
function invalidVariants(tool: GongToolName, valid: Record<string, unknown>): [string, Record<string, unknown>][] {
  const out: [string, Record<string, unknown>][] = [['unknown field', { ...valid, not_a_parameter: 'x' }]];
  const shape = (gongTools[tool].input as any).shape as Record<string, any>;
  for (const key of Object.keys(valid)) out.push([`${key} wrong type`, { ...valid, [key]: { wrong: true } }]);
  for (const key of Object.keys(shape)) {
    if (!shape[key].safeParse(undefined).success) {
      const { [key]: _, ...rest } = valid;
      out.push([`${key} missing`, rest]);
    }
  }
  return out;
}

describe('generic tool route', () => {
  it('covers the whole catalog', () => {
    expect(VALID.map(([n]) => n).sort()).toEqual([...gongToolNames].sort());
  });

  it('runs every catalog tool with valid input, and refuses each kind of invalid input without touching Gong', async () => {
    const made: Made = {};
    for (const [tool, makeInput] of VALID) {
      const input = makeInput(made);
      const stateBefore = JSON.stringify(t.gong.state.raw);
      const callsBefore = t.gong.stats().totalCalls;
      const auditBefore = (await t.backend.audit.count());
      for (const [label, bad] of invalidVariants(tool, input)) {
        const res = await t.api('POST', `/api/v1/tools/${tool}`, { token: adminToken, body: bad });
        expect(res.status, `${tool}: ${label}`).toBe(400);
        const err = apiError.parse(res.body).error;
        expect(err.code).toBe('VALIDATION_FAILED');
        expect(err.issues?.length, `${tool}: ${label}`).toBeGreaterThan(0);
      }
      expect(t.gong.stats().totalCalls, tool).toBe(callsBefore);
      expect(JSON.stringify(t.gong.state.raw), tool).toBe(stateBefore);
      expect((await t.backend.audit.count())).toBe(auditBefore);

      const res = await t.api('POST', `/api/v1/tools/${tool}`, { token: adminToken, body: input });
      expect(res.status, `${tool}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(200);
      made[tool] = toolResult.parse(res.body).data;
      // Writes are audited with Gong's answer; reads are not.
      expect((await t.backend.audit.count())).toBe(auditBefore + (gongTools[tool].write ? 1 : 0));
    }
    expect(t.gong.state.task(SEED.openTaskId)?.status).toBe('DONE');
    expect(t.gong.state.flowInstancesByProspect(SEED.sfLead)).toEqual([]);
    expect(t.gong.state.interactions.some((i) => i.eventName === 'Visited pricing page')).toBe(true);
  });

  it('lists every bad field at once', async () => {
    const res = await t.api('POST', '/api/v1/tools/gong_engage_prospects_assign', {
      body: { crm_prospect_ids: 'x', flow_id: '!!', flow_instance_owner_email: 'nope', extra: 1 },
    });
    expect(res.status).toBe(400);
    const paths = apiError.parse(res.body).error.issues!.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['crm_prospect_ids', 'flow_id', 'flow_instance_owner_email']));
    expect(paths.length).toBeGreaterThanOrEqual(4);
  });

  it('answers 404 UNKNOWN_TOOL for names outside the catalog; none reaches the SDK', async () => {
    const before = t.backend.sandbox!.stats.executeToolCalls;
    for (const name of ['gong_admin_delete_everything', 'constructor', '__proto__', 'hasOwnProperty', 'GONG_USERS_LIST', 'gong_users_list ']) {
      const res = await t.api('POST', `/api/v1/tools/${encodeURIComponent(name)}`, { body: {} });
      expect(res.status, name).toBe(404);
      expect(apiError.parse(res.body).error.code).toBe('UNKNOWN_TOOL');
    }
    expect(t.backend.sandbox!.stats.executeToolCalls).toBe(before);
  });

  it('refuses to act as another Gong user', async () => {
    const calls = t.gong.stats().totalCalls;
    for (const [tool, body] of [
      ['gong_engage_flows_list', { flow_owner_email: SEED.otherRepEmail }],
      ['gong_engage_tasks_list', { assignee_email: SEED.managerEmail }],
    ] as const) {
      const res = await t.api('POST', `/api/v1/tools/${tool}`, { body });
      expect(res.status, tool).toBe(403);
      expect(apiError.parse(res.body).error.code).toBe('FORBIDDEN');
    }
    expect(t.gong.stats().totalCalls).toBe(calls);
  });
});

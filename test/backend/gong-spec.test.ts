/**
 * Every simulated tool that maps to a Gong operation answers with the 200 (or 202) response schema of
 * that operation in gong-openapi.json, and error answers follow Gong's ErrorResponse schema.
 * Beyond ajv (which allows extra fields, as the spec declares none `additionalProperties: false`),
 * a walker checks that the simulator sends no field the spec does not declare.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { gongTools, type GongToolName } from '../../lib/gong-tools';
import { GongHttpError } from '../../server/sandbox/gong/http-error';
import { callId } from '../../server/sandbox/gong/seed';
import { GongSimulator, SEED } from '../../server/sandbox/gong/simulator';

type Json = Record<string, unknown>;
/** Gong's public OpenAPI spec lives beside the repo (shared reference material). */
const SPEC_PATH = process.env.GONG_OPENAPI_PATH ?? fileURLToPath(new URL('../reference/gong-openapi.json', import.meta.url));
const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Json;
const SPEC_ID = 'gong-openapi.json';

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
for (const f of ['int32', 'int64', 'float', 'double', 'url']) ajv.addFormat(f, true);
ajv.addSchema({ ...spec, $id: SPEC_ID });

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

function successStatus(method: string, path: string): string {
  const responses = ((spec.paths as Json)[path] as Json)[method.toLowerCase()] as Json;
  const codes = Object.keys(responses.responses as Json);
  return codes.find((c) => c === '200') ?? codes.find((c) => c.startsWith('2'))!;
}

function validatorFor(method: string, path: string, status: string): ValidateFunction {
  const ref = `${SPEC_ID}#/${pointer('paths', path, method.toLowerCase(), 'responses', status, 'content', 'application/json', 'schema')}`;
  return ajv.compile({ $ref: ref });
}

function resolve(schema: Json | undefined): Json | undefined {
  let s = schema;
  while (s && typeof s.$ref === 'string') s = (spec.components as { schemas: Record<string, Json> }).schemas[s.$ref.split('/').pop()!];
  return s;
}

/** Paths of fields present in `value` that the schema does not declare. */
function undeclared(schema: Json | undefined, value: unknown, at = '$'): string[] {
  const s = resolve(schema);
  if (!s || value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => undeclared(s.items as Json, v, `${at}[${i}]`));
  if (typeof value !== 'object') return [];
  if (s.additionalProperties && !s.properties) return Object.entries(value).flatMap(([k, v]) => undeclared(s.additionalProperties as Json, v, `${at}.${k}`));
  const props = (s.properties ?? {}) as Record<string, Json>;
  if (s.type === 'object' && !s.properties) return []; // free-form object
  return Object.entries(value as Json).flatMap(([k, v]) => (k in props ? undeclared(props[k], v, `${at}.${k}`) : [`${at}.${k}`]));
}

const ctx = { identifier: SEED.repEmail, executionId: 'spec-test' };

/** A valid input for every tool (against the seeded state). */
function inputs(): Record<GongToolName, Json> {
  const now = Date.now();
  const from = new Date(now - 100 * 86_400_000).toISOString();
  const to = new Date(now + 86_400_000).toISOString();
  return {
    gong_call_outcomes_list: {},
    gong_calls_create: {
      actual_start: new Date(now - 3_600_000).toISOString(),
      client_unique_id: 'spec-call-1',
      direction: 'Outbound',
      duration: 1200,
      parties: [{ emailAddress: SEED.repEmail, name: 'Riley Parker' }, { emailAddress: 'someone@globex.com', name: 'Someone' }],
      title: 'Spec call',
    },
    gong_calls_get: { call_ids: [SEED.callId, callId(2)] },
    gong_calls_list: { from_date_time: from, to_date_time: to },
    gong_calls_transcript_get: { call_ids: [SEED.callId] },
    gong_coaching_get: {},
    gong_engage_digital_interactions_create: { event_name: 'Visited Pricing Page', event_timestamp: new Date(now).toISOString(), crm_contact_id: SEED.sfContactWithFlows, url: 'https://northwind.example/pricing' },
    gong_engage_email_activity_report: { email_id: 'em-1', event_timestamp: new Date(now).toISOString(), event_type: 'EMAIL_OPENED', prospect_email: 'someone@globex.com' },
    gong_engage_flow_content_override: { flow_instance_id: SEED.runningInstanceId, field_values: { 'recipient.first_name': 'Ave' } },
    gong_engage_flow_folders_list: { flow_owner_email: SEED.repEmail },
    gong_engage_flows_list: { flow_owner_email: SEED.repEmail },
    gong_engage_prospects_assign: { crm_prospect_ids: [SEED.sfContactNoFlows, SEED.coolOff, 'nope'], flow_id: SEED.flowId, flow_instance_owner_email: SEED.repEmail },
    gong_engage_prospects_assign_cool_off_override: { crm_prospect_ids: [SEED.coolOff], flow_id: SEED.otherFlowId, flow_instance_owner_email: SEED.repEmail },
    gong_engage_prospects_bulk_assign: { crm_prospect_ids: [SEED.sfLead, SEED.hubspotContactNoFlows], flow_id: SEED.flowId, flow_instance_owner_email: SEED.repEmail },
    gong_engage_prospects_bulk_assign_status: { assignment_id: 'set-later' },
    gong_engage_prospects_flows_list: { crm_prospect_ids: [SEED.sfContactWithFlows, SEED.hubspotContact] },
    gong_engage_prospects_unassign: { crm_prospect_ids: [SEED.sfLeadInFlow], flow_id: SEED.otherFlowId },
    gong_engage_prospects_unassign_by_instance: { flow_instance_ids: [SEED.runningInstanceId] },
    gong_engage_task_complete: { task_id: SEED.openTaskId, completion_notes: 'done' },
    gong_engage_task_skip: { task_id: '7100000000000005', skip_reason: 'not needed' },
    gong_engage_tasks_list: { assignee_email: SEED.repEmail },
    gong_engage_users_list: {},
    gong_engage_workspaces_list: {},
    gong_library_folder_content_get: { folder_id: SEED.libraryFolderId },
    gong_library_folders_list: {},
    gong_scorecards_list: {},
    gong_stats_interaction: { from_date_time: from, to_date_time: to },
    gong_stats_user_actions: { from_date_time: from, to_date_time: to },
    gong_trackers_list: {},
    gong_users_get: { user_ids: [SEED.repUserId, SEED.managerUserId] },
    gong_users_list: {},
  };
}

describe('Gong simulator answers match gong-openapi.json', () => {
  const sim = new GongSimulator({ limits: { perSecond: 1_000 } });
  const answers = new Map<GongToolName, unknown>();
  const data = inputs();

  beforeAll(async () => {
    // Unassigning last: it removes the instance (and its open tasks) other calls use.
    const last: GongToolName[] = ['gong_engage_prospects_unassign', 'gong_engage_prospects_unassign_by_instance'];
    const order = [...(Object.keys(gongTools) as GongToolName[]).filter((n) => !last.includes(n)), ...last];
    // Bulk status needs the id of a submitted assignment.
    const submitted = (await sim.execute('gong_engage_prospects_bulk_assign', data.gong_engage_prospects_bulk_assign, ctx)) as { id: string };
    data.gong_engage_prospects_bulk_assign_status = { assignment_id: submitted.id };
    for (const name of order) answers.set(name, await sim.execute(name, data[name], ctx));
  });

  const withOperation = (Object.keys(gongTools) as GongToolName[]).filter((n) => gongTools[n].gong);

  it('covers every tool with a Gong operation (29 of 31)', () => {
    expect(withOperation.length).toBe(29);
    expect(answers.size).toBe(31);
  });

  for (const name of withOperation) {
    it(`${name} → ${gongTools[name].gong!.method} ${gongTools[name].gong!.path}`, () => {
      const op = gongTools[name].gong!;
      const status = successStatus(op.method, op.path);
      const validate = validatorFor(op.method, op.path, status);
      const answer = answers.get(name) as Json;
      const ok = validate(answer);
      expect(validate.errors ?? [], JSON.stringify(answer).slice(0, 400)).toEqual([]);
      expect(ok).toBe(true);
      expect(typeof answer.requestId).toBe('string');
      expect(answer.requestId).toMatch(/^[0-9a-z]{19}$/);
      const schema = (((((spec.paths as Json)[op.path] as Json)[op.method.toLowerCase()] as Json).responses as Json)[status] as Json).content as Json;
      const extra = undeclared((schema['application/json'] as Json).schema as Json, answer);
      expect(extra).toEqual([]);
    });
  }

  it('list answers carry records and a non-empty page', () => {
    const flows = answers.get('gong_engage_flows_list') as { records: Json; flows: unknown[] };
    expect(flows.records).toMatchObject({ totalRecords: SEED.repVisibleFlowCount, currentPageSize: 10, currentPageNumber: 0 });
    expect(typeof flows.records.cursor).toBe('string');
    const calls = answers.get('gong_calls_list') as { records: Json; calls: unknown[] };
    expect(calls.calls.length).toBeGreaterThanOrEqual(40);
    expect(calls.records.cursor).toBeUndefined();
  });

  it('error answers follow ErrorResponse (400, 404, 409, 429)', async () => {
    const validateError = ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/ErrorResponse` });
    const errors: GongHttpError[] = [];
    const collect = async (tool: string, input: Json) => {
      try {
        await sim.execute(tool, input, ctx);
      } catch (e) {
        errors.push(e as GongHttpError);
      }
    };
    await collect('gong_engage_prospects_assign', { crm_prospect_ids: [], flow_id: SEED.flowId, flow_instance_owner_email: SEED.repEmail });
    await collect('gong_engage_prospects_assign', { crm_prospect_ids: [SEED.sfLead], flow_id: '999', flow_instance_owner_email: SEED.repEmail });
    await collect('gong_engage_digital_interactions_create', data.gong_engage_digital_interactions_create);
    sim.faults.set({ kind: '429', retryAfter: 2 });
    await collect('gong_users_list', {});
    expect(errors.map((e) => e.status)).toEqual([400, 404, 409, 429]);
    for (const e of errors) {
      expect(e).toBeInstanceOf(GongHttpError);
      expect(validateError(e.body), JSON.stringify(e.body)).toBe(true);
      expect(e.body.errors.length).toBeGreaterThan(0);
      expect(typeof e.body.requestId).toBe('string');
      expect(undeclared({ $ref: '#/components/schemas/ErrorResponse' }, e.body)).toEqual([]);
    }
    expect(errors[3].retryAfter).toBe(2);
  });
});

/**
 * Loud, not silent: every answer the backend reads is parsed at the gateway with its reader schema; a
 * required top-level key missing or of another type is a 502 GONG_UNEXPECTED_ANSWER naming the tool, never
 * an empty list shown to a rep. And Gong's ids stay strings end to end: the simulator seeds ids above 2^53,
 * and they cross the SDK's protobuf Struct both ways (tool input and tool answer) unchanged.
 */
import { fromBinary, fromJson, toBinary, toJson } from '@bufbuild/protobuf';
import { StructSchema } from '@bufbuild/protobuf/wkt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, flowList, prospectCalls, prospectFlows, toolResult } from '../../lib/api';
import type { GongToolName } from '../../lib/gong-tools';
import { SEED } from '../../server/sandbox/gong/seed';
import { startTestBackend, type TestBackend } from './harness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let t: TestBackend;
/** Answers replaced per tool (the simulated Gong answering in a shape we do not expect). */
const replaced = new Map<string, unknown>();
const received: { tool: string; input: Json }[] = [];
beforeAll(async () => {
  // No caches: each test sees the answer it sets up.
  t = await startTestBackend({ gong: { cacheTtlMs: 0, tasksTtlMs: 0, prospectFlowsTtlMs: 0, callsIndexTtlMs: 0 } });
  const execute = t.gong.execute.bind(t.gong);
  t.gong.execute = async (tool, input, ctx) => {
    received.push({ tool, input: input as Json });
    const answer = await execute(tool, input, ctx);
    return replaced.has(tool) ? replaced.get(tool) : answer;
  };
});
afterAll(async () => {
  await t?.close();
});

const ABOVE_2_53 = 2n ** 53n;
const isBig = (id: string) => /^\d+$/.test(id) && BigInt(id) > ABOVE_2_53;

async function withAnswer(tool: GongToolName, answer: unknown, path: string) {
  replaced.set(tool, answer);
  try {
    return await t.api('GET', path);
  } finally {
    replaced.delete(tool);
  }
}

describe('an answer in an unexpected shape is a 502, not an empty list', () => {
  const cases: [string, GongToolName, string, unknown][] = [
    ['flows without `flows`', 'gong_engage_flows_list', '/api/v1/flows', { requestId: 'r1', records: { totalRecords: 0 } }],
    ['flows as a string', 'gong_engage_flows_list', '/api/v1/flows', { requestId: 'r1', flows: 'none' }],
    ["a prospect's flows without `prospectsAssigned`", 'gong_engage_prospects_flows_list', `/api/v1/prospects/${SEED.sfContactWithFlows}/flows`, { requestId: 'r2' }],
    ['workspaces as an object', 'gong_engage_workspaces_list', '/api/v1/workspaces', { workspaces: { id: '1' } }],
    ['tasks without `tasks`', 'gong_engage_tasks_list', '/api/v1/tasks', { requestId: 'r3', records: {} }],
    ['calls without `calls`', 'gong_calls_list', `/api/v1/prospects/${SEED.sfContactWithFlows}/calls?days=7`, { requestId: 'r4' }],
    ['no answer at all', 'gong_engage_flow_folders_list', '/api/v1/flows/folders', null],
  ];
  for (const [what, tool, path, answer] of cases) {
    it(`${what} → 502 GONG_UNEXPECTED_ANSWER naming ${tool}`, async () => {
      const res = await withAnswer(tool, answer, path);
      expect(res.status, JSON.stringify(res.body)).toBe(502);
      const { error } = apiError.parse(res.body);
      expect(error.code).toBe('GONG_UNEXPECTED_ANSWER');
      expect(error.message).toContain(tool);
    });
  }

  it('an unexpected answer is not cached: the next good answer is shown', async () => {
    expect((await withAnswer('gong_engage_flows_list', { flows: 7 }, '/api/v1/flows')).status).toBe(502);
    const res = await t.api('GET', '/api/v1/flows');
    expect(res.status).toBe(200);
    expect(flowList.parse(res.body).flows.length).toBeGreaterThan(0);
  });

  it('a field Gong adds, or an optional one it leaves out, is fine', async () => {
    const res = await withAnswer('gong_engage_flows_list', { flows: [{ id: '7441000000000000099', name: 'New', newField: { x: 1 } }], brandNew: true }, '/api/v1/flows');
    expect(res.status).toBe(200);
    expect(flowList.parse(res.body).flows).toEqual([{ id: '7441000000000000099', name: 'New', folderId: null, folderName: null, visibility: 'COMPANY', exclusive: false }]);
  });
});

describe('Gong ids stay strings end to end', () => {
  it('the simulator seeds ids above 2^53 (flows, folders, flow instances, calls, users)', () => {
    const raw = t.gong.state.raw;
    for (const id of [SEED.flowId, SEED.companyFolderId, SEED.runningInstanceId, SEED.callId, SEED.repUserId]) expect(isBig(id), id).toBe(true);
    expect(raw.flows.every((f) => isBig(f.id))).toBe(true);
    expect(raw.calls.every((c) => isBig(c.id))).toBe(true);
  });

  it('a number above 2^53 does not survive a protobuf Struct; the same id as a string does', () => {
    const id = SEED.callId;
    const back = toJson(StructSchema, fromBinary(StructSchema, toBinary(StructSchema, fromJson(StructSchema, { asString: id, asNumber: Number(id) })))) as Json;
    expect(back.asString).toBe(id);
    expect(String(back.asNumber)).not.toBe(id);
  });

  it('ids cross the SDK both ways unchanged: in the tool input, in the answer, and in the API', async () => {
    received.length = 0;
    const res = await t.api('POST', '/api/v1/tools/gong_calls_get', { body: { call_ids: [SEED.callId] } });
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    expect(received.find((r) => r.tool === 'gong_calls_get')!.input.call_ids).toEqual([SEED.callId]);
    const data = toolResult.parse(res.body).data as Json;
    expect(data.calls[0].metaData.id).toBe(SEED.callId);
    expect(data.calls[0].metaData.primaryUserId).toBe(SEED.repUserId);

    const flows = prospectFlows.parse((await t.api('GET', `/api/v1/prospects/${SEED.sfContactWithFlows}/flows`)).body).flows;
    const running = flows.find((f) => f.flowInstanceId === SEED.runningInstanceId)!;
    expect(running.flowId).toBe(SEED.flowId);

    const calls = prospectCalls.parse((await t.api('GET', `/api/v1/prospects/${SEED.sfContactWithFlows}/calls`)).body).calls;
    expect(calls[0].id).toBe(SEED.callId);
    expect(calls.every((c) => isBig(c.id))).toBe(true);

    const catalog = flowList.parse((await t.api('GET', '/api/v1/flows')).body).flows;
    expect(catalog.map((f) => f.id)).toContain(SEED.flowId);
    expect(catalog.every((f) => isBig(f.id) && (f.folderId === null || isBig(f.folderId)))).toBe(true);
  });
});

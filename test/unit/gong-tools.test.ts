/**
 * The tool catalog matches the Scalekit Gong connector page exactly: every tool, every parameter name,
 * its type and whether it is required (test/reference/scalekit-gong-connector.md, a copy of the page).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GONG_CALL_COST, gongCallsFor, gongTools, gongToolNames, isGongToolName } from '../../lib/gong-tools';

interface DocParam {
  name: string;
  type: string;
  required: boolean;
}

function parseConnectorPage(): Map<string, DocParam[]> {
  const md = readFileSync(new URL('../reference/scalekit-gong-connector.md', import.meta.url), 'utf8');
  const tools = new Map<string, DocParam[]>();
  let current: DocParam[] | null = null;
  for (const line of md.split('\n')) {
    const heading = /^### `(gong_[a-z_]+)`/.exec(line);
    if (heading) {
      current = [];
      tools.set(heading[1], current);
      continue;
    }
    const param = /^- `([a-z_]+)` \(`([a-z]+)`, (required|optional)\)/.exec(line);
    if (param && current) current.push({ name: param[1], type: param[2], required: param[3] === 'required' });
  }
  return tools;
}

/** The JSON type a zod schema accepts, in the connector page's words. */
function jsonType(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { type?: string };
  return json.type === 'number' ? 'number' : (json.type ?? 'unknown');
}

const doc = parseConnectorPage();

describe('Gong tool catalog', () => {
  it('has exactly the 31 tools of the connector page', () => {
    expect(doc.size).toBe(31);
    expect([...gongToolNames].sort()).toEqual([...doc.keys()].sort());
  });

  it.each([...doc.entries()])('%s has the page parameters with their types and required flags', (name, params) => {
    const input = gongTools[name as keyof typeof gongTools].input as unknown as z.ZodObject;
    const shape = input.shape as Record<string, z.ZodType>;
    expect(Object.keys(shape).sort()).toEqual(params.map((p) => p.name).sort());
    for (const p of params) {
      const field = shape[p.name];
      expect(field.safeParse(undefined).success, `${name}.${p.name} optional?`).toBe(!p.required);
      const inner = field instanceof z.ZodOptional ? (field.unwrap() as z.ZodType) : field;
      expect(jsonType(inner), `${name}.${p.name} type`).toBe(p.type);
    }
  });

  it('refuses unknown fields, so nothing unvalidated reaches Gong', () => {
    const r = gongTools.gong_engage_task_complete.input.safeParse({ task_id: '123', extra: 1 });
    expect(r.success).toBe(false);
  });

  it("caps the assign tool at 200 prospects, as the connector page does (the backend sends ≤ 100 a call: Gong's own cap)", () => {
    const ids = Array.from({ length: 201 }, (_, i) => `0038d0000${String(i).padStart(9, '0')}`);
    const input = { crm_prospect_ids: ids, flow_id: '4410000000000001', flow_instance_owner_email: 'rep@example.com' };
    expect(gongTools.gong_engage_prospects_assign.input.safeParse(input).success).toBe(false);
    expect(gongTools.gong_engage_prospects_assign.input.safeParse({ ...input, crm_prospect_ids: ids.slice(0, 200) }).success).toBe(true);
  });

  it('knows its own names and nothing else', () => {
    expect(isGongToolName('gong_calls_list')).toBe(true);
    expect(isGongToolName('toString')).toBe(false);
    expect(isGongToolName('__proto__')).toBe(false);
    expect(isGongToolName('gong_calls_delete')).toBe(false);
  });
});

describe('Gong calls per tool (daily budget and /usage)', () => {
  const crmIds = (n: number) => Array.from({ length: n }, (_, i) => `0038d0000${String(i).padStart(9, '0')}`);

  it('has a rule for every tool, and every tool costs at least one Gong call', () => {
    expect(Object.keys(GONG_CALL_COST).sort()).toEqual([...gongToolNames].sort());
    for (const name of gongToolNames) expect(gongCallsFor(name, {}), name).toBeGreaterThanOrEqual(1);
  });

  it('unassign by CRM ids is one Gong call per prospect (the spec takes one crmProspectId per request)', () => {
    expect(gongCallsFor('gong_engage_prospects_unassign', { crm_prospect_ids: crmIds(1), flow_id: '1' })).toBe(1);
    expect(gongCallsFor('gong_engage_prospects_unassign', { crm_prospect_ids: crmIds(7), flow_id: '1' })).toBe(7);
  });

  it('unassign by instance ids is one Gong call for up to 200 instances', () => {
    expect(gongCallsFor('gong_engage_prospects_unassign_by_instance', { flow_instance_ids: crmIds(200) })).toBe(1);
  });

  it('assign and cool-off override take 100 prospects a Gong call; bulk assignment 50 a request', () => {
    for (const tool of ['gong_engage_prospects_assign', 'gong_engage_prospects_assign_cool_off_override'] as const) {
      expect(gongCallsFor(tool, { crm_prospect_ids: crmIds(100) }), tool).toBe(1);
      expect(gongCallsFor(tool, { crm_prospect_ids: crmIds(101) }), tool).toBe(2);
    }
    expect(gongCallsFor('gong_engage_prospects_bulk_assign', { crm_prospect_ids: crmIds(50) })).toBe(1);
    expect(gongCallsFor('gong_engage_prospects_bulk_assign', { crm_prospect_ids: crmIds(120) })).toBe(3);
  });

  it('reads and single writes are one Gong call whatever their input', () => {
    expect(gongCallsFor('gong_engage_prospects_flows_list', { crm_prospect_ids: crmIds(150) })).toBe(1);
    expect(gongCallsFor('gong_calls_get', { call_ids: crmIds(300) })).toBe(1);
    expect(gongCallsFor('gong_engage_task_complete', { task_id: '1' })).toBe(1);
  });
});

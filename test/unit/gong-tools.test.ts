/**
 * The tool catalog matches the Scalekit Gong connector page exactly: every tool, every parameter name,
 * its type and whether it is required (test/reference/scalekit-gong-connector.md, a copy of the page).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { gongTools, gongToolNames, isGongToolName } from '../../lib/gong-tools';

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

  it('caps synchronous assignment at 200 prospects, as Gong does', () => {
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

/**
 * Property-based fuzzing (fast-check): > 1,000 generated malformed requests across every route —
 * wrong types, huge strings and arrays, unicode, prototype-pollution keys, bad ids, missing and extra
 * fields, bad JSON, wrong content types, bad tokens. Every answer is a 4xx with the JSON error shape,
 * the backend stays up, and neither Gong's state nor the audit table changes.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError } from '../../lib/api';
import { startTestBackend, type TestBackend } from './harness';
import { ROUTES, type RouteSample } from './route-table';

let t: TestBackend;
beforeAll(async () => {
  t = await startTestBackend({ limits: { perIpPerMinute: 100_000, perUserPerMinute: 100_000 } });
});
afterAll(async () => {
  await t?.close();
});

interface Malformed {
  method: string;
  path: string;
  rawBody?: string;
  contentType?: string;
  token?: string | null;
  label: string;
}

/** Required fields whose absence makes a body invalid. */
const REQUIRED = new Set(['crmProspectIds', 'eventName', 'eventTimestamp', 'emailId', 'eventType', 'prospectEmail', 'crmProspectId']);
const PARAM = /\{(\w+)\}/;

const unicode = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
/** A path segment that can never be a valid id: it always contains a character outside [A-Za-z0-9_-]. */
const badId = fc.oneof(
  fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom('!', ' ', '.', '$', '%', 'é', '😀', '\u0000', '"', '<'), fc.string({ maxLength: 20 })).map(([a, c, b]) => a + c + b),
  fc.string({ unit: fc.constantFrom(...'abcXYZ019_-'), minLength: 65, maxLength: 300 }),
  // ('..' is left out: fetch resolves it before sending, so the backend would never see it.)
  fc.constantFrom('__proto__.x', 'constructor.prototype', '.x.', 'null!', '-1.5'),
);
const hugeString = fc.integer({ min: 5_001, max: 60_000 }).map((n) => 'x'.repeat(n));
const pollutionKey = fc.constantFrom('__proto__', 'constructor', 'prototype');

function wrongTypeFor(value: unknown): fc.Arbitrary<unknown> {
  const others: fc.Arbitrary<unknown>[] = [fc.constant(null), fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { minKeys: 1, maxKeys: 3 })];
  if (typeof value !== 'number') others.push(fc.double({ noNaN: true }), fc.integer());
  if (typeof value !== 'boolean') others.push(fc.boolean());
  if (!Array.isArray(value)) others.push(fc.array(fc.integer(), { minLength: 1, maxLength: 5 }));
  if (typeof value !== 'string') others.push(unicode);
  if (Array.isArray(value)) others.push(fc.array(fc.oneof(fc.integer(), fc.constant(null), unicode.map((s) => `${s}!`)), { minLength: 1, maxLength: 5 }));
  if (typeof value === 'string') others.push(hugeString);
  return fc.oneof(...others);
}

function bodyMutations(route: RouteSample): fc.Arbitrary<Malformed>[] {
  const base = { method: route.method, path: route.path };
  const valid = (route.body ?? {}) as Record<string, unknown>;
  const keys = Object.keys(valid);
  const muts: fc.Arbitrary<Malformed>[] = [
    fc.oneof(fc.string(), fc.constantFrom('{', '[1,', '{"a":}', "{'a':1}", 'undefined', '{"a":1}}', '\u0000', 'NaN')).filter((s) => {
      try {
        JSON.parse(s);
        return false;
      } catch {
        return true;
      }
    }).map((rawBody) => ({ ...base, rawBody, label: 'bad JSON' })),
    fc
      .tuple(fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', 'image/png'), fc.string())
      .map(([contentType, s]) => ({ ...base, rawBody: s || 'x', contentType, label: `content-type ${contentType}` })),
    fc
      .tuple(fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !(k in valid) && !['__proto__', 'constructor', 'prototype'].includes(k)), fc.jsonValue())
      .map(([k, v]) => ({ ...base, rawBody: JSON.stringify({ ...valid, [`x${k}`]: v }), label: 'extra field' })),
    fc
      .tuple(pollutionKey, fc.jsonValue())
      .map(([k, v]) => ({ ...base, rawBody: `{${keys.map((key) => `${JSON.stringify(key)}:${JSON.stringify(valid[key])},`).join('')}${JSON.stringify(k)}:${JSON.stringify(k === 'constructor' ? { prototype: { polluted: v } } : { polluted: v })}}`, label: `pollution ${k}` })),
    fc.oneof(fc.constant('null'), fc.constant('[]'), fc.constant('"text"'), fc.constant('42'), fc.constant('true')).map((rawBody) => ({ ...base, rawBody, label: 'non-object body' })),
  ];
  if (keys.length && !route.path.includes('/tools/')) {
    muts.push(fc.constantFrom(...keys).chain((k) => wrongTypeFor(valid[k]).map((v) => ({ ...base, rawBody: JSON.stringify({ ...valid, [k]: v }), label: `wrong type ${k}` }))));
  }
  const required = keys.filter((k) => REQUIRED.has(k));
  if (required.length) {
    muts.push(fc.constantFrom(...required).map((k) => {
      const { [k]: _, ...rest } = valid;
      return { ...base, rawBody: JSON.stringify(rest), label: `missing ${k}` };
    }));
  }
  if (Array.isArray(valid.crmProspectIds)) {
    muts.push(fc.constant({ ...base, rawBody: JSON.stringify({ ...valid, crmProspectIds: Array.from({ length: 10_001 }, (_, i) => String(100_000 + i)) }), label: 'huge array' }));
  }
  return muts;
}

function routeMutations(route: RouteSample): fc.Arbitrary<Malformed>[] {
  const muts: fc.Arbitrary<Malformed>[] = [
    fc.oneof(fc.string(), unicode, hugeString.map((s) => s.slice(0, 600))).map((tok) => ({
      method: route.method,
      path: route.path,
      rawBody: route.body !== undefined ? JSON.stringify(route.body) : undefined,
      token: tok.replace(/[\r\n\u0000-\u001f\u007f-\uffff]/g, 'x'),
      label: 'bad token',
    })),
  ];
  const param = PARAM.exec(route.pattern);
  if (param) {
    const [prefix, suffix] = route.pattern.split(param[0]);
    muts.push(
      badId.map((id) => ({
        method: route.method,
        path: `${prefix}${encodeURIComponent(id)}${suffix}`,
        rawBody: route.body !== undefined ? JSON.stringify(route.body) : undefined,
        label: `bad ${param[1]}`,
      })),
    );
  }
  if (route.method === 'POST') muts.push(...bodyMutations(route));
  if (route.pattern.endsWith('/tasks')) {
    muts.push(fc.oneof(fc.string().filter((s) => s !== 'today' && s !== 'all' && s !== ''), unicode).map((due) => ({ method: 'GET', path: `/api/v1/tasks?due=${encodeURIComponent(due)}`, label: 'bad due' })));
  }
  if (route.pattern.endsWith('/calls')) {
    muts.push(
      fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 366 }), fc.double({ min: 1.01, max: 9.99, noInteger: true })).map((d) => ({ method: 'GET', path: route.path.replace(/\?.*/, `?days=${d}`), label: 'bad days' })),
      unicode.map((e) => ({ method: 'GET', path: route.path.replace(/\?.*/, `?email=${encodeURIComponent(e)}`), label: 'bad email' })),
    );
  }
  if (route.path.includes('?')) {
    muts.push(fc.string({ minLength: 1, maxLength: 10 }).map((k) => ({ method: route.method, path: `${route.path}&zz${encodeURIComponent(k)}=1`, label: 'extra query' })));
  }
  return muts;
}

const malformed: fc.Arbitrary<Malformed> = fc.oneof(...ROUTES.map((r) => fc.oneof(...routeMutations(r))));

async function send(m: Malformed) {
  const headers: Record<string, string> = {};
  if (m.token !== null) headers.authorization = `Bearer ${m.token ?? 'test-demo-token-0123456789'}`;
  if (m.rawBody !== undefined) headers['content-type'] = m.contentType ?? 'application/json';
  const res = await fetch(`${t.url}${m.path}`, { method: m.method, headers, body: m.rawBody });
  const text = await res.text();
  return { status: res.status, text, type: res.headers.get('content-type') ?? '' };
}

describe('fuzz', () => {
  it('answers ≥ 1,000 malformed requests across every route with a 4xx JSON error and changes nothing', async () => {
    const stateBefore = JSON.stringify(t.gong.state.raw);
    const gongBefore = t.gong.stats().totalCalls;
    const auditBefore = (await t.backend.audit.count());
    const labels = new Map<string, number>();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(malformed, async (m) => {
        sent++;
        labels.set(m.label, (labels.get(m.label) ?? 0) + 1);
        const res = await send(m);
        const where = `${m.method} ${m.path.slice(0, 120)} [${m.label}] → ${res.status} ${res.text.slice(0, 200)}`;
        expect(res.status, where).toBeGreaterThanOrEqual(400);
        expect(res.status, where).toBeLessThan(500);
        expect(res.type, where).toContain('application/json');
        expect(apiError.safeParse(JSON.parse(res.text)).success, where).toBe(true);
        expect(res.text, where).not.toMatch(/\bat .+:\d+:\d+|node_modules|stack/);
      }),
      { numRuns: 1_100, seed: 20_260_101 },
    );
    expect(sent).toBeGreaterThanOrEqual(1_000);
    expect(labels.size).toBeGreaterThanOrEqual(25);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect(t.gong.stats().totalCalls).toBe(gongBefore);
    expect(JSON.stringify(t.gong.state.raw)).toBe(stateBefore);
    expect((await t.backend.audit.count())).toBe(auditBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

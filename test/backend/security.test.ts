/**
 * The outer wall: CORS and origins, security headers, body limits, content types, bad JSON and
 * prototype pollution, per-user and per-IP limits, logs without secrets, the connection flow
 * (not active → 409 → authorization link → ACTIVE), and the generated OpenAPI document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, connectionLink } from '../../lib/api';
import { SEED } from '../../server/sandbox/gong/seed';
import { originAllowed } from '../../server/http/security';
import { DEMO_TOKEN, logCollector, startTestBackend, type TestBackend } from './harness';

const EXT = `chrome-extension://${'abcdefghijklmnopabcdefghijklmnop'}`;
const { stream: logStream, lines: logLines } = logCollector();
let t: TestBackend;
beforeAll(async () => {
  t = await startTestBackend({ logger: true, logStream, limits: { perUserPerMinute: 40 } });
});
afterAll(async () => {
  await t?.close();
});

describe('origins and headers', () => {
  it('allows extension origins (sandbox mode) and refuses web pages', async () => {
    const ok = await t.api('GET', '/api/v1/usage', { headers: { origin: EXT } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(EXT);
    const preflight = await fetch(`${t.url}/api/v1/flows/1/assign`, {
      method: 'OPTIONS',
      headers: { origin: EXT, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,idempotency-key' },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key');
    const evil = await t.api('GET', '/api/v1/usage', { headers: { origin: 'https://evil.example' } });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(apiError.parse(evil.body).error.code).toBe('FORBIDDEN');
  });

  it('in scalekit mode allows only the listed extension ids', () => {
    const config = { mode: 'scalekit' as const, allowedExtensionIds: ['abcdefghijklmnopabcdefghijklmnop'] };
    expect(originAllowed(EXT, config)).toBe(true);
    expect(originAllowed('chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba', config)).toBe(false);
    expect(originAllowed('https://abcdefghijklmnopabcdefghijklmnop.example', config)).toBe(false);
  });

  it('sends security headers and a request id', async () => {
    const res = await t.api('GET', '/healthz', { token: null });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-powered-by')).toBeNull();
    // Refusals carry them too: the headers are set before authentication runs.
    const refused = await t.api('GET', '/api/v1/flows', { token: null });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(refused.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(refused.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });
});

describe('request bodies', () => {
  const assign = `/api/v1/flows/${SEED.flowId}/assign`;
  it('413 for a body over the limit, 415 for a non-JSON type, 400 for bad JSON and poisoned keys', async () => {
    const huge = await t.api('POST', assign, { rawBody: JSON.stringify({ crmProspectIds: ['x'.repeat(600_000)] }) });
    expect(huge.status).toBe(413);
    expect(apiError.parse(huge.body).error.code).toBe('PAYLOAD_TOO_LARGE');
    const form = await t.api('POST', assign, { rawBody: 'crmProspectIds=1', contentType: 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect(apiError.parse(form.body).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const broken = await t.api('POST', assign, { rawBody: '{"crmProspectIds": [' });
    expect(broken.status).toBe(400);
    expect(apiError.parse(broken.body).error.code).toBe('BAD_REQUEST');
    const proto = await t.api('POST', assign, { rawBody: `{"crmProspectIds":["${SEED.sfLead}"],"__proto__":{"admin":true}}` });
    expect(proto.status).toBe(400);
    const ctor = await t.api('POST', assign, { rawBody: `{"crmProspectIds":["${SEED.sfLead}"],"constructor":{"prototype":{"admin":true}}}` });
    expect(ctor.status).toBe(400);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(t.gong.state.flowInstancesByProspect(SEED.sfLead)).toEqual([]);
  });
});

describe('connection flow', () => {
  it('maps a connection that is not active to 409 GONG_NOT_CONNECTED and reconnects through the link', async () => {
    t.backend.sandbox!.accounts.setStatus('gong', SEED.repEmail, 'EXPIRED');
    expect((await t.api('GET', '/api/v1/connection')).body.status).toBe('EXPIRED');
    const flows = await t.api('GET', '/api/v1/workspaces');
    expect(flows.status).toBe(409);
    expect(apiError.parse(flows.body).error.code).toBe('GONG_NOT_CONNECTED');
    const link = await t.api('POST', '/api/v1/connection/link');
    expect(link.status).toBe(200);
    const { link: url } = connectionLink.parse(link.body);
    expect(url.startsWith(t.backend.sandbox!.url)).toBe(true);
    // Authorized at Gong, then verified as this rep (user verification, by the backend's browser session: docs/sso.md).
    const authorized = await fetch(url, { method: 'POST', redirect: 'manual' });
    expect(authorized.status).toBe(303);
    const rep = (await t.backend.users.byEmail(SEED.repEmail))!;
    const cookie = `ge_session=${(await t.backend.sessions.issue(rep.id, 'browser')).token}`;
    const verified = await fetch(authorized.headers.get('location')!, { headers: { cookie }, redirect: 'manual' });
    expect(verified.status).toBe(302);
    expect((await t.api('GET', '/api/v1/connection')).body.status).toBe('ACTIVE');
    expect((await t.api('GET', '/api/v1/workspaces')).status).toBe(200);
  });

  it("answers from the company-wide caches only a rep whose own connection is active", async () => {
    const flowsPath = `/api/v1/prospects/${SEED.sfContactWithFlows}/flows`;
    const callsPath = `/api/v1/prospects/${SEED.sfContactWithFlows}/calls`;
    const connected = (await t.backend.users.add('cache.reader@example.com')).token;
    t.backend.sandbox!.accounts.setStatus('gong', 'cache.reader@example.com', 'ACTIVE');
    // A connected rep fills the caches.
    expect((await t.api('GET', flowsPath, { token: connected })).status).toBe(200);
    expect((await t.api('GET', callsPath, { token: connected })).status).toBe(200);

    // Another rep's connection has expired: the cached company data is not theirs to see.
    const expired = (await t.backend.users.add('expired.rep@example.com')).token;
    t.backend.sandbox!.accounts.setStatus('gong', 'expired.rep@example.com', 'EXPIRED');
    const callsBefore = t.gong.stats().totalCalls;
    for (const path of [flowsPath, callsPath]) {
      const res = await t.api('GET', path, { token: expired });
      expect(res.status).toBe(409);
      expect(apiError.parse(res.body).error).toMatchObject({ code: 'GONG_NOT_CONNECTED', message: 'Your Gong connection has expired; connect Gong again' });
    }
    expect(t.gong.stats().totalCalls).toBe(callsBefore);

    // The connected rep's connection expires: the first Gong call refused for it ends cached answers at once.
    t.backend.sandbox!.accounts.setStatus('gong', 'cache.reader@example.com', 'EXPIRED');
    expect((await t.api('GET', '/api/v1/workspaces', { token: connected })).status).toBe(409);
    expect((await t.api('GET', flowsPath, { token: connected })).status).toBe(409);
    expect((await t.api('GET', callsPath, { token: connected })).status).toBe(409);
    // Reconnected: served again.
    t.backend.sandbox!.accounts.setStatus('gong', 'cache.reader@example.com', 'ACTIVE');
    expect((await t.api('GET', flowsPath, { token: connected })).status).toBe(200);
  });

  it('reports NOT_CONNECTED for a user who never connected Gong, and gives them a link', async () => {
    const { token } = (await t.backend.users.add('new.rep@example.com'));
    expect((await t.api('GET', '/api/v1/connection', { token })).body.status).toBe('NOT_CONNECTED');
    const flows = await t.api('GET', '/api/v1/flows', { token });
    expect(flows.status).toBe(409);
    const link = await t.api('POST', '/api/v1/connection/link', { token });
    expect(link.status).toBe(200);
    expect((await t.api('GET', '/api/v1/connection', { token })).body.status).toBe('PENDING_AUTH');
  });
});

describe('limits, logs and the API description', () => {
  it('limits requests per user in front of the Gong limiter', async () => {
    const { token } = (await t.backend.users.add('busy.rep@example.com'));
    const answers = [];
    for (let i = 0; i < 45; i++) answers.push(await t.api('GET', '/api/v1/jobs/job_000000000000000000000000', { token }));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBe(5);
    expect(apiError.parse(limited[0].body).error).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(limited[0].headers.get('retry-after')).toMatch(/^\d+$/);
    // Another user is not affected.
    expect((await t.api('GET', '/api/v1/usage')).status).toBe(200);
  });

  it('logs every request and Gong call with request id and user, and never a token or secret', async () => {
    const res = await t.api('GET', `/api/v1/prospects/${SEED.sfContactNoFlows2}/flows`);
    const reqId = res.headers.get('x-request-id');
    const gongLine = logLines.map((l) => JSON.parse(l)).find((l) => l.reqId === reqId && l.gong?.tool === 'gong_engage_prospects_flows_list');
    expect(gongLine).toMatchObject({ user: SEED.repEmail, gong: { outcome: 'ok' } });
    expect(typeof gongLine.gong.latencyMs).toBe('number');
    const all = logLines.join('\n');
    expect(all).not.toContain(DEMO_TOKEN);
    expect(all).not.toContain(t.backend.sandbox!.clientSecret);
  });

  it('describes the API in OpenAPI generated from the zod schemas', async () => {
    const res = await t.api('GET', '/api/v1/openapi.json', { token: null });
    expect(res.status).toBe(200);
    const op = res.body.paths['/api/v1/flows/{flowId}/assign'].post;
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '202', '4XX', '5XX']));
    expect(JSON.stringify(op.requestBody)).toContain('crmProspectIds');
  });
});

describe('the per-address limit', () => {
  let small: TestBackend;
  beforeAll(async () => {
    small = await startTestBackend({ limits: { perIpPerMinute: 30 } });
  });
  afterAll(async () => {
    await small?.close();
  });

  it('answers 429 past the limit, before authentication, logs the refusal, and keeps the health check', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await small.api('GET', '/api/v1/usage')).status);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const over = await small.api('GET', '/api/v1/usage');
    expect(over.status).toBe(429);
    expect(apiError.parse(over.body).error).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(over.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The security headers are on the refusal too.
    expect(over.headers.get('x-content-type-options')).toBe('nosniff');
    // Counted per address before the token is looked at: no token, a bad token, still 429 (not 401).
    expect((await small.api('GET', '/api/v1/usage', { token: null })).status).toBe(429);
    expect((await small.api('GET', '/api/v1/usage', { token: 'gek_not-a-real-token-at-all' })).status).toBe(429);
    // A load balancer's health check keeps working.
    expect((await small.api('GET', '/healthz', { token: null })).status).toBe(200);
    const denials = await small.backend.db.all<{ reason: string; route: string }>('SELECT reason, route FROM access_denials ORDER BY id');
    expect(denials.filter((d) => d.reason === 'ip-rate-limit').length).toBe(3);
    expect(denials.find((d) => d.reason === 'ip-rate-limit')?.route).toBe('/api/v1/usage');
  });
});

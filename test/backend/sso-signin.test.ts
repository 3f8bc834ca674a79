/**
 * SSO sign-in end to end over HTTP: the backend's /auth/start and /auth/callback, the real SDK, the stand-in's
 * hosted login (authorize page, code grant with PKCE, RS256 ID tokens and their JWKS). Each of the callback's
 * checks is shown to refuse: state (unknown, replayed, from another browser), PKCE, nonce, expired code, an email
 * domain off the allow-list, a revoked person.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSignInRedirect } from '../../lib/sign-in';
import { DEMO_TOKEN, startTestBackend, type TestBackend } from './harness';

const EXT_REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/sso';
const EXT_STATE = 'ext-state-0123456789abcdef';

let t: TestBackend;
beforeAll(async () => {
  t = await startTestBackend();
});
afterAll(async () => {
  await t?.close();
});

const noFollow = (url: string, init: RequestInit = {}) => fetch(url, { ...init, redirect: 'manual' });

/** GET /auth/start as the extension would (launchWebAuthFlow): the Scalekit URL and this browser's cookie. */
async function start(query: Record<string, string> = { redirect_uri: EXT_REDIRECT, state: EXT_STATE }) {
  const res = await noFollow(`${t.url}/auth/start?${new URLSearchParams(query)}`);
  expect(res.status).toBe(302);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('ge_login='))!.split(';')[0];
  return { authorizeUrl: new URL(res.headers.get('location')!), cookie };
}

/** At the hosted login: open the authorize URL, pick a person; returns where Scalekit sends the browser. */
async function choose(authorizeUrl: URL | string, email: string): Promise<URL> {
  const html = await (await fetch(authorizeUrl)).text();
  const request = /name="request" value="([^"]+)"/.exec(html)?.[1];
  expect(request, html).toBeTruthy();
  const res = await noFollow(new URL('/oauth/authorize', authorizeUrl).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request: request!, email }).toString(),
  });
  expect(res.status).toBe(303);
  return new URL(res.headers.get('location')!);
}

async function callback(url: URL | string, cookie?: string) {
  const res = await noFollow(url.toString(), { headers: cookie ? { cookie } : {} });
  return { status: res.status, location: res.headers.get('location'), text: await res.text(), setCookie: res.headers.getSetCookie() };
}

async function signIn(email: string) {
  const { authorizeUrl, cookie } = await start();
  const back = await choose(authorizeUrl, email);
  const done = await callback(back, cookie);
  return { ...done, back, cookie, outcome: done.location ? readSignInRedirect(done.location, EXT_STATE, EXT_REDIRECT) : null };
}

describe('SSO sign-in', () => {
  it("asks Scalekit for the code with state, nonce and an S256 PKCE challenge, at the SDK's authorize endpoint", async () => {
    const { authorizeUrl } = await start();
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe(`${t.backend.sandbox!.url}/oauth/authorize`);
    const q = authorizeUrl.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('redirect_uri')).toBe(`${t.url}/auth/callback`);
    expect(q.get('scope')).toBe('openid profile email');
    for (const k of ['state', 'nonce', 'code_challenge']) expect(q.get(k)?.length).toBeGreaterThanOrEqual(32);
    expect(q.get('code_challenge_method')).toBe('S256');
  });

  it('signs a rep in: the extension gets a device token that works on the API; sign-out revokes it; CLI tokens keep working', async () => {
    const done = await signIn('rep@example.com');
    expect(done.status).toBe(302);
    expect(done.location!.startsWith(`${EXT_REDIRECT}#`)).toBe(true);
    expect(done.setCookie.some((c) => c.startsWith('ge_session=') && /HttpOnly/.test(c) && /SameSite=Lax/.test(c) && /Path=\/auth/.test(c))).toBe(true);
    if (!done.outcome?.ok) throw new Error(`sign-in failed: ${JSON.stringify(done.outcome)}`);
    expect(done.outcome.email).toBe('rep@example.com');
    const me = await t.api('GET', '/api/v1/me', { token: done.outcome.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: 'rep@example.com', signedInWith: 'sso' });
    expect((await t.api('GET', '/api/v1/connection', { token: done.outcome.token })).body.status).toBe('ACTIVE');

    expect((await t.api('POST', '/api/v1/sign-out', { token: done.outcome.token, body: {} })).body).toEqual({ revoked: true });
    const after = await t.api('GET', '/api/v1/me', { token: done.outcome.token });
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/signed out/i);
    // Said in the body too, so the extension forgets the token and asks to sign in (not "check your API token").
    expect(after.body.error).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'revoked' });
    expect((await t.api('GET', '/api/v1/me', { token: 'ged_never-issued' })).body.error.reason).toBeUndefined();

    const cli = await t.api('GET', '/api/v1/me', { token: DEMO_TOKEN });
    expect(cli.body).toMatchObject({ email: 'rep@example.com', signedInWith: 'token', expiresAt: null });
    expect((await t.api('POST', '/api/v1/sign-out', { token: DEMO_TOKEN, body: {} })).body).toEqual({ revoked: false });
    expect((await t.api('GET', '/api/v1/me', { token: DEMO_TOKEN })).status).toBe(200);
  });

  it('creates a person signing in for the first time as a rep; a known person keeps the role an admin gave', async () => {
    expect((await t.backend.users.byEmail('taylor.nguyen@example.com'))).toBeUndefined();
    const fresh = await signIn('taylor.nguyen@example.com');
    if (!fresh.outcome?.ok) throw new Error('sign-in failed');
    expect((await t.api('GET', '/api/v1/me', { token: fresh.outcome.token })).body).toMatchObject({ email: 'taylor.nguyen@example.com', role: 'rep' });
    const manager = await signIn('manager@example.com');
    if (!manager.outcome?.ok) throw new Error('sign-in failed');
    expect((await t.api('GET', '/api/v1/me', { token: manager.outcome.token })).body).toMatchObject({ email: 'manager@example.com', role: 'manager' });
  });

  it('refuses a replayed callback (state used once): no second token', async () => {
    const done = await signIn('rep@example.com');
    expect(done.outcome?.ok).toBe(true);
    const again = await callback(done.back, done.cookie);
    expect(again.status).toBe(400);
    expect(again.text).toMatch(/already completed or is unknown/);
    expect(again.location).toBeNull();
  });

  it('refuses an unknown state', async () => {
    const { authorizeUrl, cookie } = await start();
    const back = await choose(authorizeUrl, 'rep@example.com');
    back.searchParams.set('state', 'forged-state-value');
    const res = await callback(back, cookie);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/already completed or is unknown/);
  });

  it('refuses a callback in a browser that did not start the sign-in (no binding cookie)', async () => {
    const { authorizeUrl } = await start();
    const back = await choose(authorizeUrl, 'rep@example.com');
    const res = await callback(back, 'ge_login=someone-elses');
    expect(readSignInRedirect(res.location!, EXT_STATE, EXT_REDIRECT)).toMatchObject({ ok: false, error: 'browser_mismatch' });
  });

  it('refuses a code issued for another PKCE challenge (an injected code)', async () => {
    const victim = await start();
    // The attacker runs their own authorization at Scalekit (their own challenge) and injects that code.
    const attacker = await start();
    const attackerCode = (await choose(attacker.authorizeUrl, 'rep@example.com')).searchParams.get('code')!;
    const back = new URL(`${t.url}/auth/callback`);
    back.searchParams.set('code', attackerCode);
    back.searchParams.set('state', victim.authorizeUrl.searchParams.get('state')!);
    const res = await callback(back, victim.cookie);
    const outcome = readSignInRedirect(res.location!, EXT_STATE, EXT_REDIRECT);
    expect(outcome).toMatchObject({ ok: false, error: 'code_refused' });
    expect(outcome.ok === false && outcome.message).toMatch(/code_verifier/);
  });

  it('refuses an ID token whose nonce is not the sign-in’s (same PKCE challenge, other nonce)', async () => {
    const { authorizeUrl, cookie } = await start();
    const forged = new URL(authorizeUrl);
    forged.searchParams.set('nonce', 'attacker-chosen-nonce-0123456789abcdef');
    const back = await choose(forged, 'rep@example.com');
    const res = await callback(back, cookie);
    expect(readSignInRedirect(res.location!, EXT_STATE, EXT_REDIRECT)).toMatchObject({ ok: false, error: 'nonce_mismatch' });
  });

  it('refuses an expired code', async () => {
    const { authorizeUrl, cookie } = await start();
    const back = await choose(authorizeUrl, 'rep@example.com');
    t.backend.sandbox!.login.expireCodes();
    const res = await callback(back, cookie);
    const outcome = readSignInRedirect(res.location!, EXT_STATE, EXT_REDIRECT);
    expect(outcome).toMatchObject({ ok: false, error: 'code_refused' });
    expect(outcome.ok === false && outcome.message).toMatch(/expired/);
  });

  it('refuses an email domain that is not on the allow-list, and creates nobody', async () => {
    const denied = (await t.backend.audit.denialCount());
    const done = await signIn('pat@contractor-mail.test');
    expect(done.outcome).toMatchObject({ ok: false, error: 'domain_not_allowed' });
    expect((await t.backend.users.byEmail('pat@contractor-mail.test'))).toBeUndefined();
    expect((await t.backend.audit.denialCount())).toBe(denied + 1);
  });

  it('refuses a person an admin revoked', async () => {
    (await t.backend.users.revoke('admin@example.com'));
    const done = await signIn('admin@example.com');
    expect(done.outcome).toMatchObject({ ok: false, error: 'revoked' });
  });

  it('refuses to start for a redirect that is not an extension, or without the extension’s state', async () => {
    for (const query of <Record<string, string>[]>[
      { redirect_uri: 'https://evil.example.com/sso', state: EXT_STATE },
      { redirect_uri: EXT_REDIRECT },
      { return_to: 'https://evil.example.com/' },
    ]) {
      const res = await noFollow(`${t.url}/auth/start?${new URLSearchParams(query)}`);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
  });

  it('a revoked device token is refused at once', async () => {
    const done = await signIn('rep@example.com');
    if (!done.outcome?.ok) throw new Error('sign-in failed');
    const session = (await t.backend.sessions.authenticate(done.outcome.token, 'extension'));
    if (typeof session !== 'object') throw new Error('no session');
    (await t.backend.sessions.revokeAllFor(session.user.id));
    expect((await t.api('GET', '/api/v1/me', { token: done.outcome.token })).status).toBe(401);
  });
});

describe('Gong connect verification (/auth/gong/verify)', () => {
  /** Authorizes a link at the sandbox Gong page; returns the verify URL Scalekit sends the browser to. */
  async function authorize(link: string): Promise<URL> {
    const res = await noFollow(link, { method: 'POST' });
    expect(res.status).toBe(303);
    return new URL(res.headers.get('location')!);
  }
  async function browserSessionOf(email: string): Promise<string> {
    const done = await signIn(email);
    return done.setCookie.find((c) => c.startsWith('ge_session='))!.split(';')[0];
  }

  it('asks for the link with userVerifyUrl at the backend; without a session the browser is sent through sign-in first', async () => {
    const { link } = (await t.api('POST', '/api/v1/connection/link', { body: {} })).body;
    const verify = await authorize(link);
    expect(verify.origin + verify.pathname).toBe(`${t.url}/auth/gong/verify`);
    expect(verify.searchParams.get('auth_request_id')).toBeTruthy();
    const res = await noFollow(verify.toString());
    expect(res.status).toBe(302);
    const next = new URL(res.headers.get('location')!, t.url);
    expect(next.pathname).toBe('/auth/start');
    expect(next.searchParams.get('return_to')).toBe(verify.pathname + verify.search);
  });

  it('without its state, the mismatch is still refused — by Scalekit (PermissionDenied) — and nothing changes', async () => {
    const token = (await t.backend.users.add('sam.rivera@example.com')).token;
    const { link } = (await t.api('POST', '/api/v1/connection/link', { token, body: {} })).body;
    const verify = await authorize(link);
    verify.searchParams.delete('state');
    const res = await noFollow(verify.toString(), { headers: { cookie: await browserSessionOf('manager@example.com') } });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('made for someone else');
    expect((await t.api('GET', '/api/v1/connection', { token })).body.status).toBe('PENDING_VERIFICATION');
  });
});

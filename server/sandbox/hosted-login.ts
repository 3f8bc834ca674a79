/**
 * The stand-in for Scalekit's hosted login (SSO), as the SDK drives it. Endpoints and fields are the SDK's
 * (node_modules/@scalekit-sdk/node, v2.11.0):
 *  - `GET /oauth/authorize` with response_type=code, client_id, redirect_uri, scope, state, nonce,
 *    code_challenge, code_challenge_method (scalekit.js getAuthorizationUrl, `authorizeEndpoint`); only S256
 *    is supported (its doc comment: "we support only 'S256'").
 *  - `POST /oauth/token` form with grant_type=authorization_code, code, redirect_uri, client_id, client_secret,
 *    code_verifier (scalekit.js authenticateWithCode → core.js authenticate, `tokenEndpoint`); answers
 *    { id_token, access_token, expires_in, refresh_token } — the fields authenticateWithCode destructures. It
 *    only decodes the ID token (jose.decodeJwt) and maps its claims by constants/user.js IdTokenClaimToUserMap.
 *  - grant_type=refresh_token, refresh_token, client_id, client_secret (scalekit.js refreshAccessToken); both
 *    access_token and refresh_token must come back.
 *  - `GET /keys` → { keys: [JWK] } (core.js getJwks, `jwksEndpoint`), used by validateToken through
 *    jose.createLocalJWKSet + jwtVerify: tokens are signed JWTs whose header `kid` names one of these keys.
 *  - `GET /oidc/logout` with id_token_hint, post_logout_redirect_uri, state (scalekit.js getLogoutUrl).
 * The authorize page lets a tester pick one of a few seeded people instead of a real IdP. Claims beyond the
 * SDK's map, lifetimes and error bodies follow OpenID Connect Core and RFC 6749 (see docs/sso.md: guesses).
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml } from '../http/html-page';
import { sameSecret } from '../same-secret';
import { readBody, sendHtml, sendJson } from './http-util';

export interface SandboxPerson {
  sub: string;
  email: string;
  givenName: string;
  familyName: string;
  title: string;
}

/**
 * The people the sandbox IdP knows. The sandbox backend knows the first three with their roles (server/app.ts);
 * Taylor is new to it; Pat's domain is not on its allow-list.
 */
export const SANDBOX_PEOPLE: readonly SandboxPerson[] = [
  { sub: 'usr_sandbox_rep', email: 'rep@example.com', givenName: 'Riley', familyName: 'Parker', title: 'Account Executive (rep)' },
  { sub: 'usr_sandbox_manager', email: 'manager@example.com', givenName: 'Jordan', familyName: 'Kim', title: 'Sales Manager (manager)' },
  { sub: 'usr_sandbox_admin', email: 'admin@example.com', givenName: 'Dana', familyName: 'Okafor', title: 'IT administrator (admin)' },
  { sub: 'usr_sandbox_new_rep', email: 'taylor.nguyen@example.com', givenName: 'Taylor', familyName: 'Nguyen', title: 'SDR, first sign-in (new rep)' },
  { sub: 'usr_sandbox_outsider', email: 'pat@contractor-mail.test', givenName: 'Pat', familyName: 'Quinn', title: 'Contractor (domain not allowed)' },
];

export const AUTHORIZE_PATH = '/oauth/authorize';
export const JWKS_PATH = '/keys';
export const LOGOUT_PATH = '/oidc/logout';
/** RFC 6749 §4.1.2: a code should live at most 10 minutes. */
export const CODE_TTL_MS = 10 * 60 * 1000;
export const ID_TOKEN_TTL_SECONDS = 3600;
export const ACCESS_TOKEN_TTL_SECONDS = 300;

interface AuthorizeRequest {
  redirectUri: string;
  state?: string;
  nonce?: string;
  scope: string;
  codeChallenge?: string;
  loginHint?: string;
  expiresAt: number;
}

interface IssuedCode extends Omit<AuthorizeRequest, 'loginHint' | 'expiresAt' | 'state'> {
  person: SandboxPerson;
  expiresAt: number;
}

export interface TokenAnswer {
  status: number;
  body: unknown;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #eef1f8;
         font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f1d2b; }
  main { background: #fff; border-radius: 14px; box-shadow: 0 8px 30px rgba(20, 30, 90, .12);
         padding: 28px 32px; max-width: 420px; width: calc(100% - 48px); }
  h1 { font-size: 20px; margin: 0 0 4px; }
  p { margin: 0 0 16px; color: #55596e; }
  ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; }
  button { appearance: none; width: 100%; text-align: left; border: 1px solid #d5d9e6; border-radius: 10px; background: #fff;
           font: inherit; padding: 10px 14px; cursor: pointer; color: inherit; }
  button:hover { border-color: #4b5bd6; background: #f5f6ff; }
  button:focus-visible { outline: 3px solid #4b5bd6; outline-offset: 2px; }
  .email { display: block; color: #55596e; font-size: 13px; }
  .note { font-size: 12px; margin: 16px 0 0; color: #7a7e92; }
</style></head>
<body><main>${body}</main></body></html>`;
}

export class HostedLogin {
  private readonly privateKey: KeyObject;
  private readonly jwk: Record<string, unknown>;
  private readonly kid = `snk_${randomBytes(6).toString('hex')}`;
  private readonly requests = new Map<string, AuthorizeRequest>();
  private readonly codes = new Map<string, IssuedCode>();
  private readonly refreshTokens = new Map<string, { person: SandboxPerson }>();
  /** Redirect URIs "configured in the dashboard" (getAuthorizationUrl's doc: must match one of them). */
  private readonly redirectUris = new Set<string>();
  readonly stats = { authorizations: 0, codeGrants: 0, refusedGrants: 0, jwksRequests: 0, logouts: 0 };

  constructor(
    private readonly clientId: string,
    private readonly clientSecret: string,
    /** The stand-in's base URL, known once it listens: the `iss` of its tokens. */
    private readonly baseUrl: () => string,
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }));
    this.jwk = { ...publicKey.export({ format: 'jwk' }), kid: this.kid, alg: 'RS256', use: 'sig' };
  }

  allowRedirectUri(uri: string): void {
    this.redirectUris.add(uri);
  }

  /** Test hook: every outstanding authorization code is now expired. */
  expireCodes(): void {
    for (const code of this.codes.values()) code.expiresAt = 0;
  }

  handles(path: string): boolean {
    return path === AUTHORIZE_PATH || path === JWKS_PATH || path === LOGOUT_PATH;
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (path === JWKS_PATH && req.method === 'GET') {
      this.stats.jwksRequests++;
      sendJson(res, 200, { keys: [this.jwk] });
    } else if (path === LOGOUT_PATH && req.method === 'GET') {
      this.logout(url, res);
    } else if (path === AUTHORIZE_PATH && req.method === 'GET') {
      this.authorizePage(url, res);
    } else if (path === AUTHORIZE_PATH && req.method === 'POST') {
      this.choose(new URLSearchParams(await readBody(req, 8 * 1024)), res);
    } else {
      res.writeHead(405).end();
    }
  }

  private authorizePage(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const redirectUri = q.get('redirect_uri') ?? '';
    // RFC 6749 §4.1.2.1: a bad client or redirect URI is shown, never redirected to.
    if (q.get('client_id') !== this.clientId || !this.redirectUris.has(redirectUri)) {
      sendHtml(res, 400, page('Sign-in error', '<h1>Sign-in error</h1><p>Unknown client or redirect URI. Check the app’s redirect URIs.</p>'));
      return;
    }
    const fail = (error: string, description: string) => {
      const to = new URL(redirectUri);
      to.searchParams.set('error', error);
      to.searchParams.set('error_description', description);
      if (q.get('state')) to.searchParams.set('state', q.get('state')!);
      res.writeHead(302, { location: to.toString() }).end();
    };
    if (q.get('response_type') !== 'code') return fail('unsupported_response_type', 'response_type must be code');
    const scope = q.get('scope') ?? '';
    if (!scope.split(' ').includes('openid')) return fail('invalid_scope', 'scope must include openid');
    const codeChallenge = q.get('code_challenge') ?? undefined;
    if (codeChallenge && q.get('code_challenge_method') !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256');
    const id = randomBytes(12).toString('base64url');
    this.requests.set(id, {
      redirectUri,
      state: q.get('state') ?? undefined,
      nonce: q.get('nonce') ?? undefined,
      scope,
      codeChallenge,
      loginHint: q.get('login_hint') ?? undefined,
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    const hint = q.get('login_hint')?.toLowerCase();
    const people = SANDBOX_PEOPLE.map(
      (p) => `<li><button type="submit" name="email" value="${escapeHtml(p.email)}" data-email="${escapeHtml(p.email)}"${p.email === hint ? ' autofocus' : ''}>
  <strong>${escapeHtml(`${p.givenName} ${p.familyName}`)}</strong> · ${escapeHtml(p.title)}<span class="email">${escapeHtml(p.email)}</span></button></li>`,
    ).join('\n');
    sendHtml(
      res,
      200,
      page(
        'Sign in (sandbox)',
        `<h1>Sign in (sandbox)</h1><p>Your company’s identity provider would ask for your password here. Pick who you are:</p>
<form method="post" action="${AUTHORIZE_PATH}"><input type="hidden" name="request" value="${id}"><ul>${people}</ul></form>
<p class="note">Sandbox: Scalekit’s hosted login, played by the stand-in.</p>`,
      ),
      // The choice redirects to the app's callback, and the app onwards (CSP form-action would cover the chain).
      'any',
    );
  }

  private choose(form: URLSearchParams, res: ServerResponse): void {
    const id = form.get('request') ?? '';
    const request = this.requests.get(id);
    this.requests.delete(id);
    const person = SANDBOX_PEOPLE.find((p) => p.email === form.get('email'));
    if (!request || request.expiresAt <= Date.now() || !person) {
      sendHtml(res, 400, page('Sign-in expired', '<h1>This sign-in has expired</h1><p>Start again from the app.</p>'));
      return;
    }
    this.stats.authorizations++;
    const code = randomBytes(24).toString('base64url');
    const { loginHint: _hint, state, ...rest } = request;
    this.codes.set(code, { ...rest, person, expiresAt: Date.now() + CODE_TTL_MS });
    const to = new URL(request.redirectUri);
    to.searchParams.set('code', code);
    if (state !== undefined) to.searchParams.set('state', state);
    res.writeHead(303, { location: to.toString() }).end();
  }

  private logout(url: URL, res: ServerResponse): void {
    this.stats.logouts++;
    const to = url.searchParams.get('post_logout_redirect_uri');
    // Only a registered URI is followed (an open redirect otherwise); the stand-in keeps no IdP session to end.
    if (to && this.redirectUris.has(to)) {
      const next = new URL(to);
      const state = url.searchParams.get('state');
      if (state) next.searchParams.set('state', state);
      res.writeHead(302, { location: next.toString() }).end();
      return;
    }
    sendHtml(res, 200, page('Signed out', '<h1>Signed out</h1><p>You can close this tab.</p>'));
  }

  /** The token endpoint's user grants (the client_credentials grant stays with the M2M issuer). */
  grant(form: URLSearchParams): TokenAnswer | undefined {
    const grantType = form.get('grant_type');
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') return undefined;
    if (!sameSecret(form.get('client_id') ?? '', this.clientId) || !sameSecret(form.get('client_secret') ?? '', this.clientSecret)) {
      this.stats.refusedGrants++;
      return { status: 401, body: { error: 'invalid_client', error_description: 'invalid client credentials' } };
    }
    const refuse = (description: string): TokenAnswer => {
      this.stats.refusedGrants++;
      return { status: 400, body: { error: 'invalid_grant', error_description: description } };
    };
    if (grantType === 'refresh_token') {
      const old = form.get('refresh_token') ?? '';
      const entry = this.refreshTokens.get(old);
      if (!entry) return refuse('unknown refresh token');
      // Rotation: a refresh token works once.
      this.refreshTokens.delete(old);
      const refreshToken = this.newRefreshToken(entry.person);
      return { status: 200, body: { access_token: this.accessToken(entry.person), refresh_token: refreshToken, expires_in: ACCESS_TOKEN_TTL_SECONDS, token_type: 'Bearer' } };
    }
    const code = form.get('code') ?? '';
    const issued = this.codes.get(code);
    // One use: a replayed code is refused (RFC 6749 §4.1.2).
    this.codes.delete(code);
    if (!issued) return refuse('authorization code is invalid or was already used');
    if (issued.expiresAt <= Date.now()) return refuse('authorization code expired');
    if (form.get('redirect_uri') !== issued.redirectUri) return refuse('redirect_uri does not match the authorization request');
    if (issued.codeChallenge) {
      const verifier = form.get('code_verifier') ?? '';
      const challenge = b64url(createHash('sha256').update(verifier).digest());
      if (!verifier || !sameSecret(challenge, issued.codeChallenge)) return refuse('code_verifier does not match the code_challenge');
    }
    this.stats.codeGrants++;
    const { person } = issued;
    const now = Math.floor(Date.now() / 1000);
    const sid = `ses_${randomBytes(8).toString('hex')}`;
    const idToken = this.sign({
      iss: this.baseUrl(),
      aud: [this.clientId],
      sub: person.sub,
      iat: now,
      exp: now + ID_TOKEN_TTL_SECONDS,
      auth_time: now,
      sid,
      ...(issued.nonce !== undefined ? { nonce: issued.nonce } : {}),
      email: person.email,
      email_verified: true,
      name: `${person.givenName} ${person.familyName}`,
      given_name: person.givenName,
      family_name: person.familyName,
      amr: ['sso'],
    });
    return {
      status: 200,
      body: { id_token: idToken, access_token: this.accessToken(person, sid), refresh_token: this.newRefreshToken(person), expires_in: ACCESS_TOKEN_TTL_SECONDS, token_type: 'Bearer' },
    };
  }

  private newRefreshToken(person: SandboxPerson): string {
    const token = `rt_${randomBytes(24).toString('base64url')}`;
    this.refreshTokens.set(token, { person });
    return token;
  }

  private accessToken(person: SandboxPerson, sid = `ses_${randomBytes(8).toString('hex')}`): string {
    const now = Math.floor(Date.now() / 1000);
    return this.sign({ iss: this.baseUrl(), aud: [this.clientId], sub: person.sub, sid, client_id: this.clientId, iat: now, nbf: now, exp: now + ACCESS_TOKEN_TTL_SECONDS });
  }

  /** A compact RS256 JWS, verifiable with the key at /keys. Tests sign forged tokens with it too. */
  sign(claims: Record<string, unknown>): string {
    const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: this.kid }));
    const payload = b64url(JSON.stringify(claims));
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), this.privateKey);
    return `${header}.${payload}.${b64url(signature)}`;
  }
}

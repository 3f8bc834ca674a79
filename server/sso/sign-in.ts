/**
 * SSO sign-in through Scalekit (the SDK's getAuthorizationUrl / authenticateWithCode / validateToken).
 *
 * start(): a sign-in attempt gets a random state, nonce and PKCE verifier (S256), kept server-side for 10 minutes,
 * and a random binding value set as a cookie in the browser that started it. callback(): the attempt is found by
 * state and used up at once (a replayed callback finds nothing), the cookie must match, the code is exchanged
 * with the verifier (Scalekit refuses an expired or reused code), the ID token's signature, issuer, audience and
 * expiry are checked against Scalekit's keys, its nonce must be the attempt's, and its email must be verified and
 * on the allow-list. Then the person is found or created (a rep unless an admin said otherwise) and gets a
 * session: a device token for the extension and/or a browser session cookie.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ScalekitClient } from '@scalekit-sdk/node';
import { z } from 'zod';
import type { SsoConfig } from '../config';
import { sameSecret } from '../same-secret';
import type { AuditLog } from '../store/audit';
import type { Db } from '../store/db';
import type { SessionStore } from '../store/sessions';
import type { User, UserStore } from '../store/users';

export const ATTEMPT_TTL_MS = 10 * 60 * 1000;

/** Where a finished sign-in goes: the extension's chromiumapp.org redirect, or back to a backend page. */
export const signInTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('extension'), redirectUri: z.string(), state: z.string() }),
  z.object({ kind: z.literal('browser'), returnTo: z.string() }),
]);
export type SignInTarget = z.infer<typeof signInTarget>;

/** `https://<extension id>.chromiumapp.org/<path>`: what chrome.identity.getRedirectURL() gives. */
const EXTENSION_REDIRECT = /^https:\/\/([a-p]{32})\.chromiumapp\.org\/[A-Za-z0-9/_-]*$/;
/** Backend pages a browser sign-in may return to (never another site: no open redirect). */
const RETURN_TO = /^\/auth\/gong\/verify\?[A-Za-z0-9_.~%=&-]{0,2000}$/;
/** The extension's own CSRF value, echoed back to it. */
const EXTENSION_STATE = /^[A-Za-z0-9_-]{16,128}$/;

export type SignInRefusal =
  | 'sso_not_configured'
  | 'bad_request'
  | 'unknown_state'
  | 'expired'
  | 'browser_mismatch'
  | 'idp_error'
  | 'code_refused'
  | 'bad_id_token'
  | 'nonce_mismatch'
  | 'email_unverified'
  | 'domain_not_allowed'
  | 'revoked';

export const REFUSAL_MESSAGES: Record<SignInRefusal, string> = {
  sso_not_configured: 'Single sign-on is not set up on this backend (SSO_ALLOWED_DOMAINS is empty). Ask your admin.',
  bad_request: 'This sign-in request is not valid. Start again from the extension.',
  unknown_state: 'This sign-in was already completed or is unknown. Start again from the extension.',
  expired: 'This sign-in took too long and expired. Start again from the extension.',
  browser_mismatch: 'This sign-in was started in another browser. Start again from the extension in this browser.',
  idp_error: 'Your identity provider did not sign you in.',
  code_refused: 'Scalekit refused the sign-in code (expired or already used). Start again from the extension.',
  bad_id_token: 'The identity token from Scalekit could not be verified.',
  nonce_mismatch: 'The identity token does not belong to this sign-in.',
  email_unverified: 'Your identity provider has not verified your email address.',
  domain_not_allowed: 'Your email domain is not allowed to use this backend. Ask your admin.',
  revoked: 'An admin has removed your access to Gong Everywhere.',
};

export class SignInError extends Error {
  constructor(
    readonly refusal: SignInRefusal,
    /** Where to report it, when the attempt was known. */
    readonly target?: SignInTarget,
    detail?: string,
  ) {
    super(detail ? `${REFUSAL_MESSAGES[refusal]} (${detail})` : REFUSAL_MESSAGES[refusal]);
    this.name = 'SignInError';
  }
}

export interface SignedIn {
  user: User;
  target: SignInTarget;
  /** For the extension: its bearer token. */
  deviceToken?: string;
  deviceExpiresAt?: number;
  /** The backend's own browser session (cookie on /auth). */
  browserToken: string;
}

export interface SignInDeps {
  client: ScalekitClient;
  db: Db;
  users: UserStore;
  sessions: SessionStore;
  audit: AuditLog;
  config: SsoConfig;
  /** Scalekit's environment URL and our client id: the ID token's expected issuer and audience. */
  envUrl: string;
  clientId: string;
  /** The backend's /auth/callback as browsers reach it. */
  callbackUrl: () => string;
  extensionAllowed: (extensionId: string) => boolean;
}

const hash = (value: string) => createHash('sha256').update(value).digest('hex');
const random = (bytes = 32) => randomBytes(bytes).toString('base64url');

export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

export class SignIn {
  constructor(private readonly deps: SignInDeps) {}

  /** Validates where the sign-in should end; throws bad_request. */
  target(input: { redirectUri?: string; state?: string; returnTo?: string }): SignInTarget {
    if (input.redirectUri !== undefined) {
      const m = EXTENSION_REDIRECT.exec(input.redirectUri);
      if (!m || !this.deps.extensionAllowed(m[1])) throw new SignInError('bad_request', undefined, 'redirect_uri is not an allowed extension');
      if (!input.state || !EXTENSION_STATE.test(input.state)) throw new SignInError('bad_request', undefined, 'state is required');
      return { kind: 'extension', redirectUri: input.redirectUri, state: input.state };
    }
    if (input.returnTo !== undefined && RETURN_TO.test(input.returnTo)) return { kind: 'browser', returnTo: input.returnTo };
    throw new SignInError('bad_request', undefined, 'redirect_uri or return_to is required');
  }

  /** A new attempt: the Scalekit authorization URL and the binding value for this browser's cookie. */
  async start(target: SignInTarget, loginHint?: string): Promise<{ authorizationUrl: string; binding: string }> {
    if (!this.deps.config.allowedDomains.length) throw new SignInError('sso_not_configured', target);
    const state = random();
    const nonce = random();
    const verifier = random(48);
    const binding = random();
    await this.deps.db.run('INSERT INTO sso_logins (state_hash, nonce, code_verifier, binding_hash, target, expires_at) VALUES (?, ?, ?, ?, ?, ?)', [
      hash(state),
      nonce,
      verifier,
      hash(binding),
      JSON.stringify(target),
      Date.now() + ATTEMPT_TTL_MS,
    ]);
    await this.deps.db.run('DELETE FROM sso_logins WHERE expires_at < ?', [Date.now() - ATTEMPT_TTL_MS]);
    const authorizationUrl = this.deps.client.getAuthorizationUrl(this.deps.callbackUrl(), {
      state,
      nonce,
      codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
      codeChallengeMethod: 'S256',
      ...(loginHint ? { loginHint } : {}),
      ...(this.deps.config.organizationId ? { organizationId: this.deps.config.organizationId } : {}),
      ...(this.deps.config.connectionId ? { connectionId: this.deps.config.connectionId } : {}),
    });
    return { authorizationUrl, binding };
  }

  async callback(query: { state?: string; code?: string; error?: string; error_description?: string }, binding: string | undefined): Promise<SignedIn> {
    if (!query.state) throw new SignInError('bad_request', undefined, 'state is missing');
    const stateHash = hash(query.state);
    const attempt = await this.deps.db.get<{ nonce: string; code_verifier: string; binding_hash: string; target: string; expires_at: number; used_at: string | null }>(
      'SELECT * FROM sso_logins WHERE state_hash = ?',
      [stateHash],
    );
    // Used up before anything else: whatever happens next, this callback cannot be replayed (on any replica).
    const claimed =
      attempt && (await this.deps.db.run('UPDATE sso_logins SET used_at = ? WHERE state_hash = ? AND used_at IS NULL', [new Date().toISOString(), stateHash])).changes === 1;
    if (!attempt || !claimed) throw new SignInError('unknown_state');
    const target = signInTarget.parse(JSON.parse(attempt.target));
    if (attempt.expires_at <= Date.now()) throw new SignInError('expired', target);
    if (!binding || !sameSecret(hash(binding), attempt.binding_hash)) throw new SignInError('browser_mismatch', target);
    if (query.error) throw new SignInError('idp_error', target, (query.error_description ?? query.error).slice(0, 200));
    if (!query.code) throw new SignInError('bad_request', target, 'code is missing');

    let idToken: string;
    try {
      ({ idToken } = await this.deps.client.authenticateWithCode(query.code, this.deps.callbackUrl(), { codeVerifier: attempt.code_verifier }));
    } catch (err) {
      // The SDK posts with axios and lets its error through (core.js authenticate): a 4xx is the grant refused.
      const response = (err as { response?: { status?: number; data?: { error_description?: unknown } } }).response;
      if (response?.status && response.status < 500) {
        const detail = response.data?.error_description;
        throw new SignInError('code_refused', target, typeof detail === 'string' ? detail.slice(0, 200) : undefined);
      }
      throw err;
    }
    const claims = await this.verifyIdToken(idToken, target);
    if (typeof claims.nonce !== 'string' || !sameSecret(hash(claims.nonce), hash(attempt.nonce))) throw new SignInError('nonce_mismatch', target);
    const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
    if (!email || claims.email_verified === false) throw new SignInError('email_unverified', target);
    if (!this.deps.config.allowedDomains.includes(emailDomain(email))) {
      await this.deps.audit.denied({ ip: null, method: 'GET', route: '/auth/callback', reason: `sso-domain-not-allowed:${emailDomain(email)}` });
      throw new SignInError('domain_not_allowed', target);
    }
    const user = await this.deps.users.findOrCreateForSso(email);
    if (user.revokedAt) {
      await this.deps.audit.denied({ ip: null, method: 'GET', route: '/auth/callback', reason: 'sso-person-revoked', userId: user.id });
      throw new SignInError('revoked', target);
    }
    const browser = await this.deps.sessions.issue(user.id, 'browser');
    const device = target.kind === 'extension' ? await this.deps.sessions.issue(user.id, 'extension') : undefined;
    await this.deps.audit.record({
      userId: user.id,
      userEmail: user.email,
      requestId: null,
      route: '/auth/callback',
      tool: 'sign-in',
      input: { via: 'sso', target: target.kind },
      outcome: 'ok',
      answer: device ? { sessionId: device.session.id } : null,
    });
    await this.deps.users.markSeen(user.id);
    return { user, target, deviceToken: device?.token, deviceExpiresAt: device?.session.expiresAt, browserToken: browser.token };
  }

  /** Signature (Scalekit's JWKS), audience, expiry through the SDK; the issuer is Scalekit's environment URL. */
  private async verifyIdToken(idToken: string, target: SignInTarget): Promise<Record<string, unknown>> {
    let claims: Record<string, unknown>;
    try {
      claims = await this.deps.client.validateToken<Record<string, unknown>>(idToken, { audience: [this.deps.clientId] });
    } catch (err) {
      throw new SignInError('bad_id_token', target, err instanceof Error ? err.message.slice(0, 200) : undefined);
    }
    // Accepted with or without a trailing slash (not known which Scalekit writes; docs/sso.md).
    const issuer = this.deps.envUrl.replace(/\/+$/, '');
    if (typeof claims.iss !== 'string' || claims.iss.replace(/\/+$/, '') !== issuer) throw new SignInError('bad_id_token', target, 'unexpected issuer');
    return claims;
  }
}

/**
 * The backend's browser pages for SSO (outside /api/v1: a browser navigates them, no bearer token):
 * GET /auth/start → Scalekit's authorization URL; GET /auth/callback → the extension's chromiumapp.org redirect
 * (or back to a backend page); GET /auth/logout → Scalekit's logout URL (getLogoutUrl); GET /auth/signed-out;
 * GET /auth/gong/verify → verifyConnectedAccountUser for the signed-in rep (server/sso/gong-links.ts).
 */
import { Code } from '@connectrpc/connect';
import { ScalekitServerException, type ScalekitClient } from '@scalekit-sdk/node';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { SIGN_IN_START_PATH } from '../../lib/api';
import { signInFragment } from '../../lib/sign-in';
import { clearCookie, LOGIN_COOKIE, readCookie, SESSION_COOKIE, setCookie } from '../http/cookies';
import { sendPage } from '../http/html-page';
import type { SessionStore } from '../store/sessions';
import { ATTEMPT_TTL_MS, SignInError, type SignIn } from '../sso/sign-in';
import { GONG_VERIFY_PATH, type GongLinkRequests } from '../sso/gong-links';
import type { GongConnections } from '../gong/connection';
import type { AuditLog } from '../store/audit';
import { SESSION_TTL_MS } from '../store/sessions';

export interface AuthPagesDeps {
  signIn: SignIn;
  sessions: SessionStore;
  client: ScalekitClient;
  gongLinks: GongLinkRequests;
  connections: GongConnections;
  audit: AuditLog;
  /** The backend's address as browsers reach it. */
  publicUrl: () => string;
}

export const SIGNED_OUT_PATH = '/auth/signed-out';

export const authPages = (deps: AuthPagesDeps): FastifyPluginAsyncZod => async (app) => {
  const secure = () => deps.publicUrl().startsWith('https:');

  function refuse(reply: FastifyReply, err: SignInError): FastifyReply {
    // The extension shows the reason itself; a browser sign-in gets a page.
    if (err.target?.kind === 'extension') {
      return reply.redirect(`${err.target.redirectUri}${signInFragment({ error: err.refusal, error_description: err.message, state: err.target.state })}`, 302);
    }
    return sendPage(reply, err.refusal === 'domain_not_allowed' || err.refusal === 'revoked' ? 403 : 400, { title: 'Sign-in failed', heading: 'Sign-in failed', text: err.message });
  }

  app.get(
    SIGN_IN_START_PATH,
    {
      // A browser navigates here: no bearer token (the auth hook skips public routes).
      config: { public: true },
      schema: {
        hide: true,
        querystring: z.object({
          redirect_uri: z.string().max(300).optional(),
          state: z.string().max(200).optional(),
          return_to: z.string().max(2100).optional(),
          login_hint: z.email().max(320).optional(),
        }),
      },
    },
    async (req, reply) => {
      const q = req.query;
      try {
        const target = deps.signIn.target({ redirectUri: q.redirect_uri, state: q.state, returnTo: q.return_to });
        const { authorizationUrl, binding } = await deps.signIn.start(target, q.login_hint);
        setCookie(reply, LOGIN_COOKIE, binding, { maxAgeSeconds: ATTEMPT_TTL_MS / 1000, secure: secure() });
        return reply.redirect(authorizationUrl, 302);
      } catch (err) {
        if (err instanceof SignInError) return refuse(reply, err);
        throw err;
      }
    },
  );

  app.get(
    '/auth/callback',
    {
      // A browser navigates here: no bearer token (the auth hook skips public routes).
      config: { public: true },
      schema: {
        hide: true,
        querystring: z.object({
          state: z.string().max(200).optional(),
          code: z.string().max(2000).optional(),
          error: z.string().max(200).optional(),
          error_description: z.string().max(1000).optional(),
        }),
      },
    },
    async (req, reply) => {
      let done;
      try {
        done = await deps.signIn.callback(req.query, readCookie(req, LOGIN_COOKIE));
      } catch (err) {
        clearCookie(reply, LOGIN_COOKIE, secure());
        if (err instanceof SignInError) return refuse(reply, err);
        throw err;
      }
      clearCookie(reply, LOGIN_COOKIE, secure());
      setCookie(reply, SESSION_COOKIE, done.browserToken, { maxAgeSeconds: SESSION_TTL_MS.browser / 1000, secure: secure() });
      if (done.target.kind === 'browser') return reply.redirect(done.target.returnTo, 302);
      const fragment = signInFragment({ token: done.deviceToken!, email: done.user.email, state: done.target.state, expires_at: new Date(done.deviceExpiresAt!).toISOString() });
      return reply.redirect(`${done.target.redirectUri}${fragment}`, 302);
    },
  );

  app.get('/auth/logout', { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
    const token = readCookie(req, SESSION_COOKIE);
    if (token) await deps.sessions.revokeToken(token);
    clearCookie(reply, SESSION_COOKIE, secure());
    return reply.redirect(deps.client.getLogoutUrl({ postLogoutRedirectUri: `${deps.publicUrl()}${SIGNED_OUT_PATH}` }), 302);
  });

  app.get(SIGNED_OUT_PATH, { config: { public: true }, schema: { hide: true } }, async (_req, reply) =>
    sendPage(reply, 200, { title: 'Signed out', heading: 'Signed out', text: 'You are signed out of the Gong Everywhere backend in this browser.', tone: 'ok' }),
  );

  app.get(
    GONG_VERIFY_PATH,
    {
      config: { public: true },
      schema: {
        hide: true,
        querystring: z.object({ auth_request_id: z.string().min(1).max(500), state: z.string().max(200).optional() }),
      },
    },
    async (req, reply) => {
      const { auth_request_id: authRequestId, state } = req.query;
      const cookie = readCookie(req, SESSION_COOKIE);
      const session = cookie ? await deps.sessions.authenticate(cookie, 'browser') : undefined;
      if (typeof session !== 'object') {
        // Not signed in to the backend in this browser: sign in first, then come back here.
        const back = `${GONG_VERIFY_PATH}?${new URLSearchParams(req.query as Record<string, string>)}`;
        return reply.redirect(`${SIGN_IN_START_PATH}?${new URLSearchParams({ return_to: back })}`, 302);
      }
      const { user } = session;
      const deny = (reason: string) => deps.audit.denied({ ip: req.ip ?? null, method: 'GET', route: GONG_VERIFY_PATH, reason, userId: user.id, requestId: req.id });
      const forwarded = () =>
        sendPage(reply, 403, {
          title: 'Not your link',
          heading: 'This Gong link was made for someone else',
          text: `You are signed in as ${user.email}, but this Gong connection link was made for another person. Nothing was changed. Ask them to open it themselves, or get your own link from the extension (Connect Gong).`,
        });
      const link = state ? await deps.gongLinks.find(state) : undefined;
      if (link && link.userId !== user.id) {
        deny('gong-link-other-person');
        return forwarded();
      }
      try {
        const res = await deps.client.actions.verifyConnectedAccountUser({ authRequestId, identifier: user.email });
        if (state) await deps.gongLinks.done(state);
        deps.connections.seen(user.email, true);
        deps.audit.record({ userId: user.id, userEmail: user.email, requestId: req.id, route: GONG_VERIFY_PATH, tool: 'gong-connect-verified', input: null, outcome: 'ok', answer: null });
        const next = res.postUserVerifyRedirectUrl;
        if (next && /^https?:\/\//.test(next)) return reply.redirect(next, 302);
        return sendPage(reply, 200, { title: 'Gong connected', heading: 'Gong is connected', text: `Gong is connected for ${user.email}. You can close this tab.`, tone: 'ok' });
      } catch (err) {
        if (err instanceof ScalekitServerException && err.grpcStatus === Code.PermissionDenied) {
          deny('gong-verify-identifier-mismatch');
          return forwarded();
        }
        if (err instanceof ScalekitServerException && (err.grpcStatus === Code.NotFound || err.grpcStatus === Code.InvalidArgument)) {
          return sendPage(reply, 410, { title: 'Link expired', heading: 'This Gong connection has expired', text: 'This authorization expired or was already used. Nothing was changed. Start again from the extension (Connect Gong).' });
        }
        throw err;
      }
    },
  );
};

/**
 * The backend's browser pages for SSO (outside /api/v1: a browser navigates them, no bearer token):
 * GET /auth/start → Scalekit's authorization URL; GET /auth/callback → the extension's chromiumapp.org redirect
 * (or back to a backend page); GET /auth/logout → Scalekit's logout URL (getLogoutUrl); GET /auth/signed-out.
 */
import type { ScalekitClient } from '@scalekit-sdk/node';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { SIGN_IN_START_PATH } from '../../lib/api';
import { signInFragment } from '../../lib/sign-in';
import { clearCookie, LOGIN_COOKIE, readCookie, SESSION_COOKIE, setCookie } from '../http/cookies';
import { sendPage } from '../http/html-page';
import type { SessionStore } from '../store/sessions';
import { ATTEMPT_TTL_MS, SignInError, type SignIn } from '../sso/sign-in';
import { SESSION_TTL_MS } from '../store/sessions';

export interface AuthPagesDeps {
  signIn: SignIn;
  sessions: SessionStore;
  client: ScalekitClient;
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
        const { authorizationUrl, binding } = deps.signIn.start(target, q.login_hint);
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
    if (token) deps.sessions.revokeToken(token);
    clearCookie(reply, SESSION_COOKIE, secure());
    return reply.redirect(deps.client.getLogoutUrl({ postLogoutRedirectUri: `${deps.publicUrl()}${SIGNED_OUT_PATH}` }), 302);
  });

  app.get(SIGNED_OUT_PATH, { config: { public: true }, schema: { hide: true } }, async (_req, reply) =>
    sendPage(reply, 200, { title: 'Signed out', heading: 'Signed out', text: 'You are signed out of the Gong Everywhere backend in this browser.', tone: 'ok' }),
  );
};

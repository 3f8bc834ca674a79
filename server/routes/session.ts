/** The caller's own session: who it is, and signing out (revokes the extension's device token). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { me, signOutResult } from '../../lib/api';
import type { AppContext } from '../app-context';
import { refuseNullBody } from '../http/api-failure';
import { requireUser } from '../http/request-context';
import { errorResponses, security } from './schemas';

export const sessionRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/me',
    { schema: { tags: ['session'], security, summary: 'Who the caller is and how it signed in', response: { 200: me, ...errorResponses } } },
    async (req) => {
      const user = requireUser(req);
      const device = req.deviceSession;
      return { email: user.email, role: user.role, signedInWith: device ? ('sso' as const) : ('token' as const), expiresAt: device ? new Date(device.expiresAt).toISOString() : null };
    },
  );
  app.post(
    '/sign-out',
    {
      schema: {
        body: z.strictObject({}).nullish(),
        tags: ['session'],
        security,
        summary: "Revokes the caller's device token (from SSO sign-in). An API token from the CLI is left alone: an admin revokes it",
        response: { 200: signOutResult, ...errorResponses },
      },
    },
    async (req) => {
      refuseNullBody(req);
      const user = requireUser(req);
      const device = req.deviceSession;
      if (!device) return { revoked: false };
      const revoked = await ctx.sessions.revoke(device.id);
      await ctx.audit.record({ userId: user.id, userEmail: user.email, requestId: req.id, route: '/api/v1/sign-out', tool: 'sign-out', input: { sessionId: device.id }, outcome: 'ok', answer: null });
      return { revoked };
    },
  );
};

/** The user's Gong connection: status, and the authorization link that connects it. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { connection, connectionLink } from '../../lib/api';
import type { AppContext } from '../app-context';
import { refuseNullBody } from '../http/api-failure';
import { requireUser } from '../http/request-context';
import { GONG_VERIFY_PATH } from '../sso/gong-links';
import { errorResponses, security } from './schemas';

export const connectionRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/connection',
    { schema: { tags: ['connection'], security, summary: "The calling user's Gong connection status", response: { 200: connection, ...errorResponses } } },
    async (req) => ctx.connections.status(requireUser(req).email),
  );
  app.post(
    '/connection/link',
    { schema: { body: z.strictObject({}).nullish(), tags: ['connection'], security, summary: 'A Scalekit link that (re)connects Gong for the calling user', response: { 200: connectionLink, ...errorResponses } } },
    async (req) => {
      refuseNullBody(req);
      const user = requireUser(req);
      // Bound to this rep: whoever finishes the authorization must prove, with a sign-in, that they are this rep.
      const state = await ctx.gongLinks.create(user.id, user.email);
      return ctx.connections.authorizationLink(user.email, { userVerifyUrl: `${ctx.publicUrl()}${GONG_VERIFY_PATH}`, state });
    },
  );
};

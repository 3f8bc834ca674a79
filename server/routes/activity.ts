/** Digital interactions and email activity reported for a prospect. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { accepted, emailActivityRequest, interactionRequest } from '../../lib/api';
import { sessionFor, type AppContext } from '../app-context';
import { writeOnce } from '../http/write-once';
import { reportEmailActivity, reportInteraction } from '../services/activity';
import { errorResponses, security } from './schemas';

export const activityRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  app.post(
    '/interactions',
    { schema: { tags: ['activity'], security, body: interactionRequest, summary: "Add a digital interaction to a prospect's timeline", response: { 200: accepted, ...errorResponses } } },
    async (req, reply) =>
      writeOnce(ctx, req, reply, async () => {
        await reportInteraction(sessionFor(ctx, req), req.body);
        return { status: 200, body: { accepted: true } };
      }),
  );
  app.post(
    '/email-activity',
    { schema: { tags: ['activity'], security, body: emailActivityRequest, summary: 'Report an email engagement event', response: { 200: accepted, ...errorResponses } } },
    async (req, reply) =>
      writeOnce(ctx, req, reply, async () => {
        await reportEmailActivity(sessionFor(ctx, req), req.body);
        return { status: 200, body: { accepted: true } };
      }),
  );
};

/** Today's Gong call count and what is left of the daily budget. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { usage } from '../../lib/api';
import type { AppContext } from '../app-context';
import { errorResponses, security } from './schemas';

export const usageRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/usage',
    { schema: { tags: ['usage'], security, summary: "Today's Gong calls (UTC) for the company", response: { 200: usage, ...errorResponses } } },
    async () => ctx.gateway.usageToday(),
  );
};

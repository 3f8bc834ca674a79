/** Today's Gong calls: the company's against the daily budget, the caller's against their share, and (admins) every rep's. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { usage } from '../../lib/api';
import type { AppContext } from '../app-context';
import { requireUser } from '../http/request-context';
import { hasRole } from '../http/roles';
import { errorResponses, security } from './schemas';

export const usageRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/usage',
    {
      schema: {
        tags: ['usage'],
        security,
        summary: "Today's Gong calls (UTC): the company's, your own share, and every rep's for admins",
        response: { 200: usage, ...errorResponses },
      },
    },
    async (req) => {
      const user = requireUser(req);
      return {
        ...ctx.gateway.usageToday(),
        you: { email: user.email, ...(await ctx.gateway.repUsageToday(user.email)) },
        ...(hasRole(user, 'admin') ? { reps: (await ctx.gateway.usageByRepToday()).map((r) => ({ email: r.identifier, gongCalls: r.gongCalls })) } : {}),
      };
    },
  );
};

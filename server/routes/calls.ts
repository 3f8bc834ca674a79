/** A prospect's recent Gong calls. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { callsQuery, prospectCalls, prospectParams } from '../../lib/api';
import { sessionFor, type AppContext } from '../app-context';
import { prospectCalls as loadProspectCalls } from '../services/calls';
import { errorResponses, security } from './schemas';

export const callRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/prospects/:crmId/calls',
    {
      schema: {
        tags: ['prospects'],
        security,
        params: prospectParams,
        querystring: callsQuery.strict(),
        summary: "A prospect's recent calls, matched by CRM id or email",
        response: { 200: prospectCalls, ...errorResponses },
      },
    },
    async (req) => ({
      crmProspectId: req.params.crmId,
      calls: await loadProspectCalls(ctx.callsIndex, sessionFor(ctx, req), req.params.crmId, req.query.email, req.query.days),
    }),
  );
};

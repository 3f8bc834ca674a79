/** Progress and per-prospect results of a bulk-assignment job (only the job's own user sees it). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { job, jobParams, jobProgress, jobQuery } from '../../lib/api';
import type { AppContext } from '../app-context';
import { notFound } from '../http/api-failure';
import { requireUser } from '../http/request-context';
import { errorResponses, security } from './schemas';

export const jobRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/jobs/:jobId',
    {
      schema: {
        tags: ['jobs'],
        security,
        params: jobParams,
        querystring: jobQuery.strict(),
        summary: 'A bulk-assignment job (`?results=0`: status and counts only, for frequent polling)',
        response: { 200: z.union([job, jobProgress]), ...errorResponses },
      },
    },
    async (req) => {
      // Another user's job is answered exactly like a missing one: ids must not be probeable.
      const view = await ctx.jobs.view(req.params.jobId, requireUser(req).id, { results: req.query.results !== '0' });
      if (!view) throw notFound('No such job');
      return view;
    },
  );
};

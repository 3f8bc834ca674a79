/** Progress and per-prospect results of a bulk-assignment job (only the job's own user sees it). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { job, jobParams } from '../../lib/api';
import type { AppContext } from '../app-context';
import { notFound } from '../http/api-failure';
import { requireUser } from '../http/request-context';
import { errorResponses, security } from './schemas';

export const jobRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/jobs/:jobId',
    { schema: { tags: ['jobs'], security, params: jobParams, summary: 'A bulk-assignment job', response: { 200: job, ...errorResponses } } },
    async (req) => {
      // Another user's job is answered exactly like a missing one: ids must not be probeable.
      const view = ctx.jobs.view(req.params.jobId, requireUser(req).id);
      if (!view) throw notFound('No such job');
      return view;
    },
  );
};

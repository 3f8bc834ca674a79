/**
 * Any catalog tool, for the calling user: the name must be in lib/gong-tools.ts (no open proxy) and
 * the input must pass its schema. Fields that name a Gong user must name the caller.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toolParams, toolResult } from '../../lib/api';
import { gongTools, isGongToolName } from '../../lib/gong-tools';
import { sessionFor, type AppContext } from '../app-context';
import { ApiFailure, forbidden, refuseNullBody } from '../http/api-failure';
import { requireUser } from '../http/request-context';
import { writeOnce } from '../http/write-once';
import { assertOwnOpenTask } from '../services/tasks';
import { errorResponses, security } from './schemas';

/** Inputs that say on whose behalf Gong acts: a token acts only as its own user. */
// Fields that would read another rep's flows or tasks. (flow_instance_owner_email only names who gets the
// to-dos of an assignment made on the caller's own connection, so a teammate is allowed there.)
const IDENTITY_FIELDS = ['flow_owner_email', 'assignee_email'] as const;

export const toolRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  app.post(
    '/tools/:toolName',
    {
      schema: {
        tags: ['tools'],
        security,
        params: toolParams,
        body: z.record(z.string(), z.unknown()).nullish(),
        summary: 'Run a Gong connector tool from the catalog as the calling user',
        response: { 200: toolResult, ...errorResponses },
      },
    },
    async (req, reply) => {
      const name = req.params.toolName;
      refuseNullBody(req);
      if (!isGongToolName(name)) throw new ApiFailure(404, 'UNKNOWN_TOOL', 'No such Gong tool in the catalog');
      const parsed = gongTools[name].input.safeParse(req.body ?? {});
      if (!parsed.success) {
        throw new ApiFailure(400, 'VALIDATION_FAILED', `Invalid input for ${name}`, {
          issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(input)', message: i.message })),
        });
      }
      const input = parsed.data as Record<string, unknown>;
      const user = requireUser(req);
      for (const field of IDENTITY_FIELDS) {
        const value = input[field];
        if (typeof value === 'string' && value.toLowerCase() !== user.email) throw forbidden(`${field} must be your own email`);
      }
      const run = async () => {
        const session = sessionFor(ctx, req);
        if (name === 'gong_engage_task_complete' || name === 'gong_engage_task_skip') await assertOwnOpenTask(session, String(input.task_id));
        const { executionId, data } = await session.call(name, input);
        return { status: 200, body: { executionId, data } };
      };
      if (gongTools[name].write) return writeOnce(ctx, req, reply, run);
      const answer = await run();
      return reply.status(answer.status).send(answer.body);
    },
  );
};

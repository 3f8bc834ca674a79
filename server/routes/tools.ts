/**
 * Any catalog tool, for the calling user: the name must be in lib/gong-tools.ts (no open proxy), the
 * input must pass its schema, and the caller's role must allow it on what it names (toolAccess there;
 * checked by server/services/ownership.ts before Gong is called).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toolParams, toolResult } from '../../lib/api';
import { gongTools, isGongToolName } from '../../lib/gong-tools';
import { sessionFor, type AppContext } from '../app-context';
import { ApiFailure, refuseNullBody } from '../http/api-failure';
import { writeOnce } from '../http/write-once';
import { authorizeTool } from '../services/ownership';
import { errorResponses, security } from './schemas';

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
      const run = async () => {
        const session = sessionFor(ctx, req);
        const cut = await authorizeTool(ctx, session, name, input);
        const { executionId, data } = await session.call(name, input);
        return { status: 200, body: { executionId, data: cut ? cut(data) : data } };
      };
      if (gongTools[name].write) return writeOnce(ctx, req, reply, run);
      const answer = await run();
      return reply.status(answer.status).send(answer.body);
    },
  );
};

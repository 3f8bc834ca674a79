/** The calling rep's tasks: list (today + overdue, or all); complete, skip (own, a manager's team's, or any for an admin). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { completeTaskRequest, skipTaskRequest, taskList, taskParams, taskResult, tasksQuery } from '../../lib/api';
import { sessionFor, type AppContext } from '../app-context';
import { writeOnce } from '../http/write-once';
import { noTaskMessage, refusal } from '../services/ownership';
import { finishTask, listTasks } from '../services/tasks';
import { errorResponses, security } from './schemas';

export const taskRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/tasks',
    { schema: { tags: ['tasks'], security, querystring: tasksQuery.strict(), summary: "The rep's OPEN tasks due today (and overdue), or all", response: { 200: taskList, ...errorResponses } } },
    async (req) => ({ tasks: await listTasks(sessionFor(ctx, req), req.query.due, req.query.fresh === '1') }),
  );
  app.post(
    '/tasks/:taskId/complete',
    { schema: { tags: ['tasks'], security, params: taskParams, body: completeTaskRequest, summary: 'Complete a task', response: { 200: taskResult, ...errorResponses } } },
    async (req, reply) =>
      writeOnce(ctx, req, reply, async () => {
        const session = sessionFor(ctx, req);
        const scope = await ctx.directory.scopeOf(session);
        const refuse = () => refusal(ctx, session, 'gong_engage_task_complete', { task_id: req.params.taskId }, noTaskMessage(scope));
        return { status: 200, body: { task: await finishTask(session, scope, req.params.taskId, { complete: true, notes: req.body.notes }, refuse) } };
      }),
  );
  app.post(
    '/tasks/:taskId/skip',
    { schema: { tags: ['tasks'], security, params: taskParams, body: skipTaskRequest, summary: 'Skip a task', response: { 200: taskResult, ...errorResponses } } },
    async (req, reply) =>
      writeOnce(ctx, req, reply, async () => {
        const session = sessionFor(ctx, req);
        const scope = await ctx.directory.scopeOf(session);
        const refuse = () => refusal(ctx, session, 'gong_engage_task_skip', { task_id: req.params.taskId }, noTaskMessage(scope));
        return { status: 200, body: { task: await finishTask(session, scope, req.params.taskId, { complete: false, reason: req.body.reason }, refuse) } };
      }),
  );
};

/** Flows, folders, workspaces, a prospect's flows, and assigning / unassigning prospects. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  assignRequest,
  assignResult,
  flowFolderList,
  flowList,
  flowParams,
  jobAccepted,
  prospectFlowsWithHistory,
  prospectFlowsLookup,
  prospectFlowsLookupRequest,
  prospectParams,
  unassignRequest,
  unassignResult,
  workspaceList,
} from '../../lib/api';
import { GONG_MAX_PROSPECTS_PER_CALL } from '../../lib/gong-tools';
import { sessionFor, type AppContext } from '../app-context';
import { ApiFailure } from '../http/api-failure';
import { requireUser } from '../http/request-context';
import { writeOnce } from '../http/write-once';
import { assignProspects, uniqueIds, unassign } from '../services/assign';
import { flowHistory } from '../services/flow-history';
import { listFlows, listFolders, listWorkspaces } from '../services/flows';
import { assertProspectsInFlowMayBeTouched, refusal } from '../services/ownership';
import { mayActFor } from '../services/scope';
import { errorResponses, security } from './schemas';

export const flowRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/flows',
    { schema: { tags: ['flows'], security, summary: 'Flows the calling user may assign (all pages)', response: { 200: flowList, ...errorResponses } } },
    async (req) => ({ flows: await listFlows(sessionFor(ctx, req)) }),
  );

  app.get(
    '/flows/folders',
    { schema: { tags: ['flows'], security, summary: 'Flow folders available to the calling user', response: { 200: flowFolderList, ...errorResponses } } },
    async (req) => ({ folders: await listFolders(sessionFor(ctx, req)) }),
  );

  app.get(
    '/workspaces',
    { schema: { tags: ['flows'], security, summary: "The company's Gong workspaces", response: { 200: workspaceList, ...errorResponses } } },
    async (req) => listWorkspaces(sessionFor(ctx, req)),
  );

  app.get(
    '/prospects/:crmId/flows',
    {
      schema: {
        tags: ['prospects'],
        security,
        params: prospectParams,
        summary: "The prospect's open flows (Gong), and its history of flow writes made through this backend",
        response: { 200: prospectFlowsWithHistory, ...errorResponses },
      },
    },
    async (req) => {
      const lookup = ctx.prospectFlows.lookup(sessionFor(ctx, req), [req.params.crmId]).then(([found]) => found);
      // The audit is read while Gong is asked (the history needs Gong's answer only to leave out open flows), on the
      // next turn of the event loop: SQLite reads synchronously, and the Gong call leaves first.
      const history = new Promise(setImmediate).then(() =>
        flowHistory(ctx.audit, req.params.crmId, requireUser(req).email, lookup.then((found) => new Set(found.flows.map((f) => f.flowId)))),
      );
      const [found, closed] = await Promise.all([lookup, history]);
      return { ...found, history: closed };
    },
  );

  app.post(
    '/prospects/flows/lookup',
    {
      schema: {
        tags: ['prospects'],
        security,
        body: prospectFlowsLookupRequest,
        summary: `The flows of up to ${GONG_MAX_PROSPECTS_PER_CALL} prospects in one Gong call (list views prefetch their rows; the call may wait a few seconds to be shared with other reps' prefetches); a read`,
        response: { 200: prospectFlowsLookup, ...errorResponses },
      },
    },
    async (req) => ({ prospects: await ctx.prospectFlows.lookup(sessionFor(ctx, req), uniqueIds(req.body.crmProspectIds), { wait: true }) }),
  );

  app.post(
    '/flows/:flowId/assign',
    {
      schema: {
        tags: ['flows'],
        security,
        params: flowParams,
        body: assignRequest,
        summary: `Assign prospects to a flow; more than ${GONG_MAX_PROSPECTS_PER_CALL} run as a job (202)`,
        response: { 200: assignResult, 202: jobAccepted, ...errorResponses },
      },
    },
    async (req, reply) =>
      writeOnce(ctx, req, reply, async () => {
        const user = requireUser(req);
        const session = sessionFor(ctx, req);
        // The instances' owner sends their emails and gets their to-dos: the caller (or, for a manager,
        // someone on the team; for an admin, anyone). Gong itself refuses an owner who is not an active
        // user, and a prospect another rep holds in an exclusive flow.
        const owner = (req.body.flowInstanceOwnerEmail ?? user.email).toLowerCase();
        const ids = uniqueIds(req.body.crmProspectIds);
        if (!mayActFor(await ctx.directory.scopeOf(session), owner)) {
          throw refusal(ctx, session, 'gong_engage_prospects_assign', { flow_id: req.params.flowId, flow_instance_owner_email: owner, prospects: ids.length }, `You may assign flows only in your own name${user.role === 'manager' ? " or your team's" : ''}`);
        }
        const opts = { ownerEmail: owner, coolOffOverride: req.body.coolOffOverride };
        if (ids.length > GONG_MAX_PROSPECTS_PER_CALL) {
          // A job runs on the rep's own connection: refused now if it is not active, not 10,000 times later.
          await sessionFor(ctx, req).ensureConnected();
          const created = await ctx.jobs.create(
            {
              userId: user.id,
              identifier: user.email,
              flowId: req.params.flowId,
              ownerEmail: owner,
              coolOffOverride: opts.coolOffOverride === true,
              crmIds: ids,
            },
            { maxOpenJobs: ctx.config.maxOpenJobsPerRep, maxIdsInFlight: ctx.config.maxIdsInFlightPerRep },
          );
          if ('limit' in created) {
            throw new ApiFailure(
              429,
              'TOO_MANY_REQUESTS',
              created.limit === 'open-jobs'
                ? `You already have ${created.current} bulk jobs open (at most ${created.max}); wait for one to finish`
                : `Your bulk jobs still have ${created.current} prospects in flight; ${ids.length} more would pass the ${created.max} allowed`,
              { retryAfter: 30 },
            );
          }
          const { jobId } = created;
          await ctx.audit.record({
            userId: user.id,
            userEmail: user.email,
            requestId: req.id,
            route: `POST ${req.routeOptions.url}`,
            tool: null,
            input: { flowId: req.params.flowId, prospects: ids.length, coolOffOverride: opts.coolOffOverride ?? false },
            outcome: 'ok',
            answer: { jobId },
          });
          // Runs here if this replica has room; otherwise a replica with room claims it within seconds.
          await ctx.jobRunner.start(jobId);
          return { status: 202, body: { jobId } };
        }
        return { status: 200, body: await assignProspects(session, req.params.flowId, ids, opts) };
      }),
  );

  app.post(
    '/flows/:flowId/unassign',
    {
      schema: {
        tags: ['flows'],
        security,
        params: flowParams,
        body: unassignRequest,
        summary: 'Remove prospects from a flow',
        response: { 200: unassignResult, ...errorResponses },
      },
    },
    async (req, reply) =>
      writeOnce(ctx, req, reply, async () => {
        const session = sessionFor(ctx, req);
        const scope = await ctx.directory.scopeOf(session);
        const ids = uniqueIds(req.body.crmProspectIds);
        const refuse = (message: string) =>
          refusal(ctx, session, 'gong_engage_prospects_unassign', { crm_prospect_ids: ids, flow_id: req.params.flowId }, message);
        const body = await unassign(session, req.params.flowId, ids, (instances) => assertProspectsInFlowMayBeTouched(scope, instances, refuse));
        return { status: 200, body };
      }),
  );
};

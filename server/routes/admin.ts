/**
 * The admin console's API (admin role only, checked on every route by roleGate): people with their role, last
 * use and Gong connection, role changes and revocation; the audit log (filters, pages); Gong usage by day; jobs.
 * Every change is itself audited.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { adminAuditPage, adminAuditQuery, adminJobs, adminPeople, adminPerson, adminPersonParams, adminRoleRequest, adminUsage } from '../../lib/api';
import type { AppContext } from '../app-context';
import { ApiFailure, notFound } from '../http/api-failure';
import { requireUser } from '../http/request-context';
import { roleGate } from '../http/roles';
import type { ListedUser, User } from '../store/users';
import { errorResponses, security } from './schemas';

const USAGE_DAYS = 30;

export const adminRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  const admin = roleGate(ctx, 'admin');
  const tags = ['admin'];

  /** A person as the console shows them: their Gong connection's status, and their valid extension sign-ins. */
  function personView(user: ListedUser, gong: string | undefined, signIns: number) {
    return adminPerson.parse({ ...user, gong: gong ?? 'NOT_CONNECTED', activeSignIns: signIns });
  }
  /** One person after a change, as the list shows them: their own connected account and sign-ins, not everyone's. */
  async function onePersonView(userId: number) {
    const user = (await ctx.users.withLastSeen(userId))!;
    const [connection, signIns] = await Promise.all([ctx.connections.status(user.email), ctx.sessions.activeCounts('extension', user.id)]);
    return personView(user, connection.status, signIns.get(user.id) ?? 0);
  }

  async function target(userId: number): Promise<User> {
    const user = await ctx.users.byId(userId);
    if (!user) throw notFound('No such person');
    return user;
  }

  app.get(
    '/admin/people',
    { preHandler: admin, schema: { tags, security, summary: 'Everyone who can use the backend: role, last use, Gong connection (admin)', response: { 200: adminPeople, ...errorResponses } } },
    async () => {
      const [gong, people, signIns] = await Promise.all([ctx.connections.allStatuses(), ctx.users.listWithLastSeen(), ctx.sessions.activeCounts('extension')]);
      return { people: people.map((u) => personView(u, gong.get(u.email), signIns.get(u.id) ?? 0)) };
    },
  );

  app.post(
    '/admin/people/:userId/role',
    {
      preHandler: admin,
      schema: { params: adminPersonParams, body: adminRoleRequest, tags, security, summary: "Changes a person's role; takes effect on their next request (admin)", response: { 200: adminPerson, ...errorResponses } },
    },
    async (req) => {
      const me = requireUser(req);
      const person = await target(req.params.userId);
      // An admin cannot demote themself: the last admin would lock everyone out of this console.
      if (person.id === me.id && req.body.role !== 'admin') throw new ApiFailure(409, 'CONFLICT', 'You cannot change your own role; ask another admin');
      const changed = await ctx.users.setRole(person.email, req.body.role);
      ctx.sessions.clearCache();
      await ctx.audit.record({ userId: me.id, userEmail: me.email, requestId: req.id, route: '/api/v1/admin/people/{userId}/role', tool: 'role-change', input: { person: person.email, from: person.role, to: changed.role }, outcome: 'ok', answer: null });
      return onePersonView(changed.id);
    },
  );

  app.post(
    '/admin/people/:userId/revoke',
    {
      preHandler: admin,
      schema: { params: adminPersonParams, tags, security, summary: "Revokes a person: their API token and every sign-in end at once; SSO sign-in is refused until an admin re-adds them (admin)", response: { 200: adminPerson, ...errorResponses } },
    },
    async (req) => {
      const me = requireUser(req);
      const person = await target(req.params.userId);
      if (person.id === me.id) throw new ApiFailure(409, 'CONFLICT', 'You cannot revoke yourself');
      await ctx.users.revoke(person.email);
      const ended = await ctx.sessions.revokeAllFor(person.id);
      await ctx.audit.record({ userId: me.id, userEmail: me.email, requestId: req.id, route: '/api/v1/admin/people/{userId}/revoke', tool: 'revoke', input: { person: person.email, sessionsEnded: ended }, outcome: 'ok', answer: null });
      return onePersonView(person.id);
    },
  );

  app.get(
    '/admin/audit',
    { preHandler: admin, schema: { querystring: adminAuditQuery, tags, security, summary: 'The audit log, newest first, filtered by person, action and dates; paged with `before` (admin)', response: { 200: adminAuditPage, ...errorResponses } } },
    async (req) => {
      const q = req.query;
      return { ...(await ctx.audit.page({ userEmail: q.user, action: q.action, from: q.from, to: q.to, before: q.before, limit: q.limit })), actions: await ctx.audit.actions() };
    },
  );

  app.get(
    '/admin/usage',
    { preHandler: admin, schema: { tags, security, summary: `Gong calls per UTC day, the last ${USAGE_DAYS} days, for the company and per rep, with the daily budget and each rep's share (admin)`, response: { 200: adminUsage, ...errorResponses } } },
    async () => ({
      dailyBudget: ctx.gateway.usageToday().dailyBudget,
      dailyShare: await ctx.gateway.dailyShare(),
      days: await ctx.gateway.usageDays(USAGE_DAYS),
      reps: await ctx.gateway.usageByRepDays(USAGE_DAYS),
    }),
  );

  app.get(
    '/admin/jobs',
    { preHandler: admin, schema: { tags, security, summary: "Everyone's open bulk jobs and the 20 most recent finished ones (admin)", response: { 200: adminJobs, ...errorResponses } } },
    async () => ctx.jobs.adminList(),
  );
};

/**
 * Each request acts for its caller. Before a tool (through /tools or a purpose-built route) touches an
 * item, the backend finds the item's owner (from Gong, or from what it saw in Gong's answers) and refuses
 * a rep acting on another rep's item; a manager may act on their team's, an admin on all. Company-wide
 * reads follow the per-role allow-list of lib/gong-tools.ts (toolAccess). A refusal is a 403 that changed
 * nothing in Gong, recorded in the audit with outcome `refused`.
 */
import type { z } from 'zod';
import { toolAccess, toolAllowedFor, type GongToolName, type OwnedItem, type TeamLimit } from '../../lib/gong-tools';
import { gongExtensiveCallsResponse, type gongExtensiveCall } from '../../lib/gong-types';
import { forbidden } from '../http/api-failure';
import type { GongSession } from '../gong/session';
import type { AuditLog } from '../store/audit';
import type { SeenItems } from '../store/seen-items';
import { prospectFlowInstances } from './flows';
import { mayActFor, type CompanyDirectory, type Scope } from './scope';
import { findOpenTask } from './tasks';
import { allPages } from './paging';

export interface OwnershipDeps {
  audit: AuditLog;
  directory: CompanyDirectory;
  seen: SeenItems;
}

/** What the caller may see of an answer (a manager's company-wide lists are cut to their team). */
export type AnswerFilter = (data: unknown) => unknown;

/** Records the refusal and returns the 403 to throw. */
export function refusal(deps: Pick<OwnershipDeps, 'audit'>, session: GongSession, tool: string | null, input: unknown, message: string) {
  const failure = forbidden(message);
  deps.audit.record({
    userId: session.user.id,
    userEmail: session.user.email,
    requestId: session.requestId,
    route: session.route,
    tool,
    input,
    outcome: 'refused',
    answer: failure.toBody(),
  });
  return failure;
}

/** Checks one catalog tool call for the caller; throws a recorded 403, or returns how to cut the answer. */
export async function authorizeTool(
  deps: OwnershipDeps,
  session: GongSession,
  tool: GongToolName,
  input: Record<string, unknown>,
): Promise<AnswerFilter | undefined> {
  const role = session.user.role;
  const refuse = (message: string) => refusal(deps, session, tool, input, message);
  if (!toolAllowedFor(role, tool)) throw refuse(`${tool} is a company-wide read: not for the ${role} role`);
  const access = toolAccess[tool];
  switch (access.rule) {
    case 'anyone':
      return undefined;
    case 'user': {
      const named = input[access.field];
      if (typeof named === 'string' && !mayActFor(await deps.directory.scopeOf(session), named)) {
        throw refuse(`${access.field} must be you${role === 'manager' ? ' or someone on your team' : ''}`);
      }
      return undefined;
    }
    case 'item':
      await checkItem(deps, session, access.item, input, refuse);
      return undefined;
    case 'company':
      if (role === 'admin' || access.manager === 'settings' || access.manager === 'none') return undefined;
      return teamLimit(deps, session, access.manager, input, refuse);
  }
}

type Refuse = (message: string) => Error;

async function checkItem(deps: OwnershipDeps, session: GongSession, item: OwnedItem, input: Record<string, unknown>, refuse: Refuse): Promise<void> {
  if (session.user.role === 'admin') return;
  switch (item) {
    case 'flowInstance': {
      const ids = Array.isArray(input.flow_instance_ids) ? (input.flow_instance_ids as string[]) : [String(input.flow_instance_id)];
      await assertInstancesMayBeTouched(deps, session, ids, refuse);
      return;
    }
    case 'prospectInFlow': {
      const scope = await deps.directory.scopeOf(session);
      const instances = await prospectFlowInstances(session, input.crm_prospect_ids as string[], true);
      assertProspectsInFlowMayBeTouched(scope, instances.filter((f) => f.flowId === input.flow_id), refuse);
      return;
    }
    case 'task': {
      const scope = await deps.directory.scopeOf(session);
      if (!(await findOpenTask(session, scope, String(input.task_id)))) throw refuse(noTaskMessage(scope));
      return;
    }
    case 'call':
      await assertCallsInScope(deps, session, input.call_ids as string[], refuse);
      return;
    case 'callParties': {
      const parties = (input.parties as { emailAddress?: string; userId?: string }[] | undefined) ?? [];
      if (!parties.some((p) => p.emailAddress || p.userId)) return;
      const [scope, company] = await Promise.all([deps.directory.scopeOf(session, true), deps.directory.users(session)]);
      for (const p of parties) {
        const person = company.find((u) => (p.userId && u.id === p.userId) || (p.emailAddress && u.emailAddress?.toLowerCase() === p.emailAddress.toLowerCase()));
        // Prospects are not company users; a company user other than those the caller acts for is refused.
        if (person && !scope.gongUserIds.has(person.id)) throw refuse('A call you register may name only you (or your team) from the company as parties');
      }
      return;
    }
    case 'bulkAssignment': {
      const owner = await deps.seen.ownerOf('bulk-assignment', String(input.assignment_id));
      if (!owner) throw refuse('This backend did not start that bulk assignment');
      if (!mayActFor(await deps.directory.scopeOf(session), owner)) throw refuse("That bulk assignment is another rep's");
      return;
    }
  }
}

export const noTaskMessage = (scope: Scope) =>
  `No open task with this id for you${scope.user.role === 'manager' ? ' or your team' : ''}`;

/** Flow instances: their owners as seen in Gong's answers; one never seen has no known owner. */
export async function assertInstancesMayBeTouched(deps: OwnershipDeps, session: GongSession, ids: string[], refuse: Refuse): Promise<void> {
  if (session.user.role === 'admin') return;
  const scope = await deps.directory.scopeOf(session);
  for (const id of ids) {
    const owner = await deps.seen.ownerOf('flow-instance', id);
    if (!owner) throw refuse(`Flow instance ${id} is unknown here: look up the prospect's flows first`);
    if (!mayActFor(scope, owner)) throw refuse(`Flow instance ${id} is another rep's`);
  }
}

/** A prospect's instances in the flow (asked of Gong just now) must all be the caller's (or the team's). */
export function assertProspectsInFlowMayBeTouched(scope: Scope, instances: { crmProspectId: string; ownerEmail: string | null }[], refuse: Refuse): void {
  if (scope.everyone) return;
  const foreign = instances.find((f) => !f.ownerEmail || !mayActFor(scope, f.ownerEmail));
  if (foreign) throw refuse(`Prospect ${foreign.crmProspectId} is in this flow for another rep`);
}

type ExtensiveCall = z.infer<typeof gongExtensiveCall>;

/** Every call must exist and have a party the caller acts for (by email or Gong user id). */
async function assertCallsInScope(deps: OwnershipDeps, session: GongSession, callIds: string[] | undefined, refuse: Refuse): Promise<void> {
  if (session.user.role === 'admin') return;
  if (!callIds?.length) throw refuse('Name the calls (call_ids): only calls you or your team took part in are yours to read');
  const scope = await deps.directory.scopeOf(session, true);
  const calls = await allPages(session, 'gong_calls_get', { call_ids: callIds }, (data) => {
    const res = gongExtensiveCallsResponse.parse(data);
    return { items: res.calls, cursor: res.records?.cursor };
  });
  const tookPart = (c: ExtensiveCall) =>
    c.parties.some((p) => (p.emailAddress && scope.emails.has(p.emailAddress.toLowerCase())) || (p.userId && scope.gongUserIds.has(String(p.userId))));
  for (const id of callIds) {
    const call = calls.find((c) => c.metaData.id === id);
    if (!call || !tookPart(call)) throw refuse(`Call ${id} is not one you${session.user.role === 'manager' ? ' or your team' : ''} took part in`);
  }
}

async function teamLimit(
  deps: OwnershipDeps,
  session: GongSession,
  limit: Exclude<TeamLimit, 'settings'>,
  input: Record<string, unknown>,
  refuse: Refuse,
): Promise<AnswerFilter | undefined> {
  if ('inputCallIds' in limit) {
    await assertCallsInScope(deps, session, input[limit.inputCallIds] as string[] | undefined, refuse);
    return undefined;
  }
  const scope = await deps.directory.scopeOf(session, true);
  if ('inputUserIds' in limit) {
    const ids = input[limit.inputUserIds] as string[] | undefined;
    if (!ids?.length) throw refuse(`Name your team's Gong user ids (${limit.inputUserIds}): a manager reads their team only`);
    const outside = ids.find((id) => !scope.gongUserIds.has(id));
    if (outside) throw refuse(`User ${outside} is not on your team`);
    return undefined;
  }
  return (data) => {
    if (!data || typeof data !== 'object') return data;
    const list = (data as Record<string, unknown>)[limit.answer];
    if (!Array.isArray(list)) return data;
    const idOf = (entry: unknown) => limit.userId.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), entry);
    return { ...(data as object), [limit.answer]: list.filter((e) => scope.gongUserIds.has(String(idOf(e)))) };
  };
}

/**
 * Assigning prospects to flows: synchronous assign (cap 100; 50 for bulk), cool-off and its override, unassign by CRM id
 * or instance id, per-instance content overrides, and asynchronous bulk assignments.
 */
import type { Ctx, Handler } from './context';
import { badRequest, notFound, userByEmail } from './context';
import { ACTIVE_STATUSES, advanceInstances, assignedFlowView, findProspect, flowVisibleTo } from './flows';
import { instancesOfProspect } from './indexes';
import { COOL_OFF_DAYS, bulkId, instanceId } from './seed';
import type { BulkAssignment, BulkResult, Flow, FlowInstance } from './state';
import { createStepTask } from './tasks';
import { DAY_MS, iso } from './util';

/** Simulated seconds before a new instance leaves Pending. */
export const PENDING_MS = 10_000;
/** Bulk assignments stay PENDING this long, then process BULK_PER_SECOND prospects per second. */
export const BULK_QUEUE_MS = 1_000;
export const BULK_PER_SECOND = 100;

type Failure = { flowId: string; crmProspectId: string; errorCode: 'InvalidArgument' | 'InvalidState' | 'UnexpectedError'; errorMessage: string };

function resolveFlow(c: Ctx, flowId: string): Flow {
  const flow = c.state.flows.find((f) => f.id === flowId);
  if (!flow) notFound(c, `Flow ${flowId} was not found`);
  return flow;
}

function resolveOwner(c: Ctx, email: string | undefined, flow: Flow) {
  const ownerEmail = email ?? c.identifier;
  const owner = userByEmail(c, ownerEmail);
  if (!owner || !owner.active) badRequest(c, `flowInstanceOwnerEmail ${ownerEmail} is not an active Gong user`);
  if (!flowVisibleTo(flow, owner.emailAddress)) badRequest(c, `Flow ${flow.id} is not available to ${owner.emailAddress}`);
  return owner;
}

/** Assigns one prospect; returns the new instance or the reason it was refused. */
function assignOne(c: Ctx, flow: Flow, rawId: string, ownerEmail: string, coolOffOverride: boolean, overrides?: unknown): FlowInstance | Failure {
  const fail = (errorCode: Failure['errorCode'], errorMessage: string): Failure => ({ flowId: flow.id, crmProspectId: rawId, errorCode, errorMessage });
  const p = findProspect(c, rawId);
  if (!p) return fail('InvalidArgument', `CRM prospect ${rawId} was not found as a contact or lead in the CRM`);
  const mine = instancesOfProspect(c.state.instances, p.crmId);
  const active = mine.filter((i) => ACTIVE_STATUSES.has(i.status));
  if (active.some((i) => i.flowId === flow.id)) return fail('InvalidState', `Prospect ${p.crmId} is already assigned to flow '${flow.name}'`);
  const exclusive = active.find((i) => c.state.flows.find((f) => f.id === i.flowId)?.exclusive);
  if (exclusive || (flow.exclusive && active.length > 0)) {
    return fail('InvalidState', `Prospect ${p.crmId} is active in an exclusive flow and cannot be assigned to another flow`);
  }
  if (!coolOffOverride) {
    const lastFinished = mine
      .filter((i) => i.finishedAt)
      .map((i) => Date.parse(i.finishedAt!))
      .sort((a, b) => b - a)[0];
    if (lastFinished !== undefined && c.nowMs - lastFinished < COOL_OFF_DAYS * DAY_MS) {
      const until = iso(lastFinished + COOL_OFF_DAYS * DAY_MS);
      return fail('InvalidState', `Prospect ${p.crmId} is in a cool-off period until ${until} (finished a flow less than ${COOL_OFF_DAYS} days ago); use the cool-off override to assign anyway`);
    }
  }
  c.state.counters.instance += 1;
  const instance: FlowInstance = {
    id: instanceId(c.state.counters.instance),
    flowId: flow.id,
    crmProspectId: p.crmId,
    ownerEmail,
    created: iso(c.nowMs),
    status: 'Pending',
    startsAt: c.nowMs + PENDING_MS,
    fieldValues: {},
    overrides,
  };
  c.state.instances.push(instance);
  createStepTask(c, instance, flow, 1, c.nowMs);
  return instance;
}

/**
 * Gong refuses an oversized request as a whole, before looking at the flow (gong-openapi.json: "You can
 * assign up to 100 prospects to a flow in a single request", "up to 50" for a bulk assignment). The
 * spec states the limit, not the refusal: 400 with the spec's sentence is our guess (docs/sandbox.md).
 */
function refuseOversized(c: Ctx, ids: string[], cap: number): void {
  if (ids.length > cap) badRequest(c, `You can assign up to ${cap} prospects to a flow in a single request (got ${ids.length})`);
}

function assign(c: Ctx, input: { crm_prospect_ids: string[]; flow_id: string; flow_instance_owner_email?: string; overrides?: { coolOffOverride?: boolean } }, forceOverride: boolean) {
  refuseOversized(c, input.crm_prospect_ids, c.caps.prospectsPerAssign);
  const flow = resolveFlow(c, input.flow_id);
  const owner = resolveOwner(c, input.flow_instance_owner_email, flow);
  const override = forceOverride || input.overrides?.coolOffOverride === true;
  const prospectsAssigned: ReturnType<typeof assignedFlowView>[] = [];
  const prospectsNotAssigned: Failure[] = [];
  for (const id of input.crm_prospect_ids) {
    const r = assignOne(c, flow, id, owner.emailAddress, override, input.overrides);
    if ('errorCode' in r) prospectsNotAssigned.push(r);
    else prospectsAssigned.push(assignedFlowView(c, r));
  }
  c.store.changed();
  return { requestId: c.requestId, prospectsAssigned, prospectsNotAssigned };
}

function removeInstances(c: Ctx, ids: Set<string>): string[] {
  const removed = c.state.instances.filter((i) => ids.has(i.id)).map((i) => i.id);
  if (removed.length === 0) return removed;
  const gone = new Set(removed);
  c.state.instances = c.state.instances.filter((i) => !gone.has(i.id));
  c.state.tasks = c.state.tasks.filter((t) => !(t.status === 'OPEN' && t.flowInstanceId && gone.has(t.flowInstanceId)));
  c.store.changed();
  return removed;
}

const unassign: Handler = (c, input: { crm_prospect_ids: string[]; flow_id: string }) => {
  const targets = new Set<string>();
  for (const raw of input.crm_prospect_ids) {
    const p = findProspect(c, raw);
    if (!p) continue;
    for (const i of instancesOfProspect(c.state.instances, p.crmId)) {
      if (i.flowId === input.flow_id && ACTIVE_STATUSES.has(i.status)) targets.add(i.id);
    }
  }
  return { requestId: c.requestId, unassignedFlowInstanceIds: removeInstances(c, targets) };
};

const unassignByInstance: Handler = (c, input: { flow_instance_ids: string[] }) => {
  const wanted = new Set(input.flow_instance_ids);
  const targets = new Set(c.state.instances.filter((i) => wanted.has(i.id) && ACTIVE_STATUSES.has(i.status)).map((i) => i.id));
  return { requestId: c.requestId, unassignedFlowInstanceIds: removeInstances(c, targets) };
};

const contentOverride: Handler = (c, input: { flow_instance_id: string; field_values: Record<string, string> }) => {
  const instance = c.state.instances.find((i) => i.id === input.flow_instance_id);
  if (!instance) notFound(c, `Flow instance ${input.flow_instance_id} was not found`);
  if (!ACTIVE_STATUSES.has(instance.status)) badRequest(c, `Flow instance ${instance.id} is ${instance.status}; its content can no longer be changed`);
  Object.assign(instance.fieldValues, input.field_values);
  c.store.changed();
  return { requestId: c.requestId, flowInstanceId: instance.id, fieldValues: { ...instance.fieldValues } };
};

/** Processes queued bulk assignments up to the current simulated time. */
export function advanceBulk(c: Ctx): boolean {
  let changed = false;
  for (const b of c.state.bulkAssignments) {
    if (b.status === 'COMPLETED' || b.status === 'FAILED') continue;
    const elapsed = c.nowMs - b.submittedAt;
    if (elapsed < BULK_QUEUE_MS) continue;
    if (b.status === 'PENDING') {
      b.status = 'IN_PROGRESS';
      changed = true;
    }
    const target = Math.min(b.crmIds.length, Math.floor(((elapsed - BULK_QUEUE_MS) * BULK_PER_SECOND) / 1000));
    const flow = c.state.flows.find((f) => f.id === b.flowId);
    while (b.results.length < target) {
      const crmId = b.crmIds[b.results.length];
      let result: BulkResult;
      if (!flow) result = { crmId, status: 'FLOW_ASSIGNMENT_FAILED', errorCode: 'UnexpectedError', errorMessage: `Flow ${b.flowId} no longer exists` };
      else {
        const r = assignOne(c, flow, crmId, b.ownerEmail, false);
        if ('errorCode' in r) {
          result = {
            crmId,
            status: r.errorCode === 'InvalidArgument' ? 'CRM_OPERATION_FAILED' : 'FLOW_ASSIGNMENT_FAILED',
            errorCode: r.errorCode,
            errorMessage: r.errorMessage,
          };
        } else result = { crmId: r.crmProspectId, status: 'ASSIGNED', flowInstanceId: r.id };
      }
      b.results.push(result);
      changed = true;
    }
    if (b.results.length >= b.crmIds.length) {
      b.status = flow ? 'COMPLETED' : 'FAILED';
      changed = true;
    }
  }
  return changed;
}

export function advance(c: Ctx): void {
  const a = advanceInstances(c);
  const b = advanceBulk(c);
  if (a || b) c.store.changed();
}

function bulkView(c: Ctx, b: BulkAssignment) {
  const successCount = b.results.filter((r) => r.status === 'ASSIGNED').length;
  return {
    requestId: c.requestId,
    id: b.id,
    status: b.status,
    totalCount: b.crmIds.length,
    processedCount: b.results.length,
    successCount,
    failedCount: b.results.length - successCount,
    results: b.results.map((r) => {
      const p = findProspect(c, r.crmId);
      return {
        ...(p
          ? {
              prospect: {
                firstName: p.firstName,
                lastName: p.lastName,
                email: p.email,
                jobTitle: p.title,
                linkedInUrl: p.linkedInUrl,
                crmId: p.crmId,
                accountCrmId: p.accountCrmId,
                companyName: p.accountName,
              },
            }
          : {}),
        ...r,
      };
    }),
  };
}

const bulkAssign: Handler = (c, input: { crm_prospect_ids: string[]; flow_id: string; flow_instance_owner_email?: string }) => {
  refuseOversized(c, input.crm_prospect_ids, c.caps.prospectsPerBulkAssignment);
  const flow = resolveFlow(c, input.flow_id);
  const owner = resolveOwner(c, input.flow_instance_owner_email, flow);
  c.state.counters.bulk += 1;
  const b: BulkAssignment = {
    id: bulkId(c.state.counters.bulk),
    flowId: flow.id,
    ownerEmail: owner.emailAddress,
    crmIds: [...input.crm_prospect_ids],
    submittedAt: c.nowMs,
    status: 'PENDING',
    results: [],
  };
  c.state.bulkAssignments.push(b);
  c.store.changed();
  return bulkView(c, b);
};

const bulkStatus: Handler = (c, input: { assignment_id: string }) => {
  const b = c.state.bulkAssignments.find((x) => x.id === input.assignment_id);
  if (!b) notFound(c, `Bulk assignment ${input.assignment_id} was not found`);
  return bulkView(c, b);
};

export const assignHandlers: Record<string, Handler> = {
  gong_engage_prospects_assign: (c, input) => assign(c, input, false),
  gong_engage_prospects_assign_cool_off_override: (c, input) => assign(c, input, true),
  gong_engage_prospects_unassign: unassign,
  gong_engage_prospects_unassign_by_instance: unassignByInstance,
  gong_engage_flow_content_override: contentOverride,
  gong_engage_prospects_bulk_assign: bulkAssign,
  gong_engage_prospects_bulk_assign_status: bulkStatus,
};

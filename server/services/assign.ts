/** Assigning prospects to a flow (≤ 100 per Gong call, Gong's cap) and unassigning them. */
import type { AssignResult, ProspectFlow, Refusal, UnassignResult } from '../../lib/api';
import { GONG_ASSIGN_PROSPECTS_PER_CALL } from '../../lib/gong-tools';
import { gongAssignResponse, gongUnassignResponse, isCoolOffRefusal } from '../../lib/gong-types';
import { classifyGongError } from '../gong/failure';
import type { GongSession } from '../gong/session';
import { prospectFlowInstances, toProspectFlow } from './flows';

export interface AssignOptions {
  coolOffOverride?: boolean;
  ownerEmail: string;
}


export function uniqueIds(ids: string[]): string[] {
  const seen = new Set<string>();
  return ids.filter((id) => {
    const key = id.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Gong's words when it refuses a request for its size, and the size it names if any: "You can assign up
 * to 100 prospects…" (the spec states the limit, not the refusal's wording, so this is a hint: a refusal
 * that names no size is not taken for one).
 */
export function sizeRefusal(err: unknown): { limit: number | null } | null {
  const f = classifyGongError(err);
  if (f.kind !== 'refused') return null;
  const m = /\b(?:up to|at most|no more than|maximum(?: of)?|max(?:imum)? is|limit(?:ed)? (?:of|to|is))\s+(\d+)|\btoo many (?:prospects|ids|items)\b/i.exec(f.message);
  if (!m) return null;
  return { limit: m[1] ? Number(m[1]) : null };
}

/**
 * Assigns any number of prospects in calls of at most 100 (Gong's cap). Should Gong refuse a call for its
 * size anyway (a lower limit than documented), that call is split — to the size Gong names, else in
 * halves — and sent again; the other calls go on. Each prospect ends in exactly one answered call.
 */
export async function assignProspects(session: GongSession, flowId: string, ids: string[], opts: AssignOptions): Promise<AssignResult> {
  const out: AssignResult = { assigned: [], notAssigned: [] };
  let size = GONG_ASSIGN_PROSPECTS_PER_CALL;
  const queue: string[][] = [];
  for (let i = 0; i < ids.length; i += size) queue.push(ids.slice(i, i + size));
  for (let batch = queue.shift(); batch; batch = queue.shift()) {
    try {
      const r = await assignBatch(session, flowId, batch, opts);
      out.assigned.push(...r.assigned);
      out.notAssigned.push(...r.notAssigned);
    } catch (err) {
      const refusal = batch.length > 1 ? sizeRefusal(err) : null;
      if (!refusal) throw err;
      size = Math.max(1, Math.min(batch.length - 1, refusal.limit ?? Math.ceil(batch.length / 2)));
      session.log.warn({ gong: { flowId, sent: batch.length, nextSize: size } }, 'Gong refused an assign call for its size: splitting it');
      const parts: string[][] = [];
      for (let i = 0; i < batch.length; i += size) parts.push(batch.slice(i, i + size));
      // Later batches were cut at the old size: cut them again, so that each is sent once at a size Gong takes.
      const rest = queue.splice(0).flat();
      for (let i = 0; i < rest.length; i += size) parts.push(rest.slice(i, i + size));
      queue.push(...parts);
    }
  }
  return out;
}

/**
 * One Gong assign call (≤ 100 prospects). The gateway retries a call whose answer was lost (timeout, dropped
 * connection), and Gong may have done the first: it then refuses the retry's prospects as already in the flow
 * (`InvalidState`). After a retry, those Gong shows in the flow since this call began are assigned, not refused.
 */
export async function assignBatch(session: GongSession, flowId: string, ids: string[], opts: AssignOptions): Promise<AssignResult> {
  if (ids.length > GONG_ASSIGN_PROSPECTS_PER_CALL) throw new Error(`assignBatch got ${ids.length} ids`);
  // Gong's clock against ours: a second of leeway, as the job runner's reconciliation.
  const since = Date.now() - 1000;
  const { data, attempts = 1 } = opts.coolOffOverride
    ? await session.call('gong_engage_prospects_assign_cool_off_override', {
        crm_prospect_ids: ids,
        flow_id: flowId,
        flow_instance_owner_email: opts.ownerEmail,
      })
    : await session.call('gong_engage_prospects_assign', {
        crm_prospect_ids: ids,
        flow_id: flowId,
        flow_instance_owner_email: opts.ownerEmail,
      });
  const res = gongAssignResponse.parse(data);
  const result: AssignResult = {
    assigned: res.prospectsAssigned.map(toProspectFlow),
    notAssigned: res.prospectsNotAssigned.map(
      (f): Refusal => ({
        crmProspectId: f.crmProspectId,
        code: f.errorCode,
        message: f.errorMessage ?? f.errorCode,
        coolOff: isCoolOffRefusal(f),
      }),
    ),
  };
  const inState = attempts > 1 ? result.notAssigned.filter((r) => r.code === 'InvalidState' && !r.coolOff).map((r) => r.crmProspectId) : [];
  if (!inState.length) return result;
  const landed = (await prospectFlowInstances(session, inState, true)).filter((f) => f.flowId === flowId && f.assignedAt && Date.parse(f.assignedAt) >= since);
  if (!landed.length) return result;
  const done = new Set(landed.map((f) => f.crmProspectId.toLowerCase()));
  session.log.warn({ gong: { flowId, landedEarlier: landed.length } }, 'an assign whose answer was lost had landed: its retry was refused as already assigned');
  return {
    assigned: [...result.assigned, ...landed],
    notAssigned: result.notAssigned.filter((r) => !done.has(r.crmProspectId.toLowerCase())),
  };
}

/**
 * Removes the prospects from the flow. `authorize` sees the prospects' instances in that flow (asked of
 * Gong just now) and throws if any is not the caller's to remove: then nothing is unassigned.
 */
export async function unassign(session: GongSession, flowId: string, ids: string[], authorize: (instances: ProspectFlow[]) => void): Promise<UnassignResult> {
  // Gong answers with flow-instance ids; knowing the instances first lets us answer per prospect.
  const before = (await prospectFlowInstances(session, ids, true)).filter((f) => f.flowId === flowId && f.flowInstanceId);
  authorize(before);
  const { data } = await session.call('gong_engage_prospects_unassign', { crm_prospect_ids: ids, flow_id: flowId });
  const removed = new Set(gongUnassignResponse.parse(data).unassignedFlowInstanceIds);
  const unassigned: string[] = [];
  const notUnassigned: Refusal[] = [];
  for (const id of ids) {
    const instances = before.filter((f) => f.crmProspectId.toLowerCase() === id.toLowerCase());
    if (instances.some((f) => removed.has(f.flowInstanceId!))) unassigned.push(id);
    else if (!instances.length) {
      notUnassigned.push({ crmProspectId: id, code: 'NotInFlow', message: 'The prospect is not in this flow', coolOff: false });
    } else {
      notUnassigned.push({ crmProspectId: id, code: 'NotUnassigned', message: 'Gong did not remove the prospect from this flow', coolOff: false });
    }
  }
  return { unassigned, notUnassigned };
}

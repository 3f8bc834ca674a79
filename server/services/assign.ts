/** Assigning prospects to a flow (≤ 200 at once, Gong's cap) and unassigning them. */
import { z } from 'zod';
import type { AssignResult, Refusal, UnassignResult } from '../../lib/api';
import { GONG_MAX_PROSPECTS_PER_CALL } from '../../lib/gong-tools';
import { gongAssignResponse, isCoolOffRefusal } from '../../lib/gong-types';
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

export async function assignBatch(session: GongSession, flowId: string, ids: string[], opts: AssignOptions): Promise<AssignResult> {
  if (ids.length > GONG_MAX_PROSPECTS_PER_CALL) throw new Error(`assignBatch got ${ids.length} ids`);
  const { data } = opts.coolOffOverride
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
  return {
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
}

const unassignResponse = z.looseObject({ unassignedFlowInstanceIds: z.array(z.string()).default([]) });

export async function unassign(session: GongSession, flowId: string, ids: string[]): Promise<UnassignResult> {
  // Gong answers with flow-instance ids; knowing the instances first lets us answer per prospect.
  const before = (await prospectFlowInstances(session, ids, true)).filter((f) => f.flowId === flowId && f.flowInstanceId);
  const { data } = await session.call('gong_engage_prospects_unassign', { crm_prospect_ids: ids, flow_id: flowId });
  const removed = new Set(unassignResponse.parse(data).unassignedFlowInstanceIds);
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

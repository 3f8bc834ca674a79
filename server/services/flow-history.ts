/**
 * A prospect's flow history, from this backend's own audit of the writes made through it. Gong lists only open
 * flows by CRM id (spec getProspectsAssignedFlows), so a finished or removed flow is known here only if it was
 * assigned or removed through this backend; it is shown as history ("removed by you, Nov 3"), never as a Gong flow.
 */
import type { FlowHistoryEntry } from '../../lib/api';
import type { AuditLog } from '../store/audit';

const MAX_ENTRIES = 10;

function json(text: string | null): Record<string, unknown> | null {
  try {
    const v = text ? JSON.parse(text) : null;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * The last write through this backend for each flow the prospect is not open in now (`openFlowIds`, awaited only
 * once the audit was read: a caller may read it while Gong is asked which flows are open), newest first. An
 * unassign of several prospects at once counts for each of them when Gong removed any instance (its answer names
 * instances, not prospects).
 */
export async function flowHistory(audit: AuditLog, crmId: string, callerEmail: string, openFlowIds: Promise<Set<string>>): Promise<FlowHistoryEntry[]> {
  // Gong may fail while the audit is read: that failure is this function's, thrown below, not an unhandled one now.
  openFlowIds.catch(() => undefined);
  const key = crmId.toLowerCase();
  const names = new Map<string, string>();
  const last = new Map<string, FlowHistoryEntry>();
  for (const row of await audit.prospectFlowWrites(crmId)) {
    const input = json(row.input);
    const answer = json(row.answer);
    const flowId = typeof input?.flow_id === 'string' ? input.flow_id : null;
    if (!flowId || !row.userEmail) continue;
    let action: FlowHistoryEntry['action'] | null = null;
    if (row.tool === 'gong_engage_prospects_unassign') {
      const removed = answer?.unassignedFlowInstanceIds;
      if (Array.isArray(removed) && removed.length) action = 'removed';
    } else {
      const assigned = Array.isArray(answer?.prospectsAssigned) ? (answer.prospectsAssigned as Record<string, unknown>[]) : [];
      const mine = assigned.find((a) => typeof a.crmProspectId === 'string' && a.crmProspectId.toLowerCase() === key);
      if (mine) {
        action = 'assigned';
        if (typeof mine.flowName === 'string' && !names.has(flowId)) names.set(flowId, mine.flowName);
      }
    }
    if (!action || last.has(flowId)) continue;
    last.set(flowId, { flowId, flowName: null, action, at: row.at, by: row.userEmail, byYou: row.userEmail.toLowerCase() === callerEmail.toLowerCase() });
  }
  const open = await openFlowIds;
  return [...last.values()]
    .filter((e) => !open.has(e.flowId))
    .slice(0, MAX_ENTRIES)
    .map((e) => ({ ...e, flowName: names.get(e.flowId) ?? null }));
}

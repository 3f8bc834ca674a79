/** Flows, flow folders and the flows assigned to prospects. */
import { toSalesforceId18 } from '../../../lib/crm-record';
import type { Ctx, Handler } from './context';
import { omitUndefined, userByEmail } from './context';
import { instancesOfProspect, prospectByLowerId } from './indexes';
import type { Flow, FlowFolder, FlowInstance, Prospect } from './state';
import { paginate } from './util';

export const ACTIVE_STATUSES = new Set(['Pending', 'Running', 'Paused']);

export const PAGE_SIZE = { flows: 10, folders: 10 };

function visibleTo(item: { visibility: string; ownerEmail?: string; sharedWith: string[] }, email: string): boolean {
  const e = email.toLowerCase();
  if (item.visibility === 'Company') return true;
  if (item.ownerEmail?.toLowerCase() === e) return true;
  return item.visibility === 'Shared' && item.sharedWith.some((x) => x.toLowerCase() === e);
}

export function flowVisibleTo(flow: Flow, email: string): boolean {
  return visibleTo(flow, email);
}

export function flowView(c: Ctx, f: Flow) {
  const folder = c.state.folders.find((x) => x.id === f.folderId);
  return omitUndefined({
    id: f.id,
    name: f.name,
    folderId: f.folderId,
    folderName: folder?.name,
    visibility: f.visibility,
    creationDate: f.creationDate,
    exclusive: f.exclusive,
  });
}

function folderView(c: Ctx, f: FlowFolder) {
  const parent = c.state.folders.find((x) => x.id === f.parentFolderId);
  return omitUndefined({ id: f.id, name: f.name, folderId: parent?.id, folderName: parent?.name, visibility: f.visibility });
}

/** Finds a seeded/created prospect by CRM id (Salesforce 15 or 18 characters, any case; HubSpot numeric). */
export function findProspect(c: Ctx, crmId: string): Prospect | undefined {
  let key = crmId;
  if (/^[A-Za-z0-9]{15}$|^[A-Za-z0-9]{18}$/.test(crmId) && !/^\d+$/.test(crmId)) {
    const id18 = toSalesforceId18(crmId);
    if (!id18) return undefined;
    key = id18;
  }
  const lower = key.toLowerCase();
  return prospectByLowerId(c.state.prospects, lower);
}

/** Pending instances whose start time has come are Running. */
export function advanceInstances(c: Ctx): boolean {
  let changed = false;
  for (const i of c.state.instances) {
    if (i.status === 'Pending' && i.startsAt !== undefined && i.startsAt <= c.nowMs) {
      i.status = 'Running';
      changed = true;
    }
  }
  return changed;
}

export function assignedFlowView(c: Ctx, i: FlowInstance) {
  const flow = c.state.flows.find((f) => f.id === i.flowId);
  const owner = userByEmail(c, i.ownerEmail);
  return omitUndefined({
    flowId: i.flowId,
    flowName: flow?.name,
    crmProspectId: i.crmProspectId,
    flowInstanceId: i.id,
    flowInstanceOwnerEmail: i.ownerEmail,
    flowInstanceOwnerFullName: owner ? `${owner.firstName} ${owner.lastName}` : undefined,
    flowInstanceCreateDate: i.created,
    flowInstanceStatus: i.status,
    workspaceId: flow?.workspaceId,
    exclusive: flow?.exclusive,
  });
}

const flowsList: Handler = (c, input: { flow_owner_email: string; cursor?: string; workspace_id?: string }) => {
  const flows = c.state.flows
    .filter((f) => flowVisibleTo(f, input.flow_owner_email))
    .filter((f) => !input.workspace_id || f.workspaceId === input.workspace_id);
  const key = `flows|${input.flow_owner_email.toLowerCase()}|${input.workspace_id ?? ''}`;
  const { page, records } = paginate(flows, PAGE_SIZE.flows, input.cursor, key, c.requestId);
  return { requestId: c.requestId, records, flows: page.map((f) => flowView(c, f)) };
};

const foldersList: Handler = (c, input: { flow_owner_email: string; cursor?: string; workspace_id?: string }) => {
  const folders = c.state.folders
    .filter((f) => visibleTo(f, input.flow_owner_email))
    .filter((f) => !input.workspace_id || f.workspaceId === input.workspace_id);
  const key = `folders|${input.flow_owner_email.toLowerCase()}|${input.workspace_id ?? ''}`;
  const { page, records } = paginate(folders, PAGE_SIZE.folders, input.cursor, key, c.requestId);
  // listFlowsFolders answers FlowsResponse (gong-openapi.json): folders come as PublicApiFlow items
  // under `flows`; a folder's parent goes in `folderId`, as a flow's folder does.
  return { requestId: c.requestId, records, flows: page.map((f) => folderView(c, f)) };
};

const prospectsFlowsList: Handler = (c, input: { crm_prospect_ids: string[] }) => {
  const out: ReturnType<typeof assignedFlowView>[] = [];
  const seen = new Set<string>();
  for (const raw of input.crm_prospect_ids) {
    const p = findProspect(c, raw);
    if (!p || seen.has(p.crmId)) continue;
    seen.add(p.crmId);
    // "When querying by crmProspectsIds, only open (Pending/Running/Paused) flows are returned" (spec
    // getProspectsAssignedFlows): finished instances stay in Gong but are not listed here.
    const mine = instancesOfProspect(c.state.instances, p.crmId)
      .filter((i) => ACTIVE_STATUSES.has(i.status))
      .sort((a, b) => b.created.localeCompare(a.created));
    out.push(...mine.map((i) => assignedFlowView(c, i)));
  }
  return { requestId: c.requestId, prospectsAssigned: out };
};

export const flowHandlers: Record<string, Handler> = {
  gong_engage_flows_list: flowsList,
  gong_engage_flow_folders_list: foldersList,
  gong_engage_prospects_flows_list: prospectsFlowsList,
};

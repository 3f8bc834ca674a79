/** Flows, folders, workspaces and a prospect's flow instances, mapped from Gong to the API's shapes. */
import type { z } from 'zod';
import type { Flow, ProspectFlow, ProspectFlows, flowFolder, WorkspaceList } from '../../lib/api';
import {
  gongAssignedFlow,
  gongFlowsResponse,
  gongFoldersResponse,
  gongProspectsFlowsResponse,
  gongWorkspacesResponse,
} from '../../lib/gong-types';
import type { GongSession } from '../gong/session';
import { allPages } from './paging';

type Visibility = Flow['visibility'];
function visibility(v: string | undefined): Visibility {
  const up = (v ?? '').toUpperCase();
  return up === 'PERSONAL' || up === 'SHARED' ? up : 'COMPANY';
}

export async function listFlows(session: GongSession): Promise<Flow[]> {
  const flows = await allPages(session, 'gong_engage_flows_list', { flow_owner_email: session.user.email }, (data) => {
    const res = gongFlowsResponse.parse(data);
    return { items: res.flows, cursor: res.records?.cursor };
  });
  return flows.map((f) => ({
    id: f.id,
    name: f.name,
    folderId: f.folderId ?? null,
    folderName: f.folderName ?? null,
    visibility: visibility(f.visibility),
    exclusive: f.exclusive ?? false,
  }));
}

export async function listFolders(session: GongSession): Promise<z.infer<typeof flowFolder>[]> {
  const folders = await allPages(session, 'gong_engage_flow_folders_list', { flow_owner_email: session.user.email }, (data) => {
    const res = gongFoldersResponse.parse(data);
    return { items: res.folders, cursor: res.records?.cursor };
  });
  return folders.map((f) => ({ id: f.id, name: f.name, visibility: visibility(f.visibility) }));
}

export async function listWorkspaces(session: GongSession): Promise<WorkspaceList> {
  const { data } = await session.call('gong_engage_workspaces_list', {});
  return { workspaces: gongWorkspacesResponse.parse(data).workspaces.map((w) => ({ id: w.id, name: w.name })) };
}

export function toProspectFlow(a: z.infer<typeof gongAssignedFlow>): ProspectFlow {
  return {
    flowId: a.flowId,
    flowName: a.flowName ?? '',
    crmProspectId: a.crmProspectId,
    flowInstanceId: a.flowInstanceId ?? null,
    status: a.flowInstanceStatus ?? 'Unknown',
    ownerEmail: a.flowInstanceOwnerEmail ?? null,
    ownerName: a.flowInstanceOwnerFullName ?? null,
    assignedAt: a.flowInstanceCreateDate ?? null,
  };
}

const sameId = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export async function prospectFlowInstances(session: GongSession, crmIds: string[], fresh = false): Promise<ProspectFlow[]> {
  const { data } = await session.call('gong_engage_prospects_flows_list', { crm_prospect_ids: crmIds }, { fresh });
  return gongProspectsFlowsResponse
    .parse(data)
    .prospectsAssigned.filter((a) => crmIds.some((id) => sameId(id, a.crmProspectId)))
    .map(toProspectFlow);
}

export async function prospectFlows(session: GongSession, crmId: string): Promise<ProspectFlows> {
  return { crmProspectId: crmId, flows: await prospectFlowInstances(session, [crmId]) };
}

/**
 * Shapes of Gong's answers that the backend reads (from gong-openapi.json). Parsed loosely (unknown fields
 * pass through, optional ones may be absent) so a Gong addition never breaks the extension; but the key that
 * carries an answer's content (`flows`, `tasks`, `calls`…) is required: without it the answer is not Gong's
 * (gongReaders: the gateway refuses it as GONG_UNEXPECTED_ANSWER rather than show a rep an empty list).
 */
import { z } from 'zod';
import type { GongToolName } from './gong-tools';

/** Gong's int64 ids (tasks, users, flows in task views) arrive as numbers; read them as text. */
export const gongId = z.union([z.string(), z.number()]).transform(String);

export const gongRecords = z.looseObject({
  totalRecords: z.number().optional(),
  currentPageSize: z.number().optional(),
  currentPageNumber: z.number().optional(),
  cursor: z.string().optional(),
});

export const flowInstanceStatus = z.enum(['Pending', 'Running', 'Paused', 'FinishedNoReply', 'FinishedResponse', 'Finished']);
export type FlowInstanceStatus = z.infer<typeof flowInstanceStatus>;

export const gongFlow = z.looseObject({
  id: z.string(),
  name: z.string(),
  folderId: z.string().optional(),
  folderName: z.string().optional(),
  visibility: z.string().optional(),
  creationDate: z.string().optional(),
  exclusive: z.boolean().optional(),
});
export const gongFlowsResponse = z.looseObject({
  requestId: z.string().optional(),
  records: gongRecords.optional(),
  flows: z.array(gongFlow),
});

/** A flow folder as listFlowsFolders gives it: a PublicApiFlow item (its parent folder in `folderId`). */
export const gongFolder = z.looseObject({
  id: z.string(),
  name: z.string(),
  visibility: z.string().optional(),
  folderId: z.string().optional(),
});
/**
 * listFlowsFolders answers FlowsResponse (gong-openapi.json): the folders under `flows`. A `folders` key
 * is accepted as well (the operation's name suggests it; docs/sandbox.md lists this as a guess).
 */
export const gongFoldersResponse = z
  .looseObject({
    requestId: z.string().optional(),
    records: gongRecords.optional(),
    flows: z.array(gongFolder).optional(),
    folders: z.array(gongFolder).optional(),
  })
  .refine((r) => r.flows !== undefined || r.folders !== undefined, { message: 'flows: expected an array', path: ['flows'] })
  .transform((r) => ({ ...r, folders: r.flows ?? r.folders ?? [] }));

export const gongAssignedFlow = z.looseObject({
  flowId: z.string(),
  flowName: z.string().optional(),
  crmProspectId: z.string(),
  flowInstanceId: z.string().optional(),
  flowInstanceOwnerEmail: z.string().optional(),
  flowInstanceOwnerFullName: z.string().optional(),
  flowInstanceCreateDate: z.string().optional(),
  flowInstanceStatus: z.string().optional(),
  workspaceId: z.string().optional(),
  exclusive: z.boolean().optional(),
});
export const gongProspectsFlowsResponse = z.looseObject({
  requestId: z.string().optional(),
  prospectsAssigned: z.array(gongAssignedFlow),
});
export const gongAssignFailure = z.looseObject({
  flowId: z.string().optional(),
  crmProspectId: z.string(),
  errorCode: z.string(),
  errorMessage: z.string().optional(),
});
/** Gong explains a cool-off refusal in words only (code InvalidState); the override tool can assign those anyway. */
export const isCoolOffRefusal = (f: { errorMessage?: string | null; errorCode?: string | null }) => /cool[\s-]?off/i.test(`${f.errorMessage ?? ''} ${f.errorCode ?? ''}`);
/** Either list may be left out when empty (a guess: the spec marks neither required), not both. */
export const gongAssignResponse = z
  .looseObject({
    requestId: z.string().optional(),
    prospectsAssigned: z.array(gongAssignedFlow).optional(),
    prospectsNotAssigned: z.array(gongAssignFailure).optional(),
  })
  .refine((r) => r.prospectsAssigned !== undefined || r.prospectsNotAssigned !== undefined, {
    message: 'prospectsAssigned: expected an array',
    path: ['prospectsAssigned'],
  })
  .transform((r) => ({ ...r, prospectsAssigned: r.prospectsAssigned ?? [], prospectsNotAssigned: r.prospectsNotAssigned ?? [] }));
/** unassignProspectFlows / unassignFlows: the instances Gong removed. */
export const gongUnassignResponse = z.looseObject({ requestId: z.string().optional(), unassignedFlowInstanceIds: z.array(z.string()) });

export const gongBulkAssignment = z.looseObject({
  id: z.string(),
  status: z.enum(['PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED']),
  totalCount: z.number().optional(),
  processedCount: z.number().optional(),
  successCount: z.number().optional(),
  failedCount: z.number().optional(),
  results: z
    .array(
      z.looseObject({
        crmId: z.string().optional(),
        status: z.string().optional(),
        flowInstanceId: z.string().optional(),
        errorCode: z.string().optional(),
        errorMessage: z.string().optional(),
      }),
    )
    .default([]),
});

export const gongWorkspace = z.looseObject({ id: z.string(), name: z.string(), description: z.string().optional() });
export const gongWorkspacesResponse = z.looseObject({ workspaces: z.array(gongWorkspace) });

/** GET /v2/users (gong_users_list): the company's users; `managerId` is how Gong states who manages whom. */
export const gongUser = z.looseObject({ id: gongId, emailAddress: z.string().optional(), managerId: gongId.nullish(), active: z.boolean().optional() });
export const gongUsersResponse = z.looseObject({ records: gongRecords.optional(), users: z.array(gongUser) });

const gongTaskPerson = z.looseObject({
  id: z.string().optional(),
  crmId: z.string().optional(),
  name: z.string().optional(),
  email: z.string().optional(),
  title: z.string().optional(),
});
export const gongTask = z.looseObject({
  id: gongId,
  userId: gongId.optional(),
  status: z.string(),
  type: z.string().optional(),
  title: z.string().optional(),
  dueDate: z.string().optional(),
  /** Gong's Priority object ({ id, name, weight }); older answers carried a plain string. */
  priority: z.union([z.string(), z.looseObject({ name: z.string().optional() })]).optional(),
  flow: z.looseObject({ id: gongId.optional(), name: z.string().optional(), flowInstanceId: z.string().optional() }).optional(),
  contact: gongTaskPerson.optional(),
  account: z.looseObject({ name: z.string().optional(), crmId: z.string().optional() }).optional(),
});
export const gongTasksResponse = z.looseObject({
  requestId: z.string().optional(),
  records: gongRecords.optional(),
  tasks: z.array(gongTask),
  crmType: z.string().optional(),
});

export const gongCallParty = z.looseObject({
  id: z.string().optional(),
  emailAddress: z.string().optional(),
  name: z.string().optional(),
  title: z.string().optional(),
  userId: z.string().optional(),
  speakerId: z.string().optional(),
  affiliation: z.string().optional(),
  context: z
    .array(z.looseObject({ system: z.string().optional(), objects: z.array(z.looseObject({ objectType: z.string().optional(), objectId: z.string().optional() })).optional() }))
    .optional(),
});
export const gongCallMetaData = z.looseObject({
  id: z.string(),
  url: z.string().optional(),
  title: z.string().optional(),
  started: z.string().optional(),
  duration: z.number().optional(),
  direction: z.string().optional(),
  system: z.string().optional(),
  scope: z.string().optional(),
});
export const gongCallsListResponse = z.looseObject({
  requestId: z.string().optional(),
  records: gongRecords.optional(),
  calls: z.array(gongCallMetaData),
});
export const gongExtensiveCall = z.looseObject({
  metaData: gongCallMetaData,
  parties: z.array(gongCallParty).default([]),
  context: z.array(z.looseObject({ system: z.string().optional(), objects: z.array(z.looseObject({ objectType: z.string().optional(), objectId: z.string().optional() })).optional() })).optional(),
  interaction: z
    .looseObject({ speakers: z.array(z.looseObject({ id: z.string().optional(), userId: z.string().optional(), talkTime: z.number().optional() })).optional() })
    .optional(),
});
export const gongExtensiveCallsResponse = z.looseObject({
  requestId: z.string().optional(),
  records: gongRecords.optional(),
  calls: z.array(gongExtensiveCall),
});
export const gongTranscriptsResponse = z.looseObject({
  requestId: z.string().optional(),
  records: gongRecords.optional(),
  callTranscripts: z
    .array(
      z.looseObject({
        callId: z.string(),
        transcript: z.array(z.looseObject({ speakerId: z.string().optional(), topic: z.string().nullish(), sentences: z.array(z.looseObject({ start: z.number(), end: z.number(), text: z.string() })) })),
      }),
    )
    ,
});

/** Gong's error body. */
export const gongErrorBody = z.looseObject({ requestId: z.string().optional(), errors: z.array(z.string()).default([]) });

/**
 * The reader schema of every tool whose answer the backend reads: the gateway parses each answer with it and
 * refuses one that does not fit (missing or mistyped content key) as GONG_UNEXPECTED_ANSWER, naming the tool.
 * Tools not listed are passed through as Gong answered (the generic tools route; task updates, whose answer
 * the backend only uses when it fits).
 */
export const gongReaders: Partial<Record<GongToolName, z.ZodType>> = {
  gong_engage_flows_list: gongFlowsResponse,
  gong_engage_flow_folders_list: gongFoldersResponse,
  gong_engage_prospects_flows_list: gongProspectsFlowsResponse,
  gong_engage_prospects_assign: gongAssignResponse,
  gong_engage_prospects_assign_cool_off_override: gongAssignResponse,
  gong_engage_prospects_unassign: gongUnassignResponse,
  gong_engage_prospects_unassign_by_instance: gongUnassignResponse,
  gong_engage_prospects_bulk_assign: gongBulkAssignment,
  gong_engage_prospects_bulk_assign_status: gongBulkAssignment,
  gong_engage_workspaces_list: gongWorkspacesResponse,
  gong_engage_tasks_list: gongTasksResponse,
  gong_engage_users_list: gongUsersResponse,
  gong_users_list: gongUsersResponse,
  gong_calls_list: gongCallsListResponse,
  gong_calls_get: gongExtensiveCallsResponse,
  gong_calls_transcript_get: gongTranscriptsResponse,
};

/**
 * The one catalog of the Scalekit Gong connector's tools: name → validated input → Gong operation.
 * The backend's generic tool route, its purpose-built routes and the sandbox's dispatcher all read it.
 * Parameter names, types and required/optional follow the connector page exactly (snake_case).
 */
import { z } from 'zod';

const str = z.string().min(1).max(2000);
const iso = z.iso.datetime({ offset: true });
const email = z.email().max(320);
const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an id (letters, digits, - or _)');
const cursor = z.string().min(1).max(1000);
/** A web address a rep's write may carry: http(s) only (no javascript:, file:, data: …). */
export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000);
const prospectIds = z.array(z.string().regex(/^[A-Za-z0-9]{1,40}$/, 'must be a CRM id')).min(1);
const ids = z.array(id).min(1).max(1000);

/** Method and path of the Gong REST operation a tool calls (keys of gong-openapi.json `paths`). */
export interface GongOperation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
}

interface ToolDef<S extends z.ZodType> {
  description: string;
  input: S;
  /** Whether the tool changes Gong state (audited, idempotent, invalidates caches). */
  write: boolean;
  /** The Gong operation behind it; null where Gong's public spec has none. */
  gong: GongOperation | null;
}

function tool<S extends z.ZodType>(def: ToolDef<S>): ToolDef<S> {
  return def;
}

const obj = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape);

export const gongTools = {
  gong_call_outcomes_list: tool({
    description: 'List call outcome options',
    input: obj({}),
    write: false,
    gong: { method: 'GET', path: '/v2/call-outcomes' },
  }),
  gong_calls_create: tool({
    description: 'Register a new call',
    input: obj({
      actual_start: iso,
      call_provider_code: str.optional(),
      client_unique_id: str.optional(),
      direction: z.enum(['Inbound', 'Outbound']).optional(),
      disposition: str.optional(),
      duration: z.number().int().min(0).max(86_400).optional(),
      language: z.string().regex(/^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*$/).optional(),
      parties: z
        .array(
          z.object({
            emailAddress: email.optional(),
            name: str.optional(),
            speakerId: str.optional(),
            userId: str.optional(),
          }),
        )
        .max(100)
        .optional(),
      purpose: str.optional(),
      scheduled_end: iso.optional(),
      scheduled_start: iso.optional(),
      title: str.optional(),
      workspace_id: id.optional(),
    }),
    write: true,
    gong: { method: 'POST', path: '/v2/calls' },
  }),
  gong_calls_get: tool({
    description: 'Extensive details for calls',
    input: obj({
      call_ids: ids,
      cursor: cursor.optional(),
      from_date_time: iso.optional(),
      to_date_time: iso.optional(),
      workspace_id: id.optional(),
    }),
    write: false,
    gong: { method: 'POST', path: '/v2/calls/extensive' },
  }),
  gong_calls_list: tool({
    description: 'List calls',
    input: obj({
      call_ids: z.string().regex(/^[A-Za-z0-9_-]+(?:,[A-Za-z0-9_-]+)*$/, 'must be comma-separated call ids').max(20_000).optional(),
      cursor: cursor.optional(),
      from_date_time: iso.optional(),
      to_date_time: iso.optional(),
      workspace_id: id.optional(),
    }),
    write: false,
    gong: { method: 'GET', path: '/v2/calls' },
  }),
  gong_calls_transcript_get: tool({
    description: 'Transcripts of calls',
    input: obj({
      call_ids: ids,
      cursor: cursor.optional(),
      from_date_time: iso.optional(),
      to_date_time: iso.optional(),
      workspace_id: id.optional(),
    }),
    write: false,
    gong: { method: 'POST', path: '/v2/calls/transcript' },
  }),
  gong_coaching_get: tool({
    description: 'Coaching data',
    input: obj({ cursor: cursor.optional() }),
    write: false,
    gong: { method: 'GET', path: '/v2/coaching' },
  }),
  gong_engage_digital_interactions_create: tool({
    description: 'Add a digital interaction to a prospect timeline',
    input: obj({
      event_name: str.max(200),
      event_timestamp: iso,
      crm_account_id: id.optional(),
      crm_contact_id: id.optional(),
      prospect_email: email.optional(),
      url: httpUrl.optional(),
    }),
    write: true,
    gong: { method: 'POST', path: '/v2/digital-interaction' },
  }),
  gong_engage_email_activity_report: tool({
    description: 'Report email engagement events',
    input: obj({
      email_id: id,
      event_timestamp: iso,
      event_type: z.enum(['EMAIL_OPENED', 'EMAIL_LINK_CLICKED', 'EMAIL_BOUNCED', 'EMAIL_UNSUBSCRIBED', 'EMAIL_REPLIED']),
      prospect_email: email,
      link_url: httpUrl.optional(),
    }),
    write: true,
    gong: null,
  }),
  gong_engage_flow_content_override: tool({
    description: 'Override flow placeholders for a flow instance',
    input: obj({
      field_values: z.record(z.string().regex(/^[A-Za-z0-9_.]{1,100}$/), z.string().max(10_000)),
      flow_instance_id: id,
    }),
    write: true,
    gong: null,
  }),
  gong_engage_flow_folders_list: tool({
    description: 'List flow folders available to a user',
    input: obj({ flow_owner_email: email, cursor: cursor.optional(), workspace_id: id.optional() }),
    write: false,
    gong: { method: 'GET', path: '/v2/flows/folders' },
  }),
  gong_engage_flows_list: tool({
    description: 'List flows available to a user',
    input: obj({ flow_owner_email: email, cursor: cursor.optional(), workspace_id: id.optional() }),
    write: false,
    gong: { method: 'GET', path: '/v2/flows' },
  }),
  gong_engage_prospects_assign: tool({
    description: 'Assign up to 200 prospects to a flow',
    input: obj({
      crm_prospect_ids: prospectIds.max(200),
      flow_id: id,
      flow_instance_owner_email: email,
      overrides: z
        .object({
          coolOffOverride: z.boolean().optional(),
          steps: z
            .array(z.object({ number: z.number().int().min(1), subject: z.string().max(1000).optional(), body: z.string().max(100_000).optional() }))
            .max(50)
            .optional(),
          flowInstanceVariables: z.array(z.object({ name: z.string().min(1).max(200), value: z.string().max(10_000) })).max(100).optional(),
        })
        .strict()
        .optional(),
    }),
    write: true,
    gong: { method: 'POST', path: '/v2/flows/prospects/assign' },
  }),
  gong_engage_prospects_assign_cool_off_override: tool({
    description: 'Assign prospects, overriding the cool-off period',
    input: obj({ crm_prospect_ids: prospectIds.max(200), flow_id: id, flow_instance_owner_email: email.optional() }),
    write: true,
    gong: { method: 'POST', path: '/v2/flows/prospects/assign/cool-off-override' },
  }),
  gong_engage_prospects_bulk_assign: tool({
    description: 'Bulk-assign prospects asynchronously',
    input: obj({ crm_prospect_ids: prospectIds.max(10_000), flow_id: id, flow_instance_owner_email: email.optional() }),
    write: true,
    gong: { method: 'POST', path: '/v2/flows/prospects/bulk-assignments' },
  }),
  gong_engage_prospects_bulk_assign_status: tool({
    description: 'Status of a bulk assignment',
    input: obj({ assignment_id: id }),
    write: false,
    gong: { method: 'GET', path: '/v2/flows/prospects/bulk-assignments/{id}' },
  }),
  gong_engage_prospects_flows_list: tool({
    description: 'Flows assigned to prospects',
    input: obj({ crm_prospect_ids: prospectIds.max(200) }),
    write: false,
    gong: { method: 'POST', path: '/v2/flows/prospects' },
  }),
  gong_engage_prospects_unassign: tool({
    description: 'Unassign prospects from a flow by CRM id',
    input: obj({ crm_prospect_ids: prospectIds.max(200), flow_id: id }),
    write: true,
    gong: { method: 'POST', path: '/v2/flows/prospects/unassign-flows-by-crm-id' },
  }),
  gong_engage_prospects_unassign_by_instance: tool({
    description: 'Unassign flow instances',
    input: obj({ flow_instance_ids: ids.max(200) }),
    write: true,
    gong: { method: 'POST', path: '/v2/flows/prospects/unassign-flows-by-instance-id' },
  }),
  gong_engage_task_complete: tool({
    description: 'Complete a task',
    input: obj({ task_id: id, completion_notes: z.string().max(5000).optional() }),
    write: true,
    gong: { method: 'PATCH', path: '/v2/tasks/{taskId}' },
  }),
  gong_engage_task_skip: tool({
    description: 'Skip a task',
    input: obj({ task_id: id, skip_reason: z.string().max(5000).optional() }),
    write: true,
    gong: { method: 'PATCH', path: '/v2/tasks/{taskId}' },
  }),
  gong_engage_tasks_list: tool({
    description: 'Tasks of a user',
    input: obj({
      assignee_email: email,
      cursor: cursor.optional(),
      from_date: iso.optional(),
      to_date: iso.optional(),
      workspace_id: id.optional(),
    }),
    write: false,
    gong: { method: 'POST', path: '/v2/tasks' },
  }),
  gong_engage_users_list: tool({
    description: 'Active Engage users',
    input: obj({ cursor: cursor.optional(), include_avatars: z.boolean().optional() }),
    write: false,
    gong: { method: 'GET', path: '/v2/users' },
  }),
  gong_engage_workspaces_list: tool({
    description: 'Company workspaces',
    input: obj({}),
    write: false,
    gong: { method: 'GET', path: '/v2/workspaces' },
  }),
  gong_library_folder_content_get: tool({
    description: 'Content of a library folder',
    input: obj({ folder_id: id }),
    write: false,
    gong: { method: 'GET', path: '/v2/library/folder-content' },
  }),
  gong_library_folders_list: tool({
    description: 'Library folders',
    input: obj({ workspace_id: id.optional() }),
    write: false,
    gong: { method: 'GET', path: '/v2/library/folders' },
  }),
  gong_scorecards_list: tool({
    description: 'Scorecard settings',
    input: obj({}),
    write: false,
    gong: { method: 'GET', path: '/v2/settings/scorecards' },
  }),
  gong_stats_interaction: tool({
    description: 'Interaction stats',
    input: obj({ from_date_time: iso, to_date_time: iso, call_ids: ids.optional(), cursor: cursor.optional() }),
    write: false,
    gong: { method: 'POST', path: '/v2/stats/interaction' },
  }),
  gong_stats_user_actions: tool({
    description: 'Scorecard / activity stats per user',
    input: obj({ from_date_time: iso, to_date_time: iso, cursor: cursor.optional(), user_ids: ids.optional() }),
    write: false,
    gong: { method: 'POST', path: '/v2/stats/activity/scorecards' },
  }),
  gong_trackers_list: tool({
    description: 'Keyword tracker settings',
    input: obj({}),
    write: false,
    gong: { method: 'GET', path: '/v2/settings/trackers' },
  }),
  gong_users_get: tool({
    description: 'Users by extensive filter',
    input: obj({
      created_from_date_time: iso.optional(),
      created_to_date_time: iso.optional(),
      cursor: cursor.optional(),
      user_ids: ids.optional(),
    }),
    write: false,
    gong: { method: 'POST', path: '/v2/users/extensive' },
  }),
  gong_users_list: tool({
    description: 'All users',
    input: obj({ cursor: cursor.optional(), include_avatars: z.boolean().optional() }),
    write: false,
    gong: { method: 'GET', path: '/v2/users' },
  }),
} as const;

export type GongToolName = keyof typeof gongTools;
export type GongToolInput<N extends GongToolName> = z.infer<(typeof gongTools)[N]['input']>;
export const gongToolNames = Object.keys(gongTools) as GongToolName[];

export function isGongToolName(name: string): name is GongToolName {
  return Object.prototype.hasOwnProperty.call(gongTools, name);
}

/**
 * Who a backend user is to the company: a rep acts on their own work; a manager also on their team's
 * (the users whose managerId, in Gong's user list, is the manager's Gong user); an admin on everyone's.
 * Ordered from least to most rights.
 */
export const ROLES = ['rep', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * How many Gong API calls one run of each tool costs: Gong counts its own calls against the company's 3/s and
 * 10,000/day, and one connector tool may make several. Per gong-openapi.json:
 * - unassign by CRM ids: `UnassignProspectFlowsRequest` takes one `crmProspectId`, so one call per prospect;
 * - assign and its cool-off override: "up to 100 prospects in a single request", so one call per 100;
 * - bulk assignment: "up to 50 prospects ... in a single request", so one request per 50;
 * - everything else (reads take one page per call; unassign by instance takes up to 200 ids) is one call.
 * The two tools with no operation in the public spec (email activity report, flow content override) are
 * counted as one call: a guess (docs/sandbox.md). The daily budget and /api/v1/usage count these figures.
 */
export type GongCallCost =
  | { per: 'call' }
  | { per: 'item'; field: string }
  | { per: 'chunk'; field: string; size: number };

const once: GongCallCost = { per: 'call' };

export const GONG_ASSIGN_PROSPECTS_PER_CALL = 100;
export const GONG_BULK_PROSPECTS_PER_REQUEST = 50;

export const GONG_CALL_COST: Record<GongToolName, GongCallCost> = {
  gong_call_outcomes_list: once,
  gong_calls_create: once,
  gong_calls_get: once,
  gong_calls_list: once,
  gong_calls_transcript_get: once,
  gong_coaching_get: once,
  gong_engage_digital_interactions_create: once,
  gong_engage_email_activity_report: once,
  gong_engage_flow_content_override: once,
  gong_engage_flow_folders_list: once,
  gong_engage_flows_list: once,
  gong_engage_prospects_assign: { per: 'chunk', field: 'crm_prospect_ids', size: GONG_ASSIGN_PROSPECTS_PER_CALL },
  gong_engage_prospects_assign_cool_off_override: { per: 'chunk', field: 'crm_prospect_ids', size: GONG_ASSIGN_PROSPECTS_PER_CALL },
  gong_engage_prospects_bulk_assign: { per: 'chunk', field: 'crm_prospect_ids', size: GONG_BULK_PROSPECTS_PER_REQUEST },
  gong_engage_prospects_bulk_assign_status: once,
  gong_engage_prospects_flows_list: once,
  gong_engage_prospects_unassign: { per: 'item', field: 'crm_prospect_ids' },
  gong_engage_prospects_unassign_by_instance: once,
  gong_engage_task_complete: once,
  gong_engage_task_skip: once,
  gong_engage_tasks_list: once,
  gong_engage_users_list: once,
  gong_engage_workspaces_list: once,
  gong_library_folder_content_get: once,
  gong_library_folders_list: once,
  gong_scorecards_list: once,
  gong_stats_interaction: once,
  gong_stats_user_actions: once,
  gong_trackers_list: once,
  gong_users_get: once,
  gong_users_list: once,
};

/** Gong calls one run of `tool` with `input` costs (at least 1: a refused input still reaches Gong once). */
export function gongCallsFor(tool: GongToolName, input: Record<string, unknown>): number {
  const cost = GONG_CALL_COST[tool];
  if (cost.per === 'call') return 1;
  const items = input[cost.field];
  const n = Array.isArray(items) ? items.length : 0;
  return Math.max(1, cost.per === 'item' ? n : Math.ceil(n / cost.size));
}

/** Items whose owner the backend finds before a tool may touch them (server/services/ownership.ts). */
export type OwnedItem =
  /** flow_instance_ids / flow_instance_id: owner as last seen by the backend in a lookup or an assign. */
  | 'flowInstance'
  /** crm_prospect_ids + flow_id: the owners of the prospects' instances in that flow, asked of Gong. */
  | 'prospectInFlow'
  /** task_id: the assignee, found in the open task lists of the users the caller may act for. */
  | 'task'
  /** call_ids: the calls' parties, asked of Gong; a call is the caller's if one of them took part. */
  | 'call'
  /** parties: every company user named as a party (by email or Gong user id). */
  | 'callParties'
  /** assignment_id: who started the bulk assignment through this backend. */
  | 'bulkAssignment';

/**
 * What a manager's company-wide read is limited to (their team: the caller and everyone below them in
 * Gong's user list, by managerId).
 */
export type TeamLimit =
  /** Keep only the answer's `list` entries whose `userId` (a dotted path) is a team member's Gong id. */
  | { answer: string; userId: string }
  /** The input must name team members only, in this (then required) field of Gong user ids. */
  | { inputUserIds: string }
  /** The input's call_ids (then required) must each be a team call (a team member took part). */
  | { inputCallIds: string }
  /** Company settings with no one's personal data: the same for every manager. */
  | 'settings';

/**
 * The allow-list of /api/v1/tools per role (rep < manager < admin), and what the backend checks first.
 * - anyone: company settings the extension needs, or writes about a prospect's timeline.
 * - user: `field` names a Gong user by email (absent = the caller): a rep names themself, a manager their
 *   team, an admin anyone.
 * - item: the tool names an item; a rep acts on their own, a manager on their team's, an admin on any.
 * - company: a company-wide read: not for reps; managers within `manager` (or not at all), admins all.
 */
export type ToolAccess =
  | { rule: 'anyone' }
  | { rule: 'user'; field: string }
  | { rule: 'item'; item: OwnedItem }
  | { rule: 'company'; manager: TeamLimit | 'none' };

export const toolAccess: Record<GongToolName, ToolAccess> = {
  gong_call_outcomes_list: { rule: 'anyone' },
  gong_calls_create: { rule: 'item', item: 'callParties' },
  gong_calls_get: { rule: 'item', item: 'call' },
  gong_calls_list: { rule: 'company', manager: { answer: 'calls', userId: 'primaryUserId' } },
  gong_calls_transcript_get: { rule: 'item', item: 'call' },
  gong_coaching_get: { rule: 'company', manager: { answer: 'coachingData', userId: 'manager.id' } },
  gong_engage_digital_interactions_create: { rule: 'anyone' },
  gong_engage_email_activity_report: { rule: 'anyone' },
  gong_engage_flow_content_override: { rule: 'item', item: 'flowInstance' },
  gong_engage_flow_folders_list: { rule: 'user', field: 'flow_owner_email' },
  gong_engage_flows_list: { rule: 'user', field: 'flow_owner_email' },
  gong_engage_prospects_assign: { rule: 'user', field: 'flow_instance_owner_email' },
  gong_engage_prospects_assign_cool_off_override: { rule: 'user', field: 'flow_instance_owner_email' },
  gong_engage_prospects_bulk_assign: { rule: 'user', field: 'flow_instance_owner_email' },
  gong_engage_prospects_bulk_assign_status: { rule: 'item', item: 'bulkAssignment' },
  gong_engage_prospects_flows_list: { rule: 'anyone' },
  gong_engage_prospects_unassign: { rule: 'item', item: 'prospectInFlow' },
  gong_engage_prospects_unassign_by_instance: { rule: 'item', item: 'flowInstance' },
  gong_engage_task_complete: { rule: 'item', item: 'task' },
  gong_engage_task_skip: { rule: 'item', item: 'task' },
  gong_engage_tasks_list: { rule: 'user', field: 'assignee_email' },
  gong_engage_users_list: { rule: 'company', manager: { answer: 'users', userId: 'id' } },
  gong_engage_workspaces_list: { rule: 'anyone' },
  gong_library_folder_content_get: { rule: 'company', manager: 'settings' },
  gong_library_folders_list: { rule: 'company', manager: 'settings' },
  gong_scorecards_list: { rule: 'company', manager: 'settings' },
  gong_stats_interaction: { rule: 'company', manager: { inputCallIds: 'call_ids' } },
  gong_stats_user_actions: { rule: 'company', manager: { inputUserIds: 'user_ids' } },
  gong_trackers_list: { rule: 'company', manager: 'settings' },
  gong_users_get: { rule: 'company', manager: { inputUserIds: 'user_ids' } },
  gong_users_list: { rule: 'company', manager: { answer: 'users', userId: 'id' } },
};

/** Whether `role` may run `tool` at all (the item, user and team checks come after). */
export function toolAllowedFor(role: Role, tool: GongToolName): boolean {
  const access = toolAccess[tool];
  if (access.rule !== 'company') return true;
  if (role === 'admin') return true;
  return role === 'manager' && access.manager !== 'none';
}

/**
 * The connector page caps its assign, unassign and prospect-flows tools at this many prospects per call;
 * the backend uses it for flows lookups (POST /v2/flows/prospects states no lower limit). Assign itself
 * goes ≤ GONG_ASSIGN_PROSPECTS_PER_CALL (100) a call: Gong's own, lower cap.
 */
export const GONG_MAX_PROSPECTS_PER_CALL = 200;
/** Gong's documented per-company limits. */
export const GONG_CALLS_PER_SECOND = 3;
export const GONG_CALLS_PER_DAY = 10_000;

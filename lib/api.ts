/**
 * The companion backend's HTTP API: one zod schema per request and response, shared by the backend's
 * routes (validation + OpenAPI) and the extension's client. A shape is written here once.
 */
import { z } from 'zod';
import { CRM_PROSPECT_ID } from './crm-record';
import { GONG_MAX_PROSPECTS_PER_CALL, ROLES, httpUrl } from './gong-tools';

export { API_PREFIX, IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_RETENTION_DAYS, SIGN_IN_START_PATH } from './api-paths';

// ── Errors ─────────────────────────────────────────────────────────────────────────────────────────
export const errorCodes = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_REQUEST',
  'VALIDATION_FAILED',
  'UNKNOWN_TOOL',
  'GONG_NOT_CONNECTED',
  /** Gong refused the rep's connection the action (a missing scope or permission in Gong): Gong's words follow. */
  'GONG_FORBIDDEN',
  'GONG_REFUSED',
  'GONG_NOT_FOUND',
  'GONG_RATE_LIMITED',
  'GONG_UNAVAILABLE',
  /** Gong answered in a shape the backend cannot read (a required key missing or of another type). */
  'GONG_UNEXPECTED_ANSWER',
  'TOO_MANY_REQUESTS',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'CONFLICT',
  'INTERNAL',
] as const;
export const errorCode = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof errorCode>;

export const connectionStatus = z.enum([
  'ACTIVE',
  'EXPIRED',
  'PENDING_AUTH',
  'PENDING_VERIFICATION',
  'DISCONNECTED',
  'NOT_CONNECTED',
  'UNKNOWN',
]);
export type ConnectionStatus = z.infer<typeof connectionStatus>;

export const apiError = z.object({
  error: z.object({
    code: errorCode,
    message: z.string(),
    /** Per-field problems for VALIDATION_FAILED. */
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    /** Seconds to wait before retrying (rate limits). */
    retryAfter: z.number().optional(),
    /** GONG_NOT_CONNECTED: the rep's connected account as Scalekit reports it, when known. */
    connectionStatus: connectionStatus.optional(),
    /** UNAUTHENTICATED for a token that was good once: the extension forgets it and asks to sign in again. */
    reason: z.enum(['revoked', 'expired']).optional(),
  }),
});
/** Why a token that once worked is refused: revoked (signed out, or the person revoked by an admin) or expired. */
export type TokenRefusal = NonNullable<z.infer<typeof apiError>['error']['reason']>;
export type ApiError = z.infer<typeof apiError>;

// ── Common pieces ──────────────────────────────────────────────────────────────────────────────────
export const crmProspectId = z
  .string()
  .regex(CRM_PROSPECT_ID, 'must be an 18-character Salesforce id or a numeric HubSpot id');
export const entityId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an id (letters, digits, - or _)');
export const isoDateTime = z.iso.datetime({ offset: true });

export const health = z.object({ ok: z.literal(true), mode: z.enum(['sandbox', 'scalekit']), version: z.string() });
export type Health = z.infer<typeof health>;

export const connection = z.object({
  status: connectionStatus,
  identifier: z.string(),
  connectionName: z.string(),
});
export type Connection = z.infer<typeof connection>;
export const connectionLink = z.object({ link: z.string().url(), expiresAt: z.string().nullable() });
export type ConnectionLink = z.infer<typeof connectionLink>;

// ── Flows ──────────────────────────────────────────────────────────────────────────────────────────
export const flowVisibility = z.enum(['COMPANY', 'PERSONAL', 'SHARED']);
export const flow = z.object({
  id: z.string(),
  name: z.string(),
  folderId: z.string().nullable(),
  folderName: z.string().nullable(),
  visibility: flowVisibility,
  exclusive: z.boolean(),
});
export type Flow = z.infer<typeof flow>;
export const flowList = z.object({ flows: z.array(flow) });
export type FlowList = z.infer<typeof flowList>;

export const flowFolder = z.object({ id: z.string(), name: z.string(), visibility: flowVisibility });
export const flowFolderList = z.object({ folders: z.array(flowFolder) });
export type FlowFolderList = z.infer<typeof flowFolderList>;

export const workspaceList = z.object({ workspaces: z.array(z.object({ id: z.string(), name: z.string() })) });
export type WorkspaceList = z.infer<typeof workspaceList>;

export const prospectFlow = z.object({
  flowId: z.string(),
  flowName: z.string(),
  crmProspectId: z.string(),
  flowInstanceId: z.string().nullable(),
  status: z.string(),
  ownerEmail: z.string().nullable(),
  ownerName: z.string().nullable(),
  assignedAt: z.string().nullable(),
});
export type ProspectFlow = z.infer<typeof prospectFlow>;
export const prospectFlows = z.object({ crmProspectId: z.string(), flows: z.array(prospectFlow) });
export type ProspectFlows = z.infer<typeof prospectFlows>;
/**
 * A flow this prospect is no longer open in, as this backend's own audit knows it: its last write through the
 * backend (assigned, or removed), by whom and when. Not Gong data: Gong lists only open flows by CRM id.
 */
export const flowHistoryEntry = z.object({
  flowId: z.string(),
  flowName: z.string().nullable(),
  action: z.enum(['assigned', 'removed']),
  at: z.string(),
  /** Email of the user who made the write through this backend. */
  by: z.string(),
  byYou: z.boolean(),
});
export type FlowHistoryEntry = z.infer<typeof flowHistoryEntry>;
/** One prospect's open flows (Gong) and its history of writes through this backend (newest first, ≤ 10). */
export const prospectFlowsWithHistory = prospectFlows.extend({ history: z.array(flowHistoryEntry) });
export type ProspectFlowsWithHistory = z.infer<typeof prospectFlowsWithHistory>;

export const prospectParams = z.object({ crmId: crmProspectId });
/** Flows of many prospects in one Gong call (list views prefetch their rows; warms the backend cache). */
export const prospectFlowsLookupRequest = z.strictObject({
  crmProspectIds: z.array(crmProspectId).min(1).max(GONG_MAX_PROSPECTS_PER_CALL),
});
export const prospectFlowsLookup = z.object({ prospects: z.array(prospectFlows) });
export type ProspectFlowsLookup = z.infer<typeof prospectFlowsLookup>;

export const flowParams = z.object({ flowId: entityId });

export const assignRequest = z.strictObject({
  crmProspectIds: z.array(crmProspectId).min(1).max(10_000),
  /** Re-enrol prospects still in their cool-off period. */
  coolOffOverride: z.boolean().optional(),
  /** Owner of the flow's to-dos; defaults to the calling rep. */
  flowInstanceOwnerEmail: z.email().optional(),
});
export type AssignRequest = z.infer<typeof assignRequest>;

export const refusal = z.object({
  crmProspectId: z.string(),
  /** Gong's code: InvalidArgument, InvalidState, UnexpectedError, … */
  code: z.string(),
  message: z.string(),
  /** True when Gong refused because of the cool-off period (an override can assign anyway). */
  coolOff: z.boolean(),
});
export type Refusal = z.infer<typeof refusal>;
export const assignResult = z.object({ assigned: z.array(prospectFlow), notAssigned: z.array(refusal) });
export type AssignResult = z.infer<typeof assignResult>;
export const jobAccepted = z.object({ jobId: z.string() });
/** What POST /flows/:flowId/assign answers: the results (200), or a job to poll (202). */
export const assignAnswer = z.union([assignResult, jobAccepted]);
export type JobAccepted = z.infer<typeof jobAccepted>;

export const unassignRequest = z.strictObject({
  crmProspectIds: z.array(crmProspectId).min(1).max(GONG_MAX_PROSPECTS_PER_CALL),
});
export type UnassignRequest = z.infer<typeof unassignRequest>;
export const unassignResult = z.object({ unassigned: z.array(z.string()), notUnassigned: z.array(refusal) });
export type UnassignResult = z.infer<typeof unassignResult>;

// ── Jobs (bulk assignment) ─────────────────────────────────────────────────────────────────────────
export const jobStatus = z.enum(['PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED']);
export const job = z.object({
  id: z.string(),
  kind: z.literal('assign'),
  flowId: z.string(),
  status: jobStatus,
  total: z.number(),
  processed: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  results: z.array(
    z.object({
      crmProspectId: z.string(),
      ok: z.boolean(),
      code: z.string().nullable(),
      message: z.string().nullable(),
      /** Refused for the cool-off period: an override can assign it anyway. */
      coolOff: z.boolean(),
    }),
  ),
  createdAt: z.string(),
  updatedAt: z.string(),
  error: z.string().nullable(),
});
export type Job = z.infer<typeof job>;
export const jobParams = z.object({ jobId: entityId });
/** `?results=0`: progress only (status and counts, no per-prospect results), cheap to poll for a large job. */
export const jobQuery = z.object({ results: z.enum(['0', '1']).optional() });
export const jobProgress = job.omit({ results: true });
export type JobProgress = z.infer<typeof jobProgress>;

// ── Calls ──────────────────────────────────────────────────────────────────────────────────────────
export const callParty = z.object({
  name: z.string().nullable(),
  email: z.string().nullable(),
  affiliation: z.enum(['Internal', 'External', 'Unknown']),
});
export const callSummary = z.object({
  id: z.string(),
  startedAt: z.string(),
  title: z.string(),
  durationSeconds: z.number(),
  direction: z.string().nullable(),
  parties: z.array(callParty),
  gongUrl: z.string().nullable(),
  transcriptPreview: z.array(z.object({ speaker: z.string(), text: z.string() })),
  /** Share of talk time by the rep's side, 0..1; null when Gong has no interaction stats. */
  talkRatio: z.number().nullable(),
  matchedBy: z.enum(['crmId', 'email']),
});
export type CallSummary = z.infer<typeof callSummary>;
/** The windows the calls route takes: each is one company-wide index to keep, so there are few. */
export const CALL_WINDOWS_DAYS = [7, 30, 90, 180, 365] as const;
export const callsQuery = z.object({
  email: z.email().optional(),
  days: z.coerce
    .number()
    .refine((d) => (CALL_WINDOWS_DAYS as readonly number[]).includes(d), `must be one of ${CALL_WINDOWS_DAYS.join(', ')}`)
    .default(90),
});
export const prospectCalls = z.object({ crmProspectId: z.string(), calls: z.array(callSummary) });
export type ProspectCalls = z.infer<typeof prospectCalls>;

// ── Tasks ──────────────────────────────────────────────────────────────────────────────────────────
export const taskType = z.enum(['call', 'email', 'linkedin', 'other']);
export type TaskType = z.infer<typeof taskType>;
export const task = z.object({
  id: z.string(),
  type: taskType,
  title: z.string(),
  status: z.enum(['OPEN', 'DONE', 'DISMISSED']),
  dueDate: z.string().nullable(),
  overdue: z.boolean(),
  prospect: z.object({ name: z.string().nullable(), email: z.string().nullable(), crmId: z.string().nullable() }),
  flowName: z.string().nullable(),
});
export type Task = z.infer<typeof task>;
export const tasksQuery = z.object({
  due: z.enum(['today', 'all']).default('today'),
  /** `1`: ask Gong now, past the backend's cache (the popup's Refresh). */
  fresh: z.enum(['0', '1']).optional(),
});
export const taskList = z.object({ tasks: z.array(task) });
export type TaskList = z.infer<typeof taskList>;
export const taskParams = z.object({ taskId: entityId });
export const completeTaskRequest = z.strictObject({ notes: z.string().max(5000).optional() });
export const skipTaskRequest = z.strictObject({ reason: z.string().max(5000).optional() });
export const taskResult = z.object({ task });

// ── Interactions and email activity ────────────────────────────────────────────────────────────────
export const interactionRequest = z
  .strictObject({
    crmProspectId: crmProspectId.optional(),
    prospectEmail: z.email().optional(),
    crmAccountId: entityId.optional(),
    eventName: z.string().trim().min(1).max(200),
    eventTimestamp: isoDateTime,
    url: httpUrl.optional(),
  })
  .refine((r) => r.crmProspectId || r.prospectEmail, { message: 'crmProspectId or prospectEmail is required' });
export type InteractionRequest = z.infer<typeof interactionRequest>;
export const emailActivityRequest = z.strictObject({
  emailId: entityId,
  eventType: z.enum(['EMAIL_OPENED', 'EMAIL_LINK_CLICKED', 'EMAIL_BOUNCED', 'EMAIL_UNSUBSCRIBED', 'EMAIL_REPLIED']),
  eventTimestamp: isoDateTime,
  prospectEmail: z.email(),
  linkUrl: httpUrl.optional(),
});
export const accepted = z.object({ accepted: z.literal(true) });

// ── Usage and generic tools ────────────────────────────────────────────────────────────────────────
export const usage = z.object({
  /** The company's day (UTC): every rep's calls against Gong's daily budget. */
  date: z.string(),
  gongCalls: z.number(),
  dailyBudget: z.number(),
  remaining: z.number(),
  /** The caller's own calls today and their share of the budget. */
  you: z.object({ email: z.string(), gongCalls: z.number(), dailyShare: z.number(), remaining: z.number() }),
  /** Admins only: every rep who called Gong today, busiest first. */
  reps: z.array(z.object({ email: z.string(), gongCalls: z.number() })).optional(),
});
export type Usage = z.infer<typeof usage>;
export const toolParams = z.object({ toolName: z.string().max(100) });
export const toolResult = z.object({ executionId: z.string(), data: z.unknown() });
export type ToolResult = z.infer<typeof toolResult>;


// ── Sign-in (SSO) and the caller's session ─────────────────────────────────────────────────────────
export const me = z.object({
  email: z.string(),
  role: z.enum(ROLES),
  /** How this request authenticated: a device token from SSO sign-in, or an API token from the CLI. */
  signedInWith: z.enum(['sso', 'token']),
  /** When the device token expires (it slides forward with use); null for an API token. */
  expiresAt: z.string().nullable(),
});
export type Me = z.infer<typeof me>;
export const signOutResult = z.object({ revoked: z.boolean() });
export type SignOutResult = z.infer<typeof signOutResult>;

// ── Admin console (admin role only) ────────────────────────────────────────────────────────────────
export const adminPerson = z.object({
  id: z.number(),
  email: z.string(),
  role: z.enum(ROLES),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  /** The person's Gong connection at Scalekit. */
  gong: connectionStatus,
  /** Extension sign-ins (device tokens) currently valid. */
  activeSignIns: z.number(),
});
export type AdminPerson = z.infer<typeof adminPerson>;
export const adminPeople = z.object({ people: z.array(adminPerson) });
export const adminPersonParams = z.object({ userId: z.coerce.number().int().positive() });
export const adminRoleRequest = z.strictObject({ role: z.enum(ROLES) });
export const adminAuditQuery = z.object({
  user: z.email().optional(),
  action: z.string().max(100).optional(),
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  /** Page: entries older than this id (the previous page's nextBefore). */
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export const adminAuditEntry = z.object({
  id: z.number(),
  at: z.string(),
  userEmail: z.string().nullable(),
  /** The Gong tool, or what the person did (sign-in, sign-out, role-change, revoke, …). */
  action: z.string(),
  route: z.string(),
  outcome: z.string(),
});
export type AdminAuditEntry = z.infer<typeof adminAuditEntry>;
export const adminAuditPage = z.object({ entries: z.array(adminAuditEntry), nextBefore: z.number().nullable(), actions: z.array(z.string()) });
export type AdminAuditPage = z.infer<typeof adminAuditPage>;
const usageDay = z.object({ date: z.string(), gongCalls: z.number() });
export const adminUsage = z.object({
  dailyBudget: z.number(),
  /** Each rep's daily share of the budget (GONG_DAILY_CALLS_PER_REP, or the budget shared by the active users). */
  dailyShare: z.number(),
  days: z.array(usageDay),
  /** Every rep who used Gong in those days, with their calls per day (same dates as `days`). */
  reps: z.array(z.object({ identifier: z.string(), days: z.array(usageDay) })),
});
export type AdminUsage = z.infer<typeof adminUsage>;
export const adminJob = z.object({
  id: z.string(),
  userEmail: z.string(),
  flowId: z.string(),
  status: jobStatus,
  total: z.number(),
  processed: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AdminJob = z.infer<typeof adminJob>;
export const adminJobs = z.object({ open: z.array(adminJob), recent: z.array(adminJob) });
export type AdminJobs = z.infer<typeof adminJobs>;

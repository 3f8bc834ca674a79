/**
 * Typed client of the companion backend, used by every extension part. Validates answers with the
 * same zod schemas the backend uses, and turns every failure into a BackendError the UI can explain.
 */
import { z } from 'zod';
import * as api from './api';

export type BackendErrorKind =
  /** Network failure, timeout, or no backend at that URL. Writes are retried. */
  | 'unreachable'
  /** 5xx or 429: the backend or Gong is struggling. Writes are retried. */
  | 'unavailable'
  /** 4xx: the request itself was refused. Shown, never retried. */
  | 'refused';

export class BackendError extends Error {
  /** GONG_NOT_CONNECTED: the rep's Gong account as the backend saw it (EXPIRED, DISCONNECTED, …), when it said. */
  readonly connectionStatus: api.ConnectionStatus | null;
  /** UNAUTHENTICATED: the token was good once and is not any more (revoked: signed out or by an admin; expired). */
  readonly reason: api.TokenRefusal | null;
  constructor(
    readonly kind: BackendErrorKind,
    readonly code: api.ErrorCode | 'NETWORK' | 'BAD_RESPONSE',
    message: string,
    readonly status: number | null = null,
    readonly retryAfter: number | null = null,
    /** What the error body adds: the Gong account's status (GONG_NOT_CONNECTED), why a once-good token is refused (UNAUTHENTICATED). */
    extra: Pick<api.ApiError['error'], 'connectionStatus' | 'reason'> = {},
  ) {
    super(message);
    this.name = 'BackendError';
    this.connectionStatus = extra.connectionStatus ?? null;
    this.reason = extra.reason ?? null;
  }
  get retryable(): boolean {
    return this.kind !== 'refused';
  }
}

export interface BackendClientOptions {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

type Method = 'GET' | 'POST';

export function createBackendClient(opts: BackendClientOptions) {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const timeoutMs = opts.timeoutMs ?? 15_000;

  async function call<S extends z.ZodType>(
    method: Method,
    path: string,
    schema: S,
    init: { body?: unknown; idempotencyKey?: string; auth?: boolean } = {},
  ): Promise<{ status: number; data: z.infer<S> }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (init.auth !== false) headers.authorization = `Bearer ${opts.token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.idempotencyKey) headers[api.IDEMPOTENCY_HEADER] = init.idempotencyKey;
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      throw new BackendError('unreachable', 'NETWORK', `Can't reach the Gong backend at ${base}.`);
    }
    let json: unknown = null;
    try {
      json = await res.json();
    } catch {
      /* handled below */
    }
    if (!res.ok) {
      const parsed = api.apiError.safeParse(json);
      const retryAfterHeader = Number(res.headers.get('retry-after'));
      const retryAfter = parsed.success && parsed.data.error.retryAfter != null ? parsed.data.error.retryAfter : Number.isFinite(retryAfterHeader) && retryAfterHeader > 0 ? retryAfterHeader : null;
      const kind: BackendErrorKind = res.status >= 500 || res.status === 429 ? 'unavailable' : 'refused';
      if (parsed.success) {
        const { code, message, connectionStatus, reason } = parsed.data.error;
        throw new BackendError(kind, code, message, res.status, retryAfter, { connectionStatus, reason });
      }
      throw new BackendError(kind, 'BAD_RESPONSE', `The backend answered ${res.status}.`, res.status, retryAfter);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new BackendError('unavailable', 'BAD_RESPONSE', 'The backend sent an answer this extension does not understand. Is it up to date?', res.status);
    return { status: res.status, data: parsed.data };
  }

  const enc = encodeURIComponent;
  const get = async <S extends z.ZodType>(path: string, schema: S) => (await call('GET', path, schema)).data;
  const post = async <S extends z.ZodType>(path: string, schema: S, body: unknown, idempotencyKey?: string) =>
    (await call('POST', path, schema, { body, idempotencyKey })).data;
  const P = api.API_PREFIX;

  return {
    baseUrl: base,
    health: async () => (await call('GET', '/healthz', api.health, { auth: false })).data,
    me: () => get(`${P}/me`, api.me),
    signOut: () => post(`${P}/sign-out`, api.signOutResult, {}),
    admin: {
      people: () => get(`${P}/admin/people`, api.adminPeople),
      setRole: (userId: number, role: api.AdminPerson['role']) => post(`${P}/admin/people/${userId}/role`, api.adminPerson, { role }),
      revoke: (userId: number) => post(`${P}/admin/people/${userId}/revoke`, api.adminPerson, {}),
      audit: (q: { user?: string; action?: string; from?: string; to?: string; before?: number; limit?: number }) => {
        const qs = new URLSearchParams();
        for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') qs.set(k, String(v));
        return get(`${P}/admin/audit?${qs}`, api.adminAuditPage);
      },
      usage: () => get(`${P}/admin/usage`, api.adminUsage),
      jobs: () => get(`${P}/admin/jobs`, api.adminJobs),
    },
    connection: () => get(`${P}/connection`, api.connection),
    connectionLink: () => post(`${P}/connection/link`, api.connectionLink, {}),
    prospectFlows: (crmId: string) => get(`${P}/prospects/${enc(crmId)}/flows`, api.prospectFlowsWithHistory),
    /** POST /prospects/flows/lookup: up to 200 prospects' flows in one Gong call (a read, not a write). */
    prospectFlowsLookup: (crmProspectIds: string[]) => post(`${P}/prospects/flows/lookup`, api.prospectFlowsLookup, { crmProspectIds }),
    prospectCalls: (crmId: string, q: { email?: string; days?: number } = {}) => {
      const qs = new URLSearchParams();
      if (q.email) qs.set('email', q.email);
      if (q.days) qs.set('days', String(q.days));
      const s = qs.toString();
      return get(`${P}/prospects/${enc(crmId)}/calls${s ? `?${s}` : ''}`, api.prospectCalls);
    },
    flows: () => get(`${P}/flows`, api.flowList),
    flowFolders: () => get(`${P}/flows/folders`, api.flowFolderList),
    workspaces: () => get(`${P}/workspaces`, api.workspaceList),
    /** Up to 200 prospects answer at once; more answer 202 with a job to poll. */
    assign: async (flowId: string, body: api.AssignRequest, idempotencyKey?: string) => {
      const r = await call('POST', `${P}/flows/${enc(flowId)}/assign`, z.union([api.assignResult, api.jobAccepted]), { body, idempotencyKey });
      return r.data;
    },
    unassign: (flowId: string, body: api.UnassignRequest, idempotencyKey?: string) =>
      post(`${P}/flows/${enc(flowId)}/unassign`, api.unassignResult, body, idempotencyKey),
    job: (jobId: string) => get(`${P}/jobs/${enc(jobId)}`, api.job),
    /** Status and counts only (no per-prospect results): for polling a large job often. */
    jobProgress: (jobId: string) => get(`${P}/jobs/${enc(jobId)}?results=0`, api.jobProgress),
    /** `fresh`: past the backend's cache, for a rep who asked to refresh. */
    tasks: (due: 'today' | 'all' = 'today', opts: { fresh?: boolean } = {}) => get(`${P}/tasks?due=${due}${opts.fresh ? '&fresh=1' : ''}`, api.taskList),
    completeTask: (taskId: string, body: { notes?: string }, idempotencyKey?: string) =>
      post(`${P}/tasks/${enc(taskId)}/complete`, api.taskResult, body, idempotencyKey),
    skipTask: (taskId: string, body: { reason?: string }, idempotencyKey?: string) =>
      post(`${P}/tasks/${enc(taskId)}/skip`, api.taskResult, body, idempotencyKey),
    reportInteraction: (body: api.InteractionRequest, idempotencyKey?: string) => post(`${P}/interactions`, api.accepted, body, idempotencyKey),
    usage: () => get(`${P}/usage`, api.usage),
  };
}

export type BackendClient = ReturnType<typeof createBackendClient>;

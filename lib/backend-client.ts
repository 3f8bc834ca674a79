/**
 * Typed client of the companion backend, used by every extension part. Validates answers with the
 * same zod schemas the backend uses, and turns every failure into a BackendError the UI can explain.
 * The schemas (lib/api.ts, with zod: ~40% of the side panel's JavaScript) are imported when the first answer
 * arrives (loadApiSchemas), so that a page's first render does not wait for them (issue 15's cold open).
 */
import type { z } from 'zod';
import type * as api from './api';
import { API_PREFIX, IDEMPOTENCY_HEADER } from './api-paths';
import { BackendError, type BackendErrorKind } from './backend-error';

type Api = typeof api;
let schemas: Promise<Api> | undefined;

/**
 * For the service worker: a worker may not `import()` (HTML spec; Chromium rejects it), so the background hands
 * over the schemas it imports statically. Extension pages import them on first use instead.
 */
export function provideApiSchemas(loaded: Api): void {
  schemas = Promise.resolve(loaded);
}

/**
 * lib/api.ts, imported once per page (again after a failed import): on the first answer, or earlier when the page
 * asks (the side panel, right after its first frame).
 */
export const loadApiSchemas = (): Promise<Api> =>
  (schemas ??= import('./api').catch((err: unknown) => {
    schemas = undefined;
    throw err;
  }));

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
    /** The answer's schema, from lib/api.ts once it has loaded. */
    schemaOf: (a: Api) => S,
    init: { body?: unknown; idempotencyKey?: string; auth?: boolean } = {},
  ): Promise<{ status: number; data: z.infer<S> }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (init.auth !== false) headers.authorization = `Bearer ${opts.token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.idempotencyKey) headers[IDEMPOTENCY_HEADER] = init.idempotencyKey;
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
    const loading = loadApiSchemas();
    let json: unknown = null;
    try {
      json = await res.json();
    } catch {
      /* handled below */
    }
    const a = await loading;
    if (!res.ok) {
      const parsed = a.apiError.safeParse(json);
      const retryAfterHeader = Number(res.headers.get('retry-after'));
      const retryAfter = parsed.success && parsed.data.error.retryAfter != null ? parsed.data.error.retryAfter : Number.isFinite(retryAfterHeader) && retryAfterHeader > 0 ? retryAfterHeader : null;
      const kind: BackendErrorKind = res.status >= 500 || res.status === 429 ? 'unavailable' : 'refused';
      if (parsed.success) {
        const { code, message, connectionStatus, reason } = parsed.data.error;
        throw new BackendError(kind, code, message, res.status, retryAfter, { connectionStatus, reason });
      }
      throw new BackendError(kind, 'BAD_RESPONSE', `The backend answered ${res.status}.`, res.status, retryAfter);
    }
    const parsed = schemaOf(a).safeParse(json);
    if (!parsed.success) throw new BackendError('unavailable', 'BAD_RESPONSE', 'The backend sent an answer this extension does not understand. Is it up to date?', res.status);
    return { status: res.status, data: parsed.data };
  }

  const enc = encodeURIComponent;
  const get = async <S extends z.ZodType>(path: string, schemaOf: (a: Api) => S) => (await call('GET', path, schemaOf)).data;
  const post = async <S extends z.ZodType>(path: string, schemaOf: (a: Api) => S, body: unknown, idempotencyKey?: string) =>
    (await call('POST', path, schemaOf, { body, idempotencyKey })).data;
  const P = API_PREFIX;

  return {
    baseUrl: base,
    health: async () => (await call('GET', '/healthz', (a) => a.health, { auth: false })).data,
    me: () => get(`${P}/me`, (a) => a.me),
    signOut: () => post(`${P}/sign-out`, (a) => a.signOutResult, {}),
    admin: {
      people: () => get(`${P}/admin/people`, (a) => a.adminPeople),
      setRole: (userId: number, role: api.AdminPerson['role']) => post(`${P}/admin/people/${userId}/role`, (a) => a.adminPerson, { role }),
      revoke: (userId: number) => post(`${P}/admin/people/${userId}/revoke`, (a) => a.adminPerson, {}),
      audit: (q: { user?: string; action?: string; from?: string; to?: string; before?: number; limit?: number }) => {
        const qs = new URLSearchParams();
        for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') qs.set(k, String(v));
        return get(`${P}/admin/audit?${qs}`, (a) => a.adminAuditPage);
      },
      usage: () => get(`${P}/admin/usage`, (a) => a.adminUsage),
      jobs: () => get(`${P}/admin/jobs`, (a) => a.adminJobs),
    },
    connection: () => get(`${P}/connection`, (a) => a.connection),
    connectionLink: () => post(`${P}/connection/link`, (a) => a.connectionLink, {}),
    prospectFlows: (crmId: string) => get(`${P}/prospects/${enc(crmId)}/flows`, (a) => a.prospectFlowsWithHistory),
    /** POST /prospects/flows/lookup: up to 200 prospects' flows in one Gong call (a read, not a write). */
    prospectFlowsLookup: (crmProspectIds: string[]) => post(`${P}/prospects/flows/lookup`, (a) => a.prospectFlowsLookup, { crmProspectIds }),
    prospectCalls: (crmId: string, q: { email?: string; days?: number } = {}) => {
      const qs = new URLSearchParams();
      if (q.email) qs.set('email', q.email);
      if (q.days) qs.set('days', String(q.days));
      const s = qs.toString();
      return get(`${P}/prospects/${enc(crmId)}/calls${s ? `?${s}` : ''}`, (a) => a.prospectCalls);
    },
    flows: () => get(`${P}/flows`, (a) => a.flowList),
    flowFolders: () => get(`${P}/flows/folders`, (a) => a.flowFolderList),
    workspaces: () => get(`${P}/workspaces`, (a) => a.workspaceList),
    /** Up to 200 prospects answer at once; more answer 202 with a job to poll. */
    assign: async (flowId: string, body: api.AssignRequest, idempotencyKey?: string) => {
      const r = await call('POST', `${P}/flows/${enc(flowId)}/assign`, (a) => a.assignAnswer, { body, idempotencyKey });
      return r.data;
    },
    unassign: (flowId: string, body: api.UnassignRequest, idempotencyKey?: string) =>
      post(`${P}/flows/${enc(flowId)}/unassign`, (a) => a.unassignResult, body, idempotencyKey),
    job: (jobId: string) => get(`${P}/jobs/${enc(jobId)}`, (a) => a.job),
    /** Status and counts only (no per-prospect results): for polling a large job often. */
    jobProgress: (jobId: string) => get(`${P}/jobs/${enc(jobId)}?results=0`, (a) => a.jobProgress),
    /** `fresh`: past the backend's cache, for a rep who asked to refresh. */
    tasks: (due: 'today' | 'all' = 'today', opts: { fresh?: boolean } = {}) => get(`${P}/tasks?due=${due}${opts.fresh ? '&fresh=1' : ''}`, (a) => a.taskList),
    completeTask: (taskId: string, body: { notes?: string }, idempotencyKey?: string) =>
      post(`${P}/tasks/${enc(taskId)}/complete`, (a) => a.taskResult, body, idempotencyKey),
    skipTask: (taskId: string, body: { reason?: string }, idempotencyKey?: string) =>
      post(`${P}/tasks/${enc(taskId)}/skip`, (a) => a.taskResult, body, idempotencyKey),
    reportInteraction: (body: api.InteractionRequest, idempotencyKey?: string) => post(`${P}/interactions`, (a) => a.accepted, body, idempotencyKey),
    usage: () => get(`${P}/usage`, (a) => a.usage),
  };
}

export type BackendClient = ReturnType<typeof createBackendClient>;

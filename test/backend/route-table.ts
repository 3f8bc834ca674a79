/** Every API route with a valid sample request, for the auth matrix and the fuzz tests. */
import { SEED } from '../../server/sandbox/gong/seed';

export interface RouteSample {
  method: 'GET' | 'POST';
  /** Fastify route pattern, as in openapi.json. */
  pattern: string;
  path: string;
  body?: unknown;
  write: boolean;
}

export const ROUTES: RouteSample[] = [
  { method: 'GET', pattern: '/api/v1/me', path: '/api/v1/me', write: false },
  { method: 'GET', pattern: '/api/v1/admin/people', path: '/api/v1/admin/people', write: false },
  { method: 'POST', pattern: '/api/v1/admin/people/{userId}/role', path: '/api/v1/admin/people/1/role', body: { role: 'rep' }, write: false },
  { method: 'POST', pattern: '/api/v1/admin/people/{userId}/revoke', path: '/api/v1/admin/people/1/revoke', body: {}, write: false },
  { method: 'GET', pattern: '/api/v1/admin/audit', path: '/api/v1/admin/audit?limit=5', write: false },
  { method: 'GET', pattern: '/api/v1/admin/usage', path: '/api/v1/admin/usage', write: false },
  { method: 'GET', pattern: '/api/v1/admin/jobs', path: '/api/v1/admin/jobs', write: false },
  { method: 'POST', pattern: '/api/v1/sign-out', path: '/api/v1/sign-out', body: {}, write: false },
  { method: 'GET', pattern: '/api/v1/connection', path: '/api/v1/connection', write: false },
  { method: 'POST', pattern: '/api/v1/connection/link', path: '/api/v1/connection/link', body: {}, write: false },
  { method: 'GET', pattern: '/api/v1/flows', path: '/api/v1/flows', write: false },
  { method: 'GET', pattern: '/api/v1/flows/folders', path: '/api/v1/flows/folders', write: false },
  { method: 'GET', pattern: '/api/v1/workspaces', path: '/api/v1/workspaces', write: false },
  { method: 'GET', pattern: '/api/v1/prospects/{crmId}/flows', path: `/api/v1/prospects/${SEED.sfContactWithFlows}/flows`, write: false },
  { method: 'POST', pattern: '/api/v1/prospects/flows/lookup', path: '/api/v1/prospects/flows/lookup', body: { crmProspectIds: [SEED.sfContactWithFlows] }, write: false },
  { method: 'GET', pattern: '/api/v1/prospects/{crmId}/calls', path: `/api/v1/prospects/${SEED.sfContactWithFlows}/calls?days=30`, write: false },
  { method: 'POST', pattern: '/api/v1/flows/{flowId}/assign', path: `/api/v1/flows/${SEED.flowId}/assign`, body: { crmProspectIds: [SEED.sfContactNoFlows] }, write: true },
  { method: 'POST', pattern: '/api/v1/flows/{flowId}/unassign', path: `/api/v1/flows/${SEED.flowId}/unassign`, body: { crmProspectIds: [SEED.sfContactWithFlows] }, write: true },
  { method: 'GET', pattern: '/api/v1/jobs/{jobId}', path: '/api/v1/jobs/job_0123456789abcdef01234567', write: false },
  { method: 'GET', pattern: '/api/v1/tasks', path: '/api/v1/tasks?due=today', write: false },
  { method: 'POST', pattern: '/api/v1/tasks/{taskId}/complete', path: `/api/v1/tasks/${SEED.openTaskId}/complete`, body: { notes: 'x' }, write: true },
  { method: 'POST', pattern: '/api/v1/tasks/{taskId}/skip', path: `/api/v1/tasks/${SEED.openTaskId}/skip`, body: { reason: 'x' }, write: true },
  { method: 'POST', pattern: '/api/v1/interactions', path: '/api/v1/interactions', body: { crmProspectId: SEED.sfContactWithFlows, eventName: 'Visit', eventTimestamp: '2026-01-01T00:00:00Z' }, write: true },
  { method: 'POST', pattern: '/api/v1/email-activity', path: '/api/v1/email-activity', body: { emailId: 'e1', eventType: 'EMAIL_OPENED', eventTimestamp: '2026-01-01T00:00:00Z', prospectEmail: 'a@example.com' }, write: true },
  { method: 'GET', pattern: '/api/v1/usage', path: '/api/v1/usage', write: false },
  { method: 'POST', pattern: '/api/v1/tools/{toolName}', path: '/api/v1/tools/gong_engage_workspaces_list', body: {}, write: false },
];

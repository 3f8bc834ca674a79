/** Everything a route needs, built once by startBackend. */
import type { FastifyRequest } from 'fastify';
import type { BackendConfig } from './config';
import type { GongConnections } from './gong/connection';
import type { GongGateway } from './gong/gateway';
import { GongSession } from './gong/session';
import { requireUser } from './http/request-context';
import type { JobRunner } from './jobs/job-runner';
import type { JobStore } from './jobs/job-store';
import type { AuditLog } from './store/audit';
import type { IdempotencyStore } from './store/idempotency';
import type { GongLinkRequests } from './sso/gong-links';
import type { SessionStore } from './store/sessions';
import type { SeenItems } from './store/seen-items';
import type { UserStore } from './store/users';
import type { CallsIndex } from './services/calls';
import type { ProspectFlowsCache } from './services/prospect-flows';
import type { CompanyDirectory } from './services/scope';

export interface AppContext {
  config: BackendConfig;
  version: string;
  users: UserStore;
  sessions: SessionStore;
  audit: AuditLog;
  idempotency: IdempotencyStore;
  gateway: GongGateway;
  connections: GongConnections;
  jobs: JobStore;
  jobRunner: JobRunner;
  prospectFlows: ProspectFlowsCache;
  callsIndex: CallsIndex;
  /** Gong connect links awaiting user verification. */
  gongLinks: GongLinkRequests;
  /** The backend's address as browsers reach it (PUBLIC_URL, else where it listens). */
  publicUrl: () => string;
  /** Who is on whose team (Gong's user list), for managers' rights. */
  directory: CompanyDirectory;
  /** Owners of flow instances and bulk assignments, as seen in Gong's answers. */
  seen: SeenItems;
}

/** The calling user's Gong session for this request. */
export function sessionFor(ctx: AppContext, req: FastifyRequest): GongSession {
  const user = requireUser(req);
  return new GongSession(ctx, user, req.log, `${req.method} ${req.routeOptions.url ?? req.url}`, req.id);
}

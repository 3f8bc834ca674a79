/**
 * Authentication for /api/v1: `Authorization: Bearer <token>` → the user it was issued to, checked in
 * onRequest so an unauthenticated request is refused before its body is even read. Refusals are
 * written to the access-denials log. A per-user request limit applies after authentication.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { API_PREFIX } from '../../lib/api';
import type { AuditLog } from '../store/audit';
import type { UserStore } from '../store/users';
import { ApiFailure, unauthenticated } from './api-failure';
import { WindowCounter } from './window-counter';
import './request-context';

/** Routes under the API prefix that need no token. */
const PUBLIC_PATHS = new Set([`${API_PREFIX}/openapi.json`]);

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{8,512})$/;

export interface AuthOptions {
  users: UserStore;
  audit: AuditLog;
  perUserPerMinute: number;
}

function routePath(req: FastifyRequest): string {
  return req.routeOptions.url ?? req.url.split('?')[0];
}

export function installAuth(app: FastifyInstance, opts: AuthOptions): void {
  const perUser = new WindowCounter(opts.perUserPerMinute, 60_000);
  app.addHook('onRequest', async (req) => {
    const path = req.url.split('?')[0];
    if (!path.startsWith(`${API_PREFIX}/`) || PUBLIC_PATHS.has(path)) return;
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header.trim()) : null;
    const deny = (reason: string, userId?: number) =>
      opts.audit.denied({ ip: req.ip ?? null, method: req.method, route: routePath(req), reason, userId });
    if (!match) {
      deny(header ? 'malformed-authorization' : 'no-token');
      throw unauthenticated();
    }
    const found = opts.users.authenticate(match[1]);
    if (found === 'revoked') {
      deny('revoked-token');
      throw unauthenticated('This API token has been revoked');
    }
    if (!found) {
      deny('unknown-token');
      throw unauthenticated('This API token is not valid');
    }
    const wait = perUser.hit(String(found.id));
    if (wait > 0) {
      deny('user-rate-limit', found.id);
      throw new ApiFailure(429, 'TOO_MANY_REQUESTS', 'Too many requests from this user; slow down', { retryAfter: wait });
    }
    req.user = found;
    req.log = req.log.child({ user: found.email });
  });
}

/**
 * Role checks (rep < manager < admin, lib/gong-tools.ts ROLES). A refusal is a 403 FORBIDDEN written to
 * the access-denials log, like every other refusal at the door.
 */
import { ROLES, type Role } from '../../lib/gong-tools';
import type { AuditLog } from '../store/audit';
import type { User } from '../store/users';
import { forbidden } from './api-failure';
import { requireUser } from './request-context';

/** Whether `user` has at least the rights of `min`. */
export function hasRole(user: Pick<User, 'role'>, min: Role): boolean {
  return ROLES.indexOf(user.role) >= ROLES.indexOf(min);
}

interface RequestLike {
  id?: string;
  user?: User;
  ip?: string;
  method: string;
  url: string;
  routeOptions?: { url?: string };
}

/** The calling user, if they have at least the role `min`; otherwise records the refusal and throws 403. */
export function requireRole(deps: { audit: AuditLog }, req: RequestLike, min: Role): User {
  const user = requireUser(req);
  if (hasRole(user, min)) return user;
  deps.audit.denied({
    ip: req.ip ?? null,
    method: req.method,
    route: req.routeOptions?.url ?? req.url.split('?')[0],
    reason: `role-required:${min}`,
    userId: user.id,
    requestId: req.id,
  });
  throw forbidden(`This needs the ${min} role; yours is ${user.role}`);
}

/** The same check as a route's preHandler: `{ preHandler: roleGate(ctx, 'admin') }`. */
export const roleGate = (deps: { audit: AuditLog }, min: Role) => async (req: RequestLike) => {
  requireRole(deps, req, min);
};

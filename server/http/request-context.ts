/** What the auth hook attaches to every authenticated request. */
import type { Session } from '../store/sessions';
import type { User } from '../store/users';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every /api/v1 route that needs a user. */
    user?: User;
    /** Set when the request authenticated with a device token from SSO sign-in (not a CLI API token). */
    deviceSession?: Session;
  }
}

export function requireUser(req: { user?: User }): User {
  if (!req.user) throw new Error('route reached without an authenticated user');
  return req.user;
}

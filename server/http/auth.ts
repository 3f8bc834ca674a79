/**
 * Authentication: `Authorization: Bearer <token>` → the user it was issued to, checked in onRequest so an
 * unauthenticated request is refused before its body is even read. The check is bound to the route that
 * matched, never to the URL's text (an encoded or absolute-form target matches the same route): every
 * route needs a token unless it is declared `config: { public: true }`; a path that matches no route is
 * the JSON 404 and reaches nothing. Failed token checks are counted per address and per token prefix;
 * over either limit the token is not even looked at (429), so guesses stop being answered. Refusals are
 * written to the access-denials log. A per-user request limit applies after authentication.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditLog } from '../store/audit';
import { DEVICE_TOKEN_PREFIX, type SessionStore } from '../store/sessions';
import type { User, UserStore } from '../store/users';
import { ApiFailure, unauthenticated } from './api-failure';
import { WindowCounter } from './window-counter';
import './request-context';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without a token (health check, the API description). */
    public?: boolean;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{8,512})$/;
/** Enough of a token to tell one client's stale token from another's (`gek_` + 8 random characters). */
const TOKEN_PREFIX_LENGTH = 12;

export interface AuthOptions {
  users: UserStore;
  sessions: SessionStore;
  audit: AuditLog;
  perUserPerMinute: number;
  failedPerIpPerMinute: number;
  failedPerTokenPrefixPerMinute: number;
}

export function installAuth(app: FastifyInstance, opts: AuthOptions): void {
  const perUser = new WindowCounter(opts.perUserPerMinute, 60_000);
  const failedByIp = new WindowCounter(opts.failedPerIpPerMinute, 60_000);
  const failedByPrefix = new WindowCounter(opts.failedPerTokenPrefixPerMinute, 60_000);
  // Every API request passes here: the way through makes no closure and no promise of its own (under tsx each named
  // closure costs a defineProperty, and on a backend whose requests come seconds apart each costs tens of µs).
  /** A refusal is logged before it is answered; a log that cannot be written does not change the answer. */
  const deny = (req: FastifyRequest, reason: string, userId?: number) =>
    opts.audit
      .denied({ ip: req.ip ?? null, method: req.method, route: req.routeOptions.url ?? req.url, reason, userId, requestId: req.id })
      .catch((err) => req.log.error({ err }, 'access denial not logged'));
  /** A failed token check: counted against the address and the token's prefix, logged, then answered. */
  const failed = async (req: FastifyRequest, prefix: string | undefined, reason: string, failure: ApiFailure) => {
    failedByIp.hit(req.ip ?? 'unknown');
    if (prefix) failedByPrefix.hit(prefix);
    await deny(req, reason);
    return failure;
  };
  const seenNotWritten = (req: FastifyRequest) => (err: unknown) => req.log.warn({ err }, 'last seen not written');
  app.addHook('onRequest', async (req: FastifyRequest) => {
    // No route matched: the 404 handler answers. A CORS preflight never carries credentials.
    // (routeOptions is built anew at each read: read once.)
    const route = req.routeOptions;
    if (route.url === undefined || route.config.public || req.method === 'OPTIONS') return;
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header.trim()) : null;
    const prefix = match ? match[1].slice(0, TOKEN_PREFIX_LENGTH) : undefined;
    if (header !== undefined) {
      const ip = req.ip ?? 'unknown';
      const wait = Math.max(failedByIp.over(ip), prefix ? failedByPrefix.over(prefix) : 0);
      if (wait > 0) {
        await deny(req, 'failed-auth-rate-limit');
        throw new ApiFailure(429, 'TOO_MANY_REQUESTS', 'Too many failed token checks; slow down', { retryAfter: wait });
      }
    }
    if (!match) {
      if (header === undefined) {
        await deny(req, 'no-token');
        throw unauthenticated();
      }
      throw await failed(req, prefix, 'malformed-authorization', unauthenticated());
    }
    const token = match[1];
    let found: User | 'revoked' | 'expired' | undefined;
    if (token.startsWith(DEVICE_TOKEN_PREFIX)) {
      // A device token from SSO sign-in: its session and its person must both be active.
      const device = await opts.sessions.authenticate(token, 'extension');
      found = typeof device === 'object' ? device.user : device;
      if (typeof device === 'object') req.deviceSession = device.session;
    } else {
      found = await opts.users.authenticate(token);
    }
    if (found === 'revoked') {
      const message = token.startsWith(DEVICE_TOKEN_PREFIX) ? 'You were signed out (this sign-in was revoked). Sign in again.' : 'This API token has been revoked';
      throw await failed(req, prefix, 'revoked-token', unauthenticated(message, 'revoked'));
    }
    if (found === 'expired') throw await failed(req, prefix, 'expired-token', unauthenticated('Your sign-in has expired. Sign in again.', 'expired'));
    if (!found) throw await failed(req, prefix, 'unknown-token', unauthenticated('This API token is not valid'));
    // Written at most once a minute per person: most requests make no promise here.
    opts.users.markSeen(found.id)?.catch(seenNotWritten(req));
    const wait = perUser.hit(String(found.id));
    if (wait > 0) {
      await deny(req, 'user-rate-limit', found.id);
      throw new ApiFailure(429, 'TOO_MANY_REQUESTS', 'Too many requests from this user; slow down', { retryAfter: wait });
    }
    req.user = found;
    req.log = req.log.child({ user: found.email });
  });
}

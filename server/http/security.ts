/**
 * The backend's outer wall: security headers, CORS only for the allowed extension origins (any
 * extension origin in sandbox mode), other browser origins refused outright, a per-IP request limit
 * that runs before authentication (a hook added here, ahead of auth's: so token guessing is throttled
 * too), and no query parameter a route does not declare.
 */
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BackendConfig } from '../config';
import type { AuditLog } from '../store/audit';
import { ApiFailure, forbidden } from './api-failure';
import { helmetHeaders } from './security-headers';
import { WindowCounter } from './window-counter';

const EXTENSION_ORIGIN = /^chrome-extension:\/\/([a-p]{32})$/;

export function originAllowed(origin: string, config: Pick<BackendConfig, 'mode' | 'allowedExtensionIds'>): boolean {
  const m = EXTENSION_ORIGIN.exec(origin);
  if (!m) return false;
  return config.mode === 'sandbox' || config.allowedExtensionIds.includes(m[1]);
}

export interface SecurityOptions {
  config: BackendConfig;
  audit: AuditLog;
  perIpPerMinute: number;
}

/** The headers every answer carries (also those Fastify gives before any hook runs: see error-handler.ts). */
export const securityHeaders = helmetHeaders({
  // JSON API: nothing may be framed, sniffed or loaded from it.
  contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  crossOriginResourcePolicy: { policy: 'same-origin' },
});

export async function installSecurity(app: FastifyInstance, opts: SecurityOptions): Promise<void> {
  // First hook of all, as @fastify/helmet's was: refusals and errors carry the headers too.
  app.addHook('onRequest', (_req, reply, done) => {
    reply.headers(securityHeaders);
    done();
  });

  // A browser page from any other origin is refused before anything else runs. (This hook and the query check
  // below call back rather than return a promise: they run on every request and wait for nothing.)
  app.addHook('onRequest', (req, _reply, done) => {
    const origin = req.headers.origin;
    if (origin === undefined || originAllowed(origin, opts.config)) return done();
    opts.audit.denied({ ip: req.ip ?? null, method: req.method, route: routeOf(req), reason: 'origin-not-allowed', requestId: req.id });
    done(forbidden('This origin may not call the backend'));
  });

  await app.register(cors, {
    origin: (origin, cb) => cb(null, origin !== undefined && originAllowed(origin, opts.config)),
    methods: ['GET', 'POST'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
    exposedHeaders: ['Retry-After', 'Idempotency-Replayed', 'X-Request-Id'],
    maxAge: 600,
  });

  // Per address, ahead of authentication (so token guessing is throttled too): the same fixed window as the per-user
  // limit (auth.ts). A hook that calls back, with no promise: it runs on every request.
  const perIp = new WindowCounter(opts.perIpPerMinute, 60_000);
  app.addHook('onRequest', (req, _reply, done) => {
    const route = req.routeOptions.url;
    // Loopback health checks must keep working under load.
    if (route === '/healthz') return done();
    const wait = perIp.hit(req.ip);
    if (wait === 0) return done();
    opts.audit.denied({ ip: req.ip ?? null, method: req.method, route: route ?? req.url.split('?')[0], reason: 'ip-rate-limit', requestId: req.id });
    done(new ApiFailure(429, 'TOO_MANY_REQUESTS', 'Too many requests from this address; slow down', { retryAfter: wait }));
  });

  // A query parameter the route does not declare is a mistake or a probe: refused, not ignored.
  app.addHook('preValidation', (req, _reply, done) => {
    if (req.routeOptions.schema?.querystring) return done();
    const names = Object.keys((req.query ?? {}) as object);
    if (names.length === 0) return done();
    done(
      new ApiFailure(400, 'VALIDATION_FAILED', 'The request is invalid', {
        issues: names.slice(0, 20).map((n) => ({ path: `querystring.${n.slice(0, 100)}`, message: 'unknown query parameter' })),
      }),
    );
  });
}

/** The route that matched (its pattern), or the path as sent when none did. */
export function routeOf(req: FastifyRequest): string {
  return req.routeOptions.url ?? req.url.split('?')[0];
}

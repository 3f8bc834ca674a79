/** The two cookies of the backend's own pages (/auth): a sign-in attempt's binding and the browser session. */
import type { FastifyReply, FastifyRequest } from 'fastify';

export const LOGIN_COOKIE = 'ge_login';
export const SESSION_COOKIE = 'ge_session';

export function readCookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

/**
 * HttpOnly (no script reads it), SameSite=Lax (sent on the top-level redirect back from Scalekit, not on
 * cross-site subrequests), Path=/auth (never sent to the API, which takes bearer tokens only: no CSRF there).
 */
export function setCookie(reply: FastifyReply, name: string, value: string, opts: { maxAgeSeconds: number; secure: boolean }): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/auth', 'HttpOnly', 'SameSite=Lax', `Max-Age=${opts.maxAgeSeconds}`];
  if (opts.secure) parts.push('Secure');
  const existing = reply.getHeader('set-cookie');
  const list = Array.isArray(existing) ? existing.map(String) : existing ? [String(existing)] : [];
  reply.header('set-cookie', [...list, parts.join('; ')]);
}

export const clearCookie = (reply: FastifyReply, name: string, secure: boolean) => setCookie(reply, name, '', { maxAgeSeconds: 0, secure });

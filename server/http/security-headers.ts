/**
 * Helmet's security headers, computed once. `@fastify/helmet` builds a new helmet middleware (parsing the CSP
 * directives again) on every request; our options never change per route, so the header set is the same for
 * every reply and is worked out at startup by running helmet itself against a recording response.
 */
import helmet, { type HelmetOptions } from 'helmet';

export function helmetHeaders(options: HelmetOptions): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let finished = false;
  helmet(options)({} as never, res as never, (err?: unknown) => {
    if (err) throw err;
    finished = true;
  });
  // Helmet's middleware is synchronous; if a future version is not, fail at startup rather than send no headers.
  if (!finished) throw new Error('helmet did not apply its headers synchronously');
  return Object.freeze(headers);
}

/** Small helpers for the stand-in's plain HTTP/1.1 endpoints (no framework: it must start in milliseconds). */
import type { IncomingMessage, ServerResponse } from 'node:http';

export function readBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        reject(new Error('body too large'));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/**
 * `formTargets`: other origins a form on the page may post to or be redirected to (CSP form-action covers the
 * whole redirect chain); `'any'` for a page whose form ends wherever its client says (the hosted login: the app's
 * callback, then wherever the app redirects, e.g. an extension's chromiumapp.org).
 */
export function sendHtml(res: ServerResponse, status: number, html: string, formTargets: string[] | 'any' = []): void {
  const formAction = formTargets === 'any' ? '' : `; form-action ${["'self'", ...formTargets].join(' ')}`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    // The page has one inline script and one inline style; nothing else may load.
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'${formAction}`,
  });
  res.end(html);
}

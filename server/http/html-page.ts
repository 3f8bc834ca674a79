/** The backend's few browser pages (sign-in outcomes, Gong connect verification): plain HTML, no script. */
import type { FastifyReply } from 'fastify';

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export function sendPage(reply: FastifyReply, status: number, page: { title: string; heading: string; text: string; tone?: 'ok' | 'error' }): FastifyReply {
  const tone = page.tone ?? 'error';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} · Gong Everywhere</title>
<style>
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f4f2fb;
         font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f1d2b; }
  main { background: #fff; border-radius: 14px; box-shadow: 0 8px 30px rgba(40, 20, 90, .12);
         padding: 28px 32px; max-width: 440px; width: calc(100% - 48px); }
  h1 { font-size: 20px; margin: 0 0 8px; }
  p { margin: 0; color: #4b4860; }
  .mark { width: 40px; height: 40px; border-radius: 50%; display: grid; place-items: center; font-weight: 700;
          margin-bottom: 12px; color: #fff; background: ${tone === 'ok' ? '#1f8a4c' : '#b42318'}; }
</style></head>
<body><main role="main" data-outcome="${tone}"><div class="mark" aria-hidden="true">${tone === 'ok' ? '✓' : '!'}</div>
<h1>${escapeHtml(page.heading)}</h1><p>${escapeHtml(page.text)}</p></main></body></html>`;
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
    .send(html);
}

/**
 * The stand-in for Scalekit's hosted authorization ("magic link") flow: GetMagicLinkForConnectedAccount
 * issues a short-lived link to `/magic-link/<token>`; the page there has one Authorize button whose POST
 * makes the connected account ACTIVE. There is no real Gong OAuth behind it.
 *
 * With user verification (the link was asked for with a `userVerifyUrl`), the POST leaves the account
 * PENDING_VERIFICATION and redirects the browser to `userVerifyUrl?auth_request_id=…&state=…`; the app's
 * server then calls VerifyConnectedAccountUser with that id and the identifier of the user it has signed in,
 * which activates the account only if it is the identifier the link was issued for.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml } from '../http/html-page';
import type { AccountStore } from './accounts';
import { readBody, sendHtml } from './http-util';

export const MAGIC_LINK_PATH = '/magic-link/';
export const MAGIC_LINK_TTL_MS = 10 * 60 * 1000;

interface PendingLink {
  connectionName: string;
  identifier: string;
  expiresAt: number;
  userVerifyUrl?: string;
  state?: string;
}

/** An authorization waiting for the app's VerifyConnectedAccountUser. */
type PendingVerification = Pick<PendingLink, 'connectionName' | 'identifier' | 'expiresAt'>;

export type VerifyOutcome = { ok: true; postUserVerifyRedirectUrl: string } | { ok: false; reason: 'unknown' | 'expired' | 'identifier-mismatch' };

export const VERIFIED_PATH = `/magic-link/verified`;

export interface IssuedLink {
  link: string;
  expiresAt: Date;
}

function page(title: string, body: string, script = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f4f2fb;
         font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f1d2b; }
  main { background: #fff; border-radius: 14px; box-shadow: 0 8px 30px rgba(40, 20, 90, .12);
         padding: 32px 36px; max-width: 380px; width: calc(100% - 48px); text-align: center; }
  .logo { width: 48px; height: 48px; border-radius: 12px; background: #8039df; color: #fff; font-weight: 700;
          font-size: 24px; display: grid; place-items: center; margin: 0 auto 16px; }
  h1 { font-size: 20px; margin: 0 0 8px; }
  p { margin: 0 0 20px; color: #5b5870; }
  .who { font-weight: 600; color: #1f1d2b; word-break: break-all; }
  button { appearance: none; border: 0; border-radius: 8px; background: #8039df; color: #fff; font: inherit;
           font-weight: 600; padding: 10px 28px; cursor: pointer; }
  button:hover { background: #6a2bc2; }
  button:focus-visible { outline: 3px solid #c9b3f2; outline-offset: 2px; }
  .note { font-size: 12px; margin: 20px 0 0; color: #8a879b; }
</style></head>
<body><main><div class="logo" aria-hidden="true">G</div>${body}</main>${script}</body></html>`;
}

export class MagicLinks {
  private readonly pending = new Map<string, PendingLink>();
  private readonly verifications = new Map<string, PendingVerification>();

  constructor(
    private readonly accounts: AccountStore,
    /** Base URL of the stand-in, known only once it listens. */
    private readonly baseUrl: () => string,
  ) {}

  issue(connectionName: string, identifier: string, verify: { userVerifyUrl?: string; state?: string } = {}): IssuedLink {
    const token = randomBytes(18).toString('base64url');
    const expiresAt = Date.now() + MAGIC_LINK_TTL_MS;
    this.pending.set(token, { connectionName, identifier, expiresAt, ...verify });
    return { link: `${this.baseUrl()}${MAGIC_LINK_PATH}${token}`, expiresAt: new Date(expiresAt) };
  }

  /** VerifyConnectedAccountUser: one use; the identifier must be the one the link was issued for. */
  verify(authRequestId: string, identifier: string): VerifyOutcome {
    const pending = this.verifications.get(authRequestId);
    if (!pending) return { ok: false, reason: 'unknown' };
    if (pending.expiresAt <= Date.now()) {
      this.verifications.delete(authRequestId);
      return { ok: false, reason: 'expired' };
    }
    // Same identity rule as the account store (identifiers are exact keys). A mismatch leaves the request
    // usable: the right user may still complete it.
    if (pending.identifier !== identifier) return { ok: false, reason: 'identifier-mismatch' };
    this.verifications.delete(authRequestId);
    this.accounts.setStatus(pending.connectionName, pending.identifier, 'ACTIVE');
    return { ok: true, postUserVerifyRedirectUrl: `${this.baseUrl()}${VERIFIED_PATH}` };
  }

  /** Test hook: make every outstanding link expired. */
  expireAll(): void {
    for (const link of this.pending.values()) link.expiresAt = 0;
  }

  handles(path: string): boolean {
    return path.startsWith(MAGIC_LINK_PATH);
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === VERIFIED_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      sendHtml(res, 200, page('Connected', '<h1>Connected — you can close this tab</h1><p>Your Gong connection is verified and ready.</p>'));
      return;
    }
    const token = path.slice(MAGIC_LINK_PATH.length);
    const link = this.pending.get(token);
    if (!link) {
      sendHtml(res, 404, page('Link not found', '<h1>Link not found</h1><p>This authorization link is unknown or was already used. Start again from the extension.</p>'));
      return;
    }
    if (link.expiresAt <= Date.now()) {
      this.pending.delete(token);
      sendHtml(res, 410, page('Link expired', '<h1>Link expired</h1><p>This authorization link has expired. Start again from the extension.</p>'));
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      sendHtml(
        res,
        200,
        page(
          'Connect Gong (sandbox)',
          `<h1>Connect Gong (sandbox)</h1>
<p>Allow Gong Everywhere to use Gong as<br><span class="who">${escapeHtml(link.identifier)}</span></p>
<form method="post"><button type="submit">Authorize</button></form>
<p class="note">Sandbox: no real Gong account is involved.</p>`,
        ),
        // With user verification the POST redirects to the app's verify URL: form-action must allow its origin.
        link.userVerifyUrl ? [new URL(link.userVerifyUrl).origin] : [],
      );
      return;
    }
    if (req.method === 'POST') {
      await readBody(req, 4096).catch(() => '');
      // One use per link, like a real OAuth state.
      this.pending.delete(token);
      if (link.userVerifyUrl) {
        // The app must confirm who authorized before the account is usable.
        this.accounts.setStatus(link.connectionName, link.identifier, 'PENDING_VERIFICATION');
        const authRequestId = randomBytes(18).toString('base64url');
        this.verifications.set(authRequestId, { connectionName: link.connectionName, identifier: link.identifier, expiresAt: Date.now() + MAGIC_LINK_TTL_MS });
        const next = new URL(link.userVerifyUrl);
        next.searchParams.set('auth_request_id', authRequestId);
        if (link.state !== undefined) next.searchParams.set('state', link.state);
        res.writeHead(303, { location: next.toString() }).end();
        return;
      }
      this.accounts.setStatus(link.connectionName, link.identifier, 'ACTIVE');
      sendHtml(
        res,
        200,
        page(
          'Connected',
          `<h1>Connected — you can close this tab</h1><p><span class="who">${escapeHtml(link.identifier)}</span> is now connected to Gong.</p>`,
          // Browsers only let a script close a tab it opened; where they refuse, the text above says what to do.
          '<script>setTimeout(function () { window.close(); }, 600);</script>',
        ),
      );
      return;
    }
    res.writeHead(405, { allow: 'GET, HEAD, POST' }).end();
  }
}

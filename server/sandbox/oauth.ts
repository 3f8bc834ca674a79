/**
 * Scalekit's M2M token endpoint (`POST /oauth/token`, client_credentials; the user grants go to the hosted
 * login) and the check of the bearer tokens it issued. Only issued, unexpired tokens pass, so the SDK's fetch-on-Unauthenticated path runs.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sameSecret } from '../same-secret';
import { readBody, sendJson } from './http-util';

export const TOKEN_TTL_SECONDS = 3600;

export interface TokenIssuerOptions {
  clientId: string;
  clientSecret: string;
  /** Called on every token request, good or bad (stats). */
  onRequest?: () => void;
  /** The user grants (authorization_code, refresh_token) of the hosted login; undefined = not one of them. */
  otherGrants?: (form: URLSearchParams) => { status: number; body: unknown } | undefined;
}

export class TokenIssuer {
  private readonly issued = new Map<string, number>();

  constructor(private readonly opts: TokenIssuerOptions) {}

  /** True when `authorization` is `Bearer <token>` for a token this issuer handed out and that has not expired. */
  verify(authorization: string | null | undefined): boolean {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) return false;
    const expiresAt = this.issued.get(match[1]);
    if (expiresAt === undefined) return false;
    if (expiresAt <= Date.now()) {
      this.issued.delete(match[1]);
      return false;
    }
    return true;
  }

  /** Forget every issued token (the next SDK call gets Unauthenticated and fetches a new one). */
  revokeAll(): void {
    this.issued.clear();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.opts.onRequest?.();
    let form: URLSearchParams;
    try {
      form = new URLSearchParams(await readBody(req, 16 * 1024));
    } catch {
      sendJson(res, 413, { error: 'invalid_request', error_description: 'body too large' });
      return;
    }
    const other = this.opts.otherGrants?.(form);
    if (other) {
      sendJson(res, other.status, other.body);
      return;
    }
    if (form.get('grant_type') !== 'client_credentials') {
      sendJson(res, 400, { error: 'unsupported_grant_type' });
      return;
    }
    const id = form.get('client_id') ?? '';
    const secret = form.get('client_secret') ?? '';
    if (!sameSecret(id, this.opts.clientId) || !sameSecret(secret, this.opts.clientSecret)) {
      sendJson(res, 401, { error: 'invalid_client', error_description: 'invalid client credentials' });
      return;
    }
    const token = `sbx_${randomBytes(24).toString('base64url')}`;
    this.issued.set(token, Date.now() + TOKEN_TTL_SECONDS * 1000);
    sendJson(res, 200, { access_token: token, token_type: 'Bearer', expires_in: TOKEN_TTL_SECONDS });
  }
}

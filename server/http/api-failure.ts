/** An answer the API gives on purpose: one error shape `{ error: { code, message, issues?, retryAfter?, connectionStatus?, reason? } }`. */
import type { ApiError, ConnectionStatus, ErrorCode, TokenRefusal } from '../../lib/api';

export interface FieldIssue {
  path: string;
  message: string;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly extra: { issues?: FieldIssue[]; retryAfter?: number; connectionStatus?: ConnectionStatus; reason?: TokenRefusal } = {},
  ) {
    super(message);
    this.name = 'ApiFailure';
  }

  toBody(): ApiError {
    return { error: { code: this.code, message: this.message, ...this.extra } };
  }
}

/** 401; `reason` when the token was good once (revoked or expired): the extension then forgets it and asks to sign in. */
export const unauthenticated = (message = 'A valid API token is required (Authorization: Bearer <token>)', reason?: TokenRefusal) =>
  new ApiFailure(401, 'UNAUTHENTICATED', message, reason ? { reason } : {});
export const notFound = (message: string) => new ApiFailure(404, 'NOT_FOUND', message);
export const forbidden = (message: string) => new ApiFailure(403, 'FORBIDDEN', message);

/** A body-less POST is fine where no input is needed; an explicit JSON `null` is not a body. */
export function refuseNullBody(req: { body: unknown; headers: Record<string, unknown> }): void {
  if (req.body === null && req.headers['content-type'] !== undefined) {
    throw new ApiFailure(400, 'BAD_REQUEST', 'The body must be a JSON object');
  }
}

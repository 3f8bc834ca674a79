/** An answer the API gives on purpose: one error shape `{ error: { code, message, issues?, retryAfter? } }`. */
import type { ApiError, ErrorCode } from '../../lib/api';

export interface FieldIssue {
  path: string;
  message: string;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly extra: { issues?: FieldIssue[]; retryAfter?: number } = {},
  ) {
    super(message);
    this.name = 'ApiFailure';
  }

  toBody(): ApiError {
    return { error: { code: this.code, message: this.message, ...this.extra } };
  }
}

export const unauthenticated = (message = 'A valid API token is required (Authorization: Bearer <token>)') =>
  new ApiFailure(401, 'UNAUTHENTICATED', message);
export const notFound = (message: string) => new ApiFailure(404, 'NOT_FOUND', message);
export const forbidden = (message: string) => new ApiFailure(403, 'FORBIDDEN', message);

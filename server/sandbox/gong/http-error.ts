/**
 * An error answer of (simulated) Gong: its HTTP status, Retry-After and error body as the spec shapes them
 * (`ErrorResponse`: `{ requestId, errors: [string] }`). The Scalekit stand-in turns it into what Scalekit sends
 * (standin.ts `toolError`); nothing outside the sandbox sees this class.
 */
export interface GongHttpErrorInfo {
  status: number;
  /** Seconds, from Gong's Retry-After header (429 only). */
  retryAfter?: number;
  /** Gong's error body: `{ requestId, errors: [string] }`. */
  body: { requestId?: string; errors: string[] };
}

export class GongHttpError extends Error implements GongHttpErrorInfo {
  readonly status: number;
  readonly retryAfter?: number;
  readonly body: { requestId?: string; errors: string[] };
  constructor(info: GongHttpErrorInfo) {
    super(`Gong ${info.status}: ${info.body.errors.join('; ')}`);
    this.name = 'GongHttpError';
    this.status = info.status;
    this.retryAfter = info.retryAfter;
    this.body = info.body;
  }
}

/**
 * How a Gong HTTP error travels through Scalekit's ExecuteTool as a TOOL_ERROR, in both directions:
 * the sandbox stand-in encodes it, the backend decodes what the SDK hands back.
 * toolErrorCode = Gong's HTTP status as text; toolErrorMessage = JSON `{ status, retryAfter?, body }`.
 */
import { Code } from '@connectrpc/connect';

export interface GongHttpErrorInfo {
  status: number;
  /** Seconds, from Gong's Retry-After header (429 only). */
  retryAfter?: number;
  /** Gong's error body: `{ requestId, errors: [string] }`. */
  body: { requestId?: string; errors: string[] };
}

/** An error answer from (simulated) Gong. */
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

export function grpcCodeForHttpStatus(status: number): Code {
  if (status === 400) return Code.InvalidArgument;
  if (status === 401) return Code.Unauthenticated;
  if (status === 403) return Code.PermissionDenied;
  if (status === 404) return Code.NotFound;
  if (status === 409) return Code.AlreadyExists;
  if (status === 429) return Code.ResourceExhausted;
  if (status === 503 || status === 502) return Code.Unavailable;
  if (status === 504) return Code.DeadlineExceeded;
  return Code.Internal;
}

export function encodeToolError(info: GongHttpErrorInfo): { toolErrorCode: string; toolErrorMessage: string } {
  return {
    toolErrorCode: String(info.status),
    toolErrorMessage: JSON.stringify({ status: info.status, retryAfter: info.retryAfter, body: info.body }),
  };
}

export function decodeToolError(toolErrorCode: string, toolErrorMessage: string): GongHttpErrorInfo {
  const status = Number.parseInt(toolErrorCode, 10) || 500;
  try {
    const parsed = JSON.parse(toolErrorMessage) as Partial<GongHttpErrorInfo>;
    const errors = Array.isArray(parsed.body?.errors) ? parsed.body.errors.map(String) : [];
    return {
      status: typeof parsed.status === 'number' ? parsed.status : status,
      retryAfter: typeof parsed.retryAfter === 'number' ? parsed.retryAfter : undefined,
      body: { requestId: parsed.body?.requestId, errors },
    };
  } catch {
    return { status, body: { errors: [toolErrorMessage] } };
  }
}

/**
 * Scalekit refuses to run a tool for a connected account that is not ACTIVE with gRPC
 * FailedPrecondition and a message starting with this text (the backend maps it to GONG_NOT_CONNECTED).
 */
export const ACCOUNT_NOT_ACTIVE_MESSAGE = 'connected account is not active';

/**
 * What went wrong with a Gong call made through the Scalekit SDK, classified once so the retry loop
 * and the HTTP error mapping agree: Gong's own errors arrive as TOOL_ERRORs (see ../tool-error.ts),
 * Scalekit's as gRPC codes, the network's as timeouts or Unavailable.
 */
import { Code } from '@connectrpc/connect';
import { isToolException, ScalekitException, ScalekitServerException } from '@scalekit-sdk/node';
import type { ConnectionStatus } from '../../lib/api';
import { ApiFailure } from '../http/api-failure';
import { ACCOUNT_NOT_ACTIVE_MESSAGE, decodeToolError } from '../tool-error';

export type GongFailureKind =
  | 'rate-limited' // Gong 429: retry after retryAfter
  | 'transient' // Gong 5xx, timeouts, dropped connections: retry with backoff
  | 'not-connected' // the user's Gong connection is not ACTIVE (or Gong rejected its token)
  | 'not-found' // Gong 404
  | 'refused' // Gong 400/409/422...: our input or Gong's rules
  | 'unexpected-answer' // Gong answered, but not in the shape its spec gives (gateway.ts, gongReaders): not retried
  | 'backend'; // Scalekit refused the backend itself (credentials, configuration)

export class GongFailure extends Error {
  constructor(
    readonly kind: GongFailureKind,
    message: string,
    readonly status: number | null,
    /** Seconds Gong asked us to wait (429). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'GongFailure';
  }

  get retryable(): boolean {
    return this.kind === 'rate-limited' || this.kind === 'transient';
  }
}

/** The user's Gong connection is not ACTIVE (`status` as Scalekit reports it, when known). */
export function notConnected(status?: ConnectionStatus): GongFailure {
  const message =
    status === 'EXPIRED'
      ? 'Your Gong connection has expired; connect Gong again'
      : status === 'NOT_CONNECTED'
        ? 'No Gong connection for this user yet'
        : 'The Gong connection is not active; connect Gong again';
  return new GongFailure('not-connected', message, null);
}

/** Gong's own words, trimmed: they are shown to reps, so no stack, no internals. */
function gongMessage(errors: string[], fallback: string): string {
  const text = errors.filter(Boolean).join('; ').slice(0, 500);
  return text || fallback;
}

export function classifyGongError(err: unknown): GongFailure {
  if (err instanceof GongFailure) return err;
  if (isToolException(err)) {
    const info = decodeToolError(err.toolErrorCode, err.toolErrorMessage);
    const msg = gongMessage(info.body.errors, `Gong answered ${info.status}`);
    if (info.status === 429) return new GongFailure('rate-limited', msg, 429, info.retryAfter ?? 1);
    if (info.status === 404) return new GongFailure('not-found', msg, 404);
    if (info.status === 401 || info.status === 403) return new GongFailure('not-connected', msg, info.status);
    if (info.status >= 500 || info.status === 408) return new GongFailure('transient', msg, info.status);
    return new GongFailure('refused', msg, info.status);
  }
  if (err instanceof ScalekitServerException) {
    const code = err.grpcStatus;
    const text = err.message ?? '';
    if (code === Code.FailedPrecondition && text.includes(ACCOUNT_NOT_ACTIVE_MESSAGE)) {
      return notConnected();
    }
    if (code === Code.NotFound) return notConnected('NOT_CONNECTED');
    if (code === Code.Unavailable || code === Code.DeadlineExceeded || code === Code.Canceled || code === Code.Aborted) {
      return new GongFailure('transient', 'Scalekit did not answer in time', null);
    }
    if (code === Code.ResourceExhausted) return new GongFailure('rate-limited', 'Scalekit is rate limiting the backend', 429, 1);
    if (code === Code.Unauthenticated || code === Code.PermissionDenied) {
      return new GongFailure('backend', 'Scalekit refused the backend credentials', null);
    }
    if (code === Code.Internal || code === Code.Unknown) return new GongFailure('transient', 'Scalekit failed to run the call', null);
    return new GongFailure('backend', 'Scalekit refused the call', null);
  }
  // Network failures below the SDK (connection reset, refused, socket hang up) are worth a retry.
  if (err instanceof ScalekitException || err instanceof Error) {
    return new GongFailure('transient', 'Could not reach Scalekit', null);
  }
  return new GongFailure('transient', 'Unexpected failure calling Gong', null);
}

/** The answer the API gives for a Gong failure that survived the retries. */
export function toApiFailure(f: GongFailure): ApiFailure {
  switch (f.kind) {
    case 'rate-limited':
      return new ApiFailure(429, 'GONG_RATE_LIMITED', `Gong is rate limiting this company: ${f.message}`, {
        retryAfter: Math.max(1, Math.ceil(f.retryAfter ?? 1)),
      });
    case 'transient':
      return new ApiFailure(502, 'GONG_UNAVAILABLE', `Gong is unavailable: ${f.message}`);
    case 'not-connected':
      return new ApiFailure(409, 'GONG_NOT_CONNECTED', f.message);
    case 'not-found':
      return new ApiFailure(404, 'GONG_NOT_FOUND', `Gong: ${f.message}`);
    case 'refused':
      return new ApiFailure(f.status === 409 ? 409 : 422, 'GONG_REFUSED', `Gong refused: ${f.message}`);
    case 'backend':
      return new ApiFailure(502, 'GONG_UNAVAILABLE', f.message);
    case 'unexpected-answer':
      return new ApiFailure(502, 'GONG_UNEXPECTED_ANSWER', f.message);
  }
}

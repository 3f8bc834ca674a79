/**
 * What went wrong with a Gong call made through the Scalekit SDK, classified once so the retry loop and the HTTP
 * error mapping agree. Classified by what the SDK defines (node_modules/@scalekit-sdk/node lib/errors, and its
 * repository's tests/sk819-provider-error-handling.test.ts):
 * - Gong's own errors reach us as TOOL_ERRORs, promoted by gRPC code alone (ScalekitServerException.promote):
 *   ResourceExhausted → ScalekitToolRateLimitException, Unauthenticated → ScalekitToolUnauthorizedException,
 *   PermissionDenied → ScalekitToolForbiddenException, anything else → ScalekitToolException (then by its code).
 * - Scalekit's own refusals are ScalekitServerExceptions without TOOL_ERROR, by gRPC code.
 * `toolErrorCode` (a short string such as RATE_LIMITED) and the message text are hints only: they refine a generic
 * code (Unknown, Internal) and give a "retry after N" wait, never override a definite code. Wording is never matched
 * to decide whether a rep's account is connected: that is asked of Scalekit (getConnectedAccount; see gateway.ts).
 */
import { Code } from '@connectrpc/connect';
import {
  isToolException,
  ScalekitException,
  ScalekitServerException,
  ScalekitToolForbiddenException,
  ScalekitToolRateLimitException,
  ScalekitToolUnauthorizedException,
} from '@scalekit-sdk/node';
import type { ConnectionStatus } from '../../lib/api';
import { ApiFailure } from '../http/api-failure';

export type GongFailureKind =
  | 'rate-limited' // Gong (or Scalekit) counted the company over: back off, maybe retry
  | 'over-budget' // the backend's own daily budget of Gong calls is spent: not retried, Gong not called
  | 'transient' // Gong 5xx, timeouts, dropped connections: retry with backoff
  | 'not-connected' // the user's Gong connection is not ACTIVE (or Gong rejected its token)
  | 'forbidden' // Gong refused the connection this action (missing scope or permission)
  | 'not-found' // Gong 404
  | 'refused' // Gong 400/409/422...: our input or Gong's rules
  | 'unexpected-answer' // Gong answered, but not in the shape its spec gives (gateway.ts, gongReaders): not retried
  | 'account-refused' // Scalekit refused for a reason that may be the rep's account: its status decides (gateway)
  | 'backend'; // Scalekit refused the backend itself (credentials, configuration)

export class GongFailure extends Error {
  /** Calls made before this answer, when more than one (set by the gateway): an earlier one may have been done by Gong. */
  attempts?: number;

  constructor(
    readonly kind: GongFailureKind,
    message: string,
    readonly status: number | null,
    /** Seconds to wait: Gong's hint for a rate limit (absent when none was given), or until the budget's day ends. */
    readonly retryAfter?: number,
    /** not-connected: the connected account's status as Scalekit reported it, when known. */
    readonly connectionStatus?: ConnectionStatus,
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
  return new GongFailure('not-connected', message, null, undefined, status === 'ACTIVE' ? undefined : status);
}

/** Gong's own words, trimmed: they are shown to reps, so no stack, no internals. */
function gongWords(text: string, fallback: string): string {
  return text.trim().slice(0, 500) || fallback;
}

/** "retry after 7", "Retry-After: 7", "retry in 7 seconds": a wait the provider named, in seconds. */
export function retryHint(text: string): number | undefined {
  const m = /retry[\s-]*(?:after|in)\s*:?\s*(\d{1,5})\s*(ms|milliseconds?|s|sec|seconds?)?\b/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const seconds = m[2] && /^m/i.test(m[2]) ? n / 1000 : n;
  return seconds > 0 ? Math.ceil(seconds) : undefined;
}

/**
 * An HTTP status named as one in the text ("Gong answered 400", "status 404", "HTTP 503", or leading "429: ..."), not
 * any number ("up to 500 prospects"): a hint for a generic code only.
 */
function statusHint(text: string): number | undefined {
  const m = /(?:\b(?:status|http|code|error|answered|returned|responded(?: with)?)\s*:?\s*|^\s*)([45]\d\d)\b/i.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** What the provider's string code says (the SDK's tests use RATE_LIMITED, UNAUTHORIZED, FORBIDDEN, EXEC_FAILED). */
function codeHint(toolErrorCode: string): number | undefined {
  const c = toolErrorCode.toUpperCase();
  if (/RATE|LIMIT|THROTTL|TOO_MANY/.test(c)) return 429;
  if (/UNAUTH/.test(c)) return 401;
  if (/FORBIDDEN|PERMISSION|DENIED/.test(c)) return 403;
  if (/NOT_FOUND/.test(c)) return 404;
  if (/CONFLICT|EXISTS/.test(c)) return 409;
  if (/INVALID|BAD_REQUEST/.test(c)) return 400;
  return undefined;
}

/** Gong refused the token Scalekit holds for the rep: only connecting again helps (the gateway adds the account's status). */
function refusedToken(text: string): GongFailure {
  const why = text.trim() ? ` (${gongWords(text, '')})` : '';
  return new GongFailure('not-connected', `Gong refused this Gong connection${why}; connect Gong again`, 401);
}

function fromHttpStatus(status: number, words: string, retryAfter: number | undefined): GongFailure {
  if (status === 429) return new GongFailure('rate-limited', words, 429, retryAfter);
  if (status === 401) return refusedToken(words);
  if (status === 403) return new GongFailure('forbidden', words, 403);
  if (status === 404) return new GongFailure('not-found', words, 404);
  if (status >= 500 || status === 408) return new GongFailure('transient', words, status);
  return new GongFailure('refused', words, status);
}

/** A Gong error that came back as a TOOL_ERROR. */
function classifyToolError(err: ScalekitServerException & { toolErrorCode: string; toolErrorMessage: string }): GongFailure {
  const text = err.toolErrorMessage || '';
  const words = gongWords(text, 'Gong refused the call');
  const retryAfter = retryHint(text);
  // The SDK's classes, decided by the gRPC code alone.
  if (err instanceof ScalekitToolRateLimitException) return new GongFailure('rate-limited', gongWords(text, 'Gong API rate limit exceeded'), 429, retryAfter);
  if (err instanceof ScalekitToolUnauthorizedException) return refusedToken(text);
  if (err instanceof ScalekitToolForbiddenException) return new GongFailure('forbidden', words, 403);
  switch (err.grpcStatus) {
    case Code.ResourceExhausted:
      return new GongFailure('rate-limited', words, 429, retryAfter);
    case Code.Unauthenticated:
      return refusedToken(text);
    case Code.PermissionDenied:
      return new GongFailure('forbidden', words, 403);
    case Code.NotFound:
      return new GongFailure('not-found', words, 404);
    case Code.InvalidArgument:
    case Code.FailedPrecondition:
    case Code.OutOfRange:
      return new GongFailure('refused', words, 400);
    case Code.AlreadyExists:
    case Code.Aborted:
      return new GongFailure('refused', words, 409);
    case Code.Unavailable:
    case Code.DeadlineExceeded:
      return new GongFailure('transient', words, 503);
  }
  // A generic code (Internal, Unknown, ...): the string code, then a status in the text, may say more.
  const hinted = codeHint(err.toolErrorCode || '') ?? statusHint(text);
  if (hinted) return fromHttpStatus(hinted, words, retryAfter);
  return new GongFailure('transient', words, 500);
}

/** The SDK failed to get a token: axios answered (it throws the axios error as is). */
function isTokenRefusal(err: unknown): boolean {
  const e = err as { isAxiosError?: boolean; response?: { status?: number } } | null;
  const status = e?.isAxiosError ? e.response?.status : undefined;
  return status !== undefined && status >= 400 && status < 500;
}

export function classifyGongError(err: unknown): GongFailure {
  if (err instanceof GongFailure) return err;
  if (isToolException(err) && err instanceof ScalekitServerException) return classifyToolError(err);
  if (err instanceof ScalekitServerException) {
    switch (err.grpcStatus) {
      // May be the rep's connected account (not ACTIVE, absent), may be the tool or the connection: Scalekit's
      // wording for these is not documented, so the account's status decides (gateway.ts explainRefusal).
      case Code.FailedPrecondition:
      case Code.NotFound:
      case Code.PermissionDenied:
        return new GongFailure('account-refused', 'Scalekit refused the call', null);
      case Code.Unavailable:
      case Code.DeadlineExceeded:
      case Code.Canceled:
      case Code.Aborted:
        return new GongFailure('transient', 'Scalekit did not answer in time', null);
      // Scalekit's own limit on this environment: the same rule as Gong's (no wait given: our own backoff).
      case Code.ResourceExhausted:
        return new GongFailure('rate-limited', 'Scalekit is rate limiting the backend', 429, retryHint(err.message ?? ''));
      // The SDK already fetched a new token and retried: Scalekit does not accept the backend's credentials.
      case Code.Unauthenticated:
        return new GongFailure('backend', "Scalekit refused the backend's credentials", null);
      case Code.Internal:
      case Code.Unknown:
        return new GongFailure('transient', 'Scalekit failed to run the call', null);
    }
    return new GongFailure('backend', 'Scalekit refused the call', null);
  }
  if (isTokenRefusal(err)) return new GongFailure('backend', "Scalekit refused the backend's credentials", null);
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
    case 'over-budget':
      return new ApiFailure(429, 'GONG_RATE_LIMITED', f.kind === 'over-budget' ? f.message : `Gong is rate limiting this company: ${f.message}`, {
        retryAfter: Math.max(1, Math.ceil(f.retryAfter ?? 1)),
      });
    case 'transient':
      return new ApiFailure(502, 'GONG_UNAVAILABLE', `Gong is unavailable: ${f.message}`);
    case 'not-connected':
      return new ApiFailure(409, 'GONG_NOT_CONNECTED', f.message, f.connectionStatus ? { connectionStatus: f.connectionStatus } : {});
    case 'forbidden':
      return new ApiFailure(403, 'GONG_FORBIDDEN', `Gong does not allow this for your connection: ${f.message}`);
    case 'not-found':
      return new ApiFailure(404, 'GONG_NOT_FOUND', `Gong: ${f.message}`);
    case 'refused':
      return new ApiFailure(f.status === 409 ? 409 : 422, 'GONG_REFUSED', `Gong refused: ${f.message}`);
    case 'account-refused':
    case 'backend':
      return new ApiFailure(502, 'GONG_UNAVAILABLE', f.message);
    case 'unexpected-answer':
      return new ApiFailure(502, 'GONG_UNEXPECTED_ANSWER', f.message);
  }
}

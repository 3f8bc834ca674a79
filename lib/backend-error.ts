/**
 * Every failure of a call to the companion backend, as the extension's UI explains it. Its own module, without
 * zod: the side panel's store needs it on its first render, the schemas only once an answer arrives.
 */
import type * as api from './api';

export type BackendErrorKind =
  /** Network failure, timeout, or no backend at that URL. Writes are retried. */
  | 'unreachable'
  /** 5xx or 429: the backend or Gong is struggling. Writes are retried. */
  | 'unavailable'
  /** 4xx: the request itself was refused. Shown, never retried. */
  | 'refused';

export class BackendError extends Error {
  /** GONG_NOT_CONNECTED: the rep's Gong account as the backend saw it (EXPIRED, DISCONNECTED, …), when it said. */
  readonly connectionStatus: api.ConnectionStatus | null;
  /** UNAUTHENTICATED: the token was good once and is not any more (revoked: signed out or by an admin; expired). */
  readonly reason: api.TokenRefusal | null;
  constructor(
    readonly kind: BackendErrorKind,
    readonly code: api.ErrorCode | 'NETWORK' | 'BAD_RESPONSE',
    message: string,
    readonly status: number | null = null,
    readonly retryAfter: number | null = null,
    /** What the error body adds: the Gong account's status (GONG_NOT_CONNECTED), why a once-good token is refused (UNAUTHENTICATED). */
    extra: Pick<api.ApiError['error'], 'connectionStatus' | 'reason'> = {},
  ) {
    super(message);
    this.name = 'BackendError';
    this.connectionStatus = extra.connectionStatus ?? null;
    this.reason = extra.reason ?? null;
  }
  get retryable(): boolean {
    return this.kind !== 'refused';
  }
}

/**
 * The backend API's addresses and headers, without its schemas: extension pages use these before zod has
 * loaded (the side panel loads lib/api.ts only when its first answer needs checking; issue 15's cold open).
 * lib/api.ts re-exports them, so the backend keeps one import for the API.
 */
export const API_PREFIX = '/api/v1';

/** Header a write carries so that a retry is answered from the first attempt, not run twice. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/**
 * The backend keeps a write's key (and answer) this many days (server/store/retention.ts); the outbox stops retrying
 * a write it could not send for as long (background/outbox.ts), so a late retry never runs a write twice.
 */
export const IDEMPOTENCY_KEY_RETENTION_DAYS = 30;

/** Backend page that starts an SSO sign-in (chrome.identity.launchWebAuthFlow opens it). */
export const SIGN_IN_START_PATH = '/auth/start';

/** The path of the extension's chromiumapp.org redirect that ends an SSO sign-in (lib/sign-in.ts). */
export const SIGN_IN_REDIRECT_PATH = 'sso';

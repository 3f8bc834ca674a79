/** Retry schedule for outbox writes: exponential with jitter, capped; a server's Retry-After wins when longer. */
export const BACKOFF_BASE_MS = 2_000;
export const BACKOFF_MAX_MS = 2 * 60_000;

export function backoffDelay(attempts: number, retryAfterSeconds: number | null = null, random: () => number = Math.random): number {
  const exp = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  // ±20 % jitter so that many clients do not retry in lockstep after an outage.
  const jittered = Math.round(exp * (0.8 + 0.4 * random()));
  const retryAfterMs = retryAfterSeconds != null && retryAfterSeconds > 0 ? retryAfterSeconds * 1000 : 0;
  return Math.max(jittered, retryAfterMs);
}

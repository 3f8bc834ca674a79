/** What every tool handler gets: the state, the simulated time and this request's id. */
import type { GongState, Store } from './state';
import { gongError } from './util';

export interface Ctx {
  store: Store;
  state: GongState;
  nowMs: number;
  requestId: string;
  /** The connected account's identifier (the rep's email). */
  identifier: string;
  caps: SizeCaps;
}

/** Gong's per-request size limits (gong-openapi.json); tests may lower them to see how the backend copes. */
export interface SizeCaps {
  prospectsPerAssign: number;
  prospectsPerBulkAssignment: number;
}

// Inputs are validated with the catalog's zod schema before a handler runs.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (c: Ctx, input: any) => unknown;

export function notFound(c: Ctx, message: string): never {
  throw gongError(404, c.requestId, [message]);
}

export function badRequest(c: Ctx, message: string): never {
  throw gongError(400, c.requestId, [message]);
}

export function userByEmail(c: Ctx, email: string) {
  const lower = email.toLowerCase();
  return c.state.users.find((u) => u.emailAddress.toLowerCase() === lower);
}

export function omitUndefined<T extends Record<string, unknown>>(obj: T): T {
  for (const k of Object.keys(obj)) if (obj[k] === undefined) delete obj[k];
  return obj;
}

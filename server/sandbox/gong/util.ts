/** Small helpers shared by the simulator's modules: hashing, a seeded PRNG, errors, paging. */
import { createHash } from 'node:crypto';
import { GongHttpError } from './http-error';

export function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Deterministic 32-bit hash of a string (FNV-1a). */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** mulberry32: a tiny deterministic PRNG. */
export function prng(seed: number | string): () => number {
  let a = typeof seed === 'string' ? hash32(seed) : seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)];
}

export function randInt(rand: () => number, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}

/** A Gong-looking request id (19 lower-case base-36 characters) derived from the execution id. */
export function gongRequestId(seed: string): string {
  return BigInt('0x' + sha(seed).slice(0, 24)).toString(36).padStart(19, '0').slice(0, 19);
}

export function gongError(status: number, requestId: string, errors: string[], retryAfter?: number): GongHttpError {
  return new GongHttpError({ status, retryAfter, body: { requestId, errors } });
}

export interface Records {
  totalRecords: number;
  currentPageSize: number;
  currentPageNumber: number;
  cursor?: string;
}

/**
 * Gong-style cursor paging. The cursor is opaque (base64url JSON) and bound to the query it came from;
 * `cursor` is present only while more pages remain. Page numbers start at 0, as in Gong.
 */
export function paginate<T>(
  items: readonly T[],
  pageSize: number,
  cursor: string | undefined,
  queryKey: string,
  requestId: string,
): { page: T[]; records: Records } {
  let pageNumber = 0;
  if (cursor !== undefined) {
    try {
      const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown; p?: unknown };
      if (parsed.k !== hash32(queryKey).toString(36) || typeof parsed.p !== 'number' || !Number.isInteger(parsed.p) || parsed.p < 1) {
        throw new Error('mismatch');
      }
      pageNumber = parsed.p;
    } catch {
      throw gongError(400, requestId, ['cursor is invalid or does not belong to this request']);
    }
  }
  const start = pageNumber * pageSize;
  const page = items.slice(start, start + pageSize);
  const records: Records = { totalRecords: items.length, currentPageSize: page.length, currentPageNumber: pageNumber };
  if (start + pageSize < items.length) {
    records.cursor = Buffer.from(JSON.stringify({ k: hash32(queryKey).toString(36), p: pageNumber + 1 })).toString('base64url');
  }
  return { page, records };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function startOfUtcDay(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/** Removes null values (a protobuf Struct turns `undefined` into `null`) recursively from plain objects. */
export function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === null || v === undefined) continue;
      out[k] = stripNulls(v);
    }
    return out;
  }
  return value;
}

export const DAY_MS = 86_400_000;

/** Follows Gong's `records.cursor` through every page of a list tool, with a bound. */
import type { GongToolName } from '../../lib/gong-tools';
import type { GongSession } from '../gong/session';

const MAX_PAGES = 50;

export async function allPages<T>(
  session: GongSession,
  tool: GongToolName,
  input: Record<string, unknown>,
  optsOrPick: { fresh?: boolean } | ((data: unknown) => { items: T[]; cursor?: string }),
  maybePick?: (data: unknown) => { items: T[]; cursor?: string },
): Promise<T[]> {
  const [opts, pick] = typeof optsOrPick === 'function' ? [{}, optsOrPick] : [optsOrPick, maybePick!];
  const out: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { data } = await session.call(tool, cursor ? { ...input, cursor } : input, opts);
    const { items, cursor: next } = pick(data);
    out.push(...items);
    if (!next || next === cursor) break;
    cursor = next;
  }
  return out;
}

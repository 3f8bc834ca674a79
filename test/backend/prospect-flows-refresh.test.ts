/**
 * Refresh-ahead (server/services/prospect-flows.ts): a call that goes to Gong with room also asks again for the rows
 * reps asked for within the last minute that are past half their life, soonest to expire first; rows nobody asked
 * for lately are left to expire, however many there are.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GongGateway } from '../../server/gong/gateway';
import type { GongSession } from '../../server/gong/session';
import { ProspectFlowsCache, REFRESH_AHEAD_ASKED_WITHIN_MS } from '../../server/services/prospect-flows';

afterEach(() => {
  vi.restoreAllMocks();
});

const id = (n: number) => `003000000${String(n).padStart(6, '0')}AAA`;

function cacheAt(clock: { now: number }, ttl: number) {
  vi.spyOn(Date, 'now').mockImplementation(() => clock.now);
  const cache = new ProspectFlowsCache({ onInvalidate: () => undefined } as unknown as GongGateway, ttl);
  const asked: string[][] = [];
  const session = {
    user: { id: 1 },
    call: async (_tool: string, input: { crm_prospect_ids: string[] }) => {
      asked.push(input.crm_prospect_ids);
      return { data: { prospectsAssigned: [] } };
    },
    ensureConnected: async () => undefined,
  } as unknown as GongSession;
  return { cache, asked, session };
}

/** Two rows a rep keeps working on (the sooner one stored a second earlier), now past half their life. */
async function twoWorkedRowsPastHalfLife({ cache, session }: ReturnType<typeof cacheAt>, clock: { now: number }, ttl: number) {
  const hotLater = id(1000);
  const hotSooner = id(1001);
  await cache.lookup(session, [hotSooner]);
  clock.now += 1_000;
  await cache.lookup(session, [hotLater]);
  // Past half their life, both are asked for again (from the cache: no call).
  clock.now += ttl / 2 + 1_000;
  await cache.lookup(session, [hotLater, hotSooner]);
  return { hotLater, hotSooner };
}

describe('prospect flows: refresh-ahead', () => {
  it('asks again for the rows asked for lately, soonest to expire first, and for none of the others', async () => {
    const ttl = 4 * REFRESH_AHEAD_ASKED_WITHIN_MS;
    const clock = { now: 1_000_000 };
    const at = cacheAt(clock, ttl);
    const { cache, asked, session } = at;
    // 300 rows nobody asks for again (not asked again when past half their life), then two a rep keeps working on.
    for (let n = 0; n < 300; n++) await cache.lookup(session, [id(n)]);
    const { hotLater, hotSooner } = await twoWorkedRowsPastHalfLife(at, clock, ttl);
    expect(asked).toHaveLength(302);
    // A new prospect goes to Gong with room: the two worked rows ride along, the one expiring first first.
    await cache.lookup(session, [id(2000)]);
    expect(asked.at(-1)).toEqual([id(2000), hotSooner, hotLater]);
    expect(cache.stats.refreshedAhead).toBe(2);
    // Past half their life again, but nobody asked for them in the last minute: left to expire too.
    clock.now += ttl / 2 + 1_000;
    await cache.lookup(session, [id(2001)]);
    expect(asked.at(-1)).toEqual([id(2001)]);
  });

  it('finds them among many rows asked for lately that are not yet past half their life', async () => {
    const ttl = 4 * REFRESH_AHEAD_ASKED_WITHIN_MS;
    const clock = { now: 1_000_000 };
    const at = cacheAt(clock, ttl);
    const { cache, asked, session } = at;
    const { hotLater, hotSooner } = await twoWorkedRowsPastHalfLife(at, clock, ttl);
    // A list of 200 rows a rep is working on, all fresh (one full call: no room to ask for more).
    await cache.lookup(session, Array.from({ length: 200 }, (_, n) => id(n)));
    expect(asked.at(-1)).toHaveLength(200);
    await cache.lookup(session, [id(2000)]);
    expect(asked.at(-1)).toEqual([id(2000), hotSooner, hotLater]);
    expect(cache.stats.refreshedAhead).toBe(2);
  });
});

/**
 * The prefetch window's timer (server/services/prospect-flows.ts): Node fires a timer by its own monotonic clock,
 * and the window's end is a Date.now() time, so the timer may fire a moment before Date.now() reaches it. Then the
 * queue must still leave (once due), not wait for a lookup that may never come.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GongGateway } from '../../server/gong/gateway';
import type { GongSession } from '../../server/gong/session';
import { ProspectFlowsCache } from '../../server/services/prospect-flows';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('prospect flows: the batch window', () => {
  it('sends a waiting prefetch even when its timer fires before Date.now() reaches the window end', async () => {
    const gateway = { onInvalidate: () => undefined } as unknown as GongGateway;
    const cache = new ProspectFlowsCache(gateway, 60_000, 50);
    let calls = 0;
    const session = {
      user: { id: 1 },
      call: async () => {
        calls++;
        return { data: { prospectsAssigned: [] } };
      },
      ensureConnected: async () => undefined,
    } as unknown as GongSession;
    // From here on Date.now() lags the timers by 5 ms (as a wall clock can behind Node's monotonic one).
    const realNow = Date.now.bind(Date);
    const lookup = cache.lookup(session, ['003000000000001AAA'], { wait: true });
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() - 5);
    const answer = await Promise.race([lookup, new Promise((r) => setTimeout(() => r('stuck'), 2_000))]);
    expect(answer).toEqual([{ crmProspectId: '003000000000001AAA', flows: [] }]);
    expect(calls).toBe(1);
  });

  it('a window opened while a call is in flight leaves at its time, though an earlier window\'s timer fired meanwhile', async () => {
    const gateway = { onInvalidate: () => undefined } as unknown as GongGateway;
    const cache = new ProspectFlowsCache(gateway, 60_000, 200);
    const asked: string[][] = [];
    const session = {
      user: { id: 1 },
      call: async (_tool: string, input: { crm_prospect_ids: string[] }) => {
        asked.push(input.crm_prospect_ids);
        await sleep(100);
        return { data: { prospectsAssigned: [] } };
      },
      ensureConnected: async () => undefined,
    } as unknown as GongSession;
    const [a, b, c] = ['003000000000001AAA', '003000000000002AAA', '003000000000003AAA'];
    // A prefetch opens a window (its timer at ~200 ms); a record opened at ~150 ms sends it with the record at once
    // (the call answers at ~250 ms); a prefetch at ~170 ms opens the next window (due at ~370 ms). The first
    // window's timer fires at ~200 ms while the call is in flight, and the call is back before the next is due.
    const onA = cache.lookup(session, [a], { wait: true });
    await sleep(150);
    const onB = cache.lookup(session, [b]);
    await sleep(20);
    const onC = cache.lookup(session, [c], { wait: true });
    await Promise.all([onA, onB]);
    const answer = await Promise.race([onC, sleep(2_000).then(() => 'stuck')]);
    expect(answer).toEqual([{ crmProspectId: c, flows: [] }]);
    expect(asked).toEqual([[a, b], [c]]);
  });
});

/**
 * The prefetch window's timer (server/services/prospect-flows.ts): Node fires a timer by its own monotonic clock,
 * and the window's end is a Date.now() time, so the timer may fire a moment before Date.now() reaches it. Then the
 * queue must still leave (once due), not wait for a lookup that may never come.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GongGateway } from '../../server/gong/gateway';
import type { GongSession } from '../../server/gong/session';
import { ProspectFlowsCache } from '../../server/services/prospect-flows';

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
});

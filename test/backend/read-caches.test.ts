/**
 * The company-wide read caches, engine-free. They forget writes once no read needs them: a long-lived replica that
 * sees every prospect of the company written (bulk adds, other replicas' NOTIFYs) keeps bounded memory, and no read
 * that overlapped a write is kept. A rep who joins another rep's read under way never gets that rep's failure.
 */
import { describe, expect, it } from 'vitest';
import type { GongGateway } from '../../server/gong/gateway';
import { ReadCache } from '../../server/gong/read-cache';
import { GENERATIONS_KEPT, ProspectFlowsCache } from '../../server/services/prospect-flows';

const later = <T>(value: T) => {
  let resolve!: () => void;
  const promise = new Promise<T>((r) => (resolve = () => r(value)));
  return { promise, resolve };
};

describe('ReadCache', () => {
  it('does not keep a read a write overlapped; keeps the next one; remembers nothing per tag', async () => {
    const cache = new ReadCache(60_000);
    let loads = 0;
    const first = later('before the write');
    const overlapped = cache.read('k', ['prospect:a'], () => (loads++, first.promise));
    cache.invalidate(['prospect:a']);
    first.resolve();
    expect(await overlapped).toBe('before the write');
    expect(await cache.read('k', ['prospect:a'], async () => (loads++, 'after'))).toBe('after');
    expect(await cache.read('k', ['prospect:a'], async () => (loads++, 'not asked'))).toBe('after');
    expect(loads).toBe(2);

    cache.invalidate(Array.from({ length: 50_000 }, (_, i) => `prospect:p${i}`));
    expect(Object.values(cache).filter((v) => v instanceof Map).reduce((n, m: Map<unknown, unknown>) => n + m.size, 0)).toBeLessThanOrEqual(1);
  });

  it('a read under way when everything is dropped is not kept', async () => {
    const cache = new ReadCache(60_000);
    const first = later('old');
    const running = cache.read('k', [], () => first.promise);
    cache.clear();
    first.resolve();
    await running;
    expect(await cache.read('k', [], async () => 'new')).toBe('new');
  });
});

describe('ProspectFlowsCache', () => {
  it(`remembers the writes of at most ${GENERATIONS_KEPT} prospects`, () => {
    const flows = new ProspectFlowsCache({ onInvalidate: () => undefined } as unknown as GongGateway, 60_000);
    flows.invalidate(Array.from({ length: GENERATIONS_KEPT + 10 }, (_, i) => `prospect:p${i}`));
    const generations = (flows as unknown as { generations: Map<string, number> }).generations;
    expect(generations.size).toBeLessThanOrEqual(GENERATIONS_KEPT);
    expect(generations.size).toBeGreaterThan(0);
  });
});

describe("a rep who finds another rep's read under way", () => {
  it("is not given that rep's failure: the calls window is loaded again on this rep's connection", async () => {
    const { CallsIndex } = await import('../../server/services/calls');
    const { GongFailure } = await import('../../server/gong/failure');
    const index = new CallsIndex({ onInvalidate: () => undefined } as unknown as GongGateway, 60_000);
    const refused = later<void>(undefined);
    const asked: number[] = [];
    const session = (userId: number, answer: () => Promise<never>) =>
      ({ user: { id: userId }, log: { warn: () => undefined, info: () => undefined }, call: async () => (asked.push(userId), answer()) }) as never;
    // Rep 1's connection has lapsed; rep 2's answers that the window has no calls (Gong's 404 for an empty window).
    const lapsed = session(1, async () => {
      await refused.promise;
      throw new GongFailure('not-connected', 'Your Gong connection has expired', 409);
    });
    const connected = session(2, async () => {
      throw new GongFailure('not-found', 'No calls found', 404);
    });
    const first = index.recentCalls(lapsed, 30);
    const second = index.recentCalls(connected, 30);
    refused.resolve();
    await expect(first).rejects.toThrow(/expired/);
    expect(await second).toEqual([]);
    expect(asked).toEqual([1, 2]);
  });
});

/** The fair limiter on its own: the window holds, users take turns, a 429 pause stops everyone. */
import { describe, expect, it } from 'vitest';
import { FairRateLimiter } from '../../server/gong/limiter';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('FairRateLimiter', () => {
  it('never lets more than `rate` calls start within a window after the previous ones finished', async () => {
    const limiter = new FairRateLimiter({ rate: 3, windowMs: 100, marginMs: 0 });
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 9 }, async () => {
        const release = await limiter.acquire('a');
        starts.push(Date.now());
        await tick(5);
        release();
      }),
    );
    starts.sort((x, y) => x - y);
    for (let i = 3; i < starts.length; i++) expect(starts[i] - starts[i - 3]).toBeGreaterThanOrEqual(100);
    limiter.close();
  });

  it('serves users round-robin: a late user is not stuck behind a long queue', async () => {
    const limiter = new FairRateLimiter({ rate: 1, windowMs: 20, marginMs: 0 });
    const order: string[] = [];
    const run = async (user: string) => {
      const release = await limiter.acquire(user);
      order.push(user);
      release();
    };
    const bulk = Array.from({ length: 8 }, () => run('bulk'));
    await tick(1);
    const click = [run('click'), run('click')];
    await Promise.all([...bulk, ...click]);
    // 'click' arrived after 8 'bulk' waiters yet gets every other slot.
    expect(order.indexOf('click')).toBeLessThanOrEqual(2);
    expect(order.lastIndexOf('click')).toBeLessThanOrEqual(4);
    limiter.close();
  });

  it('lets nobody through while paused for a Retry-After', async () => {
    const limiter = new FairRateLimiter({ rate: 3, windowMs: 10, marginMs: 0 });
    limiter.pauseFor(150);
    const started = Date.now();
    const release = await limiter.acquire('a');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    release();
    limiter.close();
  });

  it('drops a waiter whose request was aborted', async () => {
    const limiter = new FairRateLimiter({ rate: 1, windowMs: 1000, marginMs: 0 });
    const first = await limiter.acquire('a');
    const ac = new AbortController();
    const waiting = limiter.acquire('a', ac.signal);
    ac.abort(new Error('client went away'));
    await expect(waiting).rejects.toThrow('client went away');
    expect(limiter.queued).toBe(0);
    first();
    limiter.close();
  });
});

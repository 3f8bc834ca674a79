import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installIdleWork, youngGcTask, type GcFunction, type IdleWork } from '../../server/http/idle-work';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('idle work (between requests)', () => {
  let server: http.Server;
  let idle: IdleWork | undefined;
  let release: (() => void) | undefined;

  afterEach(async () => {
    idle?.stop();
    release?.();
    await new Promise((r) => server.close(r));
  });

  /** A server whose /slow requests wait until `release()` is called. */
  async function start(idleMs: number): Promise<string> {
    server = http.createServer((req, res) => {
      if (req.url === '/slow') {
        release = () => res.end('slow');
        return;
      }
      res.end('ok');
    });
    idle = installIdleWork(server, idleMs);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('runs its tasks in order once the server is quiet, never while a request is in flight', async () => {
    const url = await start(10);
    const order: string[] = [];
    idle!.add(() => order.push('flush'));
    idle!.add(() => order.push('gc'));
    const slow = fetch(`${url}/slow`).then((r) => r.text());
    await vi.waitFor(() => expect(release).toBeDefined());
    expect(await (await fetch(url)).text()).toBe('ok');
    await sleep(60);
    expect(order).toEqual([]); // /slow is still in flight
    release!();
    expect(await slow).toBe('slow');
    await vi.waitFor(() => expect(order).toEqual(['flush', 'gc']));
    expect(idle!.runs()).toBe(1);
  });

  it('a request arriving within the quiet time puts the tasks off; a failing task does not stop the next', async () => {
    // A long quiet time: each step below takes far less, even on a busy machine.
    const url = await start(1_000);
    const ran = vi.fn();
    idle!.add(() => {
      throw new Error('disk full');
    });
    idle!.add(ran);
    await fetch(url);
    await sleep(30);
    await fetch(url);
    await sleep(30);
    expect(ran).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(ran).toHaveBeenCalledTimes(1), { timeout: 5_000 });
  });

  it('does nothing after stop()', async () => {
    const url = await start(10);
    const ran = vi.fn();
    idle!.add(ran);
    idle!.stop();
    await fetch(url);
    await sleep(50);
    expect(ran).not.toHaveBeenCalled();
  });
});

describe('young GC task', () => {
  it('runs a minor GC only when the new space holds enough to be worth it', () => {
    const gc = vi.fn<GcFunction>();
    let used = 10_000;
    const task = youngGcTask(gc, 128 * 1024, () => used)!;
    task();
    expect(gc).not.toHaveBeenCalled();
    used = 512 * 1024;
    task();
    expect(gc).toHaveBeenCalledWith({ type: 'minor' });
  });

  it('is absent without --expose-gc', () => {
    expect(youngGcTask(undefined)).toBeUndefined();
  });
});

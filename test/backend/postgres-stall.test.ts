/**
 * A database that stops answering without closing anything (a lost route, a NAT or load balancer entry dropped, a
 * host gone mid-failover) must not hang a replica: its queries fail within a bound, the connections they were on
 * are not reused, a transaction it left open does not keep other replicas' rows locked, its LISTEN connection is
 * known to be dead, and /readyz says so in time for a load balancer. Postgres only (the `backend-pg` project).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../server/store/db';
import type { PostgresDb } from '../../server/store/sql';
import { startStallingProxy, type StallingProxy } from './stalling-proxy';
import { startTestBackend, tempDataDir, TEST_POSTGRES_URL, testDatabaseUrl, type TestBackend } from './harness';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
});

/** Short bounds, so that each case takes a second or two (the defaults are in server/store/sql.ts). */
const TIMEOUTS = { connectMs: 1_000, statementMs: 1_200, answerMs: 1_500, idleInTransactionMs: 1_000, listenCheckMs: 500 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(20);
  }
}

/** How long `p` took to settle, and whether it failed. */
async function timed(p: Promise<unknown>): Promise<{ ms: number; failed: boolean }> {
  const t = Date.now();
  const failed = await p.then(
    () => false,
    () => true,
  );
  return { ms: Date.now() - t, failed };
}

/** A database reached directly (`direct`) and, as a second replica, through a proxy that can go silent (`viaProxy`). */
async function setup(opts: { poolSize?: number } = {}): Promise<{ proxy: StallingProxy; direct: PostgresDb; viaProxy: PostgresDb }> {
  if (!TEST_POSTGRES_URL) throw new Error('runs in the backend-pg project (a PostgreSQL cluster)');
  const url = await testDatabaseUrl(tempDataDir());
  const direct = await openPostgres(url);
  closers.push(() => direct.close());
  const proxy = await startStallingProxy(url);
  closers.push(() => proxy.close());
  const viaProxy = await openPostgres(proxy.url, opts.poolSize, { timeouts: TIMEOUTS });
  // Closed with the network back: a clean end, as at any shutdown.
  closers.push(async () => {
    proxy.restore();
    await viaProxy.close();
  });
  return { proxy, direct, viaProxy };
}

describe('a database that stops answering', () => {
  it('fails a query within the answer bound, and the next query, the network back, runs on a fresh connection', async () => {
    const { proxy, viaProxy } = await setup({ poolSize: 1 });
    expect(await viaProxy.get<{ n: number }>('SELECT 1 AS n')).toEqual({ n: 1 });
    proxy.silence();
    const stalled = await timed(viaProxy.get('SELECT 2 AS n'));
    expect(stalled.failed).toBe(true);
    expect(stalled.ms).toBeLessThan(4_000);
    proxy.restore();
    expect(await viaProxy.get<{ n: number }>('SELECT 3 AS n')).toEqual({ n: 3 });
  });

  it('has the server cancel a statement that runs too long, on a connection that stays usable', async () => {
    const { viaProxy } = await setup({ poolSize: 1 });
    const slow = await viaProxy.get('SELECT pg_sleep(5)').then(
      () => null,
      (err: { code?: string }) => err.code,
    );
    // 57014: query_canceled, the server's statement_timeout (before the client's own answer bound).
    expect(slow).toBe('57014');
    expect(await viaProxy.get<{ n: number }>('SELECT 5 AS n')).toEqual({ n: 5 });
  });

  it('fails a transaction within the bound and does not give its connection to the next one', async () => {
    const { proxy, viaProxy } = await setup({ poolSize: 1 });
    const stalled = await timed(
      viaProxy.tx(async (tx) => {
        await tx.get('SELECT 1');
        proxy.silence();
        return tx.get('SELECT 2');
      }),
    );
    expect(stalled.failed).toBe(true);
    expect(stalled.ms).toBeLessThan(4_000);
    proxy.restore();
    // One connection in the pool: had the broken one gone back, this would wait on it.
    expect(await viaProxy.tx((tx) => tx.get<{ n: number }>('SELECT 4 AS n'))).toEqual({ n: 4 });
  });

  it('fails a query that needs a new connection within the connect bound', async () => {
    const { proxy, viaProxy } = await setup();
    await viaProxy.close();
    const url = proxy.url;
    proxy.silence();
    const opening = await timed(openPostgres(url, undefined, { timeouts: TIMEOUTS }));
    expect(opening.failed).toBe(true);
    expect(opening.ms).toBeLessThan(4_000);
  });

  it("does not keep another replica's rows locked: the server ends a transaction its replica no longer drives", async () => {
    const { proxy, direct, viaProxy } = await setup();
    await direct.run('CREATE TABLE stall_probe (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
    await direct.run('INSERT INTO stall_probe (id, n) VALUES (1, 0)');
    let locked!: () => void;
    const lockHeld = new Promise<void>((r) => (locked = r));
    const frozenTx = viaProxy
      .tx(async (tx) => {
        await tx.get('SELECT n FROM stall_probe WHERE id = 1 FOR UPDATE');
        proxy.silence();
        locked();
        return tx.run('UPDATE stall_probe SET n = 1 WHERE id = 1');
      })
      .catch(() => 'failed');
    await lockHeld;
    // The other replica's write waits for the lock only until the server ends the silent replica's transaction.
    const write = await timed(direct.run('UPDATE stall_probe SET n = 2 WHERE id = 1'));
    expect(write.failed).toBe(false);
    expect(write.ms).toBeLessThan(4_000);
    expect(await frozenTx).toBe('failed');
    expect(await direct.get('SELECT n FROM stall_probe WHERE id = 1')).toEqual({ n: 2 });
  });

  it('knows its LISTEN connection is dead, listens again once the network is back, and is told it may have missed messages', async () => {
    const { proxy, direct, viaProxy } = await setup();
    const heard: string[] = [];
    let missed = 0;
    await viaProxy.subscribe('stall_channel', (p) => heard.push(p), () => missed++);
    await direct.publish('stall_channel', 'before');
    await waitFor(() => heard.length === 1);
    expect(viaProxy.listenConnected).toBe(true);
    proxy.silence();
    await waitFor(() => !viaProxy.listenConnected, 4_000);
    // Said while it was deaf: lost, which is why it is told.
    await direct.publish('stall_channel', 'during');
    proxy.restore();
    await waitFor(() => viaProxy.listenConnected && missed >= 1, 5_000);
    await direct.publish('stall_channel', 'after');
    await waitFor(() => heard.length === 2);
    expect(heard).toEqual(['before', 'after']);
  });
});

describe('/readyz of a replica whose database stops answering', () => {
  it('answers 503 within a load balancer’s patience, and 200 again once the database answers', async () => {
    if (!TEST_POSTGRES_URL) throw new Error('runs in the backend-pg project (a PostgreSQL cluster)');
    const dataDir = tempDataDir();
    const proxy = await startStallingProxy(await testDatabaseUrl(dataDir));
    closers.push(() => proxy.close());
    const t: TestBackend = await startTestBackend({ dataDir, env: { DATABASE_URL: proxy.url }, postgresTimeouts: TIMEOUTS });
    closers.push(async () => {
      proxy.restore();
      await t.close();
    });
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    proxy.silence();
    const started = Date.now();
    const res = await fetch(`${t.url}/readyz`, { signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(3_500);
    proxy.restore();
    // Its connections that were waiting during the silence are given up within the answer bound: ready again then.
    let status = 0;
    const end = Date.now() + 10_000;
    while (status !== 200 && Date.now() < end) {
      status = (await fetch(`${t.url}/readyz`)).status;
      if (status !== 200) await sleep(200);
    }
    expect(status).toBe(200);
  });
});

/**
 * Stopping a replica without failing a rep's request (docs/deploy.md "Rolling restarts"): on SIGTERM the backend
 * first drains (readiness fails so the load balancer stops sending it requests, which it still answers, each with
 * `Connection: close`), then stops listening, lets the requests in flight finish with their answers, and only then
 * closes Gong and the database.
 */
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config';
import { SEED } from '../../server/sandbox/gong/seed';
import { spawnServer } from '../server-process';
import { startTestBackend, tempDataDir, type TestBackend } from './harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const flows = (t: TestBackend, crmId: string) => t.api('GET', `/api/v1/prospects/${crmId}/flows`);
const outcome = (p: Promise<{ status: number }>) => p.then((r) => r.status, (e: { cause?: { code?: string } }) => `refused (${e.cause?.code ?? 'no answer'})`);

describe('stopping a replica', () => {
  it('drains on SIGTERM: not ready, still answering (Connection: close), then the requests in flight finish, then it stops listening', async () => {
    const t = await startTestBackend({ env: { SHUTDOWN_DRAIN_MS: '700' } });
    const url = t.url;
    t.gong.latencyMs = 900;
    const inFlight = outcome(flows(t, SEED.sfContactWithFlows));
    await sleep(100);
    const closed = t.backend.close({ drain: true }).then(() => Date.now());

    await sleep(50);
    const ready = await t.api('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ ok: false, error: 'shutting down' });
    // The load balancer has not noticed yet: a request still comes, and is answered.
    t.gong.latencyMs = 0;
    const during = await t.api('GET', '/api/v1/me');
    expect(during.status).toBe(200);
    expect(during.headers.get('connection')).toBe('close');

    expect(await inFlight).toBe(200);
    const closedAt = await closed;
    expect(Date.now() - closedAt).toBeLessThan(5_000);
    expect(await outcome(fetch(`${url}/healthz`))).toMatch(/^refused/);
  });

  it('closed without draining (Ctrl-C, a test): a request in flight still gets its answer, not a 502 from a Gong client already closed', async () => {
    const t = await startTestBackend();
    t.gong.latencyMs = 600;
    const inFlight = outcome(flows(t, SEED.sfContactWithFlows));
    await sleep(150);
    await t.close();
    expect(await inFlight).toBe(200);
  });

  it('SHUTDOWN_DRAIN_MS: 5 s with Postgres (replicas behind a load balancer), none with SQLite (one process); a clear error for anything else', () => {
    expect(loadConfig({}).shutdownDrainMs).toBe(0);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db.internal/gong' }).shutdownDrainMs).toBe(5_000);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db.internal/gong', SHUTDOWN_DRAIN_MS: '0' }).shutdownDrainMs).toBe(0);
    expect(loadConfig({ SHUTDOWN_DRAIN_MS: '15000' }).shutdownDrainMs).toBe(15_000);
    for (const bad of ['-1', '2.5', 'soon']) expect(() => loadConfig({ SHUTDOWN_DRAIN_MS: bad })).toThrow(/SHUTDOWN_DRAIN_MS must be a whole number of milliseconds/);
  });

  it('`npm run server` on SIGTERM: drains (503 at /readyz, /healthz still answered), then exits 0', async () => {
    const child = await spawnServer([], {
      env: { ...process.env, DATA_DIR: tempDataDir(), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', SHUTDOWN_DRAIN_MS: '1500' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stderr! }).on('line', (line) => {
          const m = /backend: (http:\/\/\S+)/.exec(line);
          if (m) resolve(m[1]);
        });
        child.once('exit', () => reject(new Error('the backend exited before it listened')));
      });
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const stoppedAt = Date.now();
      child.kill('SIGTERM');
      await sleep(300);
      expect((await fetch(`${url}/readyz`)).status).toBe(503);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect(await exited).toBe(0);
      expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(1_500);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

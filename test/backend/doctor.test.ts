/**
 * `doctor`: in sandbox mode, and in Scalekit mode pointed at the stand-in on loopback (real SDK, real wire),
 * where a wrong connection name, wrong credentials and an unreachable URL each get their own plain sentence.
 */
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScalekitServerException } from '@scalekit-sdk/node';
import { formatReport, runDoctor, tokenFailure, type DoctorReport } from '../../server/doctor';
import { GongSimulator } from '../../server/sandbox/gong/simulator';
import { startSandbox, type Sandbox } from '../../server/sandbox/index';
import { GongHttpError } from '../../server/sandbox/gong/http-error';
import type { GongBackend } from '../../server/sandbox/types';
import { openDb, schemaVersionOf } from '../../server/store/db';
import { UsageCounter } from '../../server/store/usage';
import { serverArgv } from '../server-process';
import { engineEnv, ENGINE_UNDER_TEST, openTestDb, tempDataDir } from './harness';

const PROBES = ['Gong: workspaces', 'Gong: flows', 'Gong: users'];

const row = (report: DoctorReport, check: string) => {
  const found = report.rows.find((r) => r.check === check);
  if (!found) throw new Error(`no row ${check}: ${JSON.stringify(report.rows)}`);
  return found;
};

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('doctor in sandbox mode', () => {
  it('passes every check against the built-in stand-in, as the demo rep by default', async () => {
    const report = await runDoctor({ env: {}, dataDir: tempDataDir() });
    expect(report.mode).toBe('sandbox');
    expect(report.rows.map((r) => [r.check, r.result])).toEqual([
      ['environment', 'ok'],
      ['SSO sign-in', 'ok'],
      ['database', 'ok'],
      ['Scalekit token', 'ok'],
      ['Gong connection', 'ok'],
      ['rep connection', 'ok'],
      ...PROBES.map((p) => [p, 'ok']),
    ]);
    expect(report.ok).toBe(true);
    expect(row(report, 'rep connection').detail).toBe('rep@example.com: connected (ACTIVE)');
    expect(row(report, 'Gong: workspaces').detail).toBe('2 workspaces: Sales – North America, Sales – EMEA');
    expect(row(report, 'Gong: flows').detail).toBe('14 flows visible to rep@example.com');
    expect(row(report, 'Gong: users').detail).toMatch(/^first page: \d+ users of \d+, rep@example.com among them$/);
    const text = formatReport(report);
    expect(text.split('\n')[0]).toMatch(/^CHECK\s+RESULT\s+WHAT TO DO$/);
    expect(text.trimEnd().split('\n').at(-1)).toBe('All checks passed.');
  });

  it('refuses a --rep that is not an e-mail address before calling anything', async () => {
    const report = await runDoctor({ env: {}, rep: 'not-an-email', dataDir: tempDataDir() });
    expect(report.ok).toBe(false);
    expect(report.rows[1]).toMatchObject({ check: 'environment', result: 'fail', detail: '--rep "not-an-email" is not an e-mail address' });
    expect(report.rows.slice(2).every((r) => r.result === 'skip')).toBe(true);
  });

  it('fails on half-set credentials with what to set', async () => {
    const report = await runDoctor({ env: { SCALEKIT_ENV_URL: 'https://acme.scalekit.com' }, dataDir: tempDataDir() });
    expect(report.ok).toBe(false);
    expect(report.rows[0]).toMatchObject({ check: 'environment', result: 'fail' });
    expect(report.rows[0].detail).toMatch(/SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET/);
    expect(report.rows.slice(1).map((r) => r.result)).toEqual(['skip', 'skip', 'skip', 'skip', 'skip', 'skip']);
  });

  it('CLI: `npm run server -- doctor` prints the table and exits 0 when all passes', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, await serverArgv(['doctor']), {
      env: { PATH: process.env.PATH, DATA_DIR: tempDataDir() },
      timeout: 60_000,
    });
    expect(stdout).toMatch(/^CHECK\s+RESULT\s+WHAT TO DO/);
    expect(stdout).toMatch(/^Gong: flows\s+OK\s+14 flows visible to rep@example.com/m);
    expect(stdout.trimEnd().endsWith('All checks passed.')).toBe(true);
  });
});

describe('doctor: the database', () => {
  it('names the store this backend would use: its engine, schema and people', async () => {
    const dataDir = tempDataDir();
    const report = await runDoctor({ env: await engineEnv(dataDir), dataDir });
    const db = row(report, 'database');
    expect(db.result).toBe('ok');
    expect(db.detail).toMatch(
      ENGINE_UNDER_TEST === 'postgres'
        ? /^PostgreSQL postgres:\/\/127\.0\.0\.1:\d+\/t_[0-9a-f]+: schema \d+, \d+ active users?; 0 replicas connected now, each up to 11 connections \(DATABASE_POOL_SIZE 10 \+ LISTEN\); the server allows \d+, \d+ open$/
        : /^SQLite .*backend\.sqlite: schema \d+, \d+ active users?$/,
    );
  });

  it('a database a later version migrated (a rolling upgrade under way): warns, naming both schemas', async () => {
    const dataDir = tempDataDir();
    const db = await openTestDb(dataDir);
    const known = await schemaVersionOf(db);
    await db.run(db.engine === 'sqlite' ? `PRAGMA user_version = ${known + 1}` : 'UPDATE schema_version SET version = ?', db.engine === 'sqlite' ? [] : [known + 1]);
    await db.close();
    const report = await runDoctor({ env: await engineEnv(dataDir), dataDir });
    expect(row(report, 'database')).toMatchObject({ result: 'warn', todo: expect.stringMatching(/later version .* replace/i) });
    expect(row(report, 'database').detail).toContain(`schema ${known + 1}, newer than this version's ${known}`);
  });

  it('a DATABASE_URL nobody answers at: its own failed row, what to check, and nothing else tried', async () => {
    const port = await closedPort();
    const report = await runDoctor({ env: { DATABASE_URL: `postgres://gong:secret@127.0.0.1:${port}/gong` }, dataDir: tempDataDir() });
    expect(row(report, 'database')).toMatchObject({ result: 'fail', todo: expect.stringMatching(/^Check DATABASE_URL/) });
    expect(row(report, 'database').detail).toMatch(/^PostgreSQL at DATABASE_URL cannot be opened: .*ECONNREFUSED/);
    expect(row(report, 'database').detail).not.toContain('secret');
    expect(row(report, 'Scalekit token').result).toBe('skip');
    expect(report.ok).toBe(false);
  });
});

describe('doctor in Scalekit mode, pointed at the stand-in on loopback', () => {
  let sandbox: Sandbox;
  let gong: GongSimulator;
  let dataDir: string;

  beforeEach(async () => {
    gong = new GongSimulator();
    sandbox = await startSandbox({ gong });
    dataDir = tempDataDir();
  });
  afterEach(async () => {
    await sandbox.close();
    gong.close();
  });

  const env = (over: Record<string, string> = {}) => ({
    SCALEKIT_ENV_URL: sandbox.url,
    SCALEKIT_CLIENT_ID: sandbox.clientId,
    SCALEKIT_CLIENT_SECRET: sandbox.clientSecret,
    GONG_CONNECTION_NAME: 'gong',
    ...over,
  });

  it('with the right credentials and a connected rep: every check passes, the probes are 3 counted Gong calls', async () => {
    const report = await runDoctor({ env: env(), rep: 'rep@example.com', dataDir });
    expect(report.mode).toBe('scalekit');
    expect(report.rows.filter((r) => r.result !== 'ok')).toEqual([]);
    expect(row(report, 'environment').detail).toBe(`Scalekit mode: SCALEKIT_ENV_URL ${sandbox.url}, client id ${sandbox.clientId}; GONG_CONNECTION_NAME "gong"`);
    expect(row(report, 'Scalekit token').detail).toBe(`Scalekit at ${sandbox.url} issued a token for client id ${sandbox.clientId}`);
    expect(sandbox.stats.executeToolCalls).toBe(3);
    expect(gong.stats().byTool).toEqual({ gong_engage_workspaces_list: 1, gong_engage_flows_list: 1, gong_users_list: 1 });
    const db = openDb(dataDir);
    try {
      const usage = new UsageCounter(db);
      await usage.start();
      expect(usage.calls()).toBe(3);
    } finally {
      await db.close();
    }
  });

  it('a wrong connection name: its own sentence, the name to use, and no Gong call', async () => {
    const report = await runDoctor({ env: env({ GONG_CONNECTION_NAME: 'gong-prod' }), rep: 'rep@example.com', dataDir });
    expect(report.ok).toBe(false);
    expect(row(report, 'Scalekit token').result).toBe('ok');
    expect(row(report, 'Gong connection')).toEqual({
      check: 'Gong connection',
      result: 'fail',
      detail: 'No connection named "gong-prod" in this Scalekit environment (its Gong connections: "gong")',
      todo: 'Set GONG_CONNECTION_NAME=gong (the name must match exactly)',
    });
    expect(['rep connection', ...PROBES].map((c) => row(report, c).result)).toEqual(['skip', 'skip', 'skip', 'skip']);
    expect(sandbox.stats.executeToolCalls).toBe(0);
  });

  it('wrong credentials: its own sentence, and nothing after the token is tried', async () => {
    const report = await runDoctor({ env: env({ SCALEKIT_CLIENT_SECRET: 'not-the-secret' }), rep: 'rep@example.com', dataDir });
    expect(report.ok).toBe(false);
    expect(row(report, 'environment').result).toBe('ok');
    expect(row(report, 'Scalekit token')).toMatchObject({
      result: 'fail',
      detail: `Scalekit at ${sandbox.url} refused the client id and secret: the credentials are wrong or belong to another environment`,
    });
    expect(row(report, 'Scalekit token').todo).toMatch(/^Copy SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET again/);
    expect(report.rows.slice(4).every((r) => r.result === 'skip')).toBe(true);
    expect(sandbox.stats.tokenRequests).toBe(1);
    expect(sandbox.stats.executeToolCalls).toBe(0);
  });

  it('an unreachable URL (a closed loopback port): its own sentence', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const report = await runDoctor({ env: env({ SCALEKIT_ENV_URL: url }), rep: 'rep@example.com', dataDir });
    expect(report.ok).toBe(false);
    expect(row(report, 'Scalekit token')).toMatchObject({
      result: 'fail',
      detail: `Could not reach Scalekit at ${url}: the connection was refused (nothing listens there)`,
    });
    expect(report.rows.slice(4).every((r) => r.result === 'skip')).toBe(true);
  });

  it('the three failures are told apart: three different sentences', async () => {
    const closed = `http://127.0.0.1:${await closedPort()}`;
    const reports = await Promise.all([
      runDoctor({ env: env({ GONG_CONNECTION_NAME: 'gong-prod' }), rep: 'rep@example.com', dataDir: tempDataDir() }),
      runDoctor({ env: env({ SCALEKIT_CLIENT_SECRET: 'wrong' }), rep: 'rep@example.com', dataDir: tempDataDir() }),
      runDoctor({ env: env({ SCALEKIT_ENV_URL: closed }), rep: 'rep@example.com', dataDir: tempDataDir() }),
    ]);
    const failures = reports.map((r) => r.rows.find((x) => x.result === 'fail')!);
    expect(failures.map((f) => f.check)).toEqual(['Gong connection', 'Scalekit token', 'Scalekit token']);
    expect(new Set(failures.map((f) => f.detail)).size).toBe(3);
    expect(new Set(failures.map((f) => f.todo)).size).toBe(3);
  });

  it("a rep whose connection expired: the status and what the rep does; no Gong call as them", async () => {
    sandbox.accounts.setStatus('gong', 'rep@example.com', 'EXPIRED');
    const report = await runDoctor({ env: env(), rep: 'rep@example.com', dataDir });
    expect(report.ok).toBe(true);
    expect(row(report, 'rep connection')).toEqual({
      check: 'rep connection',
      result: 'warn',
      detail: 'rep@example.com: Gong connection expired (EXPIRED)',
      todo: 'rep@example.com opens the Gong panel on any CRM record and clicks "Connect Gong" again; then run doctor again',
    });
    expect(PROBES.map((c) => row(report, c).result)).toEqual(['skip', 'skip', 'skip']);
    expect(sandbox.stats.executeToolCalls).toBe(0);
  });

  it('SSO sign-in: off without SSO_ALLOWED_DOMAINS; on without PUBLIC_URL is a warning naming what to set', async () => {
    const off = await runDoctor({ env: env(), dataDir });
    expect(row(off, 'SSO sign-in')).toMatchObject({ result: 'ok', detail: 'Off (SSO_ALLOWED_DOMAINS is empty): reps use API tokens from `user add`' });
    const noPublicUrl = await runDoctor({ env: env({ SSO_ALLOWED_DOMAINS: 'acme.com' }), dataDir });
    expect(row(noPublicUrl, 'SSO sign-in').result).toBe('warn');
    expect(row(noPublicUrl, 'SSO sign-in').todo).toMatch(/^Set PUBLIC_URL/);
    const on = await runDoctor({ env: env({ SSO_ALLOWED_DOMAINS: 'acme.com', PUBLIC_URL: 'https://gong.acme.com' }), dataDir });
    expect(row(on, 'SSO sign-in')).toMatchObject({ result: 'ok', detail: 'On for acme.com; sign-in returns to https://gong.acme.com/auth/callback' });
  });

  it('without --rep: the Scalekit checks run, the rep and probe rows say how to run them', async () => {
    const report = await runDoctor({ env: env(), dataDir });
    expect(report.ok).toBe(true);
    expect(row(report, 'Gong connection').result).toBe('ok');
    expect(row(report, 'rep connection')).toMatchObject({ result: 'skip', detail: 'No --rep given' });
    expect(row(report, 'rep connection').todo).toMatch(/--rep <e-mail of a rep who connected Gong>/);
  });

  it('an answer without the shape the spec gives is a failed row saying so (GONG_UNEXPECTED_ANSWER), not an empty list', async () => {
    // The same simulator, except that workspaces come back without their `workspaces` key.
    const reshaped: GongBackend = {
      execute: async (tool, input, ctx) => {
        const data = await gong.execute(tool, input, ctx);
        return tool === 'gong_engage_workspaces_list' ? { requestId: 'r1', items: [] } : data;
      },
    };
    const other = await startSandbox({ gong: reshaped });
    try {
      const report = await runDoctor({
        env: { SCALEKIT_ENV_URL: other.url, SCALEKIT_CLIENT_ID: other.clientId, SCALEKIT_CLIENT_SECRET: other.clientSecret },
        rep: 'rep@example.com',
        dataDir,
      });
      expect(row(report, 'Gong: workspaces').result).toBe('fail');
      expect(row(report, 'Gong: workspaces').detail).toMatch(/^gong_engage_workspaces_list: /);
      expect(row(report, 'Gong: workspaces').todo).toMatch(/^Report it with the backend log/);
      expect(row(report, 'Gong: flows').result).toBe('ok');
    } finally {
      await other.close();
    }
  });

  it('a scope the Gong connection lacks (Gong 403): the failed row names the scope to add', async () => {
    const noUsersScope: GongBackend = {
      execute: async (tool, input, ctx) => {
        if (tool === 'gong_users_list') throw new GongHttpError({ status: 403, body: { requestId: 'r2', errors: ['Missing scope api:users:read'] } });
        return gong.execute(tool, input, ctx);
      },
    };
    const other = await startSandbox({ gong: noUsersScope });
    try {
      const report = await runDoctor({
        env: { SCALEKIT_ENV_URL: other.url, SCALEKIT_CLIENT_ID: other.clientId, SCALEKIT_CLIENT_SECRET: other.clientSecret },
        rep: 'rep@example.com',
        dataDir,
      });
      expect(row(report, 'Gong: users')).toMatchObject({
        result: 'fail',
        todo: 'Give the Gong connection "gong" the api:users:read scope (Scalekit dashboard → AgentKit → Connections → Permissions), then rep@example.com connects Gong again',
      });
      expect(row(report, 'Gong: users').detail).toMatch(/^gong_users_list: .*Missing scope api:users:read/);
      expect(row(report, 'Gong: workspaces').result).toBe('ok');
    } finally {
      await other.close();
    }
  });

  it('a Gong failure in a probe is a failed row with Gong’s words, the other probes still run', async () => {
    gong.faults.set({ tool: 'gong_engage_flows_list', kind: '500', times: 2 });
    const report = await runDoctor({ env: env(), rep: 'rep@example.com', dataDir });
    expect(report.ok).toBe(false);
    expect(row(report, 'Gong: flows').result).toBe('fail');
    expect(row(report, 'Gong: flows').detail).toMatch(/^gong_engage_flows_list: /);
    expect(row(report, 'Gong: workspaces').result).toBe('ok');
    expect(row(report, 'Gong: users').result).toBe('ok');
  });
});

describe('token failures as the SDK reports them', () => {
  // What the SDK's getClientAccessToken throws for an HTTP answer: ScalekitServerException.promote(axios response).
  const answered = (status: number, statusText: string, data: unknown) => ScalekitServerException.promote({ status, statusText, data } as never);
  const url = 'https://acme.scalekit.com';

  it('invalid_client as 400 (RFC 6749 allows it) reads as wrong credentials, like a 401', () => {
    const wrong = `Scalekit at ${url} refused the client id and secret: the credentials are wrong or belong to another environment`;
    expect(tokenFailure(answered(400, 'Bad Request', { error: 'invalid_client' }), url).detail).toBe(wrong);
    expect(tokenFailure(answered(401, 'Unauthorized', { error: 'invalid_client' }), url).detail).toBe(wrong);
  });

  it('a 404 means the URL is not a Scalekit environment', () => {
    expect(tokenFailure(answered(404, 'Not Found', '<html>'), url).detail).toBe(`${url} answered, but has no Scalekit token endpoint (404): it is not a Scalekit environment URL`);
  });
});

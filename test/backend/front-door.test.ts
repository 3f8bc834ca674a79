/**
 * Fault tests for the front door, over raw sockets where a browser's fetch would tidy the request up:
 * the token check follows the route that matched (encoded and absolute-form targets), unknown and
 * malformed paths are JSON 404s with nothing logged as an error, bursts of wrong tokens end in 429 (per
 * address and per token prefix) with a capped denial log, slow and idle clients are cut, connections are
 * capped, the data directory is private, write URLs are http(s) only and unknown query parameters refused.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError } from '../../lib/api';
import { SEED } from '../../server/sandbox/gong/seed';
import { DEMO_TOKEN, ENGINE_UNDER_TEST, logCollector, startTestBackend, tempDataDir, waitFor, type TestBackend } from './harness';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `head` (request line + headers, CRLF-separated, no final blank line) as is and reads one answer. */
function raw(url: string, head: string, opts: { localAddress?: string } = {}): Promise<RawAnswer> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: Number(port), localAddress: opts.localAddress });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => (data += d));
    socket.on('error', reject);
    socket.on('end', () => {
      const [headText, ...rest] = data.split('\r\n\r\n');
      const [statusLine, ...lines] = headText.split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      let body = rest.join('\r\n\r\n');
      if (headers['transfer-encoding'] === 'chunked') body = body.replace(/^[0-9a-f]+\r\n/i, '').replace(/\r\n0\r\n$/, '').replace(/\r\n$/, '');
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
    socket.write(`${head}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  });
}

/** A GET from a chosen loopback address (the backend sees it as the client's IP). */
function getFrom(url: string, p: string, localAddress: string, token?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${p}`, { localAddress, agent: false, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves with how long the server took to close the socket after `send` ran. */
function closedAfter(url: string, send: (s: net.Socket) => void): Promise<{ ms: number; data: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: Number(port) }, () => {
      const started = Date.now();
      socket.on('close', () => resolve({ ms: Date.now() - started, data }));
      send(socket);
    });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => (data += d));
    socket.on('error', () => undefined);
    socket.setTimeout(15_000, () => reject(new Error('the server never closed the socket')));
  });
}

const { stream: logStream, lines: logLines } = logCollector();
let t: TestBackend;
beforeAll(async () => {
  t = await startTestBackend({
    logger: true,
    logStream,
    limits: { failedAuthPerIpPerMinute: 30, failedAuthPerTokenPrefixPerMinute: 8, maxDenialRows: 50 },
    http: { headersTimeoutMs: 600, requestTimeoutMs: 1_000, keepAliveTimeoutMs: 400, maxConnections: 8, checkIntervalMs: 100 },
  });
});
afterAll(async () => {
  await t?.close();
});

describe('the token check follows the route that matched', () => {
  it('refuses percent-encoded spellings of a protected route without a token', async () => {
    for (const target of ['/%61pi/v1/usage', '/api/v1/%75sage', '/%61%70%69/v1/flows', `/api/v1/flows/${SEED.flowId}/%61ssign`]) {
      const method = target.endsWith('ssign') ? 'POST' : 'GET';
      const res = await raw(t.url, `${method} ${target} HTTP/1.1`);
      expect(res.status, target).toBe(401);
      expect(apiError.parse(JSON.parse(res.body)).error.code, target).toBe('UNAUTHENTICATED');
    }
  });

  it('refuses an absolute-form request target without a token', async () => {
    const res = await raw(t.url, `GET ${t.url}/api/v1/usage HTTP/1.1`);
    expect(res.status).toBe(401);
    const other = await raw(t.url, `GET http://evil.example/api/v1/flows HTTP/1.1`);
    expect([401, 404]).toContain(other.status);
    expect(other.status).not.toBe(200);
  });

  it('still serves the public routes without a token', async () => {
    expect((await raw(t.url, 'GET /healthz HTTP/1.1')).status).toBe(200);
    expect((await raw(t.url, 'GET /api/v1/openapi.json HTTP/1.1')).status).toBe(200);
  });
});

describe('unknown and malformed paths', () => {
  it('answer a JSON 404, with or without a token, and nothing is logged as an error', async () => {
    const before = logLines.length;
    const targets = [
      '/api/v1/nope',
      '/api/v1/',
      '/API/v1/usage',
      '/%',
      '/api/v1/flows/%E0%A4%A/assign',
      '/api/v1/tools/%ZZ',
      '/%61pi/v1/nope',
      '/api/v1/jobs/%',
      '//api/v1/usage/..',
      '/api/v1/usage/%2e%2e/flows',
      '/api/v1/%00',
      `/${'a'.repeat(5_000)}`,
    ];
    for (const target of targets) {
      for (const auth of ['', `\r\nAuthorization: Bearer ${DEMO_TOKEN}`]) {
        const res = await raw(t.url, `GET ${target} HTTP/1.1${auth}`);
        expect(res.status, `${target} ${auth ? 'with' : 'without'} token`).toBe(404);
        expect(res.headers['content-type'], target).toMatch(/^application\/json/);
        expect(apiError.parse(JSON.parse(res.body)).error.code, target).toBe('NOT_FOUND');
      }
    }
    const logged = logLines.slice(before).map((l) => JSON.parse(l) as { level: number; err?: unknown });
    expect(logged.filter((l) => l.level >= 50)).toEqual([]);
    expect(logLines.slice(before).join('\n')).not.toMatch(/"stack"|at .*\.ts:\d+/);
  });
});

describe('bursts of wrong tokens', () => {
  it('end in 429 per address: failed token checks count, and the denial log stays capped', async () => {
    const ip = '127.0.0.11';
    const statuses: number[] = [];
    for (let i = 0; i < 120; i++) statuses.push(await getFrom(t.url, '/api/v1/usage', ip, `gek_${randomBytes(24).toString('base64url')}`));
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(30).every((s) => s === 429)).toBe(true);
    // Once over, that address gets no more answers about tokens, good or bad.
    expect(await getFrom(t.url, '/api/v1/usage', ip, DEMO_TOKEN)).toBe(429);
    // Another address is not affected.
    expect(await getFrom(t.url, '/api/v1/usage', '127.0.0.12', DEMO_TOKEN)).toBe(200);
    const rows = (await t.backend.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM access_denials'))!.n;
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThanOrEqual(50);
  });

  it('end in 429 per token prefix, from any address', async () => {
    const stale = `gek_staleTok${'y'.repeat(30)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push(await getFrom(t.url, '/api/v1/usage', `127.0.1.${i + 1}`, stale));
    expect(statuses.slice(0, 8)).toEqual(Array(8).fill(401));
    expect(statuses.slice(8)).toEqual(Array(4).fill(429));
    // Other tokens from a fresh address still work.
    expect(await getFrom(t.url, '/api/v1/usage', '127.0.1.200', DEMO_TOKEN)).toBe(200);
  });
});

describe('slow and idle clients', () => {
  it('cuts a client that sends its headers too slowly', async () => {
    const { ms } = await closedAfter(t.url, (s) => {
      s.write('GET /api/v1/usage HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      const drip = setInterval(() => s.writable && s.write('X-Slow: 1\r\n'), 100);
      s.on('close', () => clearInterval(drip));
    });
    expect(ms).toBeLessThan(3_000);
  });

  it('cuts a client that sends its body too slowly (408)', async () => {
    const { ms, data } = await closedAfter(t.url, (s) => {
      s.write(
        `POST /api/v1/interactions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${DEMO_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"ev`,
      );
      const drip = setInterval(() => s.writable && s.write(' '), 100);
      s.on('close', () => clearInterval(drip));
    });
    expect(ms).toBeLessThan(4_000);
    expect(data).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes an idle keep-alive connection', async () => {
    const { ms, data } = await closedAfter(t.url, (s) => s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    expect(data).toMatch(/^HTTP\/1\.1 200/);
    expect(ms).toBeLessThan(2_000);
  });

  it('caps open connections, and serves again once they go', async () => {
    const { port } = new URL(t.url);
    const hogs = await Promise.all(
      Array.from({ length: 8 }, () => new Promise<net.Socket>((resolve) => {
        const s = net.connect({ host: '127.0.0.1', port: Number(port) }, () => resolve(s));
        s.on('error', () => undefined);
      })),
    );
    // Beyond the cap a connection is dropped without an answer.
    const extra = await closedAfter(t.url, (s) => s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    expect(extra.data).toBe('');
    for (const s of hogs) s.destroy();
    await waitFor(async () => ((await raw(t.url, 'GET /healthz HTTP/1.1').catch(() => ({ status: 0 }))).status === 200 ? true : undefined), 5_000);
  });
});

describe('data at rest', () => {
  it('keeps the data directory 0700 and its files 0600', async () => {
    expect(fs.statSync(t.dataDir).mode & 0o777).toBe(0o700);
    t.gong.flush();
    const files = fs.readdirSync(t.dataDir);
    if (ENGINE_UNDER_TEST === 'sqlite') expect(files).toEqual(expect.arrayContaining(['backend.sqlite']));
    for (const f of files) expect(fs.statSync(path.join(t.dataDir, f)).mode & 0o777, f).toBe(0o600);
  });

  it('tightens a data directory and database created loosely by an older version', async () => {
    const dir = tempDataDir();
    fs.chmodSync(dir, 0o755);
    fs.writeFileSync(path.join(dir, 'backend.sqlite'), '', { mode: 0o644 });
    fs.chmodSync(path.join(dir, 'backend.sqlite'), 0o644);
    // The SQLite file itself, whichever engine the other tests run on.
    const other = await startTestBackend({ dataDir: dir, env: { DATABASE_URL: '' } });
    try {
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
      expect(fs.statSync(path.join(dir, 'backend.sqlite')).mode & 0o777).toBe(0o600);
    } finally {
      await other.close();
    }
  });
});

describe('what a write may carry', () => {
  it('accepts only http(s) URLs in writes, through the routes and the tools', async () => {
    const base = { crmProspectId: SEED.sfContactWithFlows, eventName: 'Viewed pricing', eventTimestamp: new Date().toISOString() };
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,hi', 'ftp://example.com/x']) {
      const res = await t.api('POST', '/api/v1/interactions', { body: { ...base, url } });
      expect(res.status, url).toBe(400);
      const mail = await t.api('POST', '/api/v1/email-activity', {
        body: { emailId: 'e1', eventType: 'EMAIL_LINK_CLICKED', eventTimestamp: base.eventTimestamp, prospectEmail: 'a@example.com', linkUrl: url },
      });
      expect(mail.status, url).toBe(400);
      const tool = await t.api('POST', '/api/v1/tools/gong_engage_digital_interactions_create', {
        body: { event_name: 'x', event_timestamp: base.eventTimestamp, prospect_email: 'a@example.com', url },
      });
      expect(tool.status, url).toBe(400);
    }
    const ok = await t.api('POST', '/api/v1/interactions', { body: { ...base, url: 'https://example.com/pricing' } });
    expect(ok.status).toBe(200);
  });

  it('refuses unknown query parameters on every route', async () => {
    for (const p of ['/api/v1/usage?x=1', '/api/v1/flows?debug=true', '/api/v1/tasks?due=today&x=1', `/api/v1/prospects/${SEED.sfContactWithFlows}/flows?y=2`]) {
      const res = await t.api('GET', p);
      expect(res.status, p).toBe(400);
      expect(apiError.parse(res.body).error.code, p).toBe('VALIDATION_FAILED');
    }
    expect((await t.api('GET', '/api/v1/tasks?due=all')).status).toBe(200);
  });
});

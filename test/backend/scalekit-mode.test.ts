/**
 * The backend in Scalekit mode (credentials set; the stand-in plays Scalekit on loopback), over HTTP:
 * only the listed extension ids get CORS and past the origin hook, and the sandbox demo user is refused
 * with one log line saying why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError } from '../../lib/api';
import { startBackend, type Backend } from '../../server/app';
import { DEFAULT_DEMO_TOKEN, DEMO_USER_EMAIL } from '../../server/config';
import { GongSimulator } from '../../server/sandbox/gong/simulator';
import { SEED } from '../../server/sandbox/gong/seed';
import { SANDBOX_PEOPLE } from '../../server/sandbox/hosted-login';
import { startSandbox, type Sandbox } from '../../server/sandbox/index';
import { SessionStore } from '../../server/store/sessions';
import { UserStore } from '../../server/store/users';
import { DEMO_TOKEN, engineEnv, logCollector, openTestDb, tempDataDir } from './harness';

const LISTED = 'abcdefghijklmnopabcdefghijklmnop';
const UNLISTED = 'ponmlkjihgfedcbaponmlkjihgfedcba';

let sandbox: Sandbox;
const dataDir = tempDataDir();
const { stream: logStream, lines: logLines } = logCollector();
let backend: Backend;
let token: string;
const sandboxDeviceTokens: string[] = [];

beforeAll(async () => {
  // The data directory was used in sandbox mode first: the demo user exists there with both tokens printed.
  for (const demoToken of [DEFAULT_DEMO_TOKEN, DEMO_TOKEN]) {
    const first = await startBackend({ port: 0, dataDir, env: await engineEnv(dataDir), demoToken });
    await first.close();
  }
  // Anyone can sign in as one of the sandbox IdP's people; such a device token must not outlive sandbox mode.
  const db = await openTestDb(dataDir);
  const people = new UserStore(db);
  // As the sandbox backend's sign-in does (server/sso/sign-in.ts through a UserStore app.ts set so).
  people.sandboxSignIns = true;
  const sessions = new SessionStore(db, people);
  for (const p of SANDBOX_PEOPLE.filter((p) => p.email.endsWith('@example.com'))) {
    sandboxDeviceTokens.push((await sessions.issue((await people.findOrCreateForSso(p.email)).id, 'extension')).token);
  }
  await db.close();
  sandbox = await startSandbox({ gong: new GongSimulator() });
  sandbox.accounts.setStatus('gong', SEED.repEmail, 'ACTIVE');
  backend = await startBackend({
    port: 0,
    dataDir,
    demoToken: DEMO_TOKEN,
    logger: true,
    logStream,
    env: {
      ...(await engineEnv(dataDir)),
      SCALEKIT_ENV_URL: sandbox.url,
      SCALEKIT_CLIENT_ID: sandbox.clientId,
      SCALEKIT_CLIENT_SECRET: sandbox.clientSecret,
      ALLOWED_EXTENSION_IDS: LISTED,
    },
  });
  expect(backend.mode).toBe('scalekit');
  token = (await backend.users.add('riley.parker@example.com')).token;
});
afterAll(async () => {
  await backend?.close();
  await sandbox?.close();
});

const get = (p: string, headers: Record<string, string> = {}) =>
  fetch(`${backend.url}${p}`, { headers: { authorization: `Bearer ${token}`, ...headers } });

describe('origins in scalekit mode', () => {
  it('grants CORS to a listed extension id', async () => {
    const res = await get('/api/v1/usage', { origin: `chrome-extension://${LISTED}` });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(`chrome-extension://${LISTED}`);
    const preflight = await fetch(`${backend.url}/api/v1/interactions`, {
      method: 'OPTIONS',
      headers: { origin: `chrome-extension://${LISTED}`, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(`chrome-extension://${LISTED}`);
  });

  it('refuses an extension id that is not listed, and web pages, before authentication and without CORS', async () => {
    for (const origin of [`chrome-extension://${UNLISTED}`, 'https://evil.example', 'null']) {
      const res = await get('/api/v1/usage', { origin });
      expect(res.status, origin).toBe(403);
      expect(apiError.parse(await res.json()).error.code, origin).toBe('FORBIDDEN');
      expect(res.headers.get('access-control-allow-origin'), origin).toBeNull();
      const preflight = await fetch(`${backend.url}/api/v1/interactions`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
      expect(preflight.headers.get('access-control-allow-origin'), origin).toBeNull();
      expect(preflight.headers.get('access-control-allow-methods'), origin).toBeNull();
    }
  });
});

describe('the sandbox demo user in scalekit mode', () => {
  it('is refused, whichever token sandbox mode printed for it', async () => {
    for (const demo of [DEFAULT_DEMO_TOKEN, DEMO_TOKEN]) {
      const res = await fetch(`${backend.url}/api/v1/usage`, { headers: { authorization: `Bearer ${demo}` } });
      expect(res.status, demo).toBe(401);
    }
    expect((await get('/api/v1/usage')).status).toBe(200);
  });

  it("refuses the sandbox sign-in's people too: a device token issued in sandbox mode does not work", async () => {
    expect(sandboxDeviceTokens.length).toBeGreaterThanOrEqual(4);
    for (const device of sandboxDeviceTokens) {
      const res = await fetch(`${backend.url}/api/v1/usage`, { headers: { authorization: `Bearer ${device}` } });
      expect(res.status).toBe(401);
    }
  });

  it('says why in one log line at start', () => {
    const lines = logLines.filter((l) => l.includes(DEMO_USER_EMAIL));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]).msg).toMatch(/demo users? .* refused .*Scalekit/i);
    expect(JSON.parse(lines[0]).msg).toContain('admin@example.com');
  });
});

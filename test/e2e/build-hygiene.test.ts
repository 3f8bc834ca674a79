/**
 * The built extension (what a rep installs) holds no secret and loads no code from the network.
 * Runs on `.output/chrome-mv3` from `npm run build`, like the browser tests.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_TOKEN } from '../../server/config';
import { startSandbox } from '../../server/sandbox/index';
import { EXTENSION_DIR } from './fixtures';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

const built = files(EXTENSION_DIR).map((p) => ({ path: relative(EXTENSION_DIR, p), text: readFileSync(p).toString('latin1') }));
const manifest = JSON.parse(readFileSync(join(EXTENSION_DIR, 'manifest.json'), 'utf8')) as {
  content_security_policy?: { extension_pages?: string };
  host_permissions?: string[];
};

describe('built extension hygiene', () => {
  it('contains no Scalekit credential, backend token or server code', async () => {
    // The credentials the backend tests run with: a sandbox's client id/secret, the demo token default.
    const sandbox = await startSandbox();
    const secrets = [sandbox.clientSecret, sandbox.clientId, DEFAULT_DEMO_TOKEN, 'e2e-demo-token', process.env.SCALEKIT_CLIENT_SECRET].filter(
      (s): s is string => !!s,
    );
    await sandbox.close();
    const markers = [/SCALEKIT_CLIENT_SECRET/, /client_secret/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, /better-sqlite3/, /@scalekit-sdk/, /fastify/i];
    expect(built.length).toBeGreaterThan(5);
    for (const f of built) {
      for (const s of secrets) expect(f.text.includes(s), `${f.path} contains a secret`).toBe(false);
      for (const m of markers) expect(m.test(f.text), `${f.path} matches ${m}`).toBe(false);
    }
  });

  it('allows scripts only from the extension itself', () => {
    const csp = manifest.content_security_policy?.extension_pages ?? '';
    const scriptSrc = /script-src([^;]*)/.exec(csp)?.[1]?.trim().split(/\s+/) ?? [];
    expect(scriptSrc).toContain("'self'");
    expect(scriptSrc.filter((s) => !["'self'", "'wasm-unsafe-eval'"].includes(s))).toEqual([]);
  });

  it('loads no code from the network', () => {
    for (const f of built.filter((x) => /\.(html|js)$/.test(x.path))) {
      expect(/<script[^>]+src=["']?(https?:)?\/\//i.test(f.text), `${f.path} has a remote <script>`).toBe(false);
      expect(/importScripts\(\s*["'`]https?:/.test(f.text), `${f.path} imports remote scripts`).toBe(false);
      expect(/import\(\s*["'`]https?:/.test(f.text), `${f.path} imports a remote module`).toBe(false);
      expect(/<link[^>]+href=["']?https?:/i.test(f.text), `${f.path} links a remote stylesheet`).toBe(false);
    }
  });

  it('asks host access only for the CRM domains and the loopback backend', () => {
    for (const host of manifest.host_permissions ?? []) {
      expect(host, host).toMatch(/^(https:\/\/\*\.(force\.com|salesforce\.com|hubspot\.com)\/\*|http:\/\/(127\.0\.0\.1|localhost)\/\*)$/);
    }
  });
});

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

describe('built side panel', () => {
  /** The chunks a script file imports: statically (`from"./x.js"`, `import"./x.js"`) or on demand (`import("./x.js")`). */
  function imports(path: string, kind: 'static' | 'dynamic'): string[] {
    const text = built.find((f) => f.path === path)?.text ?? '';
    const re = kind === 'static' ? /(?:from|import)\s*"\.\/([^"]+\.js)"/g : /import\(\s*"\.\/([^"]+\.js)"\)/g;
    return [...text.matchAll(re)].map((m) => join(path.split('/').slice(0, -1).join('/'), m[1]));
  }
  const closure = (start: string[], kinds: ('static' | 'dynamic')[]) => {
    const all = new Set(start);
    for (const f of all) for (const k of kinds) for (const i of imports(f, k)) all.add(i);
    return [...all];
  };
  const html = built.find((f) => f.path === 'sidepanel.html')!.text;
  const pageScripts = [...html.matchAll(/(?:src|href)="\/([^"]+\.js)"/g)].map((m) => m[1]);
  const hasZod = (path: string) => built.find((f) => f.path === path)!.text.includes('ZodError');

  it('renders its first frame without zod, and loads the API schemas when an answer needs them', () => {
    // Issue 15's cold open: zod and the API's schemas were ~40% of the JavaScript parsed before the first render.
    const firstPath = closure(pageScripts, ['static']);
    expect(firstPath.length).toBeGreaterThan(2);
    expect(firstPath.filter(hasZod)).toEqual([]);
    expect(closure(pageScripts, ['static', 'dynamic']).some(hasZod)).toBe(true);
  });
});

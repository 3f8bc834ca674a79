/** The backend as `npm run server` runs it: server/build.ts's bundle and the script's node flags. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildServer, serverNodeFlags } from '../../server/build';

const outDir = path.join(process.cwd(), '.output', `server-build-test-${process.pid}`);
afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

describe('server build', () => {
  it('bundles the backend for plain node: the CLI entry, its lazily loaded parts as chunks, no TypeScript left to load', async () => {
    const main = await buildServer({ outDir });
    expect(main).toBe(path.join(outDir, 'main.mjs'));
    const files = fs.readdirSync(outDir);
    // The server, the doctor and the import are chunks of their own: `user add` does not load the server.
    expect(files.filter((f) => f.endsWith('.mjs')).length).toBeGreaterThan(3);
    for (const f of files.filter((f) => f.endsWith('.mjs'))) {
      const code = fs.readFileSync(path.join(outDir, f), 'utf8');
      expect(code, f).not.toMatch(/from\s+["'][^"']*\.tsx?["']/);
      expect(code, f).not.toMatch(/["']tsx["']/);
    }
    expect(files).toContain('main.mjs.map');
  });

  it('a second build of the same code writes nothing (replicas started at once from one checkout)', async () => {
    const main = await buildServer({ outDir });
    const before = fs.statSync(main).mtimeMs;
    const inode = fs.statSync(main).ino;
    await new Promise((r) => setTimeout(r, 20));
    await buildServer({ outDir });
    expect(fs.statSync(main).mtimeMs).toBe(before);
    expect(fs.statSync(main).ino).toBe(inode);
    expect(fs.readdirSync(outDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it("package.json's server script builds, then execs node on the bundle with --expose-gc (idle-time GC) and source maps", () => {
    const script = (JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts.server;
    expect(script).toMatch(/^tsx server\/build\.ts && exec node .* \.output\/server\/main\.mjs$/);
    expect(serverNodeFlags()).toEqual(expect.arrayContaining(['--expose-gc', '--enable-source-maps']));
  });
});

/**
 * The backend as it runs: server/main.ts bundled by esbuild into ES modules (node_modules stay external) that
 * plain `node` runs. `npm run server` builds it first (a fraction of a second), so the command runs what is in
 * the tree. Why not tsx, as before: it transpiles every file at each start, and keeps a loader thread with a V8
 * heap of its own beside the backend's, whose work competes for the CPU with the requests (bench/README.md,
 * "The backend as built").
 *
 *   tsx server/build.ts        writes .output/server/main.mjs (+ chunks and source maps)
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where `npm run server` runs the backend from. */
export const SERVER_OUT_DIR = path.join(root, '.output', 'server');

/**
 * node's flags in package.json's `server` script (`… && exec node <flags…> <bundle>`), for what runs the backend
 * as that script does (tests that need its process, the bench): read from there so that they cannot drift.
 */
export function serverNodeFlags(): string[] {
  const script = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.server;
  const m = /&& exec node ((?:--\S+\s+)*)\S+\.mjs$/.exec(script);
  if (!m) throw new Error(`package.json's server script is not "… && exec node <flags> <bundle>.mjs": ${script}`);
  return m[1].trim().split(/\s+/).filter(Boolean);
}

/**
 * Bundles `entry` (relative to the repository) into `outDir`/<entry's name>.mjs, with the lazily imported parts
 * (the server, the doctor, the import) as chunks of their own so that the user commands start without them.
 * Returns the bundle's path. `outDir` must be inside the repository (node finds node_modules from there).
 */
export async function buildServer({ entry = 'server/main.ts', outDir = SERVER_OUT_DIR }: { entry?: string; outDir?: string } = {}): Promise<string> {
  const { outputFiles } = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // Stack traces name the .ts files when node runs with --enable-source-maps (npm run server does).
    sourcemap: 'linked',
    logLevel: 'warning',
    write: false,
  });
  // Replicas started at once from one checkout each build: a file is replaced only when it changed, and then by a
  // rename, so that no process ever loads a half-written one. (Chunks are named by their content.)
  mkdirSync(outDir, { recursive: true });
  for (const file of outputFiles) {
    let same = false;
    try {
      same = readFileSync(file.path).equals(file.contents);
    } catch {
      // not there yet
    }
    if (same) continue;
    const temp = `${file.path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temp, file.contents);
    renameSync(temp, file.path);
  }
  return path.join(outDir, `${path.basename(entry).replace(/\.ts$/, '')}.mjs`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await buildServer();
}

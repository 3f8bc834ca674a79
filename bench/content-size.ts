/** Content script size: gzipped bytes of the built content script(s), and whether React is bundled in. */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BenchResult } from './util';

export function contentScriptSize(extensionDir: string): BenchResult {
  const dir = join(extensionDir, 'content-scripts');
  const base = { id: 'content-script-size', figure: 'content script size, gzipped', goal: '≤ 4 KB, no React' };
  if (!existsSync(dir)) return { ...base, value: 'n/a', pass: null, error: `${dir} missing: build the extension first` };
  const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
  const per = files.map((f) => {
    const src = readFileSync(join(dir, f));
    const text = src.toString('utf8');
    // React's builds carry these markers (element symbols, the hooks dispatcher, the reconciler).
    const react = /react\.element|react\.transitional\.element|__SECRET_INTERNALS|__CLIENT_INTERNALS_DO_NOT_USE|useState|createRoot|reactjs\.org|react\.dev\/errors/.test(text);
    return { file: f, bytes: src.length, gzipBytes: gzipSync(src, { level: 9 }).length, react };
  });
  const gz = per.reduce((s, p) => s + p.gzipBytes, 0);
  const react = per.some((p) => p.react);
  return {
    ...base,
    value: `${(gz / 1024).toFixed(2)} KB gz (${per.map((p) => `${p.file} ${p.bytes} B raw`).join(', ')})${react ? ', React found' : ', no React'}`,
    pass: files.length > 0 && gz <= 4096 && !react,
    data: { files: per, gzipBytesTotal: gz, react },
  };
}

/**
 * The side panel's JavaScript, gzipped: every script sidepanel.html loads or preloads (its entry chunk and the
 * shared chunks it imports: what Chromium parses before the first render), plus what those import later
 * (`import("./x.js")`: the API's schemas and zod, loaded with the first answer). The goal is on the total.
 */
export function sidePanelScriptSize(extensionDir: string): BenchResult {
  const base = { id: 'sidepanel-js-size', figure: 'side panel JavaScript, gzipped', goal: '≤ 80 KB' };
  const html = join(extensionDir, 'sidepanel.html');
  if (!existsSync(html)) return { ...base, value: 'n/a', pass: null, error: `${html} missing: build the extension first` };
  const page = readFileSync(html, 'utf8');
  const atOpen = new Set([...page.matchAll(/(?:src|href)="\/([^"]+\.js)"/g)].map((m) => m[1]));
  // Every chunk reachable from the page's scripts, static or dynamic imports (chunks import "./name.js").
  const all = new Set(atOpen);
  for (const f of all) {
    const code = readFileSync(join(extensionDir, f), 'utf8');
    for (const m of code.matchAll(/(?:from|import\(?)\s*"\.\/([^"]+\.js)"/g)) all.add(join(dirname(f), m[1]));
  }
  const per = [...all].map((f) => {
    const src = readFileSync(join(extensionDir, f));
    return { file: f, bytes: src.length, gzipBytes: gzipSync(src, { level: 9 }).length, atOpen: atOpen.has(f) };
  });
  const sum = (ps: typeof per) => ps.reduce((s, p) => s + p.gzipBytes, 0);
  const gz = sum(per);
  const openGz = sum(per.filter((p) => p.atOpen));
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  const biggest = [...per].sort((a, b) => b.gzipBytes - a.gzipBytes).slice(0, 3);
  return {
    ...base,
    value: `${kb(gz)} gz in ${per.length} files: ${kb(openGz)} before the first render, ${kb(gz - openGz)} loaded with the first answer (largest: ${biggest.map((p) => `${p.file.replace(/^chunks\//, '')} ${kb(p.gzipBytes)}`).join(', ')})`,
    pass: per.length > 0 && gz <= 80 * 1024,
    data: { files: per, gzipBytesTotal: gz, gzipBytesBeforeFirstRender: openGz },
  };
}

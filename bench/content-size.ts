/** Content script size: gzipped bytes of the built content script(s), and whether React is bundled in. */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
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
 * The side panel's JavaScript, gzipped: every script sidepanel.html loads or preloads (its entry chunk and
 * the shared chunks it imports), i.e. what Chromium parses on a cold open of the panel.
 */
export function sidePanelScriptSize(extensionDir: string): BenchResult {
  const base = { id: 'sidepanel-js-size', figure: 'side panel JavaScript, gzipped', goal: '≤ 80 KB' };
  const html = join(extensionDir, 'sidepanel.html');
  if (!existsSync(html)) return { ...base, value: 'n/a', pass: null, error: `${html} missing: build the extension first` };
  const page = readFileSync(html, 'utf8');
  const scripts = [...page.matchAll(/(?:src|href)="\/([^"]+\.js)"/g)].map((m) => m[1]);
  const per = [...new Set(scripts)].map((f) => {
    const src = readFileSync(join(extensionDir, f));
    return { file: f, bytes: src.length, gzipBytes: gzipSync(src, { level: 9 }).length };
  });
  const gz = per.reduce((s, p) => s + p.gzipBytes, 0);
  const biggest = [...per].sort((a, b) => b.gzipBytes - a.gzipBytes).slice(0, 3);
  return {
    ...base,
    value: `${(gz / 1024).toFixed(1)} KB gz in ${per.length} files (largest: ${biggest.map((p) => `${p.file.replace(/^chunks\//, '')} ${(p.gzipBytes / 1024).toFixed(1)} KB`).join(', ')})`,
    pass: per.length > 0 && gz <= 80 * 1024,
    data: { files: per, gzipBytesTotal: gz },
  };
}

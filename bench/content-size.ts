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

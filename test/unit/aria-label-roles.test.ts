/**
 * aria-label names an element only when it has a role that takes a name: on a plain <span> or <div> it is
 * prohibited (axe `aria-prohibited-attr`) and screen readers ignore it. The popup's spinners had it that way, seen
 * by the a11y e2e test only when a refresh was under way while axe ran; this checks every component's source.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.tsx$/.test(e.name) ? [p] : [];
  });
}

test('no <span> or <div> carries an aria-label without a role', () => {
  const offenders: string[] = [];
  for (const file of [...sources('components'), ...sources('entrypoints')]) {
    const code = fs.readFileSync(file, 'utf8');
    // A JSX opening tag up to its end (`/>` or `>` not part of `=>`).
    for (const m of code.matchAll(/<(span|div)\b((?:[^>]|=>)*?)\/?>/g)) {
      if (/\baria-label=/.test(m[2]) && !/\brole=/.test(m[2])) offenders.push(`${file}: ${m[0].replace(/\s+/g, ' ')}`);
    }
  }
  expect(offenders).toEqual([]);
});

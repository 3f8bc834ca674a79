#!/usr/bin/env node
// `npm test`: typecheck, unit, backend integration (on SQLite, then on a throwaway PostgreSQL with the scale-out
// test), then the browser e2e against the built extension.
// Every suite runs even when an earlier one fails; the last line sums them: `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const reportDir = join(process.cwd(), 'test/artifacts/reports');
mkdirSync(reportDir, { recursive: true });
let passed = 0;
let failed = 0;

function run(label, cmd, args) {
  console.log(`\n━━ ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  return r.status === 0;
}

function vitest(project) {
  const out = join(reportDir, `${project}.json`);
  rmSync(out, { force: true });
  const ok = run(`${project} tests`, 'npx', ['vitest', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`]);
  try {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests + report.numPendingTests + report.numTodoTests;
    // A suite that failed to load has no tests to count: count the file itself as a failure.
    failed += report.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
    if (!ok && report.numFailedTests === 0) failed += 1;
  } catch {
    failed += 1;
    console.log(`${project}: no report (the run crashed)`);
  }
}

if (run('typecheck', 'npx', ['tsc', '--noEmit'])) passed += 1;
else failed += 1;
vitest('unit');
vitest('backend');
vitest('backend-pg');
if (run('build extension', 'npx', ['wxt', 'build'])) {
  passed += 1;
  vitest('e2e');
} else failed += 1;

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

/**
 * Child process of the overhead benchmark (`backend-load.ts` `overheadBench`): the real backend with its
 * in-process sandbox (Scalekit stand-in + Gong simulator), as `npm start` runs it, in a process of its own so
 * the bench client's event loop and heap are not the backend's (as in production, where the caller is
 * another machine).
 *
 * Prints one JSON line on stdout: { url, token, sandbox: { url, clientId, clientSecret } }.
 * Closes the backend and exits when stdin ends (the parent closes it, or dies).
 */
import { startBenchBackend } from './backend';

// The direct SDK calls of the bench hit the same simulated company: its 3/s limit would refuse them, so it is
// opened here (the backend's own 3/s limiter still applies to the route calls).
const b = await startBenchBackend({ sim: { latencyMs: 0, limits: { perSecond: 1_000_000, perDay: 100_000_000 } } });
const sandbox = b.backend.sandbox!;
process.stdout.write(`${JSON.stringify({ url: b.url, token: b.token, sandbox: { url: sandbox.url, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret } })}\n`);

let closing = false;
const shutdown = async () => {
  if (closing) return;
  closing = true;
  try {
    await b.close();
  } finally {
    process.exit(0);
  }
};
process.stdin.on('end', () => void shutdown());
process.stdin.on('error', () => void shutdown());
process.stdin.resume();
process.on('SIGTERM', () => void shutdown());

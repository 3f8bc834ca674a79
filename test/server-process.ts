/**
 * The backend as `npm run server` runs it, for tests that need it as a process of its own (CLI commands, signals,
 * kill -9, replicas): the bundle server/build.ts writes, started by node with the `server` script's flags.
 * Started directly, not through npm, so that the test's signals reach the backend itself.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { buildServer, serverNodeFlags } from '../server/build';

let built: Promise<string> | undefined;

/** node's arguments for `npm run server -- <args>`; builds the bundle first (once per test process). */
export async function serverArgv(args: string[]): Promise<string[]> {
  built ??= buildServer();
  return [...serverNodeFlags(), await built, ...args];
}

/** Starts the backend (`args`: a CLI command, or none to serve). */
export async function spawnServer(args: string[], options: SpawnOptions): Promise<ChildProcess> {
  return spawn(process.execPath, await serverArgv(args), options);
}

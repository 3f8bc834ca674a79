/**
 * CLI entry. `npm run server -- …` builds it (server/build.ts) and runs the bundle with node's --expose-gc
 * (see server/http/idle-work.ts):
 *   npm run server [-- --print-extension]  start the backend (sandbox mode without Scalekit credentials)
 *   npm run server -- user add <email> [rep|manager|admin]   create a user (rep by default); prints its API token once
 *   npm run server -- user role <email> <rep|manager|admin>  change a user's role
 *   npm run server -- user list              list users with their roles
 *   npm run server -- user revoke <email>    revoke a user's token
 *   npm run server -- doctor [--rep <email>] check credentials, the Gong connection and a rep's access
 *   npm run server -- store import <DATA_DIR>  copy a SQLite store into the new Postgres database DATABASE_URL names
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config';
import { CHANNELS, openDatabase, openDb, openPostgres, sqliteFileIn } from './store/db';
import { parseRole, UserStore } from './store/users';

/** The checkout this runs from: the nearest folder up with a package.json (from server/ as from its bundle in .output/server/). */
function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

function usage(): never {
  console.error(
    'usage: npm run server -- [--print-extension] | user add <email> [rep|manager|admin] | user role <email> <rep|manager|admin> | user list | user revoke <email> | doctor [--rep <email>] | store import <DATA_DIR>',
  );
  process.exit(2);
}

async function userCommand(args: string[]): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase(config);
  const users = new UserStore(db);
  // Running replicas forget what they kept of this person at once (Postgres NOTIFY), not after their cache time.
  users.onChange = () => void db.publish(CHANNELS.people, 'cli').catch(() => undefined);
  try {
    const [cmd, email, role, ...rest] = args;
    if (rest.length > 0) usage();
    if (cmd === 'add' && email) {
      const { user, token } = await users.add(email, undefined, role === undefined ? undefined : parseRole(role));
      console.log(`Created ${user.email} (${user.role}). API token (shown once, store it now):\n${token}`);
    } else if (cmd === 'role' && email && role) {
      const user = await users.setRole(email, parseRole(role));
      console.log(`${user.email} is now ${user.role}`);
    } else if (cmd === 'list' && !email) {
      for (const u of await users.list()) console.log(`${u.email}\t${u.role}\t${u.revokedAt ? `revoked ${u.revokedAt}` : 'active'}\tcreated ${u.createdAt}`);
    } else if (cmd === 'revoke' && email && !role) {
      if (!(await users.revoke(email))) {
        console.error(`No active user ${email}`);
        process.exitCode = 1;
      } else console.log(`Revoked ${email}`);
    } else usage();
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  } finally {
    await db.close();
  }
}

/** `store import <DATA_DIR>`: from one process (SQLite) to replicas (Postgres), keeping users, tokens, audit, jobs. */
async function storeCommand(args: string[]): Promise<void> {
  const [cmd, from, ...rest] = args;
  if (cmd !== 'import' || !from || rest.length) usage();
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error('Set DATABASE_URL to the new (empty) Postgres database to import into');
  // A data directory, or the store file in it; never a store made here by mistake.
  const given = path.resolve(from);
  const dataDir = given === sqliteFileIn(path.dirname(given)) ? path.dirname(given) : given;
  if (!fs.existsSync(sqliteFileIn(dataDir))) throw new Error(`No SQLite store at ${sqliteFileIn(dataDir)}`);
  const { importSqlite } = await import('./store/import-sqlite');
  // Opening the store migrates it to this version's schema, as starting the backend on it would.
  const source = openDb(dataDir);
  const target = await openPostgres(config.databaseUrl, 1).catch(async (err) => {
    await source.close();
    throw err;
  });
  try {
    const { rows } = await importSqlite(source, target);
    console.log(`Copied ${source.where} into ${target.where}:`);
    for (const [table, n] of Object.entries(rows)) console.log(`  ${table}\t${n}`);
    console.log('Start the replicas with this DATABASE_URL; keep the SQLite backend stopped (what it writes now is not copied).');
  } finally {
    await source.close();
    await target.close();
  }
}

async function doctorCommand(args: string[]): Promise<void> {
  let rep: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--rep' && args[i + 1] !== undefined) rep = args[++i];
    else if (arg.startsWith('--rep=')) rep = arg.slice('--rep='.length);
    else usage();
  }
  const { formatReport, runDoctor } = await import('./doctor');
  const report = await runDoctor({ rep });
  console.log(formatReport(report));
  process.exitCode = report.ok ? 0 : 1;
}

async function serve(printExtension: boolean): Promise<void> {
  // Loaded only to serve: the user commands need nothing but the store, and start much faster without it.
  const { startBackend } = await import('./app');
  const backend = await startBackend({ logger: true });
  const lines = [`Gong Everywhere backend: ${backend.url}  (mode: ${backend.mode})`];
  if (backend.demoToken) lines.push(`Demo user rep@example.com, API token: ${backend.demoToken}`);
  if (printExtension) {
    const ext = path.join(repoRoot(), '.output', 'chrome-mv3');
    lines.push(
      fs.existsSync(ext) ? `Built extension: ${ext}` : `Extension not built yet (npm run build); it will be at ${ext}`,
      'Load it: chrome://extensions → Developer mode → Load unpacked → choose that folder.',
      `Then open the extension's options, set Backend URL ${backend.url} and the API token above.`,
    );
  }
  process.stderr.write(`\n${lines.join('\n')}\n\n`);
  let stopping = false;
  const stop = async (drain: boolean) => {
    if (stopping) return;
    stopping = true;
    await backend.close({ drain });
    process.exit(0);
  };
  // An orchestrator's SIGTERM drains first (SHUTDOWN_DRAIN_MS); Ctrl-C stops at once (requests under way still answered).
  process.on('SIGINT', () => void stop(false));
  process.on('SIGTERM', () => void stop(true));
}

const args = process.argv.slice(2);
if (args[0] === 'user') await userCommand(args.slice(1));
else if (args[0] === 'store') {
  storeCommand(args.slice(1)).catch((err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
} else if (args[0] === 'doctor') {
  doctorCommand(args.slice(1)).catch((err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
else if (args.every((a) => a === '--print-extension')) {
  serve(args.includes('--print-extension')).catch((err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
} else usage();

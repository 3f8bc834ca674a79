/**
 * `npm run server -- doctor [--rep <email>]`: an admin's first run with real credentials. Checks, in order,
 * the environment, a Scalekit token, the Gong connection named GONG_CONNECTION_NAME, a rep's connected
 * account, and read-only Gong calls made as that rep (workspaces, flows, users' first page), through the
 * backend's own Scalekit client, connection and gateway code. In sandbox mode the same runs against the
 * stand-in. Each row says what was checked, what came back and what to do; a failed step skips the steps
 * that depend on it, so the first failure is the one to fix.
 */
import { Code } from '@connectrpc/connect';
import { ScalekitException, ScalekitServerException } from '@scalekit-sdk/node';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import { GONG_CALLS_PER_SECOND, type GongToolName } from '../lib/gong-tools';
import { gongFlowsResponse, gongUsersResponse, gongWorkspacesResponse } from '../lib/gong-types';
import { DEMO_USER_EMAIL, loadConfig, type BackendConfig, type BackendMode } from './config';
import { GongConnections } from './gong/connection';
import { classifyGongError, toApiFailure } from './gong/failure';
import { GongGateway } from './gong/gateway';
import type { ApiFailure } from './http/api-failure';
import type { SandboxOptions } from './sandbox/index';
import { connectScalekit, type ScalekitConnection } from './scalekit-client';
import { databaseStatus, openDatabase, type PostgresCapacity } from './store/db';
import { SharedRateLimiter } from './gong/shared-limiter';
import { UsageCounter } from './store/usage';

export type DoctorResult = 'ok' | 'warn' | 'fail' | 'skip';

export interface DoctorRow {
  check: string;
  result: DoctorResult;
  /** What came back, in a plain sentence. */
  detail: string;
  /** What the admin does about it ('' when nothing). */
  todo: string;
}

export interface DoctorReport {
  mode: BackendMode | null;
  rows: DoctorRow[];
  /** No row failed (warnings allowed). */
  ok: boolean;
}

export interface DoctorOptions {
  env?: Record<string, string | undefined>;
  /** The rep whose connected account is checked and as whom the probes run (sandbox default: the demo rep). */
  rep?: string;
  /** Sandbox mode only (tests). */
  sandbox?: SandboxOptions;
  /** Where the backend's database is (default DATA_DIR): the probes' Gong calls count in today's usage. */
  dataDir?: string;
}

const CHECKS = {
  env: 'environment',
  sso: 'SSO sign-in',
  database: 'database',
  token: 'Scalekit token',
  connection: 'Gong connection',
  rep: 'rep connection',
} as const;

const WHERE_CREDENTIALS = 'Scalekit dashboard → Developers → Settings → API Credentials';
const WHERE_CONNECTIONS = 'Scalekit dashboard → AgentKit → Connections';

interface Probe {
  check: string;
  tool: GongToolName;
  input: (rep: string) => Record<string, unknown>;
  /** The Gong OAuth scope the operation needs (gong-openapi.json, the operation's description). */
  scope: string;
  read: (data: unknown, rep: string) => { result: DoctorResult; detail: string; todo?: string };
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const PROBES: Probe[] = [
  {
    check: 'Gong: workspaces',
    tool: 'gong_engage_workspaces_list',
    input: () => ({}),
    scope: 'api:workspaces:read',
    read: (data) => {
      const { workspaces } = gongWorkspacesResponse.parse(data);
      return { result: 'ok', detail: `${count(workspaces.length, 'workspace')}${workspaces.length ? `: ${workspaces.map((w) => w.name).join(', ')}` : ''}` };
    },
  },
  {
    check: 'Gong: flows',
    tool: 'gong_engage_flows_list',
    input: (rep) => ({ flow_owner_email: rep }),
    scope: 'api:flows:read',
    read: (data, rep) => {
      const { flows, records } = gongFlowsResponse.parse(data);
      const total = records?.totalRecords ?? flows.length;
      if (total === 0) return { result: 'warn', detail: `No Engage flows visible to ${rep}`, todo: `Check in Gong that ${rep} uses Engage and can see flows` };
      return { result: 'ok', detail: `${count(total, 'flow')} visible to ${rep}` };
    },
  },
  {
    check: 'Gong: users',
    tool: 'gong_users_list',
    input: () => ({}),
    scope: 'api:users:read',
    read: (data, rep) => {
      const { users, records } = gongUsersResponse.parse(data);
      const total = records?.totalRecords ?? users.length;
      const found = users.some((u) => u.emailAddress?.toLowerCase() === rep.toLowerCase());
      const detail = `first page: ${count(users.length, 'user')} of ${total}`;
      // Only a complete first page proves absence; a rep on a later page is fine.
      if (!found && !records?.cursor) {
        return { result: 'warn', detail: `${detail}; ${rep} is not among them`, todo: `Use the e-mail ${rep} has in Gong (the side panel acts as that Gong user)` };
      }
      return { result: 'ok', detail: found ? `${detail}, ${rep} among them` : detail };
    },
  },
];

export async function runDoctor(opts: DoctorOptions = {}): Promise<DoctorReport> {
  const rows: DoctorRow[] = [];
  const report = (mode: BackendMode | null): DoctorReport => ({ mode, rows, ok: !rows.some((r) => r.result === 'fail') });
  const skipRest = (after: string, from: number) => {
    const names = [CHECKS.token, CHECKS.connection, CHECKS.rep, ...PROBES.map((p) => p.check)];
    for (const check of names.slice(from)) rows.push({ check, result: 'skip', detail: `Not checked: ${after}`, todo: '' });
  };

  let config: BackendConfig;
  try {
    config = loadConfig(opts.env ?? process.env);
  } catch (err) {
    rows.push({ check: CHECKS.env, result: 'fail', detail: errorText(err), todo: `Set SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET from ${WHERE_CREDENTIALS}, or none of them for sandbox mode` });
    skipRest('the environment is not usable', 0);
    return report(null);
  }
  if (opts.dataDir) config.dataDir = opts.dataDir;
  const envRow = environmentRow(config, opts.env ?? process.env);
  rows.push(envRow);
  const rep = opts.rep?.trim() || (config.mode === 'sandbox' ? DEMO_USER_EMAIL : undefined);
  if (envRow.result === 'fail') {
    skipRest('the environment is not usable', 0);
    return report(config.mode);
  }
  if (rep !== undefined && !z.email().safeParse(rep).success) {
    rows.push({ check: CHECKS.env, result: 'fail', detail: `--rep "${rep}" is not an e-mail address`, todo: "Give the rep's e-mail address, as the backend knows them (user list)" });
    skipRest('--rep is not an e-mail address', 0);
    return report(config.mode);
  }
  rows.push(ssoRow(config));
  const dbRow = await databaseRow(config);
  rows.push(dbRow);
  if (dbRow.result === 'fail') {
    skipRest('the database is not reachable', 0);
    return report(config.mode);
  }

  let scalekit: ScalekitConnection;
  try {
    scalekit = await connectScalekit(config, { sandbox: opts.sandbox });
  } catch (err) {
    rows.push({ check: CHECKS.token, result: 'fail', detail: `Could not start the sandbox: ${errorText(err)}`, todo: 'Report this as a bug' });
    skipRest('the sandbox did not start', 1);
    return report(config.mode);
  }
  try {
    const scalekitUrl = config.scalekit?.envUrl ?? scalekit.sandbox!.url;

    // 1. A token for the backend's client id and secret, through the SDK's own token call.
    try {
      await scalekit.client.getClientAccessToken();
      rows.push({ check: CHECKS.token, result: 'ok', detail: `Scalekit at ${scalekitUrl} issued a token for client id ${clientIdOf(config, scalekit)}`, todo: '' });
    } catch (err) {
      rows.push({ check: CHECKS.token, result: 'fail', ...tokenFailure(err, scalekitUrl) });
      skipRest('no Scalekit token', 1);
      return report(config.mode);
    }

    // 2. The Gong connection the backend names in every call.
    const connectionRow = await gongConnectionRow(scalekit, config.gongConnectionName);
    rows.push(connectionRow);
    if (connectionRow.result === 'fail') {
      skipRest('fix the Gong connection first', 2);
      return report(config.mode);
    }

    // 3. The rep's connected account.
    if (!rep) {
      rows.push({
        check: CHECKS.rep,
        result: 'skip',
        detail: 'No --rep given',
        todo: 'Run doctor again with --rep <e-mail of a rep who connected Gong> to check their connection and read from Gong as them',
      });
      skipRest('needs --rep', 3);
      return report(config.mode);
    }
    const connections = new GongConnections(scalekit.client, config.gongConnectionName);
    let status: string;
    try {
      status = (await connections.status(rep)).status;
    } catch (err) {
      rows.push({ check: CHECKS.rep, result: 'fail', detail: `Scalekit did not say how ${rep} is connected: ${classifyGongError(err).message}`, todo: 'Try again; if it persists, check the Gong connection in Scalekit' });
      skipRest(`the state of ${rep}'s connection is unknown`, 3);
      return report(config.mode);
    }
    if (status !== 'ACTIVE') {
      rows.push({ check: CHECKS.rep, result: 'warn', detail: `${rep}: ${accountSentence(status)}`, todo: accountTodo(status, rep) });
      skipRest(`${rep}'s Gong connection is not active`, 3);
      return report(config.mode);
    }
    rows.push({ check: CHECKS.rep, result: 'ok', detail: `${rep}: connected (ACTIVE)`, todo: '' });

    // 4. Read-only Gong calls as the rep, through the backend's gateway (limiter, retries, usage count).
    rows.push(...(await probeRows(scalekit, config, rep)));
    return report(config.mode);
  } finally {
    await scalekit.close();
  }
}

/** Where the store is, that this version can use it (migrated, or about to be), and which replicas run jobs. */
async function databaseRow(config: BackendConfig): Promise<DoctorRow> {
  let db;
  try {
    db = await openDatabase(config);
  } catch (err) {
    return {
      check: CHECKS.database,
      result: 'fail',
      detail: `${config.databaseUrl ? 'PostgreSQL at DATABASE_URL' : `SQLite in ${config.dataDir}`} cannot be opened: ${errorText(err)}`,
      todo: config.databaseUrl ? postgresTodo(err) : 'Check DATA_DIR: the backend user must own it',
    };
  }
  try {
    const status = await databaseStatus(db);
    const jobs = status.runningJobs.length ? `; ${count(status.runningJobs.length, 'running job')} on ${count(new Set(status.runningJobs.map((j) => j.replica)).size, 'replica')}` : '';
    const later = status.schemaVersion > status.knownSchemaVersion;
    const schema = `schema ${status.schemaVersion}${later ? `, newer than this version's ${status.knownSchemaVersion}` : ''}`;
    const detail = `${db.engine === 'postgres' ? 'PostgreSQL' : 'SQLite'} ${db.where}: ${schema}, ${count(status.activeUsers, 'active user')}${jobs}`;
    const room: Omit<DoctorRow, 'check'> = status.postgres ? connectionRoom(status.postgres, config.databasePoolSize, detail) : { result: 'ok', detail, todo: '' };
    // It runs on it (migrations only add), but it is the version to replace: fine while a rolling upgrade is under way.
    if (later && room.result === 'ok') {
      return { check: CHECKS.database, ...room, result: 'warn', todo: 'A later version of the backend migrated this database: replace the replicas running this one (docs/deploy.md "Upgrading")' };
    }
    return { check: CHECKS.database, ...room };
  } finally {
    await db.close();
  }
}

/** Connections the CLI (doctor, `user add`) and an operator's psql may hold besides the replicas. */
const CONNECTIONS_FOR_TOOLS = 3;

/**
 * Whether Postgres has room for the replicas' pools: each replica may open DATABASE_POOL_SIZE connections plus one
 * for LISTEN, and a rolling restart starts a new replica before it stops an old one. A replica the server refuses
 * connections to answers 500 to its reps, so this is said before it happens.
 */
function connectionRoom(room: PostgresCapacity, poolSize: number, detail: string): Omit<DoctorRow, 'check'> {
  const perReplica = poolSize + 1;
  const replicas = room.replicasListening;
  const said = `${detail}; ${count(replicas, 'replica')} connected now, each up to ${perReplica} connections (DATABASE_POOL_SIZE ${poolSize} + LISTEN); the server allows ${room.connectionsAllowed}, ${room.connectionsOpen} open`;
  const needed = (replicas + 1) * perReplica + CONNECTIONS_FOR_TOOLS;
  if (needed <= room.connectionsAllowed) return { result: 'ok', detail: said, todo: '' };
  const fits = Math.floor((room.connectionsAllowed - CONNECTIONS_FOR_TOOLS) / (replicas + 1)) - 1;
  return {
    result: 'warn',
    detail: `${said}: ${replicas + 1} replicas (one more, as during a rolling restart) could need ${needed}`,
    todo:
      fits >= 1
        ? `Set DATABASE_POOL_SIZE to ${fits} or less on every replica, or raise the server's max_connections`
        : "Raise the server's max_connections: it leaves no room for one more replica",
  };
}

function environmentRow(config: BackendConfig, env: Record<string, string | undefined>): DoctorRow {
  const name = `GONG_CONNECTION_NAME "${config.gongConnectionName}"${env.GONG_CONNECTION_NAME?.trim() ? '' : ' (default)'}`;
  if (config.mode === 'sandbox') {
    return {
      check: CHECKS.env,
      result: 'ok',
      detail: `Sandbox mode (no SCALEKIT_* set): checking the built-in stand-in for Scalekit and Gong; ${name}`,
      todo: 'For real Gong: set SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID, SCALEKIT_CLIENT_SECRET (README, "Switching from the sandbox to real Gong")',
    };
  }
  const { envUrl, clientId } = config.scalekit!;
  let url: URL;
  try {
    url = new URL(envUrl);
  } catch {
    return { check: CHECKS.env, result: 'fail', detail: `SCALEKIT_ENV_URL "${envUrl}" is not a URL`, todo: `Copy the Environment URL from ${WHERE_CREDENTIALS} (https://…)` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { check: CHECKS.env, result: 'fail', detail: `SCALEKIT_ENV_URL "${envUrl}" is not an http(s) URL`, todo: `Copy the Environment URL from ${WHERE_CREDENTIALS} (https://…)` };
  }
  const detail = `Scalekit mode: SCALEKIT_ENV_URL ${url.origin}, client id ${clientId}; ${name}`;
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:' && !loopback) {
    return { check: CHECKS.env, result: 'warn', detail: `${detail}; the URL is not https`, todo: 'Use the https Environment URL: the client secret travels to it' };
  }
  return { check: CHECKS.env, result: 'ok', detail, todo: '' };
}

/** SSO sign-in is configuration only here: doctor cannot see which redirect URIs are registered at Scalekit. */
function ssoRow(config: BackendConfig): DoctorRow {
  const check = CHECKS.sso;
  const { allowedDomains } = config.sso;
  if (allowedDomains.length === 0) {
    return { check, result: 'ok', detail: 'Off (SSO_ALLOWED_DOMAINS is empty): reps use API tokens from `user add`', todo: 'To let reps sign in with your IdP: set SSO_ALLOWED_DOMAINS and PUBLIC_URL (docs/sso.md)' };
  }
  const domains = allowedDomains.join(', ');
  if (config.mode === 'scalekit' && !config.publicUrl) {
    return {
      check,
      result: 'warn',
      detail: `On for ${domains}, but PUBLIC_URL is not set: Scalekit would send browsers back to ${config.host}:${config.port}`,
      todo: 'Set PUBLIC_URL to the https address browsers reach the backend at, and register PUBLIC_URL/auth/callback and PUBLIC_URL/auth/signed-out as redirect URIs in Scalekit',
    };
  }
  const base = config.publicUrl ?? `http://${config.host}:${config.port}`;
  return {
    check,
    result: 'ok',
    detail: `On for ${domains}; sign-in returns to ${base}/auth/callback`,
    todo: config.mode === 'scalekit' ? `Check that ${base}/auth/callback and ${base}/auth/signed-out are registered redirect URIs in Scalekit` : '',
  };
}

function clientIdOf(config: BackendConfig, scalekit: ScalekitConnection): string {
  return config.scalekit?.clientId ?? scalekit.sandbox!.clientId;
}

/** Why the token request failed, for an admin: wrong credentials, wrong URL, or no way to reach it. */
export function tokenFailure(err: unknown, url: string): { detail: string; todo: string } {
  if (err instanceof ScalekitServerException) {
    // The SDK promotes the token endpoint's HTTP answer (status → gRPC code) and keeps its body in errDetails.
    // OAuth 2.0 (RFC 6749 §5.2) allows 400 or 401 for invalid_client: both mean the id or secret is wrong.
    const oauthError = (err.errDetails as { error?: unknown } | undefined)?.error;
    if (err.grpcStatus === Code.Unauthenticated || err.grpcStatus === Code.PermissionDenied || oauthError === 'invalid_client' || oauthError === 'unauthorized_client') {
      return {
        detail: `Scalekit at ${url} refused the client id and secret: the credentials are wrong or belong to another environment`,
        todo: `Copy SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET again from ${WHERE_CREDENTIALS} of the environment at SCALEKIT_ENV_URL`,
      };
    }
    if (err.grpcStatus === Code.NotFound) {
      return { detail: `${url} answered, but has no Scalekit token endpoint (404): it is not a Scalekit environment URL`, todo: `Set SCALEKIT_ENV_URL to the Environment URL from ${WHERE_CREDENTIALS}` };
    }
    return { detail: `Scalekit at ${url} answered the token request with an error (${err.httpStatus} ${err.errorCode ?? ''})`.trim(), todo: 'Try again in a minute; if it persists, check Scalekit’s status page' };
  }
  const text = errorText(err);
  const reason = unreachableReason(text);
  if (reason) {
    return { detail: `Could not reach Scalekit at ${url}: ${reason}`, todo: 'Check SCALEKIT_ENV_URL (spelling, https) and that this machine can reach it (proxy, firewall, DNS)' };
  }
  if (err instanceof ScalekitException && /access_token/i.test(text)) {
    return { detail: `${url} answered, but not with a Scalekit token: it is probably not a Scalekit environment URL`, todo: `Set SCALEKIT_ENV_URL to the Environment URL from ${WHERE_CREDENTIALS}` };
  }
  return { detail: `Could not get a token from Scalekit at ${url}: ${text}`, todo: 'Check SCALEKIT_ENV_URL and the credentials' };
}

/**
 * A request that got no HTTP answer: the SDK wraps the network error in a plain ScalekitException that keeps
 * only its message, so the Node error code in that message is what tells the cases apart.
 */
function unreachableReason(text: string): string | undefined {
  if (/ECONNREFUSED/.test(text)) return 'the connection was refused (nothing listens there)';
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) return 'the host name was not found';
  if (/timeout|ETIMEDOUT/i.test(text)) return 'no answer in time';
  if (/EHOSTUNREACH|ENETUNREACH/.test(text)) return 'the network cannot reach the host';
  if (/ECONNRESET|socket hang up/i.test(text)) return 'the connection was cut';
  if (/certificate|SSL|TLS/i.test(text)) return 'its TLS certificate was not accepted';
  return undefined;
}

async function gongConnectionRow(scalekit: ScalekitConnection, name: string): Promise<DoctorRow> {
  const check = CHECKS.connection;
  const found: { connectionName: string; provider: string; enabled: boolean; id: string }[] = [];
  try {
    let pageToken: string | undefined;
    // Environments have a handful of connections; the bound only guards against a token that never ends.
    for (let page = 0; page < 20; page++) {
      const res = await scalekit.client.actions.listConnections({ pageSize: 30, pageToken });
      found.push(...res.connections);
      if (!res.nextPageToken || res.nextPageToken === pageToken) break;
      pageToken = res.nextPageToken;
    }
  } catch (err) {
    if (err instanceof ScalekitServerException && (err.grpcStatus === Code.PermissionDenied || err.grpcStatus === Code.Unimplemented)) {
      return { check, result: 'warn', detail: `Could not list Scalekit's connections to look for "${name}"`, todo: `Check in ${WHERE_CONNECTIONS} that a Gong connection is named exactly "${name}"` };
    }
    return { check, result: 'fail', detail: `Listing Scalekit's connections failed: ${classifyGongError(err).message}`, todo: 'Try again; if it persists, check Scalekit’s status page' };
  }
  // Provider keys are documented upper case ("SALESFORCE", "GMAIL"); Gong's is compared without case (guess).
  const isGong = (c: { provider: string }) => c.provider.toLowerCase() === 'gong';
  const named = found.find((c) => c.connectionName === name);
  if (!named) {
    const gong = found.filter(isGong).map((c) => `"${c.connectionName}"`);
    return {
      check,
      result: 'fail',
      detail: `No connection named "${name}" in this Scalekit environment (${gong.length ? `its Gong connections: ${gong.join(', ')}` : found.length ? 'it has no Gong connection' : 'it has no connections'})`,
      todo: gong.length
        ? `Set GONG_CONNECTION_NAME=${gong[0].slice(1, -1)} (the name must match exactly)`
        : `Create the Gong connection in ${WHERE_CONNECTIONS} → Create Connection → Gong, then set GONG_CONNECTION_NAME to its name`,
    };
  }
  if (!isGong(named)) {
    return { check, result: 'fail', detail: `The connection "${name}" is a ${named.provider} connection, not Gong`, todo: `Set GONG_CONNECTION_NAME to the name of the Gong connection in ${WHERE_CONNECTIONS}` };
  }
  if (!named.enabled) {
    return { check, result: 'warn', detail: `The Gong connection "${name}" is disabled`, todo: `Enable it in ${WHERE_CONNECTIONS}` };
  }
  return { check, result: 'ok', detail: `Gong connection "${name}" found (${named.id})`, todo: '' };
}

function accountSentence(status: string): string {
  switch (status) {
    case 'NOT_CONNECTED':
      return 'has not connected Gong yet (no connected account)';
    case 'EXPIRED':
      return 'Gong connection expired (EXPIRED)';
    case 'PENDING_AUTH':
      return 'started connecting Gong but has not authorized it (PENDING_AUTH)';
    case 'PENDING_VERIFICATION':
      return 'authorized Gong, waiting for user verification (PENDING_VERIFICATION)';
    case 'DISCONNECTED':
      return 'Gong connection was disconnected (DISCONNECTED)';
    default:
      return `Gong connection is in an unknown state (${status})`;
  }
}

function accountTodo(status: string, rep: string): string {
  if (status === 'PENDING_VERIFICATION') return `${rep} finishes connecting from the side panel (signed in to the backend as themself)`;
  return `${rep} opens the Gong panel on any CRM record and clicks "Connect Gong"${status === 'NOT_CONNECTED' || status === 'PENDING_AUTH' ? '' : ' again'}; then run doctor again`;
}

async function probeRows(scalekit: ScalekitConnection, config: BackendConfig, rep: string): Promise<DoctorRow[]> {
  const db = await openDatabase(config);
  const usage = new UsageCounter(db);
  await usage.start();
  // Two attempts: a doctor should answer in seconds, not wait out the backend's full retry budget.
  // With the account's status to explain a refusal, as the server's gateway has (GONG_NOT_CONNECTED, not a 502).
  const accounts = new GongConnections(scalekit.client, config.gongConnectionName);
  // With replicas running on Postgres, the probes take their turn in the company's shared 3 calls/s.
  const limiter =
    db.engine === 'postgres'
      ? await SharedRateLimiter.open(db, { rate: GONG_CALLS_PER_SECOND, windowMs: 1000, maxCallMs: 30_000, replica: `doctor:${process.pid}` })
      : undefined;
  const gateway = new GongGateway(scalekit.client, config.gongConnectionName, usage, { maxAttempts: 2, maxRetryAfterMs: 5_000 }, accounts, undefined, limiter);
  const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;
  const rows: DoctorRow[] = [];
  try {
    for (const probe of PROBES) {
      let data: unknown;
      try {
        data = (await gateway.execute(probe.tool, probe.input(rep), { identifier: rep, log, fresh: true })).data;
      } catch (err) {
        const answer = toApiFailure(classifyGongError(err));
        rows.push({ check: probe.check, result: 'fail', detail: `${probe.tool}: ${answer.message}`, todo: probeTodo(answer, probe, config.gongConnectionName, rep) });
        continue;
      }
      try {
        const { result, detail, todo = '' } = probe.read(data, rep);
        rows.push({ check: probe.check, result, detail, todo });
      } catch {
        rows.push({ check: probe.check, result: 'fail', detail: `${probe.tool}: Gong's answer does not have the shape its spec documents`, todo: 'Report this with the backend log: the connector or Gong changed' });
      }
    }
  } finally {
    gateway.close();
    await usage.close();
    await db.close();
  }
  return rows;
}

function probeTodo(answer: ApiFailure, probe: Probe, connectionName: string, rep: string): string {
  const { status } = answer;
  if (answer.code === 'GONG_UNEXPECTED_ANSWER') return 'Report it with the backend log (it names what did not fit): the connector or Gong answers in a shape its spec does not give';
  if (status === 403) return `Give the Gong connection "${connectionName}" the ${probe.scope} scope (${WHERE_CONNECTIONS} → Permissions), then ${rep} connects Gong again`;
  if (status === 409) return `${rep} opens the Gong panel and clicks "Connect Gong" again`;
  if (status === 429) return `Gong is rate limiting this company: run doctor again in ${answer.extra.retryAfter ?? 60} s`;
  return 'Try again; if it persists, check Gong’s and Scalekit’s status pages';
}

/** Node's codes for a server certificate it could not verify (node:tls; node-postgres passes them on). */
const CERTIFICATE_ERRORS = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** What to do when Postgres could not be opened: a certificate it could not verify has its own answer. */
function postgresTodo(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CERTIFICATE_ERRORS.has(code)) {
    return "The database's TLS certificate could not be verified: add &sslrootcert=/path/ca.pem to DATABASE_URL (the CA that signed it, e.g. your provider's), and use the host name the certificate names";
  }
  return 'Check DATABASE_URL (host, port, user, password, database name) and that this machine may reach it';
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const MARK: Record<DoctorResult, string> = { ok: 'OK', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

/** Words of `text` in lines of at most `width` characters (a longer word gets its own line). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

const RESULT_WIDTH = 64;
const TODO_WIDTH = 56;

/** The report as a plain-text table (check | result | what to do), long sentences wrapped, and a closing line. */
export function formatReport(report: DoctorReport): string {
  const checkWidth = Math.max('CHECK'.length, ...report.rows.map((r) => r.check.length));
  const resultWidth = RESULT_WIDTH + 6;
  const out = [`${'CHECK'.padEnd(checkWidth)}  ${'RESULT'.padEnd(resultWidth)}  WHAT TO DO`];
  for (const r of report.rows) {
    const result = wrap(r.detail, RESULT_WIDTH).map((l, i) => `${i === 0 ? MARK[r.result].padEnd(4) : ''.padEnd(4)}  ${l}`);
    const todo = wrap(r.todo || '-', TODO_WIDTH);
    for (let i = 0; i < Math.max(result.length, todo.length); i++) {
      out.push(`${(i === 0 ? r.check : '').padEnd(checkWidth)}  ${(result[i] ?? '').padEnd(resultWidth)}  ${todo[i] ?? ''}`.trimEnd());
    }
  }
  const failed = report.rows.filter((r) => r.result === 'fail').length;
  const warned = report.rows.filter((r) => r.result === 'warn').length;
  const summary = failed
    ? `${count(failed, 'check')} failed: fix the first FAIL above, then run doctor again.`
    : warned
      ? `No check failed; ${count(warned, 'warning')} above.`
      : 'All checks passed.';
  return [...out, '', summary].join('\n');
}

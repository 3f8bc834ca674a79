/**
 * Scalekit's errors as its SDK defines them, independent of the sandbox stand-in.
 *
 * 1. The classification, fed with the SDK's own exception classes built from ConnectError + ErrorInfo exactly as the
 *    SDK's repository tests build them (tests/sk819-provider-error-handling.test.ts).
 * 2. The backend in real mode against a Scalekit written from the SDK's code (./scalekit-from-sdk.ts): the API's
 *    answer, how many tools Scalekit ran, and the company limiter's state, for each failure a rep can meet.
 */
import { Code } from '@connectrpc/connect';
import {
  ScalekitServerException,
  ScalekitToolException,
  ScalekitToolForbiddenException,
  ScalekitToolRateLimitException,
  ScalekitToolUnauthorizedException,
} from '@scalekit-sdk/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiError } from '../../lib/api';
import { startBackend, type Backend } from '../../server/app';
import { classifyGongError, toApiFailure } from '../../server/gong/failure';
import { engineEnv, tempDataDir } from './harness';
import { ConnectorStatus, makeScalekitConnectError, makeToolConnectError, startScalekitFromSdk, type ScalekitFromSdk } from './scalekit-from-sdk';

const rateLimited = (toolErrorMessage = 'Gong API rate limit exceeded') =>
  makeToolConnectError(Code.ResourceExhausted, { toolErrorCode: 'RATE_LIMITED', toolErrorMessage, executionId: 'exec-429' });
const unauthorized = () =>
  makeToolConnectError(Code.Unauthenticated, { toolErrorCode: 'UNAUTHORIZED', toolErrorMessage: 'Provider token expired', executionId: 'exec-401' });
const forbidden = () =>
  makeToolConnectError(Code.PermissionDenied, {
    toolErrorCode: 'FORBIDDEN',
    toolErrorMessage: 'Provider access denied: missing scope api:flows:write',
    executionId: 'exec-403',
  });
const notFound = () => makeToolConnectError(Code.NotFound, { toolErrorCode: 'NOT_FOUND', toolErrorMessage: 'Flow 4410000000000099 not found', executionId: 'exec-404' });
const execFailed = (code = Code.Internal, toolErrorMessage = 'Tool execution failed', toolErrorCode = 'EXEC_FAILED') =>
  makeToolConnectError(code, { toolErrorCode, toolErrorMessage, executionId: 'exec-500' });

describe('classifying by the SDK exception class and gRPC code', () => {
  it('provider rate limit (ScalekitToolRateLimitException): rate-limited, no wait invented; a "retry after N" in the text refines it', () => {
    const plain = classifyGongError(new ScalekitToolRateLimitException(rateLimited()));
    expect(plain).toMatchObject({ kind: 'rate-limited', retryAfter: undefined });
    const hinted = classifyGongError(new ScalekitToolRateLimitException(rateLimited('Rate limit exceeded. Retry after 7 seconds')));
    expect(hinted).toMatchObject({ kind: 'rate-limited', retryAfter: 7 });
    expect(toApiFailure(plain)).toMatchObject({ status: 429, code: 'GONG_RATE_LIMITED' });
  });

  it("provider Unauthorized (ScalekitToolUnauthorizedException): the rep's Gong connection, 409 GONG_NOT_CONNECTED", () => {
    const f = classifyGongError(new ScalekitToolUnauthorizedException(unauthorized()));
    expect(f.kind).toBe('not-connected');
    expect(toApiFailure(f)).toMatchObject({ status: 409, code: 'GONG_NOT_CONNECTED' });
  });

  it("provider Forbidden (ScalekitToolForbiddenException): 403 GONG_FORBIDDEN with Gong's words", () => {
    const api = toApiFailure(classifyGongError(new ScalekitToolForbiddenException(forbidden())));
    expect(api).toMatchObject({ status: 403, code: 'GONG_FORBIDDEN' });
    expect(api.message).toContain('missing scope api:flows:write');
  });

  it('other provider errors (ScalekitToolException) by gRPC code: NotFound, InvalidArgument, AlreadyExists, Internal', () => {
    expect(toApiFailure(classifyGongError(new ScalekitToolException(notFound())))).toMatchObject({ status: 404, code: 'GONG_NOT_FOUND' });
    const invalid = toApiFailure(classifyGongError(new ScalekitToolException(execFailed(Code.InvalidArgument, 'task 12 is not open'))));
    expect(invalid).toMatchObject({ status: 422, code: 'GONG_REFUSED' });
    expect(invalid.message).toContain('task 12 is not open');
    expect(toApiFailure(classifyGongError(new ScalekitToolException(execFailed(Code.AlreadyExists, 'event exists'))))).toMatchObject({ status: 409, code: 'GONG_REFUSED' });
    expect(classifyGongError(new ScalekitToolException(execFailed())).kind).toBe('transient');
  });

  it('the string code and the text only refine a generic code: Internal + "400" in the text is a refusal; Unknown + RATE_LIMITED a rate limit', () => {
    expect(classifyGongError(new ScalekitToolException(execFailed(Code.Internal, 'Gong answered 400: cursor is invalid', 'TOOL_EXEC_FAILED'))).kind).toBe('refused');
    expect(classifyGongError(new ScalekitToolException(execFailed(Code.Unknown, 'slow down', 'RATE_LIMITED'))).kind).toBe('rate-limited');
    // Only a number named as a status is one: "up to 400 prospects" is not a 400.
    expect(classifyGongError(new ScalekitToolException(execFailed(Code.Internal, 'You can send up to 400 prospects'))).kind).toBe('transient');
    // A definite gRPC code wins over a contrary hint.
    expect(classifyGongError(new ScalekitToolForbiddenException(makeToolConnectError(Code.PermissionDenied, { toolErrorCode: 'RATE_LIMITED' }))).kind).toBe('forbidden');
  });

  it("Scalekit's own refusals (no TOOL_ERROR), as the SDK promotes them", () => {
    const promote = (code: Code, message?: string) => classifyGongError(ScalekitServerException.promote(makeScalekitConnectError(code, message)));
    // May be the account: the gateway asks getConnectedAccount; the wording is never read.
    expect(promote(Code.FailedPrecondition, 'any words at all').kind).toBe('account-refused');
    expect(promote(Code.NotFound).kind).toBe('account-refused');
    expect(promote(Code.ResourceExhausted, 'quota exceeded').kind).toBe('rate-limited');
    expect(promote(Code.Unavailable).kind).toBe('transient');
    expect(promote(Code.Unauthenticated).kind).toBe('backend');
  });
});

describe('real mode against a Scalekit written from the SDK', () => {
  const REP = 'rep@acme.example';
  let sk: ScalekitFromSdk;
  let backend: Backend;
  let token: string;

  beforeEach(async () => {
    sk = await startScalekitFromSdk();
    sk.accounts.set(REP, ConnectorStatus.ACTIVE);
    const dataDir = tempDataDir();
    backend = await startBackend({
      port: 0,
      host: '127.0.0.1',
      dataDir,
      env: { ...(await engineEnv(dataDir)), SCALEKIT_ENV_URL: sk.url, SCALEKIT_CLIENT_ID: sk.clientId, SCALEKIT_CLIENT_SECRET: sk.clientSecret },
      gong: { backoffBaseMs: 20, backoffMaxMs: 100, rateLimitBackoffMs: 600 },
    });
    // An admin: gong_trackers_list is a company-wide read (lib/gong-tools.ts toolAccess); these tests are about errors.
    token = (await backend.users.add(REP, undefined, 'admin')).token;
  });
  afterEach(async () => {
    await backend?.close();
    await sk?.close();
  });

  const callTool = async (tool = 'gong_trackers_list', body: unknown = {}) => {
    const res = await fetch(`${backend.url}/api/v1/tools/${tool}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as unknown, headers: res.headers };
  };
  const errorOf = (body: unknown) => apiError.parse(body).error;
  const paused = () => backend.gateway.stats.limiterPausedMs;

  it('runs a tool: the happy path needs nothing of the sandbox', async () => {
    sk.onTool = (req) => ({ trackers: [{ trackerId: '1', name: req.toolName }] });
    const res = await callTool();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ data: { trackers: [{ name: 'gong_trackers_list' }] } });
    expect(sk.counts.executeTool).toBe(1);
  });

  it('a provider rate limit with no hint: 429 GONG_RATE_LIMITED with retryAfter after at most 2 tool calls; the company limiter is paused', async () => {
    sk.onTool = () => {
      throw rateLimited();
    };
    const res = await callTool();
    expect(res.status).toBe(429);
    const err = errorOf(res.body);
    expect(err.code).toBe('GONG_RATE_LIMITED');
    expect(err.retryAfter).toBeGreaterThanOrEqual(1);
    expect(res.headers.get('retry-after')).toBe(String(err.retryAfter));
    expect(sk.counts.executeTool).toBeLessThanOrEqual(2);
    expect(sk.counts.executeTool).toBeGreaterThanOrEqual(1);
    // Gong counted the company over: nobody calls it for a while, whoever asks next.
    expect(paused()).toBeGreaterThan(0);
  });

  it('a provider rate limit once, then Gong answers: the rep gets the answer after the company backed off', async () => {
    let n = 0;
    sk.onTool = () => {
      if (n++ === 0) throw rateLimited();
      return { trackers: [] };
    };
    const started = Date.now();
    const res = await callTool();
    expect(res.status).toBe(200);
    expect(sk.counts.executeTool).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
  });

  it('a provider rate limit whose text says "retry after 30": one tool call, retryAfter 30, the limiter paused for it', async () => {
    sk.onTool = () => {
      throw rateLimited('Gong API rate limit exceeded, retry after 30 seconds');
    };
    const res = await callTool();
    expect(res.status).toBe(429);
    expect(errorOf(res.body).retryAfter).toBe(30);
    expect(sk.counts.executeTool).toBe(1);
    expect(paused()).toBeGreaterThan(25_000);
  });

  it("Scalekit's own rate limit (ResourceExhausted, no TOOL_ERROR): 429 GONG_RATE_LIMITED, at most 2 tool calls, limiter paused", async () => {
    sk.onTool = () => {
      throw makeScalekitConnectError(Code.ResourceExhausted, 'quota exceeded');
    };
    const res = await callTool();
    expect(res.status).toBe(429);
    expect(errorOf(res.body).code).toBe('GONG_RATE_LIMITED');
    expect(sk.counts.executeTool).toBeLessThanOrEqual(2);
    expect(paused()).toBeGreaterThan(0);
  });

  it("provider token expired (ScalekitToolUnauthorizedException): 409 GONG_NOT_CONNECTED with the account's status, one tool call, no token refresh", async () => {
    sk.accounts.set(REP, ConnectorStatus.EXPIRED);
    sk.onTool = () => {
      throw unauthorized();
    };
    const res = await callTool();
    expect(res.status).toBe(409);
    expect(errorOf(res.body)).toMatchObject({ code: 'GONG_NOT_CONNECTED', connectionStatus: 'EXPIRED' });
    expect(sk.counts.executeTool).toBe(1);
    // The SDK fetched one token for its first call, and none for the tool error.
    expect(sk.counts.token).toBe(1);
    expect(paused()).toBe(0);
  });

  it("provider access denied (ScalekitToolForbiddenException): 403 GONG_FORBIDDEN with Gong's words, one tool call", async () => {
    sk.onTool = () => {
      throw forbidden();
    };
    const res = await callTool();
    expect(res.status).toBe(403);
    const err = errorOf(res.body);
    expect(err.code).toBe('GONG_FORBIDDEN');
    expect(err.message).toContain('missing scope api:flows:write');
    expect(sk.counts.executeTool).toBe(1);
    expect(sk.counts.getAccount).toBe(0);
    expect(paused()).toBe(0);
  });

  it('a provider NotFound (ScalekitToolException): 404 GONG_NOT_FOUND, one tool call, the account not asked about', async () => {
    sk.onTool = () => {
      throw notFound();
    };
    const res = await callTool();
    expect(res.status).toBe(404);
    expect(errorOf(res.body).code).toBe('GONG_NOT_FOUND');
    expect(sk.counts.executeTool).toBe(1);
    expect(sk.counts.getAccount).toBe(0);
  });

  it('a provider refusal of the input (InvalidArgument): 422 GONG_REFUSED with its words, not retried', async () => {
    sk.onTool = () => {
      throw execFailed(Code.InvalidArgument, 'flow_id: unknown flow');
    };
    const res = await callTool();
    expect(res.status).toBe(422);
    expect(errorOf(res.body)).toMatchObject({ code: 'GONG_REFUSED' });
    expect(errorOf(res.body).message).toContain('flow_id: unknown flow');
    expect(sk.counts.executeTool).toBe(1);
  });

  it('Scalekit refuses in words no test knows (FailedPrecondition) for an EXPIRED account: 409 with status EXPIRED, the status asked once and cached briefly', async () => {
    sk.accounts.set(REP, ConnectorStatus.EXPIRED);
    sk.onTool = () => {
      throw makeScalekitConnectError(Code.FailedPrecondition, `precondition ${Math.random().toString(36).slice(2)}`);
    };
    const res = await callTool();
    expect(res.status).toBe(409);
    expect(errorOf(res.body)).toMatchObject({ code: 'GONG_NOT_CONNECTED', connectionStatus: 'EXPIRED' });
    expect(sk.counts.executeTool).toBe(1);
    expect(sk.counts.getAccount).toBe(1);
    const again = await callTool('gong_scorecards_list');
    expect(errorOf(again.body)).toMatchObject({ code: 'GONG_NOT_CONNECTED', connectionStatus: 'EXPIRED' });
    expect(sk.counts.getAccount).toBe(1);
  });

  it('Scalekit NotFound for a rep with no connected account: 409 GONG_NOT_CONNECTED, status NOT_CONNECTED', async () => {
    sk.accounts.delete(REP);
    sk.onTool = () => {
      throw makeScalekitConnectError(Code.NotFound, 'nothing here');
    };
    const res = await callTool();
    expect(res.status).toBe(409);
    expect(errorOf(res.body)).toMatchObject({ code: 'GONG_NOT_CONNECTED', connectionStatus: 'NOT_CONNECTED' });
    expect(sk.counts.executeTool).toBe(1);
  });

  it('Scalekit refuses (FailedPrecondition) while the account is ACTIVE: not the rep\'s connection, 502 naming Scalekit', async () => {
    sk.onTool = () => {
      throw makeScalekitConnectError(Code.FailedPrecondition, 'connection misconfigured');
    };
    const res = await callTool();
    expect(res.status).toBe(502);
    expect(errorOf(res.body).code).toBe('GONG_UNAVAILABLE');
    expect(errorOf(res.body).message).toMatch(/Scalekit/);
    expect(sk.counts.executeTool).toBe(1);
    expect(sk.counts.getAccount).toBe(1);
  });

  it("wrong backend credentials: 502 saying Scalekit refused the backend's credentials; no tool runs", async () => {
    sk.refuseToken = true;
    sk.onTool = () => ({});
    const res = await callTool();
    expect(res.status).toBe(502);
    expect(errorOf(res.body).message).toMatch(/credentials/);
    expect(sk.counts.executeTool).toBe(0);
  });
});

/**
 * The Scalekit stand-in, driven by the REAL @scalekit-sdk/node client over its real wire protocol.
 */
import net from 'node:net';
import { createClient, Code, ConnectError } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import {
  ScalekitClient,
  ScalekitBadRequestException,
  ScalekitNotFoundException,
  ScalekitToolException,
  ScalekitToolForbiddenException,
  ScalekitToolRateLimitException,
  ScalekitToolUnauthorizedException,
} from '@scalekit-sdk/node';
import { ConnectorStatus } from '@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/connected_accounts/connected_accounts_pb.js';
import { ToolService } from '@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/tools/tools_pb.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GongSimulator } from '../../server/sandbox/gong/simulator';
import { startSandbox, type Sandbox } from '../../server/sandbox/index';
import type { GongBackend, ToolContext } from '../../server/sandbox/types';
import { GongHttpError } from '../../server/sandbox/gong/http-error';

interface Call {
  toolName: string;
  input: Record<string, unknown>;
  ctx: ToolContext;
}

/** A GongBackend whose next answer the test decides. */
class FakeGong implements GongBackend {
  calls: Call[] = [];
  next: (call: Call) => unknown = () => ({ ok: true });
  async execute(toolName: string, input: Record<string, unknown>, ctx: ToolContext): Promise<unknown> {
    const call = { toolName, input, ctx };
    this.calls.push(call);
    return this.next(call);
  }
}

const DEMO = { connector: 'gong', identifier: 'rep@example.com' };

let sandbox: Sandbox;
let gong: FakeGong;
let client: ScalekitClient;

beforeEach(async () => {
  gong = new FakeGong();
  sandbox = await startSandbox({ gong });
  client = new ScalekitClient(sandbox.url, sandbox.clientId, sandbox.clientSecret);
});

afterEach(async () => {
  vi.useRealTimers();
  await sandbox.close();
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

describe('transport and auth', () => {
  it('refuses gRPC calls without a valid token with Unauthenticated', async () => {
    const bare = createClient(ToolService, createGrpcTransport({ baseUrl: sandbox.url }));
    const noToken = await rejection(bare.executeTool({ toolName: 'gong_users_list', ...DEMO }));
    expect(noToken).toBeInstanceOf(ConnectError);
    expect((noToken as ConnectError).code).toBe(Code.Unauthenticated);

    const forged = createClient(
      ToolService,
      createGrpcTransport({
        baseUrl: sandbox.url,
        interceptors: [(next) => (req) => (req.header.set('authorization', 'Bearer sbx_forged'), next(req))],
      }),
    );
    const badToken = await rejection(forged.executeTool({ toolName: 'gong_users_list', ...DEMO }));
    expect((badToken as ConnectError).code).toBe(Code.Unauthenticated);
    expect(gong.calls).toHaveLength(0);
  });

  it('the SDK fetches a token only after Unauthenticated, then reuses it', async () => {
    expect(sandbox.stats.tokenRequests).toBe(0);
    await client.actions.executeTool({ toolName: 'gong_users_list', toolInput: {}, ...DEMO });
    // The first attempt was refused before reaching Gong; the retry with the fetched token ran the tool once.
    expect(sandbox.stats.unauthenticatedCalls).toBe(1);
    expect(sandbox.stats.tokenRequests).toBe(1);
    expect(sandbox.stats.executeToolCalls).toBe(1);
    expect(gong.calls).toHaveLength(1);
    await client.actions.executeTool({ toolName: 'gong_users_list', toolInput: {}, ...DEMO });
    expect(sandbox.stats.unauthenticatedCalls).toBe(1);
    expect(sandbox.stats.tokenRequests).toBe(1);
    expect(sandbox.stats.executeToolCalls).toBe(2);
  });

  it('answers the token endpoint over HTTP/1.1 and rejects a wrong secret', async () => {
    const post = (secret: string) =>
      fetch(`${sandbox.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sandbox.clientId, client_secret: secret }),
      });
    const good = await post(sandbox.clientSecret);
    expect(good.status).toBe(200);
    const body = (await good.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body.token_type).toBe('Bearer');
    expect(body.access_token).toMatch(/^sbx_/);
    expect(body.expires_in).toBeGreaterThan(0);

    const bad = await post('wrong');
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: 'invalid_client' });
    expect((await fetch(`${sandbox.url}/healthz`)).status).toBe(200);
  });

  it('routes by first bytes even when they arrive split, for both protocols', async () => {
    const port = Number(new URL(sandbox.url).port);
    const talk = (pieces: Buffer[], until: (got: Buffer) => boolean) =>
      new Promise<Buffer>((resolve, reject) => {
        const sock = net.connect(port, '127.0.0.1');
        let got = Buffer.alloc(0);
        sock.on('data', (d: Buffer) => {
          got = Buffer.concat([got, d]);
          if (until(got)) (sock.destroy(), resolve(got));
        });
        sock.on('error', reject);
        sock.on('close', () => resolve(got));
        setTimeout(() => (sock.destroy(), resolve(got)), 5000).unref();
        sock.once('connect', async () => {
          for (const p of pieces) {
            sock.write(p);
            await new Promise((r) => setTimeout(r, 25));
          }
        });
      });

    // "P" could start the HTTP/2 preface; the stand-in must wait, then still serve HTTP/1.1.
    const h1 = await talk(
      [Buffer.from('P'), Buffer.from('OST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')],
      (got) => got.includes('\r\n\r\n'),
    );
    expect(h1.toString('latin1')).toMatch(/^HTTP\/1\.1 404/);

    // HTTP/2 preface in two pieces, then an empty SETTINGS frame: the server must ACK it (type 4, flag 1).
    const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    const settings = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
    const hasSettingsAck = (buf: Buffer) => {
      for (let i = 0; i + 9 <= buf.length; ) {
        const len = buf.readUIntBE(i, 3);
        if (buf[i + 3] === 4 && (buf[i + 4] & 1) === 1) return true;
        i += 9 + len;
      }
      return false;
    };
    const h2 = await talk([preface.subarray(0, 5), Buffer.concat([preface.subarray(5), settings])], hasSettingsAck);
    expect(hasSettingsAck(h2)).toBe(true);
  });

  it('serves many concurrent HTTP/1.1 and gRPC calls on the one port', async () => {
    const results = await Promise.all([
      ...Array.from({ length: 30 }, () => fetch(`${sandbox.url}/healthz`).then((r) => r.status)),
      ...Array.from({ length: 30 }, (_, i) =>
        client.actions.executeTool({ toolName: 'gong_users_list', toolInput: { cursor: `c${i}` }, ...DEMO }).then(() => 200),
      ),
    ]);
    expect(results.every((s) => s === 200)).toBe(true);
    expect(gong.calls.map((c) => c.input.cursor).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `c${i}`).sort());
  });

  it('an SDK with a bad client secret fails and never reaches Gong', async () => {
    const wrong = new ScalekitClient(sandbox.url, sandbox.clientId, 'not-the-secret');
    const err = await rejection(wrong.actions.executeTool({ toolName: 'gong_users_list', toolInput: {}, ...DEMO }));
    expect(err).toBeInstanceOf(Error);
    expect(sandbox.stats.tokenRequests).toBeGreaterThanOrEqual(1);
    expect(gong.calls).toHaveLength(0);
  });

  it('generates fresh credentials per start unless given', async () => {
    const other = await startSandbox({ gong, clientId: 'id-1', clientSecret: 'secret-1' });
    try {
      expect(other.clientId).toBe('id-1');
      expect(other.clientSecret).toBe('secret-1');
      expect(other.url).not.toBe(sandbox.url);
      expect(sandbox.clientSecret).not.toBe('secret-1');
      expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await other.close();
    }
  });

  it('defaults to the Gong simulator behind ExecuteTool', async () => {
    const s = await startSandbox();
    try {
      expect(s.gong).toBeInstanceOf(GongSimulator);
      const c = new ScalekitClient(s.url, s.clientId, s.clientSecret);
      // Whatever the simulator answers (data or a Gong error), the call must have reached it.
      await c.actions.executeTool({ toolName: 'gong_users_list', toolInput: {}, ...DEMO }).catch((err: unknown) => {
        expect((err as ScalekitToolException).isToolError).toBe(true);
      });
      expect((s.gong as GongSimulator).callLog.map((e) => e.tool)).toContain('gong_users_list');
    } finally {
      await s.close();
    }
  });

  it('close() drops every connection and frees the port, many times over', async () => {
    for (let i = 0; i < 5; i++) {
      const s = await startSandbox({ gong });
      const c = new ScalekitClient(s.url, s.clientId, s.clientSecret);
      await c.actions.executeTool({ toolName: 'gong_users_list', toolInput: {}, ...DEMO });
      await fetch(`${s.url}/healthz`); // leaves a keep-alive HTTP/1.1 socket
      const started = Date.now();
      await s.close();
      expect(Date.now() - started).toBeLessThan(2000);
      const port = Number(new URL(s.url).port);
      const refused = await new Promise<boolean>((resolve) => {
        const sock = net.connect(port, '127.0.0.1');
        sock.once('connect', () => (sock.destroy(), resolve(false)));
        sock.once('error', () => resolve(true));
      });
      expect(refused).toBe(true);
    }
  });
});

describe('ExecuteTool', () => {
  it('runs the tool through the Gong backend and returns its data', async () => {
    gong.next = ({ ctx }) => ({ requestId: ctx.executionId, users: [{ id: '7782342274025937895', active: true, n: 3 }], empty: null });
    const res = await client.actions.executeTool({
      toolName: 'gong_engage_flows_list',
      toolInput: { flow_owner_email: 'rep@example.com', cursor: undefined, nested: { keep: 1, drop: null } } as Record<string, unknown>,
      ...DEMO,
    });
    expect(gong.calls).toHaveLength(1);
    const [call] = gong.calls;
    expect(call.toolName).toBe('gong_engage_flows_list');
    // undefined/null never reach the simulator; numbers arrive as numbers.
    expect(call.input).toEqual({ flow_owner_email: 'rep@example.com', nested: { keep: 1 } });
    expect('cursor' in call.input).toBe(false);
    expect(call.ctx.identifier).toBe('rep@example.com');
    expect(call.ctx.executionId).toMatch(/\S/);
    expect(res.executionId).toBe(call.ctx.executionId);
    expect(res.data).toEqual({
      requestId: call.ctx.executionId,
      users: [{ id: '7782342274025937895', active: true, n: 3 }],
      empty: null,
    });
  });

  // As the SDK's tests build tool errors (tests/sk819-provider-error-handling.test.ts): gRPC code by class, a short
  // string code, plain-text words, the execution id.
  it.each([
    { status: 429, cls: ScalekitToolRateLimitException, grpc: Code.ResourceExhausted, code: 'RATE_LIMITED', words: 'API request limit exceeded' },
    { status: 401, cls: ScalekitToolUnauthorizedException, grpc: Code.Unauthenticated, code: 'UNAUTHORIZED', words: 'Token expired' },
    { status: 403, cls: ScalekitToolForbiddenException, grpc: Code.PermissionDenied, code: 'FORBIDDEN', words: 'Missing scope api:flows:write' },
    { status: 404, cls: ScalekitToolException, grpc: Code.NotFound, code: 'NOT_FOUND', words: 'flow not found' },
    { status: 400, cls: ScalekitToolException, grpc: Code.InvalidArgument, code: 'EXEC_FAILED', words: 'task is not open' },
    { status: 409, cls: ScalekitToolException, grpc: Code.AlreadyExists, code: 'EXEC_FAILED', words: 'already reported' },
    { status: 500, cls: ScalekitToolException, grpc: Code.Internal, code: 'EXEC_FAILED', words: 'unexpected error' },
    { status: 503, cls: ScalekitToolException, grpc: Code.Unavailable, code: 'EXEC_FAILED', words: 'Service temporarily unavailable' },
  ])('sends Gong $status as the SDK builds it: $grpc, $code, plain text; the SDK makes it its class and does not retry', async ({ status, cls, grpc, code, words }) => {
    // A first call fetches the SDK's token; the tool error must not make it fetch another.
    await client.actions.executeTool({ toolName: 'gong_users_list', toolInput: {}, ...DEMO });
    const tokensBefore = sandbox.stats.tokenRequests;
    gong.calls = [];
    gong.next = () => {
      throw new GongHttpError({ status, retryAfter: status === 429 ? 7 : undefined, body: { requestId: 'req-1', errors: [words] } });
    };
    const err = await rejection(client.actions.executeTool({ toolName: 'gong_users_list', toolInput: {}, ...DEMO }));
    expect(err).toBeInstanceOf(cls);
    const e = err as ScalekitToolException;
    expect(e.isToolError).toBe(true);
    expect(e.grpcStatus).toBe(grpc);
    expect(e.toolErrorCode).toBe(code);
    expect(e.toolErrorMessage).toBe(words);
    // No invented encoding: no status, no JSON, no Retry-After.
    expect(e.toolErrorMessage).not.toMatch(/[{}]|retry/i);
    expect(e.executionId).toBe(gong.calls[0].ctx.executionId);
    expect(gong.calls).toHaveLength(1);
    expect(sandbox.stats.tokenRequests).toBe(tokensBefore);
  });

  it('a dropped connection in Gong reaches the SDK as a transport failure, and the next call works', async () => {
    const { SimulatedDrop } = await import('../../server/sandbox/gong/faults');
    gong.next = () => {
      throw new SimulatedDrop('gong_users_list');
    };
    const err = await rejection(client.actions.executeTool({ toolName: 'gong_users_list', toolInput: {}, ...DEMO }));
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ScalekitToolException);
    gong.next = () => ({ users: [] });
    const ok = await client.actions.executeTool({ toolName: 'gong_users_list', toolInput: {}, ...DEMO });
    expect(ok.data).toEqual({ users: [] });
  });

  it('answers an unknown tool with NotFound that is not a tool error', async () => {
    const err = await rejection(client.actions.executeTool({ toolName: 'gong_does_not_exist', toolInput: {}, ...DEMO }));
    expect(err).toBeInstanceOf(ScalekitNotFoundException);
    expect((err as ScalekitToolException).isToolError).toBeFalsy();
    expect(gong.calls).toHaveLength(0);
  });

  it('refuses accounts that are not ACTIVE (FailedPrecondition) and unknown ones (NotFound), never running the tool', async () => {
    sandbox.accounts.setStatus('gong', 'rep@example.com', 'EXPIRED');
    const err = await rejection(client.actions.executeTool({ toolName: 'gong_users_list', toolInput: {}, ...DEMO }));
    expect(err).toBeInstanceOf(ScalekitBadRequestException);
    expect((err as ScalekitBadRequestException).grpcStatus).toBe(Code.FailedPrecondition);
    expect((err as ScalekitToolException).isToolError).toBeFalsy();

    const unknown = await rejection(
      client.actions.executeTool({ toolName: 'gong_users_list', toolInput: {}, connector: 'gong', identifier: 'nobody@example.com' }),
    );
    expect(unknown).toBeInstanceOf(ScalekitNotFoundException);
    expect(gong.calls).toHaveLength(0);

    sandbox.accounts.setStatus('gong', 'rep@example.com', 'ACTIVE');
    await client.actions.executeTool({ toolName: 'gong_users_list', toolInput: {}, ...DEMO });
    expect(gong.calls).toHaveLength(1);
  });
});

describe('connected accounts and the authorization page', () => {
  const NEW = { connectionName: 'gong', identifier: 'new.rep@example.com' };

  it('creates accounts PENDING_AUTH; the magic link page activates them', async () => {
    const created = await client.actions.getOrCreateConnectedAccount(NEW);
    expect(created.connectedAccount?.status).toBe(ConnectorStatus.PENDING_AUTH);
    expect(created.connectedAccount?.identifier).toBe(NEW.identifier);
    // A second getOrCreate finds it instead of creating another.
    const again = await client.actions.getOrCreateConnectedAccount(NEW);
    expect(again.connectedAccount?.id).toBe(created.connectedAccount?.id);

    const before = Date.now();
    const { link, expiry } = await client.actions.getAuthorizationLink(NEW);
    expect(link.startsWith(`${sandbox.url}/magic-link/`)).toBe(true);
    const expiresMs = Number(expiry?.seconds ?? 0n) * 1000;
    expect(expiresMs).toBeGreaterThan(before + 9 * 60_000);
    expect(expiresMs).toBeLessThan(before + 11 * 60_000);

    const page = await fetch(link);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Connect Gong (sandbox)');
    expect(html).toContain('Authorize');
    expect(html).toContain('new.rep@example.com');
    expect(sandbox.accounts.get('gong', NEW.identifier)?.status).toBe('PENDING_AUTH');

    const done = await fetch(link, { method: 'POST' });
    expect(done.status).toBe(200);
    const doneHtml = await done.text();
    expect(doneHtml).toContain('Connected — you can close this tab');
    expect(doneHtml).toContain('window.close()');
    expect(sandbox.accounts.get('gong', NEW.identifier)?.status).toBe('ACTIVE');

    const got = await client.actions.getConnectedAccount(NEW);
    expect(got.connectedAccount?.status).toBe(ConnectorStatus.ACTIVE);
    await client.actions.executeTool({ toolName: 'gong_users_list', toolInput: {}, connector: 'gong', identifier: NEW.identifier });
    expect(gong.calls[0].ctx.identifier).toBe(NEW.identifier);

    // Links are single use.
    expect((await fetch(link, { method: 'POST' })).status).toBe(404);
  });

  it('with user verification: authorizing leaves the account PENDING_VERIFICATION until the app verifies the same user', async () => {
    await client.actions.getOrCreateConnectedAccount(NEW);
    const { link } = await client.actions.getAuthorizationLink({ ...NEW, userVerifyUrl: 'https://app.example/gong/verify?from=panel', state: 'st-42' });
    const authorized = await fetch(link, { method: 'POST', redirect: 'manual' });
    expect(authorized.status).toBe(303);
    const next = new URL(authorized.headers.get('location')!);
    expect(`${next.origin}${next.pathname}`).toBe('https://app.example/gong/verify');
    expect(next.searchParams.get('from')).toBe('panel');
    expect(next.searchParams.get('state')).toBe('st-42');
    const authRequestId = next.searchParams.get('auth_request_id')!;
    expect(authRequestId).toMatch(/^[\w-]{20,}$/);
    expect((await client.actions.getConnectedAccount(NEW)).connectedAccount?.status).toBe(ConnectorStatus.PENDING_VERIFICATION);

    // Another user signed in to the app: refused, and nothing changes.
    const wrong = await rejection(client.actions.verifyConnectedAccountUser({ authRequestId, identifier: 'someone.else@example.com' }));
    expect((wrong as { grpcStatus?: number }).grpcStatus).toBe(Code.PermissionDenied);
    expect(sandbox.accounts.get('gong', NEW.identifier)?.status).toBe('PENDING_VERIFICATION');

    const verified = await client.actions.verifyConnectedAccountUser({ authRequestId, identifier: NEW.identifier });
    expect(verified.postUserVerifyRedirectUrl).toBe(`${sandbox.url}/magic-link/verified`);
    expect((await fetch(verified.postUserVerifyRedirectUrl)).status).toBe(200);
    expect((await client.actions.getConnectedAccount(NEW)).connectedAccount?.status).toBe(ConnectorStatus.ACTIVE);
    // One use.
    expect(await rejection(client.actions.verifyConnectedAccountUser({ authRequestId, identifier: NEW.identifier }))).toBeInstanceOf(ScalekitNotFoundException);
  });

  it('expired links do not activate the account', async () => {
    await client.actions.getOrCreateConnectedAccount(NEW);
    const { link } = await client.actions.getAuthorizationLink(NEW);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 11 * 60_000);
    expect((await fetch(link)).status).toBe(410);
    expect((await fetch(link, { method: 'POST' })).status).toBe(404);
    expect(sandbox.accounts.get('gong', NEW.identifier)?.status).toBe('PENDING_AUTH');
  });

  it('gets, lists and deletes accounts; absent ones are NotFound', async () => {
    const absent = await rejection(client.actions.getConnectedAccount({ connectionName: 'gong', identifier: 'ghost@example.com' }));
    expect(absent).toBeInstanceOf(ScalekitNotFoundException);

    const demo = await client.actions.getConnectedAccount({ connectionName: 'gong', identifier: 'rep@example.com' });
    expect(demo.connectedAccount?.status).toBe(ConnectorStatus.ACTIVE);
    expect(demo.connectedAccount?.connector).toBe('gong');

    await client.actions.getOrCreateConnectedAccount(NEW);
    const listed = await client.actions.listConnectedAccounts({ connectionName: 'gong' });
    expect(listed.totalSize).toBe(2);
    expect(listed.connectedAccounts.map((a) => a.identifier).sort()).toEqual(['new.rep@example.com', 'rep@example.com']);
    const one = await client.actions.listConnectedAccounts({ connectionName: 'gong', identifier: NEW.identifier });
    expect(one.connectedAccounts).toHaveLength(1);

    await client.actions.deleteConnectedAccount(NEW);
    expect(sandbox.accounts.get('gong', NEW.identifier)).toBeUndefined();
    expect(await rejection(client.actions.getConnectedAccount(NEW))).toBeInstanceOf(ScalekitNotFoundException);
  });
});

/**
 * A Scalekit written from the SDK's own code and tests, not from server/sandbox/: what the backend meets in real
 * mode. It serves the SDK's token endpoint (lib/core.js `authenticateClient`: form POST `oauth/token`) and its gRPC
 * services from the SDK's generated descriptors, and fails exactly as the SDK's repository tests build failures
 * (tests/sk819-provider-error-handling.test.ts `makeToolConnectError` / `makeScalekitConnectError`).
 * The test decides every answer; nothing here knows Gong.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, type ConnectRouter } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { ConnectedAccountService, ConnectorStatus } from '@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/connected_accounts/connected_accounts_pb.js';
import { ErrorInfoSchema, ToolErrorInfoSchema } from '@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/errdetails/errdetails_pb.js';
import { ToolService } from '@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/tools/tools_pb.js';

/** As the SDK's tests build a provider (tool) error: gRPC code by class, ErrorInfo TOOL_ERROR + ToolErrorInfo. */
export function makeToolConnectError(
  grpcCode: Code,
  { toolErrorCode = 'RATE_LIMITED', toolErrorMessage = 'Provider rate limit hit', executionId = 'exec-123' } = {},
): ConnectError {
  return new ConnectError('provider error', grpcCode, undefined, [
    {
      desc: ErrorInfoSchema,
      value: { errorCode: 'TOOL_ERROR', toolErrorInfo: create(ToolErrorInfoSchema, { toolErrorCode, toolErrorMessage, executionId }) },
    },
  ]);
}

/** As the SDK's tests build Scalekit's own error: a code and a message, no details. */
export function makeScalekitConnectError(grpcCode: Code, message = 'scalekit error'): ConnectError {
  return new ConnectError(message, grpcCode);
}

export interface ToolRequest {
  toolName: string;
  identifier: string;
  connector: string;
  params: unknown;
}

export interface ScalekitFromSdk {
  url: string;
  clientId: string;
  clientSecret: string;
  /** What the next ExecuteTool does: return `data`, or throw a ConnectError. */
  onTool: (req: ToolRequest) => Record<string, unknown>;
  /** Connected accounts' status by identifier; absent = gRPC NotFound (wire: "answer gRPC NotFound when absent"). */
  accounts: Map<string, ConnectorStatus>;
  counts: { token: number; executeTool: number; getAccount: number };
  /** Refuse the token endpoint (wrong credentials). */
  refuseToken: boolean;
  close(): Promise<void>;
}

export async function startScalekitFromSdk(): Promise<ScalekitFromSdk> {
  const tokens = new Set<string>();
  const sk: ScalekitFromSdk = {
    url: '',
    clientId: 'skc_test_client',
    clientSecret: 'test-secret',
    onTool: () => ({}),
    accounts: new Map(),
    counts: { token: 0, executeTool: 0, getAccount: 0 },
    refuseToken: false,
    close: async () => undefined,
  };
  const authorized = (header: string | null) => !!header && tokens.has(header.replace(/^Bearer /, ''));

  const routes = (router: ConnectRouter) => {
    router.service(ToolService, {
      async executeTool(req, ctx) {
        // The SDK's first call has no token; Unauthenticated makes it fetch one and retry (lib/core.js _connectExec).
        if (!authorized(ctx.requestHeader.get('authorization'))) throw makeScalekitConnectError(Code.Unauthenticated, 'token required');
        sk.counts.executeTool++;
        const data = sk.onTool({ toolName: req.toolName, identifier: req.identifier ?? '', connector: req.connector ?? '', params: req.params });
        return { executionId: randomUUID(), data: data as never };
      },
    });
    router.service(ConnectedAccountService, {
      async getConnectedAccountAuth(req, ctx) {
        if (!authorized(ctx.requestHeader.get('authorization'))) throw makeScalekitConnectError(Code.Unauthenticated, 'token required');
        sk.counts.getAccount++;
        const status = sk.accounts.get(req.identifier ?? '');
        if (status === undefined) throw makeScalekitConnectError(Code.NotFound, 'not found');
        return { connectedAccount: { id: `ca_${req.identifier}`, identifier: req.identifier, connector: req.connector, status } };
      },
    });
  };
  const grpc = connectNodeAdapter({ routes, grpc: true, grpcWeb: false, connect: false });

  const h1 = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/oauth/token') return void res.writeHead(404).end();
      sk.counts.token++;
      const form = new URLSearchParams(body);
      if (sk.refuseToken || form.get('client_id') !== sk.clientId || form.get('client_secret') !== sk.clientSecret) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_client' }));
        return;
      }
      const token = randomUUID();
      tokens.add(token);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600 }));
    });
  });
  const h2 = http2.createServer({}, grpc);
  const sockets = new Set<net.Socket>();
  // One port, two protocols, as the SDK expects of one base URL: HTTP/2 prior knowledge starts with "PRI ".
  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      if (first.subarray(0, 4).toString() === 'PRI ') h2.emit('connection', socket);
      else {
        h1.emit('connection', socket);
        socket.resume();
      }
    });
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  sk.url = `http://127.0.0.1:${(tcp.address() as net.AddressInfo).port}`;
  sk.close = () =>
    new Promise<void>((resolve) => {
      tcp.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  return sk;
}

export { ConnectorStatus };

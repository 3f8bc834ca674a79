/**
 * The sandbox: an in-process stand-in for Scalekit on one loopback port, speaking the SDK's real wire
 * protocol (HTTP/1.1 token endpoint + gRPC over HTTP/2), with a Gong backend behind ExecuteTool.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type http2 from 'node:http2';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { AccountStore } from './accounts';
import { appConnectionRoutes, SANDBOX_CONNECTIONS, type AppConnection } from './app-connections';
import { MagicLinks } from './authorize-page';
import { HostedLogin } from './hosted-login';
import { GongSimulator } from './gong/simulator';
import { sendJson } from './http-util';
import { listenDual } from './mux';
import { TokenIssuer } from './oauth';
import { currentStream, requireToken, standinRoutes } from './standin';
import type { GongBackend } from './types';

export { AccountStore } from './accounts';
export type { AppConnection } from './app-connections';
export type { AccountStatus, ConnectedAccountRecord } from './accounts';
export { DEMO_CONNECTION_NAME, DEMO_IDENTIFIER } from './accounts';
export { SANDBOX_PEOPLE, type SandboxPerson } from './hosted-login';

export interface SandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Defaults to the Gong simulator. */
  gong?: GongBackend;
  clientId?: string;
  clientSecret?: string;
  /** App-level connections listed by ListAppConnections (default: one Gong connection named `gong`). */
  connections?: readonly AppConnection[];
}

export interface Sandbox {
  /** Base URL to hand to `new ScalekitClient(url, clientId, clientSecret)`. */
  url: string;
  clientId: string;
  clientSecret: string;
  accounts: AccountStore;
  gong: GongBackend;
  /** Scalekit's hosted login (SSO) as the SDK drives it: authorize page, code grant, signed ID tokens, JWKS. */
  login: HostedLogin;
  close(): Promise<void>;
  /** executeToolCalls counts authenticated ExecuteTool calls; unauthenticatedCalls counts gRPC calls refused for want of a token. */
  stats: { tokenRequests: number; executeToolCalls: number; unauthenticatedCalls: number };
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const clientId = opts.clientId ?? `skc_sandbox_${randomBytes(6).toString('hex')}`;
  const clientSecret = opts.clientSecret ?? randomBytes(24).toString('base64url');
  const gong = opts.gong ?? new GongSimulator();
  const stats = { tokenRequests: 0, executeToolCalls: 0, unauthenticatedCalls: 0 };
  const accounts = new AccountStore();
  let url = '';
  const login = new HostedLogin(clientId, clientSecret, () => url);
  const tokens = new TokenIssuer({ clientId, clientSecret, onRequest: () => stats.tokenRequests++, otherGrants: (form) => login.grant(form) });
  const links = new MagicLinks(accounts, () => url);

  const grpc = connectNodeAdapter({
    routes: (router) => {
      standinRoutes({ accounts, gong, tokens, links, stats })(router);
      appConnectionRoutes(opts.connections ?? SANDBOX_CONNECTIONS)(router);
    },
    interceptors: [requireToken(tokens, () => stats.unauthenticatedCalls++)],
    // The SDK only speaks gRPC; the other protocols would be surface without a client.
    grpcWeb: false,
    connect: false,
  });

  const http1: http.RequestListener = (req, res) => {
    const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
    const fail = (err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: 'internal', message: err instanceof Error ? err.message : String(err) });
      else res.destroy();
    };
    if (req.method === 'POST' && path === '/oauth/token') {
      tokens.handle(req, res).catch(fail);
    } else if (login.handles(path)) {
      login.handle(req, res, path).catch(fail);
    } else if (links.handles(path)) {
      links.handle(req, res, path).catch(fail);
    } else if (req.method === 'GET' && path === '/healthz') {
      sendJson(res, 200, { ok: true });
    } else {
      sendJson(res, 404, { error: 'not_found' });
    }
  };

  // Each gRPC call runs with its HTTP/2 stream at hand, so a simulated network drop can reset it.
  const onHttp2 = (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => currentStream.run(res.stream, () => grpc(req, res));
  const server = await listenDual(opts.port ?? 0, http1, onHttp2);
  url = `http://127.0.0.1:${server.port}`;
  return { url, clientId, clientSecret, accounts, gong, login, stats, close: () => server.close() };
}

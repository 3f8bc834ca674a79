/**
 * Scalekit's gRPC API as the SDK calls it (ToolService.ExecuteTool and the ConnectedAccountService calls
 * behind `client.actions`), served with the SDK's own generated descriptors so the wire format cannot drift.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import http2 from 'node:http2';
import { create, type JsonObject, type JsonValue } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, type ConnectRouter, type Interceptor } from '@connectrpc/connect';
import {
  ConnectedAccountService,
  ConnectorStatus,
  ConnectorType,
} from '@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/connected_accounts/connected_accounts_pb.js';
import { ErrorInfoSchema, ToolErrorInfoSchema } from '@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/errdetails/errdetails_pb.js';
import { ToolService } from '@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/tools/tools_pb.js';
import { isGongToolName } from '../../lib/gong-tools';
import type { AccountStore, ConnectedAccountRecord } from './accounts';
import { SimulatedDrop } from './gong/faults';
import { GongHttpError } from './gong/http-error';
import type { MagicLinks } from './authorize-page';
import type { TokenIssuer } from './oauth';
import type { GongBackend } from './types';

export interface StandinDeps {
  accounts: AccountStore;
  gong: GongBackend;
  tokens: TokenIssuer;
  links: MagicLinks;
  stats: { executeToolCalls: number };
}

/** Rejects every call without a bearer token this stand-in issued, as Scalekit does (the SDK then fetches one). */
export function requireToken(tokens: TokenIssuer, onRefused?: () => void): Interceptor {
  return (next) => async (req) => {
    if (!tokens.verify(req.header.get('authorization'))) {
      onRefused?.();
      throw new ConnectError('missing or invalid access token', Code.Unauthenticated);
    }
    return next(req);
  };
}

/** Struct fields the caller left undefined arrive as null; Gong never sees those keys. */
export function stripNulls(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = stripNulls(v);
    return out;
  }
  return value;
}

/** A Struct holds only JSON: drop undefined and non-JSON values; non-objects are wrapped, a Struct must be an object. */
function toStruct(data: unknown): JsonObject {
  const json = data === undefined ? undefined : (JSON.parse(JSON.stringify(data)) as JsonValue);
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) return json;
  return json === undefined ? {} : { result: json };
}

const SANDBOX_CONNECTION_ID = 'conn_sandbox_gong';

function accountMessage(a: ConnectedAccountRecord) {
  const active = a.status === 'ACTIVE';
  return {
    id: a.id,
    identifier: a.identifier,
    connector: a.connectionName,
    connectionId: SANDBOX_CONNECTION_ID,
    provider: 'GONG',
    status: ConnectorStatus[a.status],
    authorizationType: ConnectorType.OAUTH,
    // Only an authorized account has (fake) Gong credentials, as with real Scalekit.
    authorizationDetails: active
      ? { details: { case: 'oauthToken' as const, value: { accessToken: `sandbox-gong-${a.id}`, scopes: ['api:engage'] } } }
      : undefined,
    updatedAt: timestampFromDate(a.updatedAt),
    lastUsedAt: a.lastUsedAt ? timestampFromDate(a.lastUsedAt) : undefined,
  };
}

interface AccountRef {
  id?: string;
  connector?: string;
  identifier?: string;
}

function findAccount(accounts: AccountStore, ref: AccountRef): ConnectedAccountRecord | undefined {
  if (ref.id) return accounts.getById(ref.id);
  if (!ref.connector || !ref.identifier) {
    throw new ConnectError('either id or connector + identifier is required', Code.InvalidArgument);
  }
  return accounts.get(ref.connector, ref.identifier);
}

function mustFindAccount(accounts: AccountStore, ref: AccountRef): ConnectedAccountRecord {
  const account = findAccount(accounts, ref);
  if (!account) throw new ConnectError('connected account not found', Code.NotFound);
  return account;
}

/**
 * Gong's HTTP status → gRPC code, as the SDK maps them (lib/errors/base-exception.js `HTTP_TO_GRPC`); statuses that
 * table lacks: other 4xx InvalidArgument, other 5xx Internal (a guess, docs/sandbox.md).
 */
const GRPC_FOR_HTTP: Record<number, Code> = {
  400: Code.InvalidArgument,
  401: Code.Unauthenticated,
  403: Code.PermissionDenied,
  404: Code.NotFound,
  409: Code.AlreadyExists,
  429: Code.ResourceExhausted,
  500: Code.Internal,
  501: Code.Unimplemented,
  503: Code.Unavailable,
  504: Code.DeadlineExceeded,
};

/** The short string codes of the SDK's tests (tests/sk819-provider-error-handling.test.ts), plus NOT_FOUND. */
const TOOL_ERROR_CODE: Record<number, string> = { 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 429: 'RATE_LIMITED' };

/**
 * A Gong error as Scalekit sends it, built as the SDK's tests build one (`makeToolConnectError`): the gRPC code
 * decides the SDK's class; ErrorInfo `TOOL_ERROR` with ToolErrorInfo { executionId, toolErrorCode, toolErrorMessage },
 * a short string code and Gong's words as plain text. Gong's Retry-After is not passed on: none reaches the
 * caller (wire notes, "Errors the SDK throws").
 */
export function toolError(err: GongHttpError, executionId: string): ConnectError {
  const code = GRPC_FOR_HTTP[err.status] ?? (err.status < 500 ? Code.InvalidArgument : Code.Internal);
  const toolErrorMessage = err.body.errors.filter(Boolean).join('; ') || 'Tool execution failed';
  const toolErrorCode = TOOL_ERROR_CODE[err.status] ?? 'EXEC_FAILED';
  return new ConnectError(toolErrorMessage, code, undefined, [
    { desc: ErrorInfoSchema, value: { errorCode: 'TOOL_ERROR', toolErrorInfo: create(ToolErrorInfoSchema, { executionId, toolErrorCode, toolErrorMessage }) } },
  ]);
}

/** The HTTP/2 stream of the gRPC call being handled (set by the sandbox's HTTP/2 listener). */
export const currentStream = new AsyncLocalStorage<http2.ServerHttp2Stream>();

export function standinRoutes(deps: StandinDeps) {
  const { accounts, gong, links, stats } = deps;

  return (router: ConnectRouter) => {
    router.service(ToolService, {
      async executeTool(req) {
        stats.executeToolCalls++;
        const executionId = randomUUID();
        if (!isGongToolName(req.toolName)) {
          throw new ConnectError(`tool ${req.toolName} not found`, Code.NotFound);
        }
        const account = findAccount(accounts, { id: req.connectedAccountId, connector: req.connector, identifier: req.identifier });
        // Scalekit's code and words for these are not documented (a guess): the backend asks the account's status
        // rather than reading them, so the words here are deliberately unlike any a test could match on.
        if (!account) throw new ConnectError('no such identity on this connection', Code.NotFound);
        if (account.status !== 'ACTIVE') throw new ConnectError('tool execution refused by the stand-in', Code.FailedPrecondition);
        accounts.markUsed(account);
        const input = stripNulls(req.params ?? {}) as Record<string, unknown>;
        let data: unknown;
        try {
          data = await gong.execute(req.toolName, input, { identifier: account.identifier, executionId });
        } catch (err) {
          if (err instanceof GongHttpError) throw toolError(err, executionId);
          // A dropped connection: reset the stream so the SDK sees a transport failure, as on a real network.
          if (err instanceof SimulatedDrop) currentStream.getStore()?.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
          if (err instanceof ConnectError) throw err;
          throw new ConnectError(err instanceof Error ? err.message : String(err), Code.Internal);
        }
        return { executionId, data: toStruct(data) };
      },
    });

    router.service(ConnectedAccountService, {
      async getConnectedAccountAuth(req) {
        return { connectedAccount: accountMessage(mustFindAccount(accounts, req)) };
      },
      async getConnectedAccountDetails(req) {
        return { connectedAccount: accountMessage(mustFindAccount(accounts, req)) };
      },
      async getConnectedAccount(req) {
        return { connectedAccount: accountMessage(mustFindAccount(accounts, { id: req.id })) };
      },
      async createConnectedAccount(req) {
        if (!req.connector || !req.identifier) {
          throw new ConnectError('connector and identifier are required', Code.InvalidArgument);
        }
        if (accounts.get(req.connector, req.identifier)) {
          throw new ConnectError('connected account already exists', Code.AlreadyExists);
        }
        // The user still has to authorize through the magic link.
        return { connectedAccount: accountMessage(accounts.create(req.connector, req.identifier)) };
      },
      async updateConnectedAccount(req) {
        const account = mustFindAccount(accounts, req);
        account.updatedAt = new Date();
        return { connectedAccount: accountMessage(account) };
      },
      async deleteConnectedAccount(req) {
        const account = mustFindAccount(accounts, req);
        accounts.delete(account.connectionName, account.identifier);
        return {};
      },
      async disconnectConnectedAccount(req) {
        const account = mustFindAccount(accounts, { id: req.id });
        return { connectedAccount: accountMessage(accounts.setStatus(account.connectionName, account.identifier, 'DISCONNECTED')) };
      },
      async listConnectedAccounts(req) {
        const names = req.connectionNames.length ? new Set(req.connectionNames) : undefined;
        const all = accounts
          .list({ connectionName: req.connector, identifier: req.identifier })
          .filter((a) => !names || names.has(a.connectionName));
        const pageSize = req.pageSize > 0 ? Math.min(req.pageSize, 100) : 30;
        const start = Number.parseInt(req.pageToken || '0', 10) || 0;
        const page = all.slice(start, start + pageSize);
        return {
          connectedAccounts: page.map((a) => {
            const { authorizationDetails: _omit, ...rest } = accountMessage(a);
            return rest;
          }),
          totalSize: all.length,
          nextPageToken: start + pageSize < all.length ? String(start + pageSize) : '',
          prevPageToken: start > 0 ? String(Math.max(0, start - pageSize)) : '',
        };
      },
      async getMagicLinkForConnectedAccount(req) {
        let account = findAccount(accounts, req);
        // Asking for a link for an unknown (connector, identifier) starts its connection, as Scalekit does.
        if (!account) {
          if (!req.connector || !req.identifier) throw new ConnectError('connected account not found', Code.NotFound);
          account = accounts.create(req.connector, req.identifier);
        }
        const { link, expiresAt } = links.issue(account.connectionName, account.identifier, { userVerifyUrl: req.userVerifyUrl || undefined, state: req.state });
        return { link, expiry: timestampFromDate(expiresAt) };
      },
      async verifyConnectedAccountUser(req) {
        if (!req.authRequestId || !req.identifier) throw new ConnectError('auth_request_id and identifier are required', Code.InvalidArgument);
        const outcome = links.verify(req.authRequestId, req.identifier);
        if (outcome.ok) return { postUserVerifyRedirectUrl: outcome.postUserVerifyRedirectUrl };
        if (outcome.reason === 'identifier-mismatch') throw new ConnectError('identifier does not match the user who authorized', Code.PermissionDenied);
        throw new ConnectError(outcome.reason === 'expired' ? 'auth request expired' : 'auth request not found', Code.NotFound);
      },
    });
  };
}

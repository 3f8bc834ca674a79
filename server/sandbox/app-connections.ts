/**
 * Scalekit's app-level connections (AgentKit → Connections), as the SDK lists them with
 * `actions.listConnections()` (ConnectionService.ListAppConnections): the connection name an app passes as
 * `connector` / `connectionName` is the connection's `keyId`, its provider the `providerKey` (SDK
 * `lib/actions.js` `mapAppConnection`). The sandbox has one: the Gong connection named `gong`.
 */
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { ConnectRouter } from '@connectrpc/connect';
import { ConnectionService, ConnectionStatus, ConnectionType } from '@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/connections/connections_pb.js';
import { DEMO_CONNECTION_NAME } from './accounts';

export interface AppConnection {
  /** What apps pass as the connection name (Scalekit's `key_id`). */
  name: string;
  /**
   * Provider key. "GONG" is a guess by analogy: the SDK documents keys as upper case ("SALESFORCE",
   * "GMAIL"); `doctor` compares it without regard to case.
   */
  provider: string;
  enabled?: boolean;
}

export const SANDBOX_CONNECTIONS: readonly AppConnection[] = [{ name: DEMO_CONNECTION_NAME, provider: 'GONG' }];

/** The SDK caps a page at 30 (`listConnections` doc comment). */
const MAX_PAGE = 30;

export function appConnectionRoutes(connections: readonly AppConnection[], createdAt = new Date()) {
  return (router: ConnectRouter) => {
    router.service(ConnectionService, {
      async listAppConnections(req) {
        const all = connections.filter((c) => !req.provider || c.provider === req.provider);
        const size = req.pageSize > 0 ? Math.min(req.pageSize, MAX_PAGE) : MAX_PAGE;
        const start = Number.parseInt(req.pageToken || '0', 10) || 0;
        return {
          connections: all.slice(start, start + size).map((c, i) => ({
            id: `conn_sandbox_${start + i + 1}`,
            type: ConnectionType.OAUTH,
            status: ConnectionStatus.COMPLETED,
            enabled: c.enabled ?? true,
            providerKey: c.provider,
            keyId: c.name,
            createdAt: timestampFromDate(createdAt),
          })),
          nextPageToken: start + size < all.length ? String(start + size) : '',
          prevPageToken: start > 0 ? String(Math.max(0, start - size)) : '',
          totalSize: all.length,
        };
      },
    });
  };
}

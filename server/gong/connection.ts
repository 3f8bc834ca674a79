/**
 * The user's Gong connected account at Scalekit: its status, and the authorization link that
 * (re)connects it. Control-plane calls: they do not count against Gong's rate limit.
 */
import { Code } from '@connectrpc/connect';
import { ScalekitServerException, type ScalekitClient } from '@scalekit-sdk/node';
import type { Connection, ConnectionLink, ConnectionStatus } from '../../lib/api';
import { classifyGongError } from './failure';

/** Scalekit's ConnectorStatus numbers (see scalekit-sdk-wire.md). */
const STATUS_BY_NUMBER: Record<number, ConnectionStatus> = {
  0: 'UNKNOWN',
  1: 'ACTIVE',
  2: 'EXPIRED',
  3: 'PENDING_AUTH',
  4: 'PENDING_VERIFICATION',
  5: 'DISCONNECTED',
};

const isNotFound = (err: unknown) => err instanceof ScalekitServerException && err.grpcStatus === Code.NotFound;

export class GongConnections {
  constructor(private readonly client: ScalekitClient, private readonly connectionName: string) {}

  async status(identifier: string): Promise<Connection> {
    try {
      const res = await this.client.actions.getConnectedAccount({ connectionName: this.connectionName, identifier });
      const status = STATUS_BY_NUMBER[Number(res.connectedAccount?.status ?? 0)] ?? 'UNKNOWN';
      return { status, identifier, connectionName: this.connectionName };
    } catch (err) {
      if (isNotFound(err)) return { status: 'NOT_CONNECTED', identifier, connectionName: this.connectionName };
      throw classifyGongError(err);
    }
  }

  async authorizationLink(identifier: string): Promise<ConnectionLink> {
    const params = { connectionName: this.connectionName, identifier };
    let res;
    try {
      res = await this.client.actions.getAuthorizationLink(params);
    } catch (err) {
      if (!isNotFound(err)) throw classifyGongError(err);
      // No connected account yet: create it (PENDING_AUTH), then ask again.
      try {
        await this.client.actions.getOrCreateConnectedAccount(params);
        res = await this.client.actions.getAuthorizationLink(params);
      } catch (again) {
        throw classifyGongError(again);
      }
    }
    const seconds = res.expiry?.seconds;
    return { link: res.link, expiresAt: seconds !== undefined ? new Date(Number(seconds) * 1000).toISOString() : null };
  }
}

/**
 * The user's Gong connected account at Scalekit: its status, and the authorization link that
 * (re)connects it. Control-plane calls: they do not count against Gong's rate limit.
 *
 * Also the gate in front of the company-wide caches (prospect flows, calls index): an answer from them makes no
 * call on the rep's own connection, so it is given only while that connection is known to be ACTIVE. Known =
 * a Gong call went through it, or Scalekit said so, within `activeTtlMs`; a Gong call refused for it ends that
 * at once. A rep whose connection expired or was disconnected gets GONG_NOT_CONNECTED, as from a live call.
 */
import { Code } from '@connectrpc/connect';
import { ScalekitServerException, type ScalekitClient } from '@scalekit-sdk/node';
import type { Connection, ConnectionLink, ConnectionStatus } from '../../lib/api';
import { classifyGongError, notConnected } from './failure';

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
  /** identifier → until when its connection counts as ACTIVE without asking Scalekit. */
  private readonly knownActive = new Map<string, number>();
  private readonly checking = new Map<string, Promise<void>>();
  /**
   * identifier → a status other than ACTIVE that Scalekit gave, and until when it explains refusals without asking
   * again. ACTIVE is not kept for that: a refusal is itself news that it may have changed.
   */
  private readonly recent = new Map<string, { status: ConnectionStatus; until: number }>();
  private readonly asking = new Map<string, Promise<ConnectionStatus>>();

  constructor(
    private readonly client: ScalekitClient,
    private readonly connectionName: string,
    private readonly activeTtlMs = 60_000,
    /** How long a status explains refused calls without asking Scalekit again (a burst of refusals asks once). */
    private readonly statusTtlMs = 10_000,
  ) {}

  async status(identifier: string): Promise<Connection> {
    let status: ConnectionStatus;
    try {
      const res = await this.client.actions.getConnectedAccount({ connectionName: this.connectionName, identifier });
      status = STATUS_BY_NUMBER[Number(res.connectedAccount?.status ?? 0)] ?? 'UNKNOWN';
    } catch (err) {
      if (!isNotFound(err)) throw classifyGongError(err);
      status = 'NOT_CONNECTED';
    }
    if (status === 'ACTIVE') this.recent.delete(identifier);
    else this.recent.set(identifier, { status, until: Date.now() + this.statusTtlMs });
    this.seen(identifier, status === 'ACTIVE');
    return { status, identifier, connectionName: this.connectionName };
  }

  /**
   * The account's status for explaining a refused call (gateway.ts): asked of Scalekit at most once per
   * `statusTtlMs` per rep, concurrent refusals sharing the question.
   */
  recentStatus(identifier: string): Promise<ConnectionStatus> {
    const hit = this.recent.get(identifier);
    if (hit && hit.until > Date.now()) return Promise.resolve(hit.status);
    let ask = this.asking.get(identifier);
    if (!ask) {
      ask = this.status(identifier)
        .then((c) => c.status)
        .finally(() => this.asking.delete(identifier));
      this.asking.set(identifier, ask);
    }
    return ask;
  }

  /** Resolves when the user's connection is ACTIVE; otherwise fails with not-connected (a GongFailure). */
  requireActive(identifier: string): Promise<void> {
    if ((this.knownActive.get(identifier) ?? 0) > Date.now()) return Promise.resolve();
    // The panel asks for flows and calls at once: one question to Scalekit for both.
    let check = this.checking.get(identifier);
    if (!check) {
      check = this.status(identifier)
        .then(({ status }) => {
          if (status !== 'ACTIVE') throw notConnected(status);
        })
        .finally(() => this.checking.delete(identifier));
      this.checking.set(identifier, check);
    }
    return check;
  }

  /** What a Gong call just showed about the user's connection (it went through, or was refused as not connected). */
  seen(identifier: string, active: boolean): void {
    if (active) {
      this.knownActive.set(identifier, Date.now() + this.activeTtlMs);
      // A call went through: whatever kept it from working is over.
      this.recent.delete(identifier);
    } else {
      this.knownActive.delete(identifier);
    }
  }

  /** `verify`: Scalekit sends the browser to `userVerifyUrl` after the Gong authorization (user verification). */
  async authorizationLink(identifier: string, verify?: { userVerifyUrl: string; state: string }): Promise<ConnectionLink> {
    const params = { connectionName: this.connectionName, identifier, ...verify };
    let res;
    try {
      res = await this.client.actions.getAuthorizationLink(params);
    } catch (err) {
      if (!isNotFound(err)) throw classifyGongError(err);
      // No connected account yet: create it (PENDING_AUTH), then ask again.
      try {
        await this.client.actions.getOrCreateConnectedAccount({ connectionName: this.connectionName, identifier });
        res = await this.client.actions.getAuthorizationLink(params);
      } catch (again) {
        throw classifyGongError(again);
      }
    }
    const seconds = res.expiry?.seconds;
    return { link: res.link, expiresAt: seconds !== undefined ? new Date(Number(seconds) * 1000).toISOString() : null };
  }

  /** Every connected account's status by identifier (one listing, paged): the admin console's people list. */
  async allStatuses(): Promise<Map<string, ConnectionStatus>> {
    const out = new Map<string, ConnectionStatus>();
    let pageToken: string | undefined;
    try {
      for (let page = 0; page < 100; page++) {
        const res = await this.client.actions.listConnectedAccounts({ connectionName: this.connectionName, pageSize: 100, pageToken });
        for (const a of res.connectedAccounts) out.set(a.identifier, STATUS_BY_NUMBER[Number(a.status)] ?? 'UNKNOWN');
        if (!res.nextPageToken) break;
        pageToken = res.nextPageToken;
      }
    } catch (err) {
      throw classifyGongError(err);
    }
    return out;
  }
}

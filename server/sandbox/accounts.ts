/**
 * The stand-in's connected accounts: one per (connection name, identifier), as Scalekit keys them.
 * In-memory on purpose: every sandbox start begins from the same seeded state.
 */
import { randomUUID } from 'node:crypto';

export type AccountStatus = 'ACTIVE' | 'EXPIRED' | 'PENDING_AUTH' | 'PENDING_VERIFICATION' | 'DISCONNECTED';

export const ACCOUNT_STATUSES: readonly AccountStatus[] = [
  'ACTIVE',
  'EXPIRED',
  'PENDING_AUTH',
  'PENDING_VERIFICATION',
  'DISCONNECTED',
];

/** The demo rep, already connected so the demo works without an authorization round trip. */
export const DEMO_CONNECTION_NAME = 'gong';
export const DEMO_IDENTIFIER = 'rep@example.com';

export interface ConnectedAccountRecord {
  /** Scalekit-style id (`ca_…`). */
  id: string;
  connectionName: string;
  identifier: string;
  status: AccountStatus;
  createdAt: Date;
  updatedAt: Date;
  lastUsedAt?: Date;
}

export interface AccountStoreOptions {
  /** Seed the ACTIVE demo account (default true). */
  seed?: boolean;
}

const keyOf = (connectionName: string, identifier: string) => `${connectionName}\u0000${identifier}`;

export class AccountStore {
  private readonly byKey = new Map<string, ConnectedAccountRecord>();

  constructor(opts: AccountStoreOptions = {}) {
    if (opts.seed ?? true) this.create(DEMO_CONNECTION_NAME, DEMO_IDENTIFIER, 'ACTIVE');
  }

  get(connectionName: string, identifier: string): ConnectedAccountRecord | undefined {
    return this.byKey.get(keyOf(connectionName, identifier));
  }

  getById(id: string): ConnectedAccountRecord | undefined {
    for (const account of this.byKey.values()) if (account.id === id) return account;
    return undefined;
  }

  /** Accounts created through the API start PENDING_AUTH, like Scalekit's: the user still has to authorize. */
  create(connectionName: string, identifier: string, status: AccountStatus = 'PENDING_AUTH'): ConnectedAccountRecord {
    const key = keyOf(connectionName, identifier);
    if (this.byKey.has(key)) throw new Error(`connected account ${connectionName}/${identifier} already exists`);
    const now = new Date();
    const account: ConnectedAccountRecord = {
      id: `ca_${randomUUID().replaceAll('-', '')}`,
      connectionName,
      identifier,
      status,
      createdAt: now,
      updatedAt: now,
    };
    this.byKey.set(key, account);
    return account;
  }

  /** Test hook and authorization-page effect; creates the account when it does not exist yet. */
  setStatus(connectionName: string, identifier: string, status: AccountStatus): ConnectedAccountRecord {
    const account = this.get(connectionName, identifier) ?? this.create(connectionName, identifier, status);
    account.status = status;
    account.updatedAt = new Date();
    return account;
  }

  markUsed(account: ConnectedAccountRecord): void {
    account.lastUsedAt = new Date();
  }

  delete(connectionName: string, identifier: string): boolean {
    return this.byKey.delete(keyOf(connectionName, identifier));
  }

  list(filter: { connectionName?: string; identifier?: string } = {}): ConnectedAccountRecord[] {
    return [...this.byKey.values()].filter(
      (a) =>
        (filter.connectionName === undefined || a.connectionName === filter.connectionName) &&
        (filter.identifier === undefined || a.identifier === filter.identifier),
    );
  }
}

/**
 * The one store interface the backend's stores use, with two engines behind it: SQLite (better-sqlite3, the
 * embedded single-process default) and PostgreSQL (`pg`, shared by every replica). Stores write portable SQL
 * with `?` placeholders; the few places where the dialects differ ask `db.engine`.
 */
import pg from 'pg';
import type BetterSqlite3 from 'better-sqlite3';
import { within } from '../within';

export type Engine = 'sqlite' | 'postgres';
export type SqlParam = string | number | bigint | null | undefined;

export interface Sql {
  readonly engine: Engine;
  all<T>(sql: string, params?: SqlParam[]): Promise<T[]>;
  get<T>(sql: string, params?: SqlParam[]): Promise<T | undefined>;
  run(sql: string, params?: SqlParam[]): Promise<{ changes: number }>;
  /** Runs `fn` in one transaction; a transaction inside it is the same transaction. */
  tx<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
}

export interface Db extends Sql {
  /** Where the data lives, for logs and `doctor` (no password). */
  readonly where: string;
  /**
   * A message to every replica (including this one) listening on `channel`: Postgres NOTIFY; with SQLite the
   * backend is one process, so in process.
   */
  publish(channel: string, payload: string): Promise<void>;
  /**
   * `missed`: called when messages on `channel` may have been lost (Postgres: the LISTEN connection dropped and is
   * listening again), so that what they would have dropped is dropped anyway. Never with SQLite (one process).
   */
  subscribe(channel: string, listener: (payload: string) => void, missed?: () => void): Promise<void>;
  close(): Promise<void>;
}

type Listeners = Map<string, Set<(payload: string) => void>>;

function deliver(listeners: Listeners, channel: string, payload: string): void {
  for (const fn of listeners.get(channel) ?? []) {
    try {
      fn(payload);
    } catch {
      /* a listener's failure is its own */
    }
  }
}

const sqliteParams = (params: SqlParam[]) => params.map((p) => (p === undefined ? null : p));

/** better-sqlite3 is synchronous; its answers are wrapped so stores are written once for both engines. */
export class SqliteDb implements Db {
  readonly engine = 'sqlite' as const;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private readonly listeners: Listeners = new Map();
  /** Transactions run one after another: the connection is shared by every request in the process. */
  private txQueue: Promise<unknown> = Promise.resolve();
  private readonly inTx: Sql;

  constructor(
    readonly raw: BetterSqlite3.Database,
    readonly where: string,
  ) {
    const self = this;
    this.inTx = {
      engine: 'sqlite',
      all: (s, p) => self.all(s, p),
      get: (s, p) => self.get(s, p),
      run: (s, p) => self.run(s, p),
      tx: (fn) => fn(self.inTx),
    };
  }

  private prepare(sql: string): BetterSqlite3.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.raw.prepare(sql);
      if (this.statements.size > 500) this.statements.clear();
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  async all<T>(sql: string, params: SqlParam[] = []): Promise<T[]> {
    return this.prepare(sql).all(...sqliteParams(params)) as T[];
  }

  async get<T>(sql: string, params: SqlParam[] = []): Promise<T | undefined> {
    return this.prepare(sql).get(...sqliteParams(params)) as T | undefined;
  }

  async run(sql: string, params: SqlParam[] = []): Promise<{ changes: number }> {
    return { changes: this.prepare(sql).run(...sqliteParams(params)).changes };
  }

  /**
   * BEGIN IMMEDIATE … COMMIT around `fn`. Statements other requests run while `fn` awaits land in the same
   * transaction (one connection): harmless, as nothing here rolls back on purpose but a failed write.
   */
  tx<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    const run = this.txQueue.then(async () => {
      this.raw.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.inTx);
        this.raw.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.raw.inTransaction) this.raw.exec('ROLLBACK');
        throw err;
      }
    });
    this.txQueue = run.catch(() => undefined);
    return run;
  }

  async publish(channel: string, payload: string): Promise<void> {
    deliver(this.listeners, channel, payload);
  }

  async subscribe(channel: string, listener: (payload: string) => void): Promise<void> {
    const set = this.listeners.get(channel) ?? new Set();
    set.add(listener);
    this.listeners.set(channel, set);
  }

  async close(): Promise<void> {
    if (this.raw.open) this.raw.close();
  }
}

/** `?` placeholders (the stores' SQL) → `$1, $2, …` (Postgres). The stores' SQL has no `?` inside strings. */
export function toPgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** COUNT and SUM answer int8/numeric; every number the stores keep fits a double (ids, ms timestamps). */
const pgTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

const pgParams = (params: SqlParam[]) => params.map((p) => (p === undefined ? null : typeof p === 'bigint' ? p.toString() : p));

class PgSql implements Sql {
  readonly engine = 'postgres' as const;
  constructor(private readonly client: pg.Pool | pg.PoolClient) {}

  async all<T>(sql: string, params: SqlParam[] = []): Promise<T[]> {
    return (await this.client.query(toPgPlaceholders(sql), pgParams(params))).rows as T[];
  }

  async get<T>(sql: string, params: SqlParam[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: SqlParam[] = []): Promise<{ changes: number }> {
    return { changes: (await this.client.query(toPgPlaceholders(sql), pgParams(params))).rowCount ?? 0 };
  }

  tx<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return fn(this);
  }
}

/** Connections per replica's pool (DATABASE_POOL_SIZE): 3 replicas and the CLI stay well inside Postgres' default max_connections (100). */
export const DEFAULT_DATABASE_POOL_SIZE = 10;

/** The `application_name` of the connection that holds a replica's LISTEN. */
export const LISTEN_APPLICATION_NAME = 'gong-everywhere listen';

/**
 * Bounds on waiting for Postgres. A database that stops answering without closing anything (a lost route, a NAT or
 * load balancer entry dropped, a host gone mid-failover) otherwise hangs a request, its pool connection and any row
 * it locked for as long as TCP takes to notice: hours, with Linux's defaults.
 */
export interface PostgresTimeouts {
  /** To open a connection, or for a busy pool to lend one (pg-pool's connectionTimeoutMillis). */
  connectMs: number;
  /** A statement running longer is cancelled by the server (statement_timeout): a clean error on a live connection. */
  statementMs: number;
  /** An answer not come by then is given up by the client (query_timeout), and its connection closed, not reused. */
  answerMs: number;
  /** A transaction its replica leaves idle this long is ended by the server, releasing its row locks. */
  idleInTransactionMs: number;
  /** The LISTEN connection answers a query this often, and within this long, or is opened again (it is otherwise silent). */
  listenCheckMs: number;
}

/**
 * The backend's statements take milliseconds, the hourly prune's deletes seconds at most; migrations run on a
 * connection of their own, without these. After a silence, a replica's connections that were waiting are given up
 * within `answerMs`, so it is ready again that long after the database answers.
 */
export const POSTGRES_TIMEOUTS: PostgresTimeouts = { connectMs: 5_000, statementMs: 10_000, answerMs: 12_000, idleInTransactionMs: 15_000, listenCheckMs: 5_000 };

/** What pg's client answers when `query_timeout` passes: the connection is in an unknown state from then on. */
const isAnswerTimeout = (err: unknown) => err instanceof Error && err.message === 'Query read timeout';

/** Settings of every connection to Postgres: answers in the stores' types, and dead peers noticed by TCP too. */
export const connectionSettings = (connectionString: string, connectMs: number) => ({
  connectionString,
  types: pgTypes,
  connectionTimeoutMillis: connectMs,
  keepAlive: true,
  keepAliveInitialDelayMillis: 10_000,
});

export class PostgresDb implements Db {
  readonly engine = 'postgres' as const;
  private readonly queries: PgSql;
  private readonly listeners: Listeners = new Map();
  /** Per channel: what to do when its messages may have been lost (see Db.subscribe); delivered like a message. */
  private readonly missedListeners: Listeners = new Map();
  private listenClient: pg.Client | null = null;
  /** The LISTEN connection is open (it may be lost and re-opened: see listener()). */
  private listening = false;
  /** The next attempt to listen again: one at a time, however many ways a lost connection reports itself. */
  private relistenTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  /** Checks the LISTEN connection (see PostgresTimeouts.listenCheckMs). */
  private listenCheck: ReturnType<typeof setInterval> | null = null;

  constructor(
    readonly pool: pg.Pool,
    private readonly connectionString: string,
    readonly where: string,
    private readonly timeouts: PostgresTimeouts = POSTGRES_TIMEOUTS,
  ) {
    this.queries = new PgSql(pool);
  }

  /** Whether this replica hears the others now (its LISTEN connection is up): /metrics. */
  get listenConnected(): boolean {
    return this.listening;
  }

  static open(connectionString: string, poolSize = DEFAULT_DATABASE_POOL_SIZE, timeouts: PostgresTimeouts = POSTGRES_TIMEOUTS): PostgresDb {
    // Set by SQL on each new connection, not as startup parameters: a pooler in session mode (PgBouncer) refuses
    // startup parameters it does not know.
    const sessionBounds = `SET statement_timeout = ${timeouts.statementMs}; SET idle_in_transaction_session_timeout = ${timeouts.idleInTransactionMs}`;
    const pool = new pg.Pool({
      ...connectionSettings(connectionString, timeouts.connectMs),
      max: poolSize,
      idleTimeoutMillis: 30_000,
      query_timeout: timeouts.answerMs,
      // pg-pool waits for it before lending the new connection. The client-side bounds hold even if a proxy
      // refused the SET: the connection is lent anyway.
      onConnect: async (client) => {
        await client.query(sessionBounds).catch(() => undefined);
      },
    });
    // An idle client that loses its server (failover, restart) must not crash the backend; the next query reconnects.
    pool.on('error', () => undefined);
    const u = new URL(connectionString);
    return new PostgresDb(pool, connectionString, `postgres://${u.host}${u.pathname}`, timeouts);
  }

  all<T>(sql: string, params?: SqlParam[]): Promise<T[]> {
    return this.queries.all<T>(sql, params);
  }
  get<T>(sql: string, params?: SqlParam[]): Promise<T | undefined> {
    return this.queries.get<T>(sql, params);
  }
  run(sql: string, params?: SqlParam[]): Promise<{ changes: number }> {
    return this.queries.run(sql, params);
  }

  async tx<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    /** Set when the connection must be closed, not lent again: its state is unknown. */
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(new PgSql(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      // After an answer that never came the connection is still waiting for it: a ROLLBACK would only queue behind.
      if (isAnswerTimeout(err)) broken = err as Error;
      else await client.query('ROLLBACK').catch((e: unknown) => (broken = e instanceof Error ? e : new Error(String(e))));
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async publish(channel: string, payload: string): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  /**
   * One connection per process holds every LISTEN; it is re-opened (and its channels re-listened) if it drops.
   * Messages sent while it was down are lost: once it listens again, each channel's `missed` runs.
   */
  async subscribe(channel: string, listener: (payload: string) => void, missed?: () => void): Promise<void> {
    const set = this.listeners.get(channel) ?? new Set();
    const isNew = set.size === 0;
    set.add(listener);
    this.listeners.set(channel, set);
    if (missed) this.missedListeners.set(channel, (this.missedListeners.get(channel) ?? new Set()).add(missed));
    const client = await this.listener();
    if (isNew) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
  }

  private async listener(): Promise<pg.Client> {
    if (this.listenClient) return this.listenClient;
    // Named, so that an operator sees in pg_stat_activity which connection holds a replica's LISTEN.
    const client = new pg.Client({
      ...connectionSettings(this.connectionString, this.timeouts.connectMs),
      application_name: LISTEN_APPLICATION_NAME,
      query_timeout: this.timeouts.listenCheckMs,
    });
    this.listenClient = client;
    client.on('notification', (m) => deliver(this.listeners, m.channel, m.payload ?? ''));
    let lost = false;
    const onLost = () => {
      // 'error' and 'end' both come when the server ends the connection; one is enough.
      if (lost) return;
      lost = true;
      this.dropListenClient(client);
      this.scheduleRelisten(500);
    };
    client.on('error', onLost);
    client.on('end', onLost);
    await client.connect();
    if (this.listenClient === client) {
      this.listening = true;
      // A connection the network dropped silently reports nothing, and a LISTEN connection sends nothing: asked
      // a question now and then, it must answer, or the replica would believe it hears the others when it does not.
      let checking = false;
      this.listenCheck = setInterval(() => {
        // One question at a time (pg would queue a second behind the first, which it deprecates).
        if (checking) return;
        checking = true;
        client
          .query('SELECT 1')
          .catch(onLost)
          .finally(() => (checking = false));
      }, this.timeouts.listenCheckMs);
      this.listenCheck.unref();
    }
    return client;
  }

  /** Stops using this LISTEN connection (lost, or it failed to open or to listen). */
  private dropListenClient(client: pg.Client): void {
    if (this.listenClient === client) {
      this.listenClient = null;
      this.listening = false;
      if (this.listenCheck) clearInterval(this.listenCheck);
      this.listenCheck = null;
    }
    void endWithin(client, this.timeouts.connectMs);
  }

  private scheduleRelisten(ms: number): void {
    if (this.closed || this.relistenTimer) return;
    this.relistenTimer = setTimeout(() => {
      this.relistenTimer = null;
      void this.relisten();
    }, ms);
    this.relistenTimer.unref();
  }

  private async relisten(): Promise<void> {
    if (this.closed) return;
    try {
      const client = await this.listener();
      for (const channel of this.listeners.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch {
      // A connection that failed to open also reports itself lost: whichever comes first schedules the next try.
      if (this.listenClient) this.dropListenClient(this.listenClient);
      this.scheduleRelisten(1000);
      return;
    }
    // Listening again: whatever was said while the connection was down is made up for.
    for (const channel of this.missedListeners.keys()) deliver(this.missedListeners, channel, '');
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listening = false;
    if (this.relistenTimer) clearTimeout(this.relistenTimer);
    if (this.listenCheck) clearInterval(this.listenCheck);
    if (this.listenClient) await endWithin(this.listenClient, this.timeouts.connectMs);
    this.listenClient = null;
    await this.pool.end().catch(() => undefined);
  }
}

/**
 * Ends a client's connection politely, or, if the server does not answer the goodbye (the network is gone), closes
 * its socket: a shutdown or a reconnection never waits on a dead peer.
 */
async function endWithin(client: pg.Client, ms: number): Promise<void> {
  const ended = await within(
    client.end().then(
      () => true,
      () => true,
    ),
    ms,
    false,
  );
  // pg has no public way to drop a connection at once; its socket is `connection.stream`.
  if (!ended) (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

/** The database's clock in ms, as an SQL expression: with Postgres one clock for every replica (leases, rate slots). */
export function nowMsSql(engine: Engine): string {
  return engine === 'postgres' ? '(extract(epoch FROM clock_timestamp()) * 1000)::bigint' : `CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`;
}

/**
 * The audit trail: every Gong write (and what Gong answered, refused or failed with), plus a separate
 * log of requests refused at the door (bad/revoked token, another user's resource, rate limits).
 */
import type { AdminAuditEntry } from '../../lib/api';
import { nowIso, type Db } from './db';
import type { Engine } from './sql';

/** An action is the Gong tool, else the route: the expression `audit_action` indexes (server/store/db.ts, migration 12). */
const ACTION = 'COALESCE(tool, route)';
const AUDIT_ACTIONS_SQL = `WITH RECURSIVE actions(action) AS (
  SELECT MIN(${ACTION}) FROM audit
  UNION ALL
  SELECT (SELECT MIN(${ACTION}) FROM audit WHERE ${ACTION} > actions.action) FROM actions WHERE actions.action IS NOT NULL
) SELECT action FROM actions WHERE action IS NOT NULL LIMIT 200`;

export type AuditOutcome = 'ok' | 'refused' | 'error' | 'replayed';

export interface AuditEntry {
  userId: number | null;
  userEmail: string | null;
  requestId: string | null;
  route: string;
  tool: string | null;
  input: unknown;
  outcome: AuditOutcome;
  answer: unknown;
}

export interface AuditRow extends Omit<AuditEntry, 'input' | 'answer'> {
  id: number;
  at: string;
  input: string | null;
  answer: string | null;
}

/** A request refused before it reached a route's work (`access_denials`). */
export interface DenialEntry {
  ip: string | null;
  method: string;
  route: string;
  reason: string;
  userId?: number | null;
  /** The refused request (not stored): its answer waits for this record, no other request's does. */
  requestId?: string;
}

/** Rows kept in `access_denials` (the oldest go first): a flood of refusals must not fill the disk. */
export const MAX_DENIAL_ROWS = 50_000;

/** Waits before each new try of a write that failed: the database restarting or failing over takes seconds. */
export const AUDIT_RETRY_DELAYS_MS = [100, 500, 2_000];

/** The writes that make a prospect's flow history (services/flow-history.ts), each naming its `crm_prospect_ids`. */
const FLOW_WRITE_TOOLS = ['gong_engage_prospects_assign', 'gong_engage_prospects_assign_cool_off_override', 'gong_engage_prospects_unassign'];
/** The newest flow writes read per prospect. */
const FLOW_WRITES_LIMIT = 200;
/** Prospects whose flow writes are kept in memory (SQLite), the least recently read go first. */
const FLOW_WRITES_KEPT = 10_000;

export type FlowWriteRow = Pick<AuditRow, 'at' | 'userEmail' | 'tool' | 'input' | 'answer'>;

const isFlowWrite = (entry: AuditEntry) => entry.outcome === 'ok' && entry.tool !== null && FLOW_WRITE_TOOLS.includes(entry.tool);

/**
 * A prospect's flow writes (CRM id, limit), through `audit_prospects`: the newest of that prospect's index rows,
 * each joined to its audit row by id. The conditions on the audit row are those the index was filled under.
 */
const FLOW_WRITES_SQL = `SELECT a.at, a.user_email AS "userEmail", a.tool, a.input, a.answer
  FROM audit_prospects p JOIN audit a ON a.id = p.audit_id
  WHERE p.crm_id = lower(?) AND a.tool IN (${FLOW_WRITE_TOOLS.map((t) => `'${t}'`).join(', ')}) AND a.outcome = 'ok'
  ORDER BY p.audit_id DESC LIMIT ?`;

/**
 * Indexes one audit row (id) under each CRM id in its input's `crm_prospect_ids`, lowercased by the database (as
 * the lookup's `lower(?)` and the migration that filled the index from older rows). Each engine reads JSON its way.
 */
function indexFlowWriteSql(engine: Engine): string {
  return engine === 'postgres'
    ? `INSERT INTO audit_prospects (crm_id, audit_id)
       SELECT DISTINCT lower(j.value #>> '{}'), a.id FROM audit a, jsonb_array_elements(CASE WHEN jsonb_typeof(a.input::jsonb -> 'crm_prospect_ids') = 'array' THEN a.input::jsonb -> 'crm_prospect_ids' ELSE '[]'::jsonb END) j(value)
       WHERE a.id = ? AND a.input IS NOT NULL AND jsonb_typeof(j.value) = 'string'
       ON CONFLICT DO NOTHING`
    : `INSERT INTO audit_prospects (crm_id, audit_id)
       SELECT DISTINCT lower(j.value), a.id FROM audit a, json_each(a.input, '$.crm_prospect_ids') j
       WHERE a.id = ? AND json_valid(a.input) AND json_type(a.input, '$.crm_prospect_ids') = 'array' AND j.type = 'text'
       ON CONFLICT DO NOTHING`;
}

const INSERT_AUDIT_SQL = 'INSERT INTO audit (at, user_id, user_email, request_id, route, tool, input, outcome, answer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)';

export class AuditLog {
  /** Writes under way, with the request each is for (null: a job's, a sign-in's): app.ts holds each answer until those its request started are in the database. */
  private readonly pending = new Map<Promise<void>, string | null>();
  private readonly retryDelaysMs: number[];
  /**
   * An entry that could not be written after every try (app.ts: an error line in the operator's log carrying the
   * entry). A job's writes have no request to fail: without this, their record would be gone without a word.
   */
  onLost: (entry: AuditEntry | DenialEntry, err: unknown) => void = () => undefined;
  /**
   * Each prospect's flow writes as last read (lowercased CRM id), with SQLite only: there the backend is one process
   * and every audit row is written through this log, which forgets a prospect's rows once a write naming it is in.
   * Every panel open asks for them; most prospects have none. With PostgreSQL other replicas write too: always read.
   */
  private readonly flowWrites: Map<string, readonly FlowWriteRow[]> | null;
  /** Flow writes landed so far: a read that overlapped one keeps nothing (it may have missed the row). */
  private flowWritesLanded = 0;
  private readonly indexFlowWriteSql: string;

  constructor(private readonly db: Db, private readonly maxDenialRows = MAX_DENIAL_ROWS, opts: { retryDelaysMs?: number[] } = {}) {
    this.retryDelaysMs = opts.retryDelaysMs ?? AUDIT_RETRY_DELAYS_MS;
    this.flowWrites = db.engine === 'sqlite' ? new Map() : null;
    this.indexFlowWriteSql = indexFlowWriteSql(db.engine);
  }

  /**
   * Tries the write again after each delay; tracked so a caller that cannot wait (a refusal thrown on the spot)
   * still has its entry written before the answer.
   */
  private track<E extends AuditEntry | DenialEntry>(entry: E, write: (e: E) => Promise<void>): Promise<void> {
    const requestId = entry.requestId ?? null;
    const attempt = async () => {
      for (let i = 0; ; i++) {
        try {
          return await write(entry);
        } catch (err) {
          if (i >= this.retryDelaysMs.length) {
            this.onLost(entry, err);
            throw err;
          }
          await new Promise((r) => setTimeout(r, this.retryDelaysMs[i]));
        }
      }
    };
    const tracked = attempt().finally(() => this.pending.delete(tracked));
    this.pending.set(tracked, requestId);
    // Handled here so a caller that does not wait cannot crash the process; settled() still sees the failure.
    tracked.catch(() => undefined);
    return tracked;
  }

  /** Whether this request's writes are under way (settled(requestId) would wait for them). */
  writing(requestId: string): boolean {
    return [...this.pending.values()].includes(requestId);
  }

  /**
   * Resolves when every write started so far (or every one of this request's) is in the database; rejects if one of
   * them failed. A request's answer waits for its own records only: another's failing write is not its failure.
   */
  async settled(requestId?: string): Promise<void> {
    const waited = [...this.pending].filter(([, r]) => requestId === undefined || r === requestId).map(([p]) => p);
    if (waited.length) await Promise.all(waited);
  }

  record(entry: AuditEntry): Promise<void> {
    const written = this.track(entry, (e) => this.write(e));
    if (this.flowWrites && entry.tool !== null && FLOW_WRITE_TOOLS.includes(entry.tool)) {
      // Registered before anyone can wait for the write (settled()): forgotten by the time its request answers.
      void written.then(() => this.flowWriteLanded(entry.input), () => undefined);
    }
    return written;
  }

  /** A flow write is in the database: the prospects it names are read again (all of them if it names none). */
  private flowWriteLanded(input: unknown): void {
    this.flowWritesLanded++;
    const ids = (input as { crm_prospect_ids?: unknown } | null)?.crm_prospect_ids;
    if (!Array.isArray(ids)) return this.flowWrites!.clear();
    for (const id of ids) if (typeof id === 'string') this.flowWrites!.delete(id.toLowerCase());
  }

  private async write(entry: AuditEntry): Promise<void> {
    const row = [
      nowIso(),
      entry.userId,
      entry.userEmail,
      entry.requestId,
      entry.route,
      entry.tool,
      entry.input === undefined ? null : JSON.stringify(entry.input),
      entry.outcome,
      entry.answer === undefined ? null : JSON.stringify(entry.answer),
    ];
    if (!isFlowWrite(entry)) {
      await this.db.run(INSERT_AUDIT_SQL, row);
      return;
    }
    // A flow write and its prospects' index rows land together: a history read never misses a row that is in the audit.
    await this.db.tx(async (tx) => {
      const { id } = (await tx.get<{ id: number }>(`${INSERT_AUDIT_SQL} RETURNING id`, row))!;
      await tx.run(this.indexFlowWriteSql, [id]);
    });
  }

  denied(entry: DenialEntry): Promise<void> {
    return this.track(entry, (e) => this.writeDenial(e));
  }

  private async writeDenial(entry: DenialEntry): Promise<void> {
    const row = await this.db.get<{ id: number }>('INSERT INTO access_denials (at, ip, method, route, reason, user_id) VALUES (?, ?, ?, ?, ?, ?) RETURNING id', [
      nowIso(),
      entry.ip,
      entry.method.slice(0, 20),
      entry.route.slice(0, 500),
      entry.reason,
      entry.userId ?? null,
    ]);
    // Ids only grow, so the newest rows are the highest ids: a range delete on the primary key.
    const oldestKept = Number(row!.id) - this.maxDenialRows;
    if (oldestKept > 0) await this.db.run('DELETE FROM access_denials WHERE id <= ?', [oldestKept]);
  }

  entries(filter: { userEmail?: string; tool?: string } = {}): Promise<AuditRow[]> {
    const where: string[] = [];
    const args: string[] = [];
    if (filter.userEmail) (where.push('user_email = ?'), args.push(filter.userEmail));
    if (filter.tool) (where.push('tool = ?'), args.push(filter.tool));
    return this.db.all<AuditRow>(
      `SELECT id, at, user_id AS "userId", user_email AS "userEmail", request_id AS "requestId", route, tool, input, outcome, answer
       FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`,
      args,
    );
  }

  /**
   * Successful writes through this backend that named this prospect among their `crm_prospect_ids` (assign,
   * cool-off override, unassign), the newest FLOW_WRITES_LIMIT first: the source of a prospect's flow history.
   */
  async prospectFlowWrites(crmId: string): Promise<readonly FlowWriteRow[]> {
    const key = crmId.toLowerCase();
    const kept = this.flowWrites?.get(key);
    if (kept) {
      // Read again: kept longest.
      this.flowWrites!.delete(key);
      this.flowWrites!.set(key, kept);
      return kept;
    }
    const landedBefore = this.flowWritesLanded;
    const rows = await this.db.all<FlowWriteRow>(FLOW_WRITES_SQL, [crmId, FLOW_WRITES_LIMIT]);
    if (this.flowWrites && this.flowWritesLanded === landedBefore) {
      if (this.flowWrites.size >= FLOW_WRITES_KEPT) this.flowWrites.delete(this.flowWrites.keys().next().value!);
      this.flowWrites.set(key, rows);
    }
    return rows;
  }

  async count(): Promise<number> {
    return (await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM audit'))!.n;
  }

  async denialCount(): Promise<number> {
    return (await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM access_denials'))!.n;
  }

  /** One page of the audit, newest first, for the admin console. An action is the Gong tool, else the route. */
  async page(filter: {
    userEmail?: string;
    action?: string;
    from?: string;
    to?: string;
    before?: number;
    limit: number;
  }): Promise<{ entries: AdminAuditEntry[]; nextBefore: number | null }> {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.userEmail) (where.push('user_email = ?'), args.push(filter.userEmail.toLowerCase()));
    if (filter.action) (where.push(`${ACTION} = ?`), args.push(filter.action));
    if (filter.from) (where.push('at >= ?'), args.push(filter.from));
    // `to` is a whole day: everything before the next day.
    if (filter.to) (where.push('at < ?'), args.push(new Date(Date.parse(filter.to) + 86_400_000).toISOString().slice(0, 10)));
    if (filter.before) (where.push('id < ?'), args.push(filter.before));
    const rows = await this.db.all<AdminAuditEntry>(
      `SELECT id, at, user_email AS "userEmail", ${ACTION} AS action, route, outcome FROM audit
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
      [...args, filter.limit + 1],
    );
    const more = rows.length > filter.limit;
    const entries = rows.slice(0, filter.limit);
    return { entries, nextBefore: more ? entries[entries.length - 1].id : null };
  }

  /**
   * The actions the audit holds (for the admin console's filter), in order. One index probe per action (the next
   * action after the last, on `audit_action`): a DISTINCT would read every row of an audit that grows by the day.
   */
  async actions(): Promise<string[]> {
    return (await this.db.all<{ action: string }>(AUDIT_ACTIONS_SQL)).map((r) => r.action);
  }
}

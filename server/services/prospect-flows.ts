/**
 * Company-wide cache of prospects' flows, filled by one `gong_engage_prospects_flows_list` call for up to
 * 200 prospects at a time (the connector's cap for this tool; Gong's spec states none).
 *
 * - Keyed by CRM id (case-insensitive): a prospect's flows are company data, the same for every rep.
 * - Entries live `prospectFlowsTtlMs` (minutes; the side panel shows its own copy and revalidates) and are
 *   dropped by any write through this backend that touches the prospect (assign, unassign, interaction,
 *   email activity: the gateway's write tags), or by writes that may touch any prospect (unassign by
 *   instance, task changes). A read in flight when such a write happens is not stored, and later readers
 *   do not wait for it.
 * - Batch while busy: a rep's own lookup (the panel's record) is sent to Gong at once when no lookup call
 *   is in flight; lookups that arrive while one is in flight are queued and sent together (≤ 200 ids a
 *   call) as soon as it returns.
 * - Batch across reps: a list view's prefetch (`POST /prospects/flows/lookup`, `wait`) waits up to
 *   `batchWindowMs` for other reps' prefetches, so that reps working lists at the same time share calls
 *   (a list has 25–50 rows, a call takes 200). The queue leaves at the end of the window, as soon as it
 *   holds 200 ids, or with the next lookup that must go at once. A record opened from the list while its
 *   row waits gets the row's answer (at most the window later, while the CRM page itself loads).
 * - Refresh ahead in calls with room: a call that goes anyway with fewer than 200 ids also asks again for the
 *   rows some rep asked for within the last minute (a list being worked: it re-renders every 20–60 s) whose
 *   entries are in the last half of their life, soonest to expire first. Same calls, more ids each: the rows
 *   of lists reps are working stay fresh without a call of their own when they go stale.
 * - Freshness counts from when Gong was asked, not from when it answered.
 * - A batch runs on the connection of the rep who asked first; should Gong refuse it, every other rep in
 *   the batch asks again on their own connection (nobody gets another rep's error).
 * - Behind several replicas (PostgreSQL), a second level in the database (`shared.reads`) holds every replica's
 *   answers: a miss here asks it before Gong, every answer is stored there, and every write drops its prospects
 *   there too (server/store/shared-reads.ts says why an answer asked before a write is never served).
 * - Batch across replicas: the prospects waiting in this replica's window are told to the others
 *   (`shared.waiting`); a call leaving any replica with room takes others' waiting prospects (before refreshing
 *   rows ahead: someone waits for these), and a batch whose window ends first looks in the shared level for
 *   prospects another replica's call answered meanwhile. Split by a load balancer, the reps' prefetches share
 *   calls as on one backend.
 * - Refresh ahead across replicas: what reps ask for on any replica is told to the others (`shared.worked`, at most
 *   every 2 s), and a call with room on any replica refreshes the rows asked anywhere within the last minute that are
 *   past half their life in the shared level, each claimed by one call: a list whose re-renders a load balancer
 *   spreads over the replicas stays fresh as it does on one backend.
 */
import type { ProspectFlow } from '../../lib/api';
import { GONG_MAX_PROSPECTS_PER_CALL } from '../../lib/gong-tools';
import { gongProspectsFlowsResponse } from '../../lib/gong-types';
import type { GongGateway } from '../gong/gateway';
import type { GongSession } from '../gong/session';
import type { SharedRead } from '../store/shared-reads';
import type { WaitingLookups } from '../store/waiting-lookups';
import type { WorkedRows } from '../store/worked-rows';
import { toProspectFlow } from './flows';

interface Entry {
  /** The CRM id as last asked (the key is lowercased). */
  id: string;
  flows: ProspectFlow[];
  expiresAt: number;
  /** When a rep last asked for it: only rows someone is working on are refreshed ahead. */
  askedAt: number;
}

/** What replicas share through the database (PostgreSQL). */
export interface SharedProspectFlows {
  /** Every replica's answers. */
  reads: SharedRead<ProspectFlow[]>;
  /** Prospects waiting in a replica's window, which another replica's call may take. */
  waiting: WaitingLookups;
  /**
   * The rows reps work on, asked on any replica: a call with room refreshes them ahead (a load balancer spreads a
   * list's re-renders over the replicas, so no replica alone knows them).
   */
  worked: WorkedRows;
}

/** The kind of shared read (server/store/shared-reads.ts) this cache fills. */
export const SHARED_PROSPECT_FLOWS = 'prospect-flows';

interface Pending {
  key: string;
  id: string;
  session: GongSession;
  /** A prefetch (or a lookup waiting with another replica's window): may wait; otherwise the queue leaves now. */
  patient: boolean;
  /** Waits with another replica's window, not a window of its own. */
  joined: boolean;
  /** When it was queued (Date.now()). */
  queuedAt: number;
  resolve: (flows: ProspectFlow[]) => void;
  reject: (err: unknown) => void;
}

export interface ProspectFlowsStats {
  hits: number;
  misses: number;
  gongCalls: number;
  /** Ids asked again ahead of their expiry in calls that had room. */
  refreshedAhead: number;
  /** Misses here answered by the replicas' shared level. */
  sharedHits: number;
  /** Prospects waiting in other replicas' windows taken into calls made here. */
  takenFromOthers: number;
  /** Prospects queued here that another replica's call answered before this window ended. */
  answeredElsewhere: number;
}

const keyOf = (id: string) => id.toLowerCase();
/**
 * A lookup waiting with another replica's window looks in the shared level this long after that window's end: the
 * other replica's call has answered by then (Gong answers in well under a second), else this replica asks itself.
 */
export const JOIN_MARGIN_MS = 1_000;
/** Prospects whose last write is remembered (for reads under way): ~10 MB at most, a few 10,000-prospect bulk adds. */
export const GENERATIONS_KEPT = 100_000;
/** Rows asked for this recently are on a list someone is working: refreshed ahead when a call has room. */
export const REFRESH_AHEAD_ASKED_WITHIN_MS = 60_000;

export class ProspectFlowsCache {
  private readonly entries = new Map<string, Entry>();
  /**
   * Keys of entries some rep asked for within the last minute or so, in the order they were last asked, with when:
   * refresh-ahead's candidates, so it need not walk the rows nobody works on (most of a full cache).
   */
  private readonly asked = new Map<string, number>();
  /** Lookups under way, with the rep whose connection makes the call. */
  private readonly inFlight = new Map<string, { flows: Promise<ProspectFlow[]>; userId: number }>();
  /** Bumped per prospect by a write touching it (at most GENERATIONS_KEPT); `all` by a write that may touch any prospect. */
  private readonly generations = new Map<string, number>();
  private allGeneration = 0;
  private queue: Pending[] = [];
  /** When the queue must leave (Date.now() clock); Infinity while it is empty. */
  private dueAt = Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When `timer` fires (Date.now() clock). */
  private timerAt = Infinity;
  /** Lookup calls to Gong in flight; while > 0, new lookups queue up for the next call. */
  private busy = 0;
  readonly stats: ProspectFlowsStats = { hits: 0, misses: 0, gongCalls: 0, refreshedAhead: 0, sharedHits: 0, takenFromOthers: 0, answeredElsewhere: 0 };
  /** Drops on their way to the shared level: a read of it waits for them (it must see this replica's writes). */
  private dropping: Promise<void> = Promise.resolve();

  constructor(
    gateway: GongGateway,
    private readonly ttlMs: number,
    /** How long a list prefetch may wait for other reps' prefetches; 0: never waits. */
    private readonly batchWindowMs = 0,
    private readonly maxEntries = 50_000,
    /** The replicas' shared level (with PostgreSQL); none for one process. */
    private readonly shared?: SharedProspectFlows,
  ) {
    gateway.onInvalidate((tags) => this.invalidate(tags));
  }

  /**
   * Flows of each prospect (same order as `ids`), from the cache or from Gong in as few calls as possible.
   * `wait`: a prefetch, which may wait up to the batch window for other reps' lookups.
   */
  async lookup(session: GongSession, ids: string[], opts: { wait?: boolean } = {}): Promise<{ crmProspectId: string; flows: ProspectFlow[] }[]> {
    const patient = opts.wait === true && this.batchWindowMs > 0;
    // Misses another replica waits for in its window (ms left of it): this lookup waits with them, as on one backend
    // a record opened from a list waits with its row, rather than sending its call now.
    let elsewhere = new Map<string, number>();
    // A prefetch that would open a window here while another replica's is open: ms left of that one.
    let openElsewhere: number | null = null;
    if (this.shared) {
      this.shared.worked.note(
        ids.map((id) => ({ key: keyOf(id), id })),
        Date.now(),
      );
      const missing = await this.fromShared(ids);
      if (!patient && missing.length && this.batchWindowMs > 0) elsewhere = await this.shared.waiting.elsewhere(missing).catch(() => elsewhere);
      else if (patient && missing.length && !this.queue.length) openElsewhere = await this.shared.waiting.openWindow().catch(() => null);
    }
    // A queue past its time leaves before this lookup joins it (its window is over).
    this.flushDue();
    const now = Date.now();
    const queued: { key: string; id: string }[] = [];
    // Waits with the window open elsewhere: one window at a time across replicas, as on one backend.
    const joinOpen = openElsewhere !== null && !this.queue.length;
    const answers = ids.map((id) => {
      const key = keyOf(id);
      const hit = this.entries.get(key);
      if (hit && hit.expiresAt > now) {
        this.stats.hits++;
        hit.askedAt = now;
        this.noteAsked(key, now);
        return hit.flows;
      }
      if (hit) this.entries.delete(key);
      const running = this.inFlight.get(key);
      if (running) {
        this.stats.hits++;
        if (running.userId === session.user.id) return running.flows;
        // Another rep's call: its failure (their connection, their share of the budget) is not this rep's answer.
        return running.flows.catch(() => this.lookup(session, [id]).then(([row]) => row.flows));
      }
      this.stats.misses++;
      queued.push({ key, id });
      const joined = joinOpen || (!patient && elsewhere.has(key));
      const promise = new Promise<ProspectFlow[]>((resolve, reject) => this.queue.push({ key, id, session, patient: patient || joined, joined, queuedAt: now, resolve, reject }));
      this.inFlight.set(key, { flows: promise, userId: session.user.id });
      const clear = () => {
        if (this.inFlight.get(key)?.flows === promise) this.inFlight.delete(key);
      };
      promise.then(clear, clear);
      return promise;
    });
    if (queued.length) {
      const joined = !patient && queued.every((q) => elsewhere.has(q.key));
      if ((!patient && !joined) || this.queue.length >= GONG_MAX_PROSPECTS_PER_CALL) this.dueAt = now;
      else if (joined) this.dueAt = Math.min(this.dueAt, now + Math.max(...queued.map((q) => elsewhere.get(q.key)!)) + JOIN_MARGIN_MS);
      else if (this.dueAt === Infinity) this.dueAt = now + (joinOpen ? openElsewhere! + JOIN_MARGIN_MS : this.batchWindowMs);
      // Other replicas' calls may take what waits here (best effort: without it, this replica asks as it would alone).
      if (this.shared && patient && this.dueAt > now) void this.shared.waiting.add(queued, this.dueAt - now).catch(() => undefined);
    }
    // Due and nothing in flight: go now. Otherwise the queue leaves when the call in flight returns, or at its time.
    this.flushDue();
    if (queued.length) this.armTimer();
    // Cached answers (and batches sent on another rep's connection) are company data: only for a connected rep.
    const [flows] = await Promise.all([Promise.all(answers), session.ensureConnected()]);
    return ids.map((id, i) => ({ crmProspectId: id, flows: flows[i] }));
  }

  /** Misses here that another replica's answer in the shared level covers become entries here; returns the others. */
  private async fromShared(ids: string[]): Promise<string[]> {
    const now = Date.now();
    const idOf = new Map(ids.map((id) => [keyOf(id), id]));
    const missing = [...idOf.keys()].filter((key) => !((this.entries.get(key)?.expiresAt ?? 0) > now) && !this.inFlight.has(key));
    if (!missing.length) return missing;
    await this.dropping;
    const all = this.allGeneration;
    const seen = missing.map((key) => this.generations.get(key) ?? 0);
    const rows = await this.shared!.reads.get(missing).catch(() => new Map<string, never>());
    const at = Date.now();
    missing.forEach((key, i) => {
      const row = rows.get(key);
      // A write heard while the database answered: that answer may be older than the write.
      if (!row || all !== this.allGeneration || seen[i] !== (this.generations.get(key) ?? 0) || (this.entries.get(key)?.expiresAt ?? 0) > at) return;
      this.stats.sharedHits++;
      this.store(key, { id: idOf.get(key)!, flows: row.value, expiresAt: at + this.ttlMs - row.ageMs, askedAt: at });
    });
    return missing.filter((key) => !rows.has(key));
  }

  /** Drops these prospects (null: every one) in the shared level; the next read of it waits until it is in. */
  private dropShared(keys: string[] | null): void {
    if (!this.shared || (keys && !keys.length)) return;
    const drop = this.shared.reads.drop(keys).catch(() => undefined);
    // Resolves to nothing: a chain of every earlier drop's value would grow with each write.
    this.dropping = Promise.all([this.dropping, drop]).then(() => undefined);
  }

  invalidate(tags: string[]): void {
    this.dropShared(tags.includes('prospects') ? null : tags.filter((t) => t.startsWith('prospect:')).map((t) => t.slice('prospect:'.length)));
    for (const tag of tags) {
      if (tag === 'prospects') {
        this.allGeneration++;
        this.entries.clear();
        this.asked.clear();
        this.inFlight.clear();
      } else if (tag.startsWith('prospect:')) {
        const key = tag.slice('prospect:'.length);
        if (this.generations.size >= GENERATIONS_KEPT && !this.generations.has(key)) {
          // Every prospect ever written would stay here: start over instead, with reads under way not kept (as
          // after a write touching every prospect). Cached answers stay: they were right when kept.
          this.generations.clear();
          this.allGeneration++;
        }
        this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
        this.entries.delete(key);
        this.asked.delete(key);
        this.inFlight.delete(key);
      }
    }
  }

  /** Forgets every cached answer, the replicas' shared ones too. */
  clear(): void {
    this.entries.clear();
    this.asked.clear();
    this.inFlight.clear();
    this.dropShared(null);
  }

  /** When the queue leaves (Date.now() clock; Infinity while empty): the timer's time, for a replay on a virtual clock. */
  get nextDueAt(): number {
    return this.queue.length ? this.dueAt : Infinity;
  }

  /** Lookup calls under way (from the shared level's checks before the call to storing its answers there). */
  get callsUnderWay(): number {
    return this.busy;
  }

  /** Sends the queue if its time has come and no lookup call is in flight (the timer; a replay on a virtual clock). */
  flushDue(): void {
    if (this.queue.length && this.busy === 0 && Date.now() >= this.dueAt) this.flush();
  }

  /**
   * Arms the timer for the queue's time. A timer that fires no later is kept (when it fires before the queue is due,
   * it arms again), and one for an emptied queue is left to fire for nothing: a lookup neither clears nor sets one
   * unless its window needs it (each costs ~20 µs on a busy machine, and most lookups are hits or leave at once).
   */
  private armTimer(): void {
    const at = this.queue.length ? this.dueAt : Infinity;
    if (at === Infinity || (this.timer && this.timerAt <= at)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.flushDue();
      // Fired before the queue's time (Node's timers run on a monotonic clock, the window's end is a Date.now() time;
      // or the timer was an earlier window's): look again. A call in flight sends the queue when it returns instead.
      if (this.busy === 0) this.armTimer();
    }, Math.max(1, this.dueAt - Date.now()));
    this.timer.unref?.();
  }

  private flush(): void {
    const now = Date.now();
    // Due only because 200 ids wait: full calls go, the rest keeps its window.
    const onlyFull = now < this.dueAt;
    const queue = this.queue;
    // A prospect invalidated while queued may be queued again: one id per prospect in a call.
    const batches: { pending: Pending[]; keys: Set<string> }[] = [];
    for (const p of queue) {
      let last = batches[batches.length - 1];
      if (!last || (!last.keys.has(p.key) && last.keys.size >= GONG_MAX_PROSPECTS_PER_CALL)) batches.push((last = { pending: [], keys: new Set() }));
      last.pending.push(p);
      last.keys.add(p.key);
    }
    const leaving = onlyFull ? batches.filter((b) => b.keys.size >= GONG_MAX_PROSPECTS_PER_CALL) : batches;
    this.queue = onlyFull ? batches.filter((b) => b.keys.size < GONG_MAX_PROSPECTS_PER_CALL).flatMap((b) => b.pending) : [];
    if (!this.queue.length) this.dueAt = Infinity;
    this.armTimer();
    for (const batch of leaving) {
      this.busy++;
      void this.run(batch.pending).finally(() => {
        // The last call in flight is back: what queued meanwhile goes as the next call(s) once due.
        if (--this.busy === 0) {
          this.flushDue();
          this.armTimer();
        }
      });
    }
  }

  /** Up to `room` cached rows asked within the last minute (behind replicas, longer) and past half their life, soonest to expire first. */
  private refreshAhead(taken: Set<string>, room: number, now: number): { key: string; id: string }[] {
    // Expired rows at the front (stored first, so expiring first) go, and so do rows not asked for lately.
    for (const [key, e] of this.entries) {
      if (e.expiresAt > now) break;
      this.entries.delete(key);
    }
    const since = now - REFRESH_AHEAD_ASKED_WITHIN_MS;
    for (const [key, at] of this.asked) {
      if (at >= since) break;
      this.asked.delete(key);
    }
    if (room <= 0 || this.ttlMs <= 0) return [];
    const halfLife = now + this.ttlMs / 2;
    const wanted = (key: string, e: Entry) => e.expiresAt > now && e.expiresAt <= halfLife && e.askedAt >= since && !taken.has(key) && !this.inFlight.has(key);
    // The rows past half their life are the first of `entries`, the rows asked lately those in `asked`: whichever
    // is shorter is walked (a full cache holds tens of thousands of rows nobody works on).
    let candidates: (Entry & { key: string })[] = [];
    let walked = 0;
    let pastHalfLifeWalked = true;
    for (const [key, e] of this.entries) {
      if (e.expiresAt > halfLife) break;
      if (walked++ >= this.asked.size) {
        pastHalfLifeWalked = false;
        break;
      }
      if (wanted(key, e)) candidates.push({ ...e, key });
    }
    if (!pastHalfLifeWalked) {
      candidates = [];
      for (const key of this.asked.keys()) {
        const e = this.entries.get(key);
        if (e && wanted(key, e)) candidates.push({ ...e, key });
      }
    }
    const out = candidates
      .sort((a, b) => a.expiresAt - b.expiresAt)
      .slice(0, room)
      .map((e) => ({ key: e.key, id: e.id }));
    return out;
  }

  /**
   * One call to Gong for a batch. Its room (up to 200 ids) goes first to other replicas' waiting prospects, then to
   * rows refreshed ahead. `retryAlone`: a first try (a refused batch is asked again per rep, without extras).
   */
  private async run(batch: Pending[], retryAlone = true): Promise<void> {
    const session = batch[0].session;
    const room = (taken: number) => GONG_MAX_PROSPECTS_PER_CALL - new Set(batch.map((p) => p.key)).size - taken;
    let taken: { key: string; id: string }[] = [];
    let ahead: { key: string; id: string }[] = [];
    // The shared level dates answers by the shared clock (one for every replica), read before the call.
    let askedAt: number | null = null;
    if (!this.shared) {
      if (retryAlone) ahead = this.refreshAhead(new Set(batch.map((p) => p.key)), room(0), Date.now());
    } else {
      askedAt = await this.shared.reads.clock().catch(() => null);
      if (retryAlone) {
        batch = await this.answeredMeanwhile(batch);
        if (!batch.length || this.waitOn(batch)) return;
        const keys = new Set(batch.map((p) => p.key));
        taken = (await this.shared.waiting.leave([...keys], room(0)).catch(() => [])).filter((t) => !keys.has(t.key));
        // Behind replicas the worked rows are every replica's (this one's memory only keeps its own list tidy).
        this.refreshAhead(keys, 0, Date.now());
        await this.shared.worked.flush(Date.now()).catch(() => undefined);
        ahead = await this.shared.worked.take([...keys, ...taken.map((t) => t.key)], room(taken.length)).catch(() => []);
      }
    }
    const seen = batch.map((p) => this.generations.get(p.key) ?? 0);
    // Never more than Gong takes in one call, whatever the shared level handed over.
    const extras = [...taken, ...ahead].slice(0, Math.max(0, room(0)));
    // Counted as sent: what the cap cut off was neither taken nor refreshed.
    this.stats.takenFromOthers += Math.min(taken.length, extras.length);
    this.stats.refreshedAhead += Math.max(0, extras.length - taken.length);
    const seenExtras = extras.map((a) => this.generations.get(a.key) ?? 0);
    const all = this.allGeneration;
    const ids = [...new Map(batch.map((p) => [p.key, p.id])).values(), ...extras.map((a) => a.id)];
    const sentAt = Date.now();
    try {
      this.stats.gongCalls++;
      // The gateway's own short per-user cache is skipped: this cache replaces it for this tool. A call that carries
      // other reps' prospects, or rows refreshed for everyone, is the company's: no rep's share pays for the others.
      const forCompany = extras.length > 0 || batch.some((p) => p.session.user.id !== session.user.id);
      const { data } = await session.call('gong_engage_prospects_flows_list', { crm_prospect_ids: ids }, { fresh: true, forCompany });
      const assigned = gongProspectsFlowsResponse.parse(data).prospectsAssigned;
      const byKey = new Map<string, ProspectFlow[]>();
      for (const a of assigned) {
        const k = keyOf(a.crmProspectId);
        let list = byKey.get(k);
        if (!list) byKey.set(k, (list = []));
        list.push(toProspectFlow(a));
      }
      const expiresAt = sentAt + this.ttlMs;
      const unchanged = (key: string, gen: number) => all === this.allGeneration && gen === (this.generations.get(key) ?? 0) && this.ttlMs > 0;
      const toShare: { key: string; value: ProspectFlow[] }[] = [];
      batch.forEach((p, i) => {
        const flows = byKey.get(p.key) ?? [];
        if (unchanged(p.key, seen[i])) {
          this.store(p.key, { id: p.id, flows, expiresAt, askedAt: sentAt });
          toShare.push({ key: p.key, value: flows });
        }
        p.resolve(flows);
      });
      extras.forEach((a, i) => {
        const before = this.entries.get(a.key);
        if (!unchanged(a.key, seenExtras[i])) return;
        const flows = byKey.get(a.key) ?? [];
        // Refreshed ahead: asked again by nobody, it stays hot only as long as reps ask for it. Taken from another
        // replica, or refreshed ahead for another replica's reps: asked by nobody here (its replica serves it from
        // the shared level).
        if (before || this.shared) this.store(a.key, { id: a.id, flows, expiresAt, askedAt: before?.askedAt ?? 0 });
        toShare.push({ key: a.key, value: flows });
      });
      // Best effort: another replica without it asks Gong, as it would without the shared level. Awaited here (the
      // reps have their answers): a replica whose prospects this call took finds them there when its window ends.
      if (this.shared && askedAt !== null) await this.shared.reads.put([...new Map(toShare.map((r) => [r.key, r])).values()], askedAt).catch(() => undefined);
    } catch (err) {
      const mine = batch.filter((p) => p.session.user.id === session.user.id);
      for (const p of mine) p.reject(err);
      if (!retryAlone) return;
      // Other reps' prospects: ask again on each rep's own connection (other replicas' taken prospects: their
      // replica asks when its window ends, not finding them in the shared level).
      const others = new Map<number, Pending[]>();
      for (const p of batch) {
        if (p.session.user.id === session.user.id) continue;
        const list = others.get(p.session.user.id) ?? [];
        list.push(p);
        others.set(p.session.user.id, list);
      }
      await Promise.all([...others.values()].map((list) => this.run(list, false)));
    }
  }

  /**
   * Prefetches whose window began with prospects another replica's call has since answered: they have waited less
   * than a window, so they go back to the queue until theirs ends (on one backend they would have started a window
   * of their own). True if they did.
   */
  private waitOn(batch: Pending[]): boolean {
    const since = Math.min(...batch.map((p) => p.queuedAt));
    const dueAt = since + this.batchWindowMs;
    if (dueAt <= Date.now() || batch.length >= GONG_MAX_PROSPECTS_PER_CALL || !batch.every((p) => p.patient && !p.joined)) return false;
    this.queue = [...batch, ...this.queue];
    this.dueAt = Math.min(this.dueAt, dueAt);
    this.armTimer();
    return true;
  }

  /** Prospects of a batch that waited a window and that another replica's call answered meanwhile: served from the shared level. */
  private async answeredMeanwhile(batch: Pending[]): Promise<Pending[]> {
    const waited = [...new Set(batch.filter((p) => p.patient).map((p) => p.key))];
    if (!waited.length) return batch;
    await this.dropping;
    const all = this.allGeneration;
    const seen = new Map(waited.map((key) => [key, this.generations.get(key) ?? 0]));
    const rows = await this.shared!.reads.get(waited).catch(() => new Map<string, never>());
    const at = Date.now();
    const left: Pending[] = [];
    for (const p of batch) {
      const row = rows.get(p.key);
      // A write heard while the database answered: that answer may be older than the write.
      if (!row || all !== this.allGeneration || seen.get(p.key) !== (this.generations.get(p.key) ?? 0)) {
        left.push(p);
        continue;
      }
      this.stats.answeredElsewhere++;
      this.store(p.key, { id: p.id, flows: row.value, expiresAt: at + this.ttlMs - row.ageMs, askedAt: at });
      p.resolve(row.value);
    }
    return left;
  }

  private store(key: string, entry: Entry): void {
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    // A row another replica's window waited for (taken into a call here) was asked by no one here.
    if (entry.askedAt > 0) this.noteAsked(key, entry.askedAt);
  }

  private noteAsked(key: string, at: number): void {
    if (this.asked.get(key) === at) return;
    this.asked.delete(key);
    this.asked.set(key, at);
  }
}

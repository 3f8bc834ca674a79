/**
 * Replicas share what Gong said of prospects' flows through the database (server/store/shared-reads.ts):
 * a prospect one replica asked about costs another no Gong call, a write on any replica stops the old answer
 * everywhere, and an answer asked before a write is never served after it, even when a replica that had not
 * heard of the write stores it; and the prospects waiting in one replica's batching window ride in another's call
 * (server/store/waiting-lookups.ts). Each "replica" here is a ProspectFlowsCache over the same database; Gong is one
 * fake shared by all of them that counts calls. Both engines.
 */
import { describe, expect, it } from 'vitest';
import type { GongGateway } from '../../server/gong/gateway';
import type { GongSession } from '../../server/gong/session';
import type { ProspectFlow } from '../../lib/api';
import { ProspectFlowsCache, SHARED_PROSPECT_FLOWS } from '../../server/services/prospect-flows';
import { SharedReads } from '../../server/store/shared-reads';
import { WaitingLookups } from '../../server/store/waiting-lookups';
import { WorkedRows } from '../../server/store/worked-rows';
import type { Db } from '../../server/store/sql';
import { useTestDb, waitFor } from './harness';

const X = '0038d0000lA6fpiAAB';
const Y = '0038d0001jzXRKWAA4';
const TTL = 60_000;

/** One Gong for every replica: each prospect's open flows, the calls made, and a gate to hold calls in flight. */
function fakeGong() {
  const flows = new Map<string, string[]>();
  let calls = 0;
  const asked: string[][] = [];
  let failing = false;
  let gate: Promise<void> | null = null;
  const session = {
    user: { id: 1, email: 'rep@example.com' },
    ensureConnected: async () => undefined,
    call: async (_tool: string, input: { crm_prospect_ids: string[] }) => {
      calls++;
      asked.push(input.crm_prospect_ids);
      if (failing) throw new Error('Gong is down');
      const answer = input.crm_prospect_ids.map((id) => ({ id, flowIds: [...(flows.get(id) ?? [])] }));
      if (gate) await gate;
      return { data: { prospectsAssigned: answer.flatMap(({ id, flowIds }) => flowIds.map((flowId) => ({ flowId, flowName: `Flow ${flowId}`, crmProspectId: id, flowInstanceStatus: 'Running' }))) } };
    },
  } as unknown as GongSession;
  return {
    session,
    flows,
    calls: () => calls,
    /** The ids of each call made. */
    asked,
    fail(on: boolean) {
      failing = on;
    },
    hold() {
      let open!: () => void;
      gate = new Promise((r) => (open = r));
      return () => {
        gate = null;
        open();
      };
    },
  };
}

/** The shared prospects' flows as a replica reads them. */
const sharedFlows = (db: Db, ttlMs = TTL, clock?: () => number) => new SharedReads(db, clock).of<ProspectFlow[]>(SHARED_PROSPECT_FLOWS, ttlMs);
const sharedRow = (db: Db, key: string) => db.get<{ value: string | null; dropped_at: number }>('SELECT value, dropped_at FROM shared_reads WHERE kind = ? AND key = ?', [SHARED_PROSPECT_FLOWS, key]);

let replicas = 0;
/** A replica's cache (`windowMs`: its batching window); `hear(tags)` is what a write's NOTIFY does on it. */
function replica(db: Db, ttlMs = TTL, windowMs = 0, workedWithinMs = 60_000) {
  const listeners: ((tags: string[]) => void)[] = [];
  const gateway = { onInvalidate: (fn: (tags: string[]) => void) => listeners.push(fn) } as unknown as GongGateway;
  const reads = new SharedReads(db);
  const answers = reads.of<ProspectFlow[]>(SHARED_PROSPECT_FLOWS, ttlMs);
  const shared = { reads: answers, waiting: new WaitingLookups(reads, `replica-${++replicas}`, 60_000), worked: new WorkedRows(reads, answers, workedWithinMs) };
  const cache = new ProspectFlowsCache(gateway, ttlMs, windowMs, 50_000, shared);
  return { cache, shared, hear: (tags: string[]) => listeners.forEach((l) => l(tags)) };
}

const flowIds = async (r: ReturnType<typeof replica>, session: GongSession, id: string) => (await r.cache.lookup(session, [id]))[0].flows.map((f) => f.flowId);

const testDb = useTestDb();

describe('prospect flows shared by replicas', () => {
  it('a prospect one replica asked Gong about costs another replica no call', async () => {
    const db = await testDb();
    const gong = fakeGong();
    gong.flows.set(X, ['f1']);
    const [a, b] = [replica(db), replica(db)];
    expect(await flowIds(a, gong.session, X)).toEqual(['f1']);
    await waitFor(async () => (await sharedFlows(db).get([X.toLowerCase()])).size === 1);
    expect(await flowIds(b, gong.session, X)).toEqual(['f1']);
    expect(gong.calls()).toBe(1);
    expect(b.cache.stats.sharedHits).toBe(1);
  });

  it('a write on one replica: the others ask Gong again, also one that has not heard of it yet', async () => {
    const db = await testDb();
    const gong = fakeGong();
    const shared = sharedFlows(db);
    const [a, b, c] = [replica(db), replica(db), replica(db)];
    await flowIds(a, gong.session, X);
    await waitFor(async () => (await shared.get([X.toLowerCase()])).size === 1);
    // A assigns X (its gateway drops the tag); B hears of it, C does not (yet).
    gong.flows.set(X, ['f2']);
    a.hear([`prospect:${X.toLowerCase()}`]);
    b.hear([`prospect:${X.toLowerCase()}`]);
    await waitFor(async () => (await shared.get([X.toLowerCase()])).size === 0);
    // An answer asked in the same millisecond as a drop counts as asked before it (safe side): a moment later.
    await new Promise((r) => setTimeout(r, 5));
    expect(await flowIds(b, gong.session, X)).toEqual(['f2']);
    // B's new answer, asked after the write, is the one the others get.
    await waitFor(async () => (await shared.get([X.toLowerCase()])).size === 1);
    expect(await flowIds(c, gong.session, X)).toEqual(['f2']);
    expect(gong.calls()).toBe(2);
  });

  it('an answer asked before a write is never served after it, though a replica that missed the write stored it', async () => {
    const db = await testDb();
    const gong = fakeGong();
    gong.flows.set(Y, ['old']);
    const shared = sharedFlows(db);
    const [slow, writer, later] = [replica(db), replica(db), replica(db)];
    const release = gong.hold();
    const inFlight = slow.cache.lookup(gong.session, [Y]);
    await waitFor(() => gong.calls() === 1);
    // The write lands at Gong and is dropped while `slow`'s call is still out; `slow` never hears of it.
    gong.flows.set(Y, ['new']);
    writer.hear([`prospect:${Y.toLowerCase()}`]);
    await waitFor(async () => (await sharedRow(db, Y.toLowerCase()))?.dropped_at! > 0);
    release();
    expect((await inFlight)[0].flows.map((f) => f.flowId)).toEqual(['old']);
    // `slow` stored its answer (dated when it asked, before the write): no one is served it.
    await waitFor(async () => (await sharedRow(db, Y.toLowerCase()))?.value != null);
    expect((await shared.get([Y.toLowerCase()])).size).toBe(0);
    expect(await flowIds(later, gong.session, Y)).toEqual(['new']);
    expect(gong.calls()).toBe(2);
  });

  it('a write that may touch any prospect (a task done, an unassign by instance) stops every shared answer', async () => {
    const db = await testDb();
    const gong = fakeGong();
    const shared = sharedFlows(db);
    const [a, b] = [replica(db), replica(db)];
    await a.cache.lookup(gong.session, [X, Y]);
    await waitFor(async () => (await shared.get([X.toLowerCase(), Y.toLowerCase()])).size === 2);
    a.hear(['prospects']);
    await waitFor(async () => (await shared.get([X.toLowerCase(), Y.toLowerCase()])).size === 0);
    await b.cache.lookup(gong.session, [X, Y]);
    expect(gong.calls()).toBe(2);
  });

  it('answers older than the TTL are not served, and pruning forgets them', async () => {
    const db = await testDb();
    const gong = fakeGong();
    const shared = sharedFlows(db, 300);
    const [a, b] = [replica(db, 300), replica(db, 300)];
    await flowIds(a, gong.session, X);
    await waitFor(async () => (await shared.get([X.toLowerCase()])).size === 1);
    await new Promise((r) => setTimeout(r, 400));
    expect((await shared.get([X.toLowerCase()])).size).toBe(0);
    await flowIds(b, gong.session, X);
    expect(gong.calls()).toBe(2);
    await new Promise((r) => setTimeout(r, 400));
    expect(await shared.prune()).toBeGreaterThan(0);
    expect(await db.all('SELECT key FROM shared_reads')).toEqual([]);
  });

  it('an injected clock (a replay on a virtual clock) dates answers and drops instead of the database', async () => {
    const db = await testDb();
    let now = Date.now() + 30 * 86_400_000;
    const shared = sharedFlows(db, TTL, () => now);
    await shared.put([{ key: 'k', value: [] }], await shared.clock());
    expect((await shared.get(['k'])).get('k')?.ageMs).toBe(0);
    now += TTL / 2;
    expect((await shared.get(['k'])).get('k')?.ageMs).toBe(TTL / 2);
    // Past its TTL on the injected clock, though only milliseconds passed on the database's.
    now += TTL;
    expect((await shared.get(['k'])).size).toBe(0);
    await shared.put([{ key: 'k', value: [] }], await shared.clock());
    now += 1;
    await shared.drop(['k']);
    expect((await shared.get(['k'])).size).toBe(0);
    now += 1;
    await shared.put([{ key: 'k', value: [] }], await shared.clock());
    expect((await shared.get(['k'])).size).toBe(1);
  });

  it('a prospect waiting in one replica\'s window rides in the call another replica makes first; the first replica makes none', async () => {
    const db = await testDb();
    const gong = fakeGong();
    gong.flows.set(Y, ['f1']);
    // A list prefetch on A, then one on B once A's window is told to the others (started together, either may open
    // the one window: B's first, and A's X would ride in B's call instead); A's window ends first.
    const [a, b] = [replica(db, TTL, 400), replica(db, TTL, 1_500)];
    const onA = a.cache.lookup(gong.session, [X], { wait: true });
    await waitFor(async () => (await db.all('SELECT key FROM prospect_flows_waiting')).length === 1, 5_000, 10);
    const onB = b.cache.lookup(gong.session, [Y], { wait: true });
    expect((await onA)[0].flows).toEqual([]);
    expect(gong.asked).toEqual([[X, Y]]);
    expect((await onB)[0].flows.map((f) => f.flowId)).toEqual(['f1']);
    expect(gong.calls()).toBe(1);
    expect(a.cache.stats.takenFromOthers).toBe(1);
    expect(b.cache.stats.answeredElsewhere).toBe(1);
    // Nothing is left waiting.
    expect(await db.all('SELECT key FROM prospect_flows_waiting')).toEqual([]);
  });

  it('a record looked up on one replica while its row waits in another replica\'s window waits with it: one call', async () => {
    const db = await testDb();
    const gong = fakeGong();
    gong.flows.set(X, ['f1']);
    const [a, b] = [replica(db, TTL, 500), replica(db, TTL, 500)];
    const onA = a.cache.lookup(gong.session, [X], { wait: true });
    await waitFor(async () => (await db.all('SELECT key FROM prospect_flows_waiting')).length === 1, 5_000, 10);
    // The side panel's own lookup (no wait) on B: sent at once, it would be a second call.
    const onB = b.cache.lookup(gong.session, [X]);
    expect((await onB)[0].flows.map((f) => f.flowId)).toEqual(['f1']);
    await onA;
    expect(gong.asked).toEqual([[X]]);
  });

  it('prefetches whose window began with prospects another replica answered wait out their own window', async () => {
    const db = await testDb();
    const gong = fakeGong();
    const Z = '0038d0002AbCdEfAAB';
    const [a, b] = [replica(db, TTL, 300), replica(db, TTL, 1_000)];
    const started = Date.now();
    const onY = b.cache.lookup(gong.session, [Y], { wait: true });
    await waitFor(async () => (await db.all('SELECT key FROM prospect_flows_waiting')).length === 1, 5_000, 10);
    // A record looked up on A goes at once, and its call takes Y.
    await a.cache.lookup(gong.session, [X]);
    await new Promise((r) => setTimeout(r, 600 - (Date.now() - started)));
    // Queued at ~600 ms in B's window (ends at 1,000): when it ends, Y was answered by A and Z has waited 400 ms.
    const onZ = b.cache.lookup(gong.session, [Z], { wait: true });
    await new Promise((r) => setTimeout(r, 1_300 - (Date.now() - started)));
    expect(gong.asked).toEqual([[X, Y]]);
    await onY;
    await onZ;
    expect(gong.asked).toEqual([[X, Y], [Z]]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_550);
  });

  it('a prefetch on one replica while another replica\'s window is open leaves with that window, not a window of its own', async () => {
    const db = await testDb();
    const gong = fakeGong();
    const [a, b] = [replica(db, TTL, 1_000), replica(db, TTL, 300)];
    const started = Date.now();
    const onA = a.cache.lookup(gong.session, [X], { wait: true });
    await waitFor(async () => (await db.all('SELECT key FROM prospect_flows_waiting')).length === 1, 5_000, 10);
    // B's own window would end first (~300 ms) and its call would take X; one window at a time: it waits with A's.
    const onB = b.cache.lookup(gong.session, [Y], { wait: true });
    await Promise.all([onA, onB]);
    expect(gong.asked).toEqual([[X, Y]]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(b.cache.stats.answeredElsewhere).toBe(1);
  });

  it('a row reps asked for on any replica is refreshed ahead by the next call with room on any replica, once', async () => {
    const db = await testDb();
    const gong = fakeGong();
    const Z = '0038d0002AbCdEfAAB';
    const [a, b] = [replica(db, 400), replica(db, 400)];
    await a.cache.lookup(gong.session, [X]);
    await waitFor(async () => (await sharedFlows(db, 400).get([X.toLowerCase()])).size === 1);
    // A rep on B works on X too (from the shared level: no call).
    await b.cache.lookup(gong.session, [X]);
    expect(gong.calls()).toBe(1);
    // Past half its life: A's next call, for Y, has room and asks for X again.
    await new Promise((res) => setTimeout(res, 250));
    await a.cache.lookup(gong.session, [Y]);
    await waitFor(() => a.cache.callsUnderWay === 0, 5_000, 5);
    // B's next call finds X fresh in the shared level: refreshed once.
    await b.cache.lookup(gong.session, [Z]);
    expect(gong.asked).toEqual([[X], [Y, X], [Z]]);
    expect(a.cache.stats.refreshedAhead).toBe(1);
    expect(b.cache.stats.refreshedAhead).toBe(0);
  });

  it('a call never carries more than 200 ids, however many rows the shared level hands it', async () => {
    const db = await testDb();
    const gong = fakeGong();
    const r = replica(db);
    const many = Array.from({ length: 300 }, (_, n) => ({ key: `003x${n}`, id: `003X${n}` }));
    r.shared.worked.take = async (_except: string[], room: number) => many.slice(0, room + 100);
    await r.cache.lookup(gong.session, [X]);
    expect(gong.asked).toHaveLength(1);
    expect(gong.asked[0]).toHaveLength(200);
    expect(gong.asked[0][0]).toBe(X);
    // Counted as sent: the 100 rows past the cap were not refreshed.
    expect(r.cache.stats.refreshedAhead).toBe(199);
  });

  it('a row nobody asked for lately is left to expire', async () => {
    const db = await testDb();
    const gong = fakeGong();
    const r = replica(db, 400, 0, 100);
    await r.cache.lookup(gong.session, [X]);
    // Past half its life, last asked for 250 ms ago (worked within 100 ms): Y's call has room but leaves X.
    await new Promise((res) => setTimeout(res, 250));
    await r.cache.lookup(gong.session, [Y]);
    expect(gong.asked).toEqual([[X], [Y]]);
    expect(await db.all('SELECT key FROM prospect_flows_worked ORDER BY key')).toEqual([{ key: X.toLowerCase() }, { key: Y.toLowerCase() }]);
  });

  it('a prospect taken by a call that fails is asked by its own replica when its window ends', async () => {
    const db = await testDb();
    const gong = fakeGong();
    const [a, b] = [replica(db, TTL, 300), replica(db, TTL, 1_200)];
    gong.fail(true);
    const onA = a.cache.lookup(gong.session, [X], { wait: true });
    // B's prefetch once A's window is known (either may open the one window when both start together).
    await waitFor(async () => (await db.all('SELECT key FROM prospect_flows_waiting')).length === 1, 5_000, 10);
    const onB = b.cache.lookup(gong.session, [Y], { wait: true });
    await expect(onA).rejects.toThrow('Gong is down');
    gong.fail(false);
    expect((await onB)[0].flows).toEqual([]);
    expect(gong.asked).toEqual([[X, Y], [Y]]);
  });

  it('a prospect written to while it waited is not served from an answer asked before the write', async () => {
    const db = await testDb();
    const gong = fakeGong();
    gong.flows.set(Y, ['old']);
    const [a, b] = [replica(db, TTL, 300), replica(db, TTL, 1_500)];
    const onB = b.cache.lookup(gong.session, [Y], { wait: true });
    await waitFor(async () => (await db.all('SELECT key FROM prospect_flows_waiting')).length === 1, 5_000, 10);
    // A record looked up on A goes at once, and its call takes Y.
    await a.cache.lookup(gong.session, [X]);
    expect(gong.asked).toEqual([[X, Y]]);
    // Y is assigned through B after A's call answered it, before B's window ends.
    gong.flows.set(Y, ['new']);
    b.hear([`prospect:${Y.toLowerCase()}`]);
    expect((await onB)[0].flows.map((f) => f.flowId)).toEqual(['new']);
    expect(gong.calls()).toBe(2);
  });

  it('a window of a fractional length (a clock with sub-millisecond times) is told to the other replicas', async () => {
    const db = await testDb();
    const reads = new SharedReads(db);
    await new WaitingLookups(reads, 'a', 60_000).add([{ key: X.toLowerCase(), id: X }], 1_688.19);
    const seen = await new WaitingLookups(reads, 'b', 60_000).elsewhere([X.toLowerCase()]);
    expect([...seen.keys()]).toEqual([X.toLowerCase()]);
    expect(seen.get(X.toLowerCase())).toBeGreaterThan(1_000);
  });

  it('prospects left waiting by a replica that died are not taken, and pruning forgets them', async () => {
    const db = await testDb();
    const gong = fakeGong();
    const reads = new SharedReads(db);
    const dead = new WaitingLookups(reads, 'dead', 60_000);
    // Its window ended two minutes ago.
    await dead.add([{ key: Y.toLowerCase(), id: Y }], -120_000);
    const a = replica(db, TTL, 0);
    await a.cache.lookup(gong.session, [X]);
    expect(gong.asked).toEqual([[X]]);
    expect(await dead.prune()).toBe(1);
  });

  it('drops heard over a long run keep nothing: the promise a read waits on does not grow with each write', async () => {
    const db = await testDb();
    const a = replica(db);
    for (let i = 0; i < 3; i++) a.hear([`prospect:${X.toLowerCase()}`, 'prospects']);
    a.cache.clear();
    // Reads wait on this; its value must not be a nest of every earlier drop's (one level more per write).
    expect(await (a.cache as unknown as { dropping: Promise<unknown> }).dropping).toBeUndefined();
  });
});

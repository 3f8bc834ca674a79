/**
 * Replicas share what Gong said of prospects' flows through the database (server/store/shared-prospect-flows.ts):
 * a prospect one replica asked about costs another no Gong call, a write on any replica stops the old answer
 * everywhere, and an answer asked before a write is never served after it, even when a replica that had not
 * heard of the write stores it. Each "replica" here is a ProspectFlowsCache over the same database; Gong is one
 * fake shared by all of them that counts calls. Both engines.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GongGateway } from '../../server/gong/gateway';
import type { GongSession } from '../../server/gong/session';
import { ProspectFlowsCache } from '../../server/services/prospect-flows';
import { SharedProspectFlows } from '../../server/store/shared-prospect-flows';
import type { Db } from '../../server/store/sql';
import { openTestDb, waitFor } from './harness';

const X = '0038d0000lA6fpiAAB';
const Y = '0038d0001jzXRKWAA4';
const TTL = 60_000;

/** One Gong for every replica: each prospect's open flows, the calls made, and a gate to hold calls in flight. */
function fakeGong() {
  const flows = new Map<string, string[]>();
  let calls = 0;
  let gate: Promise<void> | null = null;
  const session = {
    user: { id: 1, email: 'rep@example.com' },
    ensureConnected: async () => undefined,
    call: async (_tool: string, input: { crm_prospect_ids: string[] }) => {
      calls++;
      const asked = input.crm_prospect_ids.map((id) => ({ id, flowIds: [...(flows.get(id) ?? [])] }));
      if (gate) await gate;
      return { data: { prospectsAssigned: asked.flatMap(({ id, flowIds }) => flowIds.map((flowId) => ({ flowId, flowName: `Flow ${flowId}`, crmProspectId: id, flowInstanceStatus: 'Running' }))) } };
    },
  } as unknown as GongSession;
  return {
    session,
    flows,
    calls: () => calls,
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

/** A replica's cache; `hear(tags)` is what a write's NOTIFY does on it. */
function replica(db: Db, ttlMs = TTL) {
  const listeners: ((tags: string[]) => void)[] = [];
  const gateway = { onInvalidate: (fn: (tags: string[]) => void) => listeners.push(fn) } as unknown as GongGateway;
  const cache = new ProspectFlowsCache(gateway, ttlMs, 0, 50_000, new SharedProspectFlows(db, ttlMs));
  return { cache, hear: (tags: string[]) => listeners.forEach((l) => l(tags)) };
}

const flowIds = async (r: ReturnType<typeof replica>, session: GongSession, id: string) => (await r.cache.lookup(session, [id]))[0].flows.map((f) => f.flowId);

let db: Db | undefined;
afterEach(async () => {
  await db?.close();
  db = undefined;
});

describe('prospect flows shared by replicas', () => {
  it('a prospect one replica asked Gong about costs another replica no call', async () => {
    db = await openTestDb();
    const gong = fakeGong();
    gong.flows.set(X, ['f1']);
    const [a, b] = [replica(db), replica(db)];
    expect(await flowIds(a, gong.session, X)).toEqual(['f1']);
    await waitFor(async () => (await new SharedProspectFlows(db!, TTL).get([X.toLowerCase()])).size === 1);
    expect(await flowIds(b, gong.session, X)).toEqual(['f1']);
    expect(gong.calls()).toBe(1);
    expect(b.cache.stats.sharedHits).toBe(1);
  });

  it('a write on one replica: the others ask Gong again, also one that has not heard of it yet', async () => {
    db = await openTestDb();
    const gong = fakeGong();
    const shared = new SharedProspectFlows(db, TTL);
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
    db = await openTestDb();
    const gong = fakeGong();
    gong.flows.set(Y, ['old']);
    const shared = new SharedProspectFlows(db, TTL);
    const [slow, writer, later] = [replica(db), replica(db), replica(db)];
    const release = gong.hold();
    const inFlight = slow.cache.lookup(gong.session, [Y]);
    await waitFor(() => gong.calls() === 1);
    // The write lands at Gong and is dropped while `slow`'s call is still out; `slow` never hears of it.
    gong.flows.set(Y, ['new']);
    writer.hear([`prospect:${Y.toLowerCase()}`]);
    await waitFor(async () => (await db!.get<{ dropped_at: number }>('SELECT dropped_at FROM prospect_flows_cache WHERE key = ?', [Y.toLowerCase()]))?.dropped_at! > 0);
    release();
    expect((await inFlight)[0].flows.map((f) => f.flowId)).toEqual(['old']);
    // `slow` stored its answer (dated when it asked, before the write): no one is served it.
    await waitFor(async () => (await db!.get<{ flows: string | null }>('SELECT flows FROM prospect_flows_cache WHERE key = ?', [Y.toLowerCase()]))?.flows != null);
    expect((await shared.get([Y.toLowerCase()])).size).toBe(0);
    expect(await flowIds(later, gong.session, Y)).toEqual(['new']);
    expect(gong.calls()).toBe(2);
  });

  it('a write that may touch any prospect (a task done, an unassign by instance) stops every shared answer', async () => {
    db = await openTestDb();
    const gong = fakeGong();
    const shared = new SharedProspectFlows(db, TTL);
    const [a, b] = [replica(db), replica(db)];
    await a.cache.lookup(gong.session, [X, Y]);
    await waitFor(async () => (await shared.get([X.toLowerCase(), Y.toLowerCase()])).size === 2);
    a.hear(['prospects']);
    await waitFor(async () => (await shared.get([X.toLowerCase(), Y.toLowerCase()])).size === 0);
    await b.cache.lookup(gong.session, [X, Y]);
    expect(gong.calls()).toBe(2);
  });

  it('answers older than the TTL are not served, and pruning forgets them', async () => {
    db = await openTestDb();
    const gong = fakeGong();
    const shared = new SharedProspectFlows(db, 300);
    const [a, b] = [replica(db, 300), replica(db, 300)];
    await flowIds(a, gong.session, X);
    await waitFor(async () => (await shared.get([X.toLowerCase()])).size === 1);
    await new Promise((r) => setTimeout(r, 400));
    expect((await shared.get([X.toLowerCase()])).size).toBe(0);
    await flowIds(b, gong.session, X);
    expect(gong.calls()).toBe(2);
    await new Promise((r) => setTimeout(r, 400));
    expect(await shared.prune()).toBeGreaterThan(0);
    expect(await db.all('SELECT key FROM prospect_flows_cache')).toEqual([]);
  });

  it('an injected clock (a replay on a virtual clock) dates answers and drops instead of the database', async () => {
    db = await openTestDb();
    let now = Date.now() + 30 * 86_400_000;
    const shared = new SharedProspectFlows(db, TTL, () => now);
    await shared.put([{ key: 'k', id: 'K', flows: [] }], await shared.clock());
    expect((await shared.get(['k'])).get('k')?.ageMs).toBe(0);
    now += TTL / 2;
    expect((await shared.get(['k'])).get('k')?.ageMs).toBe(TTL / 2);
    // Past its TTL on the injected clock, though only milliseconds passed on the database's.
    now += TTL;
    expect((await shared.get(['k'])).size).toBe(0);
    await shared.put([{ key: 'k', id: 'K', flows: [] }], await shared.clock());
    now += 1;
    await shared.drop(['k']);
    expect((await shared.get(['k'])).size).toBe(0);
    now += 1;
    await shared.put([{ key: 'k', id: 'K', flows: [] }], await shared.clock());
    expect((await shared.get(['k'])).size).toBe(1);
  });

  it('drops heard over a long run keep nothing: the promise a read waits on does not grow with each write', async () => {
    db = await openTestDb();
    const a = replica(db);
    for (let i = 0; i < 3; i++) a.hear([`prospect:${X.toLowerCase()}`, 'prospects']);
    a.cache.clear();
    // Reads wait on this; its value must not be a nest of every earlier drop's (one level more per write).
    expect(await (a.cache as unknown as { dropping: Promise<unknown> }).dropping).toBeUndefined();
  });
});

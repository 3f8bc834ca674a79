/**
 * Replicas share the calls index through the database (server/store/shared-reads.ts): a window one replica loaded
 * from Gong costs another no call, and a call created through any replica (the `calls` write tag) stops the shared
 * window, also for a replica that never heard of the write. Each "replica" is a CallsIndex over the same database;
 * Gong is one simulator whose calls are counted. Both engines.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GongGateway } from '../../server/gong/gateway';
import type { GongSession } from '../../server/gong/session';
import { GongSimulator } from '../../server/sandbox/gong/simulator';
import { SEED } from '../../server/sandbox/gong/seed';
import { CallsIndex, SHARED_CALLS_INDEX, prospectCalls, type SharedCallsWindow } from '../../server/services/calls';
import { SharedReads } from '../../server/store/shared-reads';
import type { Db } from '../../server/store/sql';
import { useTestDb } from './harness';

const TTL = 60_000;
const DAYS = 90;

/** One Gong for every replica, on the seed rep's connection, counting the tool calls made. */
function gong() {
  // Its 3/s would only slow the test: the backend's limiter, which keeps it, is not what is under test.
  const sim = new GongSimulator({ limits: { perSecond: 1e9, perDay: 1e9 } });
  const calls: string[] = [];
  const session = {
    user: { id: 1, email: SEED.repEmail },
    ensureConnected: async () => undefined,
    call: async (tool: string, input: Record<string, unknown>) => {
      calls.push(tool);
      return { executionId: `x${calls.length}`, data: await sim.execute(tool, input, { identifier: SEED.repEmail, executionId: `x${calls.length}` }) };
    },
  } as unknown as GongSession;
  return { sim, session, calls };
}

/** A replica's calls index; `hear(tags)` is what a write's NOTIFY (or a write through it) does on it. */
function replica(db: Db, ttlMs = TTL) {
  const listeners: ((tags: string[]) => void)[] = [];
  const gateway = { onInvalidate: (fn: (tags: string[]) => void) => listeners.push(fn) } as unknown as GongGateway;
  const index = new CallsIndex(gateway, ttlMs, undefined, new SharedReads(db).of<SharedCallsWindow>(SHARED_CALLS_INDEX, ttlMs));
  return { index, hear: (tags: string[]) => listeners.forEach((l) => l(tags)) };
}

const testDb = useTestDb();
let sim: GongSimulator | undefined;
afterEach(() => {
  sim?.close();
  sim = undefined;
});

describe('calls index shared by replicas', () => {
  it('a window one replica loaded from Gong costs another replica no call, and matches the same calls', async () => {
    const db = await testDb();
    const g = gong();
    sim = g.sim;
    const [a, b] = [replica(db), replica(db)];
    const onA = await prospectCalls(a.index, g.session, SEED.sfContactWithFlows, undefined, DAYS);
    const made = g.calls.length;
    expect(made).toBeGreaterThan(0);
    expect(onA.length).toBeGreaterThan(0);
    const onB = await prospectCalls(b.index, g.session, SEED.sfContactWithFlows, undefined, DAYS);
    expect(onB.map((c) => c.id)).toEqual(onA.map((c) => c.id));
    // Transcripts are per call and per replica; the window itself (list and details) came from the shared level.
    expect(g.calls.slice(made).filter((t) => t !== 'gong_calls_transcript_get')).toEqual([]);
  });

  it('a call created through one replica stops the shared window, also for a replica that never heard of it', async () => {
    const db = await testDb();
    const g = gong();
    sim = g.sim;
    const [a, b] = [replica(db), replica(db)];
    await a.index.recentCalls(g.session, DAYS);
    const made = g.calls.length;
    a.hear(['calls']);
    await b.index.recentCalls(g.session, DAYS);
    expect(g.calls.slice(made)).toContain('gong_calls_list');
  });

  it('a window older than the TTL is loaded again from Gong', async () => {
    const db = await testDb();
    const g = gong();
    sim = g.sim;
    const [a, b] = [replica(db, 200), replica(db, 200)];
    await a.index.recentCalls(g.session, DAYS);
    const made = g.calls.length;
    await new Promise((r) => setTimeout(r, 300));
    await b.index.recentCalls(g.session, DAYS);
    expect(g.calls.slice(made)).toContain('gong_calls_list');
  });
});

/**
 * The prospect's flow history (server/services/flow-history.ts) is read while Gong is asked for the open flows: a
 * Gong failure that comes while the audit is still being read must reach the caller as that failure, and nowhere
 * else (an unhandled rejection in the meantime is a crash waiting to happen under `--unhandled-rejections=throw`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditLog } from '../../server/store/audit';
import { flowHistory } from '../../server/services/flow-history';

const unhandled: unknown[] = [];
const note = (reason: unknown) => unhandled.push(reason);

afterEach(() => {
  process.off('unhandledRejection', note);
  unhandled.length = 0;
});

describe('flow history', () => {
  it('a Gong failure while the audit is read rejects the history, and is no unhandled rejection', async () => {
    process.on('unhandledRejection', note);
    const slowAudit = { prospectFlowWrites: () => new Promise((resolve) => setTimeout(() => resolve([]), 30)) } as unknown as AuditLog;
    const gongFailed = Promise.reject(new Error('Your Gong connection has expired; connect Gong again'));
    await expect(flowHistory(slowAudit, '0038d0000lA6fpiAAB', 'rep@example.com', gongFailed)).rejects.toThrow('expired');
    // Node reports unhandled rejections after the microtask queue drains: give it a turn.
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
  });
});

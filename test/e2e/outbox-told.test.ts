/**
 * A write refused while no side panel is open (queued while offline, then refused by the backend; or given up
 * after PENDING_GIVE_UP_MS) is not lost silently: the next panel the rep opens says what failed, for whom and why,
 * once.
 */
import { expect, test } from 'vitest';
import type { OutboxEntry } from '../../lib/outbox';
import { SEED } from '../../server/sandbox/gong/seed';
import { sfContact, useHarness } from './fixtures';

const h = useHarness();
const outbox = () => h.serviceWorker.evaluate(async () => ((await chrome.storage.local.get('outbox')).outbox ?? []) as OutboxEntry[]);

test('a write refused while no panel was open is told by the next panel, once', async () => {
  // Queued earlier (say, while the backend was down); sent now with no panel open, and refused.
  await h.serviceWorker.evaluate(async () => {
    const now = Date.now();
    const write = { kind: 'assign', flowId: 'no-such-flow', flowName: 'Q3 webinar follow-up', crmProspectIds: ['0035g00000NoPanel1AAA'], prospectName: 'Jordan Lee' };
    await chrome.storage.local.set({ outbox: [{ id: 'queued-while-away', write, status: 'pending', attempts: 3, createdAt: now - 3_600_000, nextAttemptAt: now, lastError: null, result: null }] });
    await (globalThis as unknown as { __gongEverywhere: { flushOutbox(o: { force: boolean }): Promise<void> } }).__gongEverywhere.flushOutbox({ force: true });
  });
  const [refused] = await outbox();
  expect(refused).toMatchObject({ id: 'queued-while-away', status: 'failed' });
  expect(refused.told).toBeFalsy();

  const { panel } = await h.openPanelFor(sfContact(SEED.sfContactWithFlows));
  const notice = panel.getByRole('status').filter({ hasText: 'Add Jordan Lee to “Q3 webinar follow-up” failed.' });
  await expect.poll(() => notice.count(), { timeout: 15_000 }).toBe(1);
  await h.screenshot(panel, 'outbox-told-on-open');
  await expect.poll(async () => (await outbox())[0]?.told, { timeout: 10_000 }).toBe(true);

  // The next panel has nothing more to say of it.
  await panel.close();
  const { panel: again } = await h.openPanelFor(sfContact(SEED.sfContactWithFlows));
  await expect.poll(() => again.getByRole('region', { name: 'Flows' }).isVisible(), { timeout: 15_000 }).toBe(true);
  await new Promise((r) => setTimeout(r, 500));
  expect(await again.getByText('Add Jordan Lee to “Q3 webinar follow-up” failed.', { exact: false }).count()).toBe(0);
});

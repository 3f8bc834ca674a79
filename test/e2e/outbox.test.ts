/**
 * Outbox e2e (issue 5): with the backend stopped, the rep assigns a flow and reports an interaction from
 * the side panel → both are shown as pending. The service worker is then stopped (CDP) and the backend
 * started again on the same port and data directory → both writes land exactly once (sandbox state and
 * audit table), and the panel shows them.
 */
import { describe, expect, test } from 'vitest';
import { SEED } from '../../server/sandbox/gong/seed';
import type { GongSimulator } from '../../server/sandbox/gong/simulator';
import type { Page } from 'playwright-core';
import type { OutboxEntry } from '../../lib/outbox';
import { panelScreenshot } from './panel-screenshot';
import { RestartableBackend, sfContact, sfLead, useHarness } from './fixtures';

const server = new RestartableBackend();
const h = useHarness({ backend: server });

let panel: Page;
// Read through the panel page, not the service worker: a stopped worker does not answer until it restarts.
const outbox = () => panel.evaluate(async () => ((await chrome.storage.local.get('outbox')).outbox ?? []) as OutboxEntry[]);

describe('outbox', () => {
  test('writes made while the backend is down survive a service worker stop and land exactly once', async () => {
    const prospect = SEED.sfContactNoFlows2;
    const { crm, panel: opened } = await h.openPanelFor(sfContact(prospect));
    panel = opened;
    const flows = panel.getByRole('region', { name: 'Flows' });
    await expect.poll(() => flows.getByRole('button', { name: 'Add to flow' }).isVisible(), { timeout: 20_000 }).toBe(true);
    // The picker's catalog loads while the backend is still up.
    await flows.getByRole('button', { name: 'Add to flow' }).click();
    const picker = panel.getByRole('dialog', { name: 'Add to flow' });
    await expect.poll(() => picker.getByRole('option').count(), { timeout: 15_000 }).toBeGreaterThan(3);

    // The backend goes away.
    await server.stop();

    await picker.getByLabel('Search flows').fill('enterprise cold');
    await picker.getByRole('option', { name: SEED.flowName }).click();
    await picker.getByRole('button', { name: `Add to “${SEED.flowName}”` }).click();
    await expect.poll(async () => (await outbox()).filter((e) => e.write.kind === 'assign' && e.status === 'pending').length, { timeout: 20_000 }).toBe(1);
    // The header says what the panel saw (not a stale "Connected"), and the add shows as a pending row.
    const pill = panel.getByRole('status', { name: 'Connection status' });
    await expect.poll(() => pill.textContent(), { timeout: 10_000 }).toBe('Offline — changes are saved and will be sent');
    const list = flows.getByRole('list', { name: 'Prospect flows' });
    const row = list.getByRole('listitem', { name: SEED.flowName });
    await expect.poll(() => row.getByText('Pending', { exact: true }).isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await flows.getByText('Not in any flow yet.').count()).toBe(0);
    // One write per flow: until the saved add lands or fails, its action is off (three clicks once queued three).
    const waiting = picker.getByRole('button', { name: `“${SEED.flowName}” saved, waiting to send` });
    await expect.poll(() => waiting.isDisabled(), { timeout: 10_000 }).toBe(true);
    expect(await picker.getByRole('option', { name: SEED.flowName }).getAttribute('aria-disabled')).toBe('true');
    await waiting.click({ force: true });
    await picker.getByRole('option', { name: SEED.flowName }).click({ force: true });
    await picker.getByRole('combobox', { name: 'Search flows' }).press('Enter');
    expect((await outbox()).filter((e) => e.write.kind === 'assign')).toHaveLength(1);

    const eventName = `Visited pricing page ${Date.now()}`;
    const form = panel.getByRole('form', { name: 'Report a digital interaction' });
    await form.getByLabel('Event').fill(eventName);
    await form.getByRole('button', { name: 'Report interaction' }).click();
    // Both tried and kept for later, with the reason (a write just queued is pending too, before its first try).
    await expect.poll(async () => (await outbox()).filter((e) => e.status === 'pending' && e.lastError?.code === 'NETWORK').length, { timeout: 20_000 }).toBe(2);
    const pending = await outbox();
    expect(pending).toHaveLength(2);
    await expect.poll(() => panel.getByText(/2 changes waiting/).isVisible(), { timeout: 10_000 }).toBe(true);
    await panelScreenshot(panel, 'outbox-pending');
    await panel.emulateMedia({ colorScheme: 'dark' });
    await panelScreenshot(panel, 'outbox-pending-dark');
    await panel.emulateMedia({ colorScheme: 'light' });
    const keys = pending.filter((e) => e.status === 'pending').map((e) => e.id);

    // The service worker is terminated (as Chrome does after 30 s idle)…
    await h.serviceWorker.evaluate(() => Object.assign(globalThis, { __beforeStop: true }));
    const cdp = await h.context.newCDPSession(panel);
    let stopped!: () => void;
    const isStopped = new Promise<void>((r) => (stopped = r));
    cdp.on('ServiceWorker.workerVersionUpdated', (e: { versions: { scriptURL: string; runningStatus: string }[] }) => {
      if (e.versions.some((v) => v.scriptURL.endsWith('/background.js') && v.runningStatus === 'stopped')) stopped();
    });
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await isStopped;
    await cdp.detach();

    // …and the backend comes back on the same port with the same data.
    const backend = await server.start();
    const gong = backend.sandbox!.gong as GongSimulator;

    // The open panel notices the backend is back (it checks every few seconds while offline), says so, and
    // asks the outbox to send now: the message starts a fresh worker, which sends both writes.
    await expect.poll(() => pill.textContent(), { timeout: 20_000 }).toBe('Connected');
    await expect.poll(async () => (await outbox()).filter((e) => keys.includes(e.id)).map((e) => e.status), { timeout: 60_000, interval: 500 }).toEqual(['done', 'done']);
    // The pending row turned into the real one, without a reload.
    await expect.poll(() => row.isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => row.getByText('Pending', { exact: true }).count(), { timeout: 20_000 }).toBe(0);
    await panelScreenshot(panel, 'outbox-landed');

    // It was a fresh worker that sent them (the marker set before the stop is gone).
    expect(await h.serviceWorker.evaluate(() => (globalThis as { __beforeStop?: boolean }).__beforeStop ?? false)).toBe(false);

    // Exactly once in Gong…
    const instances = gong.state.flowInstancesByProspect(prospect).filter((i) => i.flowId === SEED.flowId);
    expect(instances).toHaveLength(1);
    expect(gong.state.interactions.filter((i) => i.eventName === eventName)).toHaveLength(1);
    // …and in the backend's audit table (one successful Gong write each; nothing while it was down).
    const assigned = (await backend.audit.entries({ tool: 'gong_engage_prospects_assign' })).filter((e) => e.input?.includes(prospect) && e.outcome === 'ok');
    expect(assigned).toHaveLength(1);
    const reported = (await backend.audit.entries({ tool: 'gong_engage_digital_interactions_create' })).filter((e) => e.input?.includes(eventName) && e.outcome === 'ok');
    expect(reported).toHaveLength(1);

    // A reopened panel shows the same: the flow is listed, nothing is waiting any more.
    await panel.reload();
    await expect.poll(() => row.isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => panel.getByText(/changes? waiting/).count(), { timeout: 10_000 }).toBe(0);
    await panel.close();
    await crm.close();
  }, 240_000);

  test('"Add to flow" on a record whose flows never loaded (backend down): the saved catalog, the add kept and sent', async () => {
    // A first panel, backend up, saves the flow catalog.
    const first = await h.openPanelFor(sfContact(SEED.sfContactNoFlows));
    await expect.poll(() => first.panel.evaluate(async () => (await chrome.storage.local.get('cache:flow-catalog'))['cache:flow-catalog'] != null), { timeout: 20_000 }).toBe(true);
    await first.panel.close();
    await first.crm.close();

    await server.stop();
    // A record this browser never showed: its flows can't be loaded while the backend is down.
    const prospect = SEED.sfLead;
    const { crm, panel: opened } = await h.openPanelFor(sfLead(prospect));
    panel = opened;
    const flows = panel.getByRole('region', { name: 'Flows' });
    await expect.poll(() => flows.getByText('Not loaded yet.').isVisible(), { timeout: 20_000 }).toBe(true);
    const add = flows.getByRole('button', { name: 'Add to flow' });
    await add.click();
    // The picker opens from the saved catalog, and focus is in it (not lost with the button it replaced).
    const picker = panel.getByRole('dialog', { name: 'Add to flow' });
    await expect.poll(() => picker.getByRole('option').count(), { timeout: 10_000 }).toBeGreaterThan(3);
    expect(await panel.evaluate(() => !!document.activeElement?.closest('[role="dialog"]'))).toBe(true);
    await picker.getByLabel('Search flows').fill('enterprise cold');
    await picker.getByRole('option', { name: SEED.flowName }).click();
    await picker.getByRole('button', { name: `Add to “${SEED.flowName}”` }).click();
    await expect.poll(async () => (await outbox()).filter((e) => e.write.kind === 'assign' && e.write.crmProspectIds.includes(prospect) && e.status === 'pending').length, { timeout: 20_000 }).toBe(1);
    await panelScreenshot(panel, 'outbox-add-unloaded-record');

    // The backend comes back: the add lands, once, and the record's flows show it.
    const backend = await server.start();
    const gong = backend.sandbox!.gong as GongSimulator;
    await expect.poll(async () => (await outbox()).filter((e) => e.write.kind === 'assign' && e.write.crmProspectIds.includes(prospect)).map((e) => e.status), { timeout: 60_000, interval: 500 }).toEqual(['done']);
    expect(gong.state.flowInstancesByProspect(prospect).filter((i) => i.flowId === SEED.flowId)).toHaveLength(1);
    await expect.poll(() => flows.getByRole('list', { name: 'Prospect flows' }).getByRole('listitem', { name: SEED.flowName }).isVisible(), { timeout: 30_000 }).toBe(true);
    await panel.close();
    await crm.close();
  }, 240_000);
});

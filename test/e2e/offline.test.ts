/**
 * A backend that goes away, and a token it refuses (issue 14): the side panel and the popup each say so once,
 * with one action — Retry, or Open settings — instead of the same sentence and a Retry in every section;
 * and when the backend comes back (same port, same data) both recover by themselves, without a click.
 */
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { SEED } from '../../server/sandbox/gong/seed';
import { panelScreenshot } from './panel-screenshot';
import { RestartableBackend, sfContact, useHarness } from './fixtures';

const server = new RestartableBackend();
const h = useHarness({ backend: server });
const poll = <T>(fn: () => T | Promise<T>, opts: { timeout?: number } = {}) => expect.poll(fn, { timeout: 20_000, interval: 200, ...opts });
/** How many times the page's visible text says `re`, and how many buttons are named like `name`. */
const says = (page: Page, re: RegExp) => page.locator('body').innerText().then((t) => t.match(new RegExp(re.source, 'g'))?.length ?? 0);
const buttons = (page: Page, name: RegExp) => page.getByRole('button', { name }).count();

describe('backend down, token refused', () => {
  test('one message and one Retry in panel and popup while the backend is down; both recover by themselves', async () => {
    // Seen once while up: the panel and the popup have saved copies.
    const { crm, panel: seen } = await h.openPanelFor(sfContact(SEED.sfContactWithFlows));
    await poll(() => seen.getByRole('region', { name: 'Recent calls' }).getByRole('listitem').count()).toBeGreaterThan(0);
    await seen.close();
    let popup = await h.openExtensionPage('popup.html');
    await poll(() => popup.getByTestId('task').count()).toBeGreaterThan(0);
    await popup.close();

    await server.stop();
    const panel = await h.openPanel(crm);
    const pill = panel.getByRole('status', { name: 'Connection status' });
    await poll(() => pill.textContent()).toMatch(/^Offline/);
    await poll(() => panel.getByRole('alert', { name: 'Backend problem' }).isVisible()).toBe(true);
    await poll(() => panel.getByRole('region', { name: 'Flows' }).getByRole('listitem').count()).toBeGreaterThan(0);
    // Give every read time to fail, then count: one sentence, one Retry.
    await poll(() => panel.locator('[aria-busy="true"]').count()).toBe(0);
    expect(await says(panel, /Can't reach the Gong backend/)).toBe(1);
    expect(await buttons(panel, /Retry/)).toBe(1);
    await panelScreenshot(panel, 'offline-panel');

    popup = await h.openExtensionPage('popup.html');
    await popup.setViewportSize({ width: 380, height: 600 });
    await poll(() => popup.getByTestId('state-stale').isVisible()).toBe(true);
    expect(await popup.getByTestId('task').count()).toBeGreaterThan(0);
    expect(await buttons(popup, /Retry|Try again/)).toBe(1);
    await h.screenshot(popup, 'offline-popup');

    // Back on the same port with the same data: nobody clicks anything.
    await server.start();
    await poll(() => pill.textContent()).toBe('Connected');
    await poll(() => panel.getByRole('alert', { name: 'Backend problem' }).count()).toBe(0);
    await poll(() => says(panel, /Can't reach/)).toBe(0);
    expect(await buttons(panel, /Retry/)).toBe(0);
    await poll(() => popup.getByTestId('state-stale').count()).toBe(0);
    expect(await popup.getByTestId('task').count()).toBeGreaterThan(0);
    await panel.close();
    await popup.close();
    await crm.close();
  }, 240_000);

  test('a refused token: one message offering "Open settings", in the panel and the popup', async () => {
    await h.configure({ apiToken: 'not-the-token' });
    try {
      const { crm, panel } = await h.openPanelFor(sfContact(SEED.sfContactWithFlows));
      const problem = panel.getByRole('alert', { name: 'Backend problem' });
      await poll(() => problem.textContent()).toMatch(/did not accept your API token/);
      await poll(() => panel.locator('[aria-busy="true"]').count()).toBe(0);
      expect(await says(panel, /did not accept your API token/)).toBe(1);
      expect(await buttons(panel, /Retry/)).toBe(0);
      const [settings] = await Promise.all([h.context.waitForEvent('page'), problem.getByRole('button', { name: 'Open settings' }).click()]);
      await poll(() => settings.url()).toMatch(/options\.html/);
      await panelScreenshot(panel, 'token-refused-panel');
      await settings.close();

      const popup = await h.openExtensionPage('popup.html');
      await poll(() => popup.getByText('Your API token was not accepted').isVisible()).toBe(true);
      expect(await popup.getByRole('button', { name: 'Open settings' }).isVisible()).toBe(true);
      await Promise.all([panel.close(), popup.close(), crm.close()]);
    } finally {
      await h.configure();
    }
  }, 240_000);
});

/**
 * Popup e2e: the built popup (opened as a tab, `popup.html?tabId=N` to give it the CRM tab) against the
 * real backend + sandbox Gong: not-configured, unreachable and not-connected states, today's tasks grouped
 * by type, Complete / Skip updating in place, and the toolbar badge following the open count.
 */
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { SEED } from '../../server/sandbox/gong/seed';
import type { GongSimulator } from '../../server/sandbox/gong/simulator';
import { useHarness } from './fixtures';

const h = useHarness({ configure: false });
const gong = () => h.backend.sandbox!.gong as GongSimulator;
const badge = () => h.serviceWorker.evaluate(() => chrome.action.getBadgeText({}));

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(h.backend.url + path, {
    method,
    headers: { authorization: `Bearer ${h.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return res.json() as Promise<any>;
}

async function openPopup(tabId?: number): Promise<Page> {
  const page = await h.openExtensionPage(`popup.html${tabId ? `?tabId=${tabId}` : ''}`);
  await page.setViewportSize({ width: 380, height: 600 });
  return page;
}

describe('popup', () => {
  test('not configured, then backend unreachable with a working retry', async () => {
    let popup = await openPopup();
    await expect.poll(() => popup.getByTestId('state-not-configured').isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => popup.getByRole('button', { name: 'Open settings' }).isVisible()).toBe(true);
    await h.screenshot(popup, 'popup-not-configured');
    await popup.close();

    await h.configure({ backendUrl: 'http://127.0.0.1:9' });
    popup = await openPopup();
    await expect.poll(() => popup.getByTestId('state-unreachable').isVisible(), { timeout: 20_000 }).toBe(true);
    await h.screenshot(popup, 'popup-unreachable');
    await h.configure();
    await popup.getByTestId('retry').click();
    await expect.poll(() => popup.getByTestId('task').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await popup.close();
  });

  test('tasks due today and overdue, grouped by type; complete and skip update in place and the badge follows', async () => {
    await h.configure();
    const crm = await h.openCrmPage(`https://acme.lightning.force.com/lightning/r/Contact/${SEED.sfContactWithFlows}/view`, 'salesforce-contact.html');
    const tabId = await h.tabIdOf(crm);
    const expected = (await api('GET', '/api/v1/tasks?due=today')).tasks as { id: string; type: string; title: string }[];
    expect(expected.length).toBeGreaterThanOrEqual(4);

    const popup = await openPopup(tabId);
    await expect.poll(() => popup.getByTestId('task').count(), { timeout: 15_000 }).toBe(expected.length);
    await expect.poll(() => popup.getByTestId('open-task-count').textContent()).toBe(String(expected.length));
    for (const type of new Set(expected.map((t) => t.type))) expect(await popup.getByTestId(`task-group-${type}`).isVisible()).toBe(true);
    // The record on the rep's tab, with the button that opens the panel.
    await expect.poll(() => popup.getByTestId('current-record').textContent(), { timeout: 10_000 }).toContain('Avery Thompson');
    // The avatar is the person's initials, not the CRM's letter.
    expect(await popup.getByTestId('record-avatar').textContent()).toBe('AT');
    expect(await popup.getByTestId('record-avatar').getAttribute('title')).toBe('Salesforce');
    expect(await popup.getByTestId('open-panel').isVisible()).toBe(true);
    await expect.poll(badge, { timeout: 10_000 }).toBe(String(expected.length));
    await h.screenshot(popup, 'popup-tasks');

    // Complete with a note.
    const first = popup.getByTestId('task').first();
    const firstId = (await first.getAttribute('data-task-id'))!;
    await first.getByTestId('task-complete').click();
    await first.getByTestId('task-note').fill('Left a voicemail, will email');
    await h.screenshot(popup, 'popup-complete-note');
    await first.getByTestId('task-confirm').click();
    await expect.poll(() => popup.locator(`[data-task-id="${firstId}"]`).getAttribute('data-status'), { timeout: 15_000 }).toBe('completed');
    await expect.poll(() => gong().state.task(firstId)?.status).toBe('DONE');
    await expect.poll(badge, { timeout: 10_000 }).toBe(String(expected.length - 1));
    expect(await popup.getByTestId('open-task-count').textContent()).toBe(String(expected.length - 1));

    // Skip with a reason.
    const second = popup.locator('[data-testid="task"][data-status="open"]').first();
    const secondId = (await second.getAttribute('data-task-id'))!;
    await second.getByTestId('task-skip').click();
    await second.getByTestId('task-note').fill('Already spoke on Monday');
    await second.getByTestId('task-confirm').click();
    await expect.poll(() => popup.locator(`[data-task-id="${secondId}"]`).getAttribute('data-status'), { timeout: 15_000 }).toBe('skipped');
    // Skipped is DISMISSED in Gong; DONE would mean the skip went to the complete route.
    await expect.poll(() => gong().state.task(secondId)?.status).toBe('DISMISSED');
    await expect.poll(badge, { timeout: 10_000 }).toBe(String(expected.length - 2));
    await h.screenshot(popup, 'popup-after-actions');

    // Both writes went through the outbox, each exactly once.
    const outbox = (await h.serviceWorker.evaluate(async () => (await chrome.storage.local.get('outbox')).outbox)) as { write: { kind: string; taskId?: string }; status: string }[];
    expect(outbox.filter((e) => e.write.taskId === firstId && e.write.kind === 'completeTask').map((e) => e.status)).toEqual(['done']);
    expect(outbox.filter((e) => e.write.taskId === secondId && e.write.kind === 'skipTask').map((e) => e.status)).toEqual(['done']);
    await popup.close();
    await crm.close();
  });

  test('done elsewhere: the saved list until the rep refreshes, then all caught up; and not connected', async () => {
    await h.configure();
    for (const t of (await api('GET', '/api/v1/tasks?due=today')).tasks) await api('POST', `/api/v1/tasks/${t.id}/complete`, {});
    let popup = await openPopup();
    // Completed outside the extension: the popup keeps its list of the last hour (each fetch is a Gong call)
    // and says how old it is; Refresh asks Gong.
    const refresh = popup.getByTestId('refresh-tasks');
    await expect.poll(() => refresh.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await refresh.getAttribute('title')).toMatch(/^Updated (just now|\d+ min ago)\. Refresh$/);
    await refresh.click();
    await expect.poll(() => popup.getByTestId('state-empty').isVisible(), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => popup.getByText('You’re all caught up').isVisible()).toBe(true);
    await expect.poll(badge, { timeout: 10_000 }).toBe('');
    await h.screenshot(popup, 'popup-empty');
    await popup.close();

    h.backend.sandbox!.accounts.setStatus('gong', SEED.repEmail, 'EXPIRED');
    try {
      popup = await openPopup();
      await expect.poll(() => popup.getByTestId('state-not-connected').isVisible(), { timeout: 15_000 }).toBe(true);
      expect(await popup.getByRole('button', { name: 'Connect Gong' }).isVisible()).toBe(true);
      await h.screenshot(popup, 'popup-not-connected');
      await popup.close();
    } finally {
      h.backend.sandbox!.accounts.setStatus('gong', SEED.repEmail, 'ACTIVE');
    }
  });
});

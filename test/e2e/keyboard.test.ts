/**
 * Keyboard only (issue 14): a rep assigns and unassigns a flow in the side panel and completes and skips a
 * task in the popup without a mouse — Tab, arrows, Enter, Escape — and focus always lands on something
 * (the control that opened what closed, or the next sensible one), never on <body>.
 */
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { SEED } from '../../server/sandbox/gong/seed';
import type { GongSimulator } from '../../server/sandbox/gong/simulator';
import { poll, sfContact, useHarness } from './fixtures';

const h = useHarness();
const gong = () => h.backend.sandbox!.gong as GongSimulator;

/** What has focus, as a screen reader would name it: role + accessible name (aria-label, else text). */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return 'body';
    const role = el.getAttribute('role') ?? el.tagName.toLowerCase();
    const name = el.getAttribute('aria-label') ?? el.textContent?.trim() ?? '';
    return `${role}: ${name}`;
  });

/** Presses Tab until the focused control is `want` (at most 40 presses); fails if it never gets there. */
async function tabTo(page: Page, want: string): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < 40; i++) {
    const now = await focused(page);
    if (now === want) return;
    seen.push(now);
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached "${want}"; went through: ${seen.join(' | ')}`);
}

describe('keyboard only', () => {
  test('side panel: assign through the combobox picker, unassign through the confirmation', async () => {
    const id = SEED.sfContactNoFlows;
    const { panel } = await h.openPanelFor(sfContact(id));
    const flows = panel.getByRole('region', { name: 'Flows' });
    await poll(() => flows.getByText('Not in any flow yet.').isVisible()).toBe(true);

    // Open the picker: focus goes to the search combobox; Escape closes it and focus returns to its opener.
    await tabTo(panel, 'button: Add to flow');
    await panel.keyboard.press('Enter');
    const search = panel.getByRole('combobox', { name: 'Search flows' });
    await poll(() => focused(panel)).toBe('combobox: Search flows');
    expect(await search.getAttribute('aria-expanded')).toBe('true');
    const listId = (await search.getAttribute('aria-controls'))!;
    expect(await panel.locator(`[id="${listId}"]`).getAttribute('role')).toBe('listbox');
    await poll(() => panel.getByRole('option').count()).toBeGreaterThan(3);
    await panel.keyboard.press('Escape');
    await poll(() => panel.getByRole('dialog', { name: 'Add to flow' }).count()).toBe(0);
    expect(await focused(panel)).toBe('button: Add to flow');

    // Search, arrow to the flow (the combobox points at it), Enter chooses it and moves to the Add button,
    // Enter again assigns.
    await panel.keyboard.press('Enter');
    await poll(() => focused(panel)).toBe('combobox: Search flows');
    await panel.keyboard.type('enterprise cold');
    await poll(() => panel.getByRole('option').count()).toBe(1);
    expect(await search.getAttribute('aria-activedescendant')).toBeNull();
    await panel.keyboard.press('ArrowDown');
    const option = panel.getByRole('option', { name: SEED.flowName });
    await poll(() => option.getAttribute('aria-selected')).toBe('true');
    expect(await search.getAttribute('aria-activedescendant')).toBe(await option.getAttribute('id'));
    await panel.keyboard.press('Enter');
    expect(await focused(panel)).toBe(`button: Add to “${SEED.flowName}”`);
    expect(gong().state.instances.some((i) => i.crmProspectId === id && i.flowId === SEED.flowId)).toBe(false);
    await panel.keyboard.press('Enter');
    const list = flows.getByRole('list', { name: 'Prospect flows' });
    await poll(() => gong().state.instances.some((i) => i.crmProspectId === id && i.flowId === SEED.flowId)).toBe(true);
    await poll(() => list.getByRole('button', { name: `Unassign from ${SEED.flowName}` }).isVisible()).toBe(true);
    // The picker closed on success; focus is back on its opener, not lost.
    await poll(() => focused(panel)).toBe('button: Add to flow');

    // Unassign: the confirmation takes focus on its safe answer; Escape backs out to Unassign.
    await tabTo(panel, `button: Unassign from ${SEED.flowName}`);
    await panel.keyboard.press('Enter');
    const confirm = panel.getByRole('group', { name: `Confirm unassign from ${SEED.flowName}` });
    await poll(() => confirm.isVisible()).toBe(true);
    expect(await focused(panel)).toBe('button: Cancel');
    await panel.keyboard.press('Escape');
    await poll(() => confirm.count()).toBe(0);
    expect(await focused(panel)).toBe(`button: Unassign from ${SEED.flowName}`);
    // Enter, Tab to "Yes, unassign", Enter.
    await panel.keyboard.press('Enter');
    await poll(() => focused(panel)).toBe('button: Cancel');
    await panel.keyboard.press('Tab');
    expect(await focused(panel)).toBe('button: Yes, unassign');
    await panel.keyboard.press('Enter');
    await poll(() => list.getByRole('listitem', { name: SEED.flowName }).count()).toBe(0);
    const active = gong().state.instances.filter((i) => i.crmProspectId === id && i.flowId === SEED.flowId && ['Running', 'Pending', 'Paused'].includes(i.status));
    expect(active).toHaveLength(0);
    expect(await focused(panel)).toBe('button: Add to flow');
  });

  test('side panel: report an interaction; focus is never dropped on the way', async () => {
    const { panel } = await h.openPanelFor(sfContact(SEED.sfContactNoFlows2));
    const form = panel.getByRole('form', { name: 'Report a digital interaction' });
    await poll(() => form.isVisible()).toBe(true);
    const eventName = `Keyboard visit ${Date.now()}`;
    await tabTo(panel, 'input: ');
    await panel.keyboard.type(eventName);
    await tabTo(panel, 'button: Report interaction');
    await panel.keyboard.press('Enter');
    await poll(() => gong().state.interactions.some((i) => i.eventName === eventName)).toBe(true);
    // The form gave way to what happened: focus is on its next step, which names the outcome.
    await poll(() => focused(panel)).toBe('button: Report another');
    const described = await panel.evaluate(() => {
      const ids = document.activeElement?.getAttribute('aria-describedby') ?? '';
      return ids.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
    });
    expect(described).toMatch(/reported to Gong/i);
    await panel.keyboard.press('Enter');
    await poll(() => focused(panel)).toBe('input: ');
    await poll(() => form.isVisible()).toBe(true);
  });

  test('popup: complete and skip a task', async () => {
    const popup = await h.openExtensionPage('popup.html');
    await popup.setViewportSize({ width: 380, height: 600 });
    await poll(() => popup.locator('[data-testid="task"][data-status="open"]').count()).toBeGreaterThan(1);
    const [first, second] = await popup.locator('[data-testid="task"][data-status="open"]').evaluateAll((els) =>
      els.slice(0, 2).map((e) => ({ id: e.getAttribute('data-task-id')!, title: e.querySelector('.pp-task-title')!.textContent! })),
    );

    // Complete: the note box takes focus; Escape closes it and hands focus back to Complete.
    await tabTo(popup, `button: Complete ${first.title}`);
    await popup.keyboard.press('Enter');
    await poll(() => focused(popup)).toBe('textarea: Notes (optional)');
    await popup.keyboard.press('Escape');
    await poll(() => popup.getByTestId('task-note').count()).toBe(0);
    expect(await focused(popup)).toBe(`button: Complete ${first.title}`);
    await popup.keyboard.press('Enter');
    await poll(() => focused(popup)).toBe('textarea: Notes (optional)');
    await popup.keyboard.type('Called, left a voicemail');
    await popup.keyboard.press('Tab'); // Cancel
    await popup.keyboard.press('Tab'); // Mark complete
    expect(await focused(popup)).toBe('button: Mark complete');
    await popup.keyboard.press('Enter');
    await poll(() => popup.locator(`[data-task-id="${first.id}"]`).getAttribute('data-status')).toBe('completed');
    await poll(() => gong().state.task(first.id)?.status).toBe('DONE');
    // Focus stays on the task's row, where "Completed" now is.
    expect(await popup.evaluate(() => document.activeElement?.getAttribute('data-task-id') ?? null)).toBe(first.id);

    // Skip, with a reason, sent with Ctrl+Enter from the text box.
    await tabTo(popup, `button: Skip ${second.title}`);
    await popup.keyboard.press('Enter');
    await poll(() => focused(popup)).toBe('textarea: Reason for skipping (optional)');
    await popup.keyboard.type('Spoke on Monday');
    await popup.keyboard.press('Control+Enter');
    await poll(() => popup.locator(`[data-task-id="${second.id}"]`).getAttribute('data-status')).toBe('skipped');
    await poll(() => gong().state.task(second.id)?.status).toBe('DISMISSED');
    expect(await popup.evaluate(() => document.activeElement?.getAttribute('data-task-id') ?? null)).toBe(second.id);

    // Refresh: the button keeps focus while the list is fetched (a spinner in it), and after.
    await tabTo(popup, 'button: Refresh tasks');
    await popup.keyboard.press('Enter');
    const during = await focused(popup);
    expect(['button: Refreshing', 'button: Refresh tasks']).toContain(during);
    await poll(() => focused(popup)).toBe('button: Refresh tasks');
  });
});

/**
 * The admin console in the options page, by keyboard: it appears only for an admin (signed in with SSO here);
 * the tab list moves with arrow keys; with a team's worth of people, a person is found by part of their email and
 * the per-rep usage shows the busiest first, all on request; a role changes; a person is revoked (their token stops
 * working at once); the audit log filters by action. Screenshots in test/artifacts.
 */
import { describe, expect, test } from 'vitest';
import type { UsageCounter } from '../../server/store/usage';
import { axeBothSchemes } from './axe';
import { useHarness } from './fixtures';

const h = useHarness({ configure: false });
const poll = <T>(fn: () => T | Promise<T>, timeout = 20_000) => expect.poll(fn, { timeout, interval: 100 });

describe('admin console', () => {
  test('a rep sees no Admin tab', async () => {
    await h.configure();
    const page = await h.openExtensionPage('options.html');
    await poll(() => page.getByTestId('backend-url').isVisible()).toBe(true);
    await poll(() => page.getByTestId('test-connection').isVisible()).toBe(true);
    expect(await page.getByRole('tab', { name: 'Admin' }).count()).toBe(0);
    await page.close();
  });

  test('an admin signs in, opens Admin by keyboard, changes a role, revokes a rep and filters the audit', async () => {
    await h.configure({ apiToken: '' });
    // The demo rep uses Gong once (their calls show in the per-rep usage).
    expect((await fetch(`${h.backend.url}/api/v1/workspaces`, { headers: { authorization: `Bearer ${h.token}` } })).status).toBe(200);
    // A team's worth more: 12 sellers, seller-n with 10 + n Gong calls today (more than the demo rep's few).
    const usage = (h.backend.gateway as unknown as { usage: UsageCounter }).usage;
    const sellers = Array.from({ length: 12 }, (_, i) => `seller-${String(i + 1).padStart(2, '0')}@example.com`);
    for (const [i, email] of sellers.entries()) {
      await h.backend.users.add(email);
      usage.increment(undefined, 11 + i, email);
    }
    await usage.byRep();
    const page = await h.openExtensionPage('options.html');
    await page.setViewportSize({ width: 1000, height: 1000 });
    const login = h.context.waitForEvent('page', { predicate: (p) => p.url().includes('/oauth/authorize'), timeout: 20_000 });
    await page.getByTestId('sign-in').focus();
    await page.keyboard.press('Enter');
    const hosted = await login;
    await hosted.locator('button[data-email="admin@example.com"]').focus();
    await hosted.keyboard.press('Enter');

    const adminTab = page.getByRole('tab', { name: 'Admin' });
    await poll(() => adminTab.isVisible()).toBe(true);
    await page.getByRole('tab', { name: 'Settings' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await adminTab.getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('op-tab-admin');

    const people = page.getByTestId('admin-people');
    await poll(() => people.locator('tr[data-email="rep@example.com"]').isVisible()).toBe(true);
    expect(await people.locator('tr[data-email="rep@example.com"]').textContent()).toContain('active');
    await poll(() => page.getByTestId('admin-usage-chart').isVisible()).toBe(true);
    // Per rep: the 10 busiest first; the demo rep, with fewer calls, once "Show all" is pressed.
    const usageRows = page.getByTestId('admin-usage-reps').locator('tbody tr');
    await poll(() => usageRows.count()).toBe(10);
    expect(await usageRows.locator('th').allTextContents()).toEqual(sellers.slice(2).reverse());
    const repUsage = page.getByTestId('admin-usage-reps').getByRole('row', { name: /rep@example\.com/ });
    expect(await repUsage.count()).toBe(0);
    const showAll = page.getByTestId('usage-show-all');
    expect(await showAll.textContent()).toBe('Show all 13 reps');
    await showAll.focus();
    await page.keyboard.press('Enter');
    await poll(() => usageRows.count()).toBe(13);
    expect(await showAll.getAttribute('aria-expanded')).toBe('true');
    expect(await repUsage.textContent()).toMatch(/[1-9]\d* of \d/);
    await h.screenshot(page, 'admin-console');
    // Each role select shows its whole role: a select clips its text without any overflow to detect.
    const clippedRoles = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLSelectElement>('[data-testid="admin-people"] select')]
        .filter((s) => {
          const cs = getComputedStyle(s);
          const ctx = document.createElement('canvas').getContext('2d')!;
          ctx.font = cs.font;
          const arrow = 16;
          return ctx.measureText(s.selectedOptions[0]?.text ?? '').width > s.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - arrow;
        })
        .map((s) => `${s.getAttribute('aria-label')}: ${s.value} in ${s.clientWidth}px`),
    );
    expect(clippedRoles).toEqual([]);
    // WCAG 2.2 AA, as every other page (test/e2e/a11y.test.ts): no serious or critical finding, light and dark.
    expect(await axeBothSchemes(page, 'admin console')).toEqual([]);

    // People: found by part of their email, typed; the count says how many match, and when none does.
    const peopleRows = people.locator('tbody tr');
    const everyone = await peopleRows.count();
    expect(everyone).toBeGreaterThanOrEqual(15);
    const search = page.getByTestId('people-search');
    await search.focus();
    await page.keyboard.type('SELLER-1');
    await poll(() => page.getByTestId('people-count').textContent()).toBe(`3 of ${everyone} people match`);
    expect(await peopleRows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-email')))).toEqual(sellers.slice(9));
    await page.keyboard.type('9');
    await poll(() => page.getByTestId('people-count').textContent()).toBe("No one's email contains “SELLER-19”");
    expect(await people.count()).toBe(0);
    await h.screenshot(page, 'admin-console-search');
    await search.fill('');
    await poll(() => peopleRows.count()).toBe(everyone);

    // Role: the manager becomes an admin (a native select: keyboard-operable).
    const role = page.getByLabel('Role of manager@example.com');
    await role.focus();
    await role.selectOption('admin');
    await poll(() => page.getByTestId('admin-people-status').textContent()).toBe('manager@example.com is now admin.');
    expect((await h.backend.users.byEmail('manager@example.com'))!.role).toBe('admin');

    // Revoke the demo rep: Enter on Revoke, then on the confirmation that takes focus.
    await page.getByRole('button', { name: 'Revoke rep@example.com' }).focus();
    await page.keyboard.press('Enter');
    await poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Confirm revoke');
    await page.keyboard.press('Enter');
    await poll(() => page.getByTestId('admin-people-status').textContent()).toContain('rep@example.com is revoked');
    const res = await fetch(`${h.backend.url}/api/v1/me`, { headers: { authorization: `Bearer ${h.token}` } });
    expect(res.status).toBe(401);

    // Audit: filter by action, by keyboard.
    const action = page.getByTestId('audit-action');
    await poll(() => action.locator('option[value="revoke"]').count()).toBe(1);
    await action.focus();
    await action.selectOption('revoke');
    await page.getByTestId('audit-apply').focus();
    await page.keyboard.press('Enter');
    const rows = page.getByTestId('admin-audit').locator('tbody tr');
    await poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('admin@example.com');
    await h.screenshot(page, 'admin-console-after');
    await page.close();
  });
});

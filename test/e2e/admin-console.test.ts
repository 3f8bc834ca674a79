/**
 * The admin console in the options page, by keyboard: it appears only for an admin (signed in with SSO here);
 * the tab list moves with arrow keys; a role changes; a person is revoked (their token stops working at once);
 * the audit log filters by action. Screenshots in test/artifacts.
 */
import { describe, expect, test } from 'vitest';
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
    const repUsage = page.getByTestId('admin-usage-reps').getByRole('row', { name: /rep@example\.com/ });
    await poll(() => repUsage.isVisible()).toBe(true);
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

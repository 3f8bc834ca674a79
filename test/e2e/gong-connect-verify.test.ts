/**
 * Gong connect with user verification, in Chromium: the link is bound to the rep it was made for. Opened by
 * someone else (a forwarded link), the Gong authorization ends on a clear page and the rep's connection stays
 * unconnected; opened by the rep, who signs in to the backend on the way, it connects.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { useHarness } from './fixtures';

const h = useHarness({ configure: false });
const REP = 'taylor.nguyen@example.com';
let repToken: string;

beforeAll(async () => {
  repToken = (await h.backend.users.add(REP)).token;
});

async function api(path: string, init: RequestInit = {}) {
  const res = await fetch(`${h.backend.url}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${repToken}`, 'content-type': 'application/json', ...init.headers } });
  return res.json() as Promise<any>;
}

/** Opens the rep's Gong link, authorizes at the (sandbox) Gong page, and signs in to the backend as `who` when asked. */
async function finishLinkAs(link: string, who: string, shot: string): Promise<Page> {
  const page = await h.context.newPage();
  await page.goto(link);
  await page.getByRole('button', { name: 'Authorize' }).click();
  // No backend session in this browser: the verify step sends the browser through sign-in first.
  await page.waitForURL(/\/oauth\/authorize/);
  await page.locator(`button[data-email="${who}"]`).click();
  await page.waitForLoadState();
  await page.waitForFunction(() => !location.pathname.startsWith('/oauth/') && !location.pathname.startsWith('/auth/start'));
  await h.screenshot(page, shot);
  return page;
}

describe('Gong connect with user verification', () => {
  test('a forwarded link opened by someone else ends on a clear page and connects nobody', async () => {
    expect((await api('/connection')).status).toBe('NOT_CONNECTED');
    const { link } = await api('/connection/link', { method: 'POST', body: '{}' });
    const denialsBefore = (await h.backend.audit.denialCount());
    const page = await finishLinkAs(link, 'manager@example.com', 'gong-connect-forwarded');
    expect(await page.locator('h1').textContent()).toBe('This Gong link was made for someone else');
    expect(await page.locator('main').textContent()).toContain('Nothing was changed');
    expect((await api('/connection')).status).not.toBe('ACTIVE');
    // The manager's own connection was not touched either.
    expect(h.backend.sandbox!.accounts.get('gong', 'manager@example.com')?.status).not.toBe('ACTIVE');
    expect((await h.backend.audit.denialCount())).toBeGreaterThan(denialsBefore);
    await page.close();
  });

  test('the rep opening their own link signs in on the way and is connected', async () => {
    // A fresh browser state (the manager's backend session from the last test must not count).
    await h.context.clearCookies();
    const { link } = await api('/connection/link', { method: 'POST', body: '{}' });
    const page = await finishLinkAs(link, REP, 'gong-connect-verified');
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 10_000 }).toMatch(/Connected/);
    expect((await api('/connection')).status).toBe('ACTIVE');
    await page.close();
  });
});

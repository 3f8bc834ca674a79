/**
 * SSO sign-in in Chromium: the real chrome.identity.launchWebAuthFlow (headless Chromium opens its window as a
 * page Playwright can drive), the backend's /auth/start and /auth/callback, the stand-in's hosted login. From the
 * options page and from the side panel's set-up state; sign-out; a domain off the allow-list; a revoked sign-in.
 */
import { describe, expect, test } from 'vitest';
import { SEED } from '../../server/sandbox/gong/seed';
import { panelScreenshot } from './panel-screenshot';
import { sfContact, useHarness } from './fixtures';

const h = useHarness({ configure: false });
const poll = <T>(fn: () => T | Promise<T>, timeout = 20_000) => expect.poll(fn, { timeout, interval: 100 });
const stored = () => h.serviceWorker.evaluate(async () => (await chrome.storage.local.get(['settings', 'signedIn'])) as Record<string, any>);

/** Waits for the flow's window (the stand-in's hosted login) and picks a person there. */
async function pickAtHostedLogin(email: string, screenshot?: string): Promise<void> {
  const login = await h.context.waitForEvent('page', { predicate: (p) => p.url().includes('/oauth/authorize'), timeout: 20_000 });
  await login.waitForLoadState();
  if (screenshot) await h.screenshot(login, screenshot);
  // By keyboard, as a rep could: focus the person's button and press Enter.
  await login.locator(`button[data-email="${email}"]`).focus();
  await login.keyboard.press('Enter');
}

async function apiStatus(token: string): Promise<number> {
  return (await fetch(`${h.backend.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status;
}

describe('SSO sign-in', () => {
  test('options: Sign in → hosted login → signed in with a device token; Test connection works; Sign out revokes it', async () => {
    await h.configure({ apiToken: '' });
    const page = await h.openExtensionPage('options.html');
    await page.setViewportSize({ width: 900, height: 1000 });
    await h.screenshot(page, 'sso-options-signed-out');
    const picked = pickAtHostedLogin('rep@example.com', 'sso-hosted-login');
    await page.getByTestId('sign-in').click();
    await picked;
    await poll(() => page.getByTestId('signed-in-as').textContent()).toContain('rep@example.com');
    const { settings, signedIn } = await stored();
    expect(settings.apiToken).toMatch(/^ged_/);
    expect(signedIn.email).toBe('rep@example.com');
    expect(await apiStatus(settings.apiToken)).toBe(200);
    // Signed in: no token to paste.
    expect(await page.getByTestId('api-token').count()).toBe(0);

    await page.getByTestId('test-connection').click();
    await poll(() => page.getByTestId('check-gong').getAttribute('data-state')).toBe('ok');
    await h.screenshot(page, 'sso-options-signed-in');

    await page.getByTestId('sign-out').click();
    await poll(() => page.getByTestId('sign-in-status').textContent()).toBe('Signed out.');
    expect(await apiStatus(settings.apiToken)).toBe(401);
    expect((await stored()).settings.apiToken).toBe('');
    expect(await page.getByTestId('sign-in').isVisible()).toBe(true);
    await page.close();
  });

  test('options: a person whose email domain is not allowed is told so, and nothing is stored', async () => {
    await h.configure({ apiToken: '' });
    const page = await h.openExtensionPage('options.html');
    const picked = pickAtHostedLogin('pat@contractor-mail.test');
    await page.getByTestId('sign-in').click();
    await picked;
    await poll(() => page.getByTestId('sign-in-status').textContent()).toContain('email domain is not allowed');
    expect(await page.getByTestId('sign-in-status').getAttribute('role')).toBe('alert');
    expect((await stored()).settings.apiToken).toBe('');
    await h.screenshot(page, 'sso-options-domain-refused');
    await page.close();
  });

  test('side panel set-up state: one click on Sign in, and the panel is set up', async () => {
    await h.configure({ apiToken: '' });
    const { crm, panel } = await h.openPanelFor(sfContact('003000000000001AAA'));
    await poll(() => panel.getByTestId('setup-sign-in').isVisible()).toBe(true);
    await h.screenshot(panel, 'sso-sidepanel-setup');
    const picked = pickAtHostedLogin('rep@example.com');
    await panel.getByTestId('setup-sign-in').click();
    await picked;
    await poll(() => panel.getByTestId('setup-sign-in').count()).toBe(0);
    expect((await stored()).settings.apiToken).toMatch(/^ged_/);
    await h.screenshot(panel, 'sso-sidepanel-signed-in');
    await panel.close();
    await crm.close();
  });

  test('a revoked sign-in is refused by the backend and the options page says to sign in again', async () => {
    const { settings } = await stored();
    expect(settings.apiToken).toMatch(/^ged_/);
    const user = (await h.backend.users.byEmail('rep@example.com'))!;
    (await h.backend.sessions.revokeAllFor(user.id));
    expect(await apiStatus(settings.apiToken)).toBe(401);
    const page = await h.openExtensionPage('options.html');
    await page.getByTestId('test-connection').click();
    await poll(() => page.getByTestId('check-gong').textContent()).toContain('Sign in again');
    await page.close();
  });

  test('side panel: a sign-in revoked while it shows a record goes back to set-up by itself, saying why', async () => {
    await h.configure({ apiToken: '' });
    const { crm, panel } = await h.openPanelFor(sfContact(SEED.sfContactWithFlows));
    const picked = pickAtHostedLogin('rep@example.com');
    await panel.getByTestId('setup-sign-in').click();
    await picked;
    await poll(() => panel.getByRole('heading', { name: 'Avery Thompson' }).isVisible()).toBe(true);
    const token = (await stored()).settings.apiToken as string;
    expect(token).toMatch(/^ged_/);

    // An admin revokes the rep; the rep goes on to the next record, and nobody opens settings.
    await h.backend.sessions.revokeAllFor((await h.backend.users.byEmail('rep@example.com'))!.id);
    await crm.evaluate((u) => (window as unknown as { __lightningNavigate(u: string): void }).__lightningNavigate(u), sfContact(SEED.sfContactNoFlows).url);
    await poll(() => panel.getByRole('heading', { name: 'Sign in again' }).isVisible()).toBe(true);
    expect(await panel.getByTestId('setup-signed-out').textContent()).toBe('You were signed out: this sign-in was revoked. Sign in again to go on.');
    expect(await panel.getByTestId('setup-sign-in').isVisible()).toBe(true);
    // Forgotten everywhere (options and popup read the same settings), so nothing keeps sending a dead token.
    const after = await stored();
    expect(after.settings.apiToken).toBe('');
    expect(after.signedIn ?? null).toBeNull();
    expect(await panel.getByText('did not accept your API token').count()).toBe(0);
    await panelScreenshot(panel, 'sso-sidepanel-revoked');
    await panel.close();
    await crm.close();
  });
});

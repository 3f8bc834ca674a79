/** Options page e2e: save settings, test the connection (each outcome explained), load workspaces. */
import { describe, expect, test } from 'vitest';
import { SEED } from '../../server/sandbox/gong/seed';
import { useHarness } from './fixtures';

const h = useHarness({ configure: false });
const stored = () => h.serviceWorker.evaluate(async () => (await chrome.storage.local.get('settings')).settings ?? null) as Promise<Record<string, string> | null>;

describe('options', () => {
  test('save, test connection, pick the default workspace', async () => {
    const page = await h.openExtensionPage('options.html');
    await page.setViewportSize({ width: 900, height: 1000 });
    const url = page.getByTestId('backend-url');
    await expect.poll(() => url.inputValue(), { timeout: 10_000 }).toBe('http://127.0.0.1:8787');
    expect(await page.getByTestId('save').isDisabled()).toBe(true);

    // Invalid URL: explained, not savable.
    await url.fill('ftp://gong.example.com');
    await expect.poll(() => page.getByText('The URL must start with https://').isVisible()).toBe(true);
    expect(await page.getByTestId('save').isDisabled()).toBe(true);
    // The field says it is invalid and which text explains why; the page says changes are unsaved.
    expect(await url.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator(`[id="${await url.getAttribute('aria-describedby')}"]`).textContent()).toContain('The URL must start with https://');
    expect(await page.getByTestId('unsaved').textContent()).toBe('You have unsaved changes.');

    await url.fill(h.backend.url);
    await page.getByTestId('api-token').fill(h.token);
    await page.getByTestId('rep-email').fill(SEED.repEmail);
    await page.getByTestId('save').click();
    await expect.poll(() => page.getByTestId('save-status').textContent()).toBe('Settings saved.');
    expect(await stored()).toMatchObject({ backendUrl: h.backend.url, apiToken: h.token, repEmail: SEED.repEmail });

    await page.getByTestId('test-connection').click();
    await expect.poll(() => page.getByTestId('check-backend').getAttribute('data-state'), { timeout: 15_000 }).toBe('ok');
    expect(await page.getByTestId('check-backend').textContent()).toContain('sandbox mode');
    await expect.poll(() => page.getByTestId('check-gong').getAttribute('data-state'), { timeout: 15_000 }).toBe('ok');
    expect(await page.getByTestId('check-gong').textContent()).toContain(`Gong connected as ${SEED.repEmail}`);

    // Workspaces come from the backend once connected.
    const ws = page.getByTestId('workspace');
    await expect.poll(() => ws.locator('option').count(), { timeout: 10_000 }).toBeGreaterThan(2);
    await ws.selectOption(SEED.workspaceId);
    await page.getByTestId('save').click();
    await expect.poll(async () => (await stored())?.workspaceId).toBe(SEED.workspaceId);
    await h.screenshot(page, 'options-connected');
    await page.close();
  });

  test('a wrong token and an unreachable backend are each explained', async () => {
    const page = await h.openExtensionPage('options.html');
    await page.setViewportSize({ width: 900, height: 1000 });
    await page.getByTestId('backend-url').fill(h.backend.url);
    await page.getByTestId('api-token').fill('not-a-real-token');
    await page.getByTestId('test-connection').click();
    await expect.poll(() => page.getByTestId('check-gong').getAttribute('data-state'), { timeout: 15_000 }).toBe('fail');
    expect(await page.getByTestId('check-gong').textContent()).toContain('did not accept this API token');

    await page.getByTestId('backend-url').fill('http://127.0.0.1:9');
    await page.getByTestId('test-connection').click();
    await expect.poll(() => page.getByTestId('check-backend').getAttribute('data-state'), { timeout: 15_000 }).toBe('fail');
    expect(await page.getByTestId('check-backend').textContent()).toContain('No answer from http://127.0.0.1:9');
    await h.screenshot(page, 'options-unreachable');
    // Results are announced (a live region), and go away once the URL they speak of changes.
    expect(await page.getByTestId('test-results').locator('xpath=ancestor::*[@aria-live="polite"]').count()).toBe(1);
    await page.getByTestId('backend-url').fill(h.backend.url);
    await expect.poll(() => page.getByTestId('test-results').count()).toBe(0);
    expect(await page.getByTestId('backend-url').getAttribute('aria-invalid')).toBe('false');
    await page.close();
  });
});

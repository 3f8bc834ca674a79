/**
 * Full-length screenshot of the side panel. The panel's document never scrolls (a fixed header over one
 * scrolling body, components/panel.css), so a plain full-page shot would stop at the viewport: the page
 * is made as tall as its content for the shot — what a tall side panel shows — then put back.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS_DIR } from './fixtures';

export async function panelScreenshot(panel: Page, name: string): Promise<void> {
  const before = panel.viewportSize() ?? { width: 420, height: 900 };
  const needed = await panel.evaluate(() => {
    const header = document.querySelector('.ge-topbar')?.getBoundingClientRect().height ?? 0;
    const main = document.querySelector('.ge-main');
    return Math.ceil(header + (main ? main.scrollHeight : document.documentElement.scrollHeight));
  });
  const height = Math.max(before.height, needed);
  if (height !== before.height) await panel.setViewportSize({ width: before.width, height });
  try {
    await panel.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`) });
  } finally {
    if (height !== before.height) await panel.setViewportSize(before);
  }
}

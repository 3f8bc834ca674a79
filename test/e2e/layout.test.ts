/**
 * Layout (issue 14): the side panel in its states, the popup and the options page at 320 px, at 600 px and at
 * 200% zoom (a 420 px side panel zoomed to 200% lays out in 210 CSS px, drawn at 2 device pixels per px:
 * emulated through CDP exactly so). Nothing scrolls sideways and no key element (buttons, links, headings,
 * status, badges, fields, flow names) is cut off or pushed outside the panel. Screenshots: test/artifacts/layout-*.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { SEED } from '../../server/sandbox/gong/seed';
import type { GongSimulator } from '../../server/sandbox/gong/simulator';
import { ARTIFACTS_DIR, addToFlow, flowList, flowsRegion, poll, sfContact, useHarness } from './fixtures';

const h = useHarness();
/** Each state is scanned in two colour schemes (or at three sizes) in a real browser on a shared 2-core machine. */
const SLOW = 360_000;
const gong = () => h.backend.sandbox!.gong as GongSimulator;

type Size = { name: string; width: number; height: number; scale: number };
const SIZES: Size[] = [
  { name: '320', width: 320, height: 800, scale: 1 },
  { name: '600', width: 600, height: 800, scale: 1 },
  { name: 'zoom200', width: 210, height: 450, scale: 2 },
];
/** Chrome sizes the popup window to the popup's own 380 px (zoomed, the window grows): its width never changes. */
const POPUP_SIZES: Size[] = [
  { name: '380', width: 380, height: 600, scale: 1 },
  { name: 'zoom200', width: 380, height: 300, scale: 2 },
];

/** Everything wrong with the layout as it is now, one readable line each (empty when all is well). */
function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const say = (el: Element) => {
      const name = el.getAttribute('aria-label') ?? (el.textContent ?? '').trim().slice(0, 40);
      return `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''} "${name}"`;
    };
    const doc = document.scrollingElement!;
    if (doc.scrollWidth > doc.clientWidth) out.push(`the page scrolls sideways: ${doc.scrollWidth} > ${doc.clientWidth}`);
    const vw = document.documentElement.clientWidth;
    for (const el of document.querySelectorAll<HTMLElement>('body *')) {
      const cs = getComputedStyle(el);
      if (['auto', 'scroll'].includes(cs.overflowX) && el.scrollWidth > el.clientWidth + 1 && !['INPUT', 'TEXTAREA'].includes(el.tagName))
        out.push(`scrolls sideways: ${say(el)} (${el.scrollWidth} > ${el.clientWidth})`);
    }
    const key = 'button, a, h1, h2, h3, [role="status"], [role="option"], .ge-badge, .ge-label, input, select, textarea, .ge-flow__name, .ge-record__id, .ge-conn__text, .pp-task-title, .op-check-text';
    for (const el of document.querySelectorAll<HTMLElement>(key)) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || el.closest('.ge-sr-only, [hidden]')) continue;
      if (r.left < -1 || r.right > vw + 1) out.push(`outside the panel: ${say(el)} (${Math.round(r.left)}–${Math.round(r.right)} of ${vw})`);
      const cs = getComputedStyle(el);
      const cuts = cs.overflowX !== 'visible' || cs.overflowY !== 'visible';
      if (cuts && !['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1))
        out.push(`text cut off: ${say(el)} (${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×${el.clientHeight})`);
      // Cut by an ancestor that hides its overflow (a scroller only hides what is scrolled away vertically).
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const acs = getComputedStyle(a);
        if (acs.overflowX === 'visible') continue;
        const ar = a.getBoundingClientRect();
        if (r.left < ar.left - 1 || r.right > ar.right + 1) {
          out.push(`cut off by ${say(a).slice(0, 60)}: ${say(el)}`);
          break;
        }
      }
    }
    return [...new Set(out)];
  });
}

/** Checks the page at every size (and takes its screenshots); returns the problems, prefixed with where. */
async function atEverySize(page: Page, name: string, sizes = SIZES): Promise<string[]> {
  const found: string[] = [];
  const cdp = await page.context().newCDPSession(page);
  try {
    for (const size of sizes) {
      await cdp.send('Emulation.setDeviceMetricsOverride', { width: size.width, height: size.height, deviceScaleFactor: size.scale, mobile: false });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      for (const p of await layoutProblems(page)) found.push(`${name} @${size.name}: ${p}`);
      // Through the same CDP session: Playwright's own screenshot would put its viewport back first.
      const shot = (await cdp.send('Page.captureScreenshot', { format: 'png' })) as { data: string };
      writeFileSync(join(ARTIFACTS_DIR, `layout-${name}-${size.name}.png`), Buffer.from(shot.data, 'base64'));
    }
  } finally {
    await cdp.send('Emulation.clearDeviceMetricsOverride').catch(() => undefined);
    await cdp.detach().catch(() => undefined);
    await page.setViewportSize({ width: 420, height: 900 });
  }
  return found;
}

describe('layout at 320 px, 600 px and 200% zoom', () => {
  test('side panel: set-up, loaded with calls, picker, unassign confirmation, cool-off refusal', async () => {
    const found: string[] = [];
    await h.configure({ apiToken: '' });
    let { panel } = await h.openPanelFor(sfContact(SEED.sfContactWithFlows));
    await poll(() => panel.getByRole('heading', { name: 'Set up Gong Everywhere' }).isVisible()).toBe(true);
    found.push(...(await atEverySize(panel, 'panel-setup')));
    await h.configure();
    await poll(() => flowList(panel).getByRole('listitem').count()).toBeGreaterThan(0);
    await poll(() => panel.getByRole('region', { name: 'Recent calls' }).getByRole('listitem').count()).toBeGreaterThan(0);
    await panel.getByRole('button', { name: 'Show transcript' }).first().click();
    found.push(...(await atEverySize(panel, 'panel-loaded')));
    await flowsRegion(panel).getByRole('button', { name: 'Add to flow' }).click();
    await poll(() => panel.getByRole('option').count()).toBeGreaterThan(3);
    await panel.getByRole('combobox', { name: 'Search flows' }).press('ArrowDown');
    found.push(...(await atEverySize(panel, 'panel-picker')));
    await panel.keyboard.press('Escape');
    await flowList(panel).getByRole('button', { name: /^Unassign from / }).first().click();
    found.push(...(await atEverySize(panel, 'panel-confirm')));

    ({ panel } = await h.openPanelFor(sfContact(SEED.coolOff)));
    await addToFlow(panel, gong().state.raw.flows.find((f) => f.id === SEED.otherFlowId)!.name);
    await poll(() => panel.getByRole('button', { name: 'Assign anyway' }).isVisible()).toBe(true);
    found.push(...(await atEverySize(panel, 'panel-cooloff')));
    expect(found.join('\n')).toBe('');
  }, SLOW);

  test('side panel: not connected and offline', async () => {
    const found: string[] = [];
    let { panel } = await h.openPanelFor(sfContact(SEED.sfContactWithFlows));
    await poll(() => panel.getByRole('region', { name: 'Recent calls' }).getByRole('listitem').count()).toBeGreaterThan(0);
    await panel.close();
    h.backend.sandbox!.accounts.setStatus('gong', SEED.repEmail, 'EXPIRED');
    try {
      ({ panel } = await h.openPanelFor(sfContact(SEED.sfContactWithFlows)));
      await poll(() => flowsRegion(panel).getByText('Read-only').isVisible()).toBe(true);
      found.push(...(await atEverySize(panel, 'panel-not-connected')));
    } finally {
      h.backend.sandbox!.accounts.setStatus('gong', SEED.repEmail, 'ACTIVE');
    }
    await h.configure({ backendUrl: 'http://127.0.0.1:9' });
    try {
      ({ panel } = await h.openPanelFor(sfContact(SEED.sfContactWithFlows)));
      await poll(() => panel.getByRole('status', { name: 'Connection status' }).textContent(), { timeout: 30_000 }).toMatch(/Offline/);
      found.push(...(await atEverySize(panel, 'panel-offline')));
    } finally {
      await h.configure();
    }
    expect(found.join('\n')).toBe('');
  }, SLOW);

  test('popup and options', async () => {
    const found: string[] = [];
    const popup = await h.openExtensionPage('popup.html');
    await poll(() => popup.getByTestId('task').count()).toBeGreaterThan(0);
    await popup.getByTestId('task-complete').first().click();
    found.push(...(await atEverySize(popup, 'popup-tasks', POPUP_SIZES)));
    const options = await h.openExtensionPage('options.html');
    await poll(() => options.getByTestId('backend-url').inputValue()).toBe(h.backend.url);
    await options.getByTestId('test-connection').click();
    await poll(() => options.getByTestId('check-gong').getAttribute('data-state')).toBe('ok');
    found.push(...(await atEverySize(options, 'options')));
    expect(found.join('\n')).toBe('');
  }, SLOW);
});

/**
 * axe-core in the real built pages: WCAG 2.0–2.2 A/AA rules plus axe's best practices, in light and dark
 * colour schemes. Only serious and critical findings fail a test; each comes back as one readable line.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/** Serious and critical violations on the page as it is now, as "rule (impact): selector — summary". */
export async function axeViolations(page: Page): Promise<string[]> {
  // Transitions and the skeleton's shimmer would let axe read a colour mid-fade.
  await page.addStyleTag({ content: '*, *::before, *::after { transition: none !important; animation: none !important; }' }).catch(() => undefined);
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${(n.failureSummary ?? v.help).replace(/\s+/g, ' ').slice(0, 240)}`));
}

/** The page's serious/critical violations in light and then dark, each prefixed with the scheme; restores light. */
export async function axeBothSchemes(page: Page, label: string): Promise<string[]> {
  const out: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    for (const v of await axeViolations(page)) out.push(`${label} [${colorScheme}] ${v}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return out;
}

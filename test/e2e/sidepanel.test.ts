/**
 * Side panel e2e: the built extension in Chromium, the real backend + sandbox Gong, CRM pages from
 * test/fixtures. The panel is opened as `sidepanel.html?tabId=N` (sidePanel.open needs a user gesture).
 */
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { SEED } from '../../server/sandbox/gong/seed';
import type { GongSimulator } from '../../server/sandbox/gong/simulator';
import { panelScreenshot } from './panel-screenshot';
import { addToFlow, flowList, flowsRegion, hsContact, hsLead, poll, sfContact, sfLead, statusPill, useHarness } from './fixtures';

const h = useHarness();
const gong = () => h.backend.sandbox!.gong as GongSimulator;
const flowName = (flowId: string) => gong().state.raw.flows.find((f) => f.id === flowId)!.name;

/**
 * One Lightning pushState navigation, timed inside the browser: t0 in the CRM tab just before it, t1 in
 * the panel when the record header first shows the new id (MutationObserver, before paint). Both on the
 * shared wall clock (`performance.timeOrigin + now()`), so no Playwright round trip is counted.
 */
async function timedNavigation(crm: Page, panel: Page, id: string): Promise<number> {
  await panel.evaluate((rid) => {
    const shows = () => document.querySelector('[aria-label="Record"]')?.textContent?.includes(rid) ?? false;
    (window as unknown as { __shownAt: Promise<number> }).__shownAt = new Promise<number>((resolve) => {
      const mo = new MutationObserver(() => {
        if (!shows()) return;
        mo.disconnect();
        resolve(performance.timeOrigin + performance.now());
      });
      mo.observe(document.body, { subtree: true, childList: true, characterData: true });
    });
  }, id);
  const t0 = await crm.evaluate((u) => {
    const t = performance.timeOrigin + performance.now();
    (window as unknown as { __lightningNavigate(u: string): void }).__lightningNavigate(u);
    return t;
  }, sfContact(id).url);
  const t1 = await panel.evaluate(() => (window as unknown as { __shownAt: Promise<number> }).__shownAt);
  return t1 - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];


describe('side panel', () => {
  test('asks for setup without a token, then loads once settings are saved', async () => {
    await h.configure({ apiToken: '' });
    const { panel } = await h.openPanelFor(sfContact(SEED.sfContactWithFlows));
    await poll(() => panel.getByRole('heading', { name: 'Set up Gong Everywhere' }).isVisible()).toBe(true);
    await poll(() => panel.getByRole('button', { name: 'Open settings' }).isVisible()).toBe(true);
    await panelScreenshot(panel, 'sidepanel-setup');
    await h.configure();
    await poll(() => panel.getByRole('heading', { name: 'Avery Thompson' }).isVisible()).toBe(true);
    await panel.close();
  });

  test('Lightning contact: record header and the flows the sandbox has for it', async () => {
    const { panel } = await h.openPanelFor(sfContact(SEED.sfContactWithFlows));
    await poll(() => panel.getByRole('heading', { name: 'Avery Thompson' }).isVisible()).toBe(true);
    // The hidden older Lightning page must not leak into the header.
    expect(await panel.getByText('Morgan Previous').count()).toBe(0);
    await poll(() => panel.getByRole('link', { name: 'avery.thompson@globex.com' }).isVisible()).toBe(true);
    await poll(() => panel.getByText(SEED.sfContactWithFlows).isVisible()).toBe(true);

    // Gong lists a prospect's open flows only (by CRM id); its finished one is not shown as a Gong flow.
    const instances = gong().state.instances.filter((i) => i.crmProspectId === SEED.sfContactWithFlows);
    const expected = instances.filter((i) => ['Pending', 'Running', 'Paused'].includes(i.status)).map((i) => flowName(i.flowId));
    const finished = instances.filter((i) => i.status.startsWith('Finished')).map((i) => flowName(i.flowId));
    expect(finished.length).toBeGreaterThan(0);
    expect(expected.length).toBeGreaterThan(0);
    for (const name of expected) await poll(() => flowList(panel).getByRole('listitem', { name }).first().isVisible()).toBe(true);
    await poll(() => flowList(panel).getByText('Active').first().isVisible()).toBe(true);
    for (const name of finished.filter((n) => !expected.includes(n))) expect(await flowList(panel).getByRole('listitem', { name }).count()).toBe(0);
    // The benchmark reads this mark.
    expect(await panel.evaluate(() => performance.getEntriesByName('gong:flows-visible').length)).toBeGreaterThan(0);
    await poll(() => panel.getByRole('region', { name: 'Recent calls' }).getByRole('listitem').count()).toBeGreaterThan(0);
    await panelScreenshot(panel, 'sidepanel-contact');
    await panel.emulateMedia({ colorScheme: 'dark' });
    await panelScreenshot(panel, 'sidepanel-contact-dark');
    await panel.close();
  });

  test('assign with picker search, see it listed, unassign with confirm, see it gone', async () => {
    const id = SEED.sfContactNoFlows;
    const { panel } = await h.openPanelFor(sfContact(id));
    await poll(() => flowsRegion(panel).getByText('Not in any flow yet.').isVisible()).toBe(true);

    await flowsRegion(panel).getByRole('button', { name: 'Add to flow' }).click();
    const picker = panel.getByRole('dialog', { name: 'Add to flow' });
    await poll(() => picker.getByRole('option').count()).toBeGreaterThan(3);
    await picker.getByLabel('Search flows').fill('enterprise cold');
    await poll(() => picker.getByRole('option').count()).toBe(1);
    await picker.getByRole('option', { name: SEED.flowName }).click();
    // The demo user is a rep: they assign in their own name only, so there is no owner to choose.
    expect(await picker.getByLabel('Flow owner').count()).toBe(0);
    await panelScreenshot(panel, 'sidepanel-picker');
    await picker.getByRole('button', { name: `Add to “${SEED.flowName}”` }).click();

    // The row shows at once as pending (the outbox's write may still be behind Gong's 3/s limiter), then lands.
    await poll(() => flowList(panel).getByRole('listitem', { name: SEED.flowName }).isVisible()).toBe(true);
    await poll(() => gong().state.instances.find((i) => i.crmProspectId === id && i.flowId === SEED.flowId)?.ownerEmail).toBe(SEED.repEmail);
    await poll(() => flowList(panel).locator('.ge-flow--pending').count()).toBe(0);
    expect(await flowList(panel).getByRole('listitem', { name: SEED.flowName }).count()).toBe(1);

    await flowList(panel).getByRole('button', { name: `Unassign from ${SEED.flowName}` }).click();
    const confirm = panel.getByRole('group', { name: `Confirm unassign from ${SEED.flowName}` });
    await panelScreenshot(panel, 'sidepanel-unassign-confirm');
    await confirm.getByRole('button', { name: 'Yes, unassign' }).click();
    await poll(() => flowList(panel).getByRole('listitem', { name: SEED.flowName }).count()).toBe(0);
    const active = gong().state.instances.filter((i) => i.crmProspectId === id && i.flowId === SEED.flowId && ['Running', 'Pending', 'Paused'].includes(i.status));
    expect(active).toHaveLength(0);
    await panel.close();

    // Gong lists only open flows; the removal comes back as this backend's history, not as a Gong flow.
    const again = (await h.openPanelFor(sfContact(id))).panel;
    const history = flowsRegion(again).getByRole('list', { name: 'Flow history' });
    await poll(() => history.getByRole('listitem', { name: SEED.flowName }).textContent()).toMatch(/Removed by you, Today/);
    await panelScreenshot(again, 'sidepanel-flow-history');
    await again.close();
  });

  test('a manager names the flow owner in the picker (filled with their own email); a rep has no such field', async () => {
    const email = SEED.repEmail;
    await h.backend.users.setRole(email, 'manager');
    try {
      const { panel } = await h.openPanelFor(sfContact(SEED.sfContactNoFlows));
      await poll(() => flowsRegion(panel).getByRole('button', { name: 'Add to flow' }).isVisible()).toBe(true);
      await flowsRegion(panel).getByRole('button', { name: 'Add to flow' }).click();
      const owner = panel.getByRole('dialog', { name: 'Add to flow' }).getByLabel('Flow owner');
      await poll(() => owner.isVisible()).toBe(true);
      expect(await owner.inputValue()).toBe(email);
      await panelScreenshot(panel, 'sidepanel-picker-manager');
    } finally {
      await h.backend.users.setRole(email, 'rep');
    }
    const { panel } = await h.openPanelFor(sfContact(SEED.sfContactNoFlows));
    await poll(() => flowsRegion(panel).getByRole('button', { name: 'Add to flow' }).isVisible()).toBe(true);
    await flowsRegion(panel).getByRole('button', { name: 'Add to flow' }).click();
    await poll(() => panel.getByRole('option').count()).toBeGreaterThan(3);
    expect(await panel.getByLabel('Flow owner').count()).toBe(0);
  });

  test('cool-off refusal explained in plain words, then "Assign anyway" overrides it', async () => {
    const { panel } = await h.openPanelFor(sfContact(SEED.coolOff));
    await poll(() => panel.getByRole('heading', { name: 'Carmen Walsh' }).isVisible()).toBe(true);
    const picker = panel.getByRole('dialog', { name: 'Add to flow' });
    const target = flowName(SEED.otherFlowId);
    await addToFlow(panel, target);

    const refusal = picker.getByRole('alert');
    await poll(() => refusal.textContent()).toMatch(/cool-off/i);
    await panelScreenshot(panel, 'sidepanel-cooloff');
    await refusal.getByRole('button', { name: 'Assign anyway' }).click();
    // Listed as active (the finished run that started the cool-off stays listed below it).
    await poll(() => flowList(panel).getByRole('listitem', { name: target }).filter({ has: panel.getByRole('button', { name: `Unassign from ${target}` }) }).isVisible()).toBe(true);
    expect(gong().state.instances.some((i) => i.crmProspectId === SEED.coolOff && i.flowId === SEED.otherFlowId)).toBe(true);
    await panel.close();
  });

  test('report a digital interaction; it reaches the sandbox', async () => {
    const { panel } = await h.openPanelFor(sfContact(SEED.sfContactWithFlows));
    const form = panel.getByRole('form', { name: 'Report a digital interaction' });
    await poll(() => form.isVisible()).toBe(true);
    const eventName = `Visited pricing page ${Date.now()}`;
    await form.getByLabel('Event').fill(eventName);
    await form.getByLabel('URL (optional)').fill('https://globex.com/pricing');
    await form.getByRole('button', { name: 'Report interaction' }).click();
    await poll(() => panel.getByText('Interaction reported to Gong.').isVisible()).toBe(true);
    const got = gong().state.interactions.find((i) => i.eventName === eventName);
    expect(got).toBeDefined();
    expect(got!.url).toBe('https://globex.com/pricing');
    expect(got!.crmContactId ?? got!.prospectEmail).toBeTruthy();
    await panelScreenshot(panel, 'sidepanel-interaction');
    await panel.close();
  });

  test('recent calls: details, talk ratio, transcript expands', async () => {
    const { panel } = await h.openPanelFor(sfContact(SEED.sfContactWithFlows));
    const calls = panel.getByRole('region', { name: 'Recent calls' });
    await poll(() => calls.getByRole('listitem').count()).toBeGreaterThan(0);
    const first = calls.getByRole('listitem').first();
    expect(await first.getByRole('link').first().getAttribute('href')).toMatch(/^https?:\/\//);
    await poll(() => first.getByRole('img', { name: /Talk ratio/ }).count()).toBeGreaterThan(0);
    const toggle = first.getByRole('button', { name: 'Show transcript' });
    const before = await first.getByLabel('Transcript preview').locator('p').count();
    await toggle.click();
    await poll(() => first.getByRole('button', { name: 'Hide transcript' }).getAttribute('aria-expanded')).toBe('true');
    expect(await first.getByLabel('Transcript preview').locator('p').count()).toBeGreaterThan(before);
    await panelScreenshot(panel, 'sidepanel-calls');

    // Header and content never overlap, at any scroll position: the document itself does not scroll, the
    // content scrolls under a fixed-height header, and the header's area always shows the header.
    const layout = await panel.evaluate(async () => {
      const header = document.querySelector('.ge-topbar')!;
      const main = document.querySelector('.ge-main') as HTMLElement;
      const out: { docScrolls: boolean; headerTop: number; headerBottom: number; mainTop: number; headerHit: boolean; scrollTop: number }[] = [];
      const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
      for (const f of [0, 0.25, 0.5, 1]) {
        main.scrollTop = f * (main.scrollHeight - main.clientHeight);
        // Trying to scroll the document must not move anything either.
        window.scrollTo(0, 10_000);
        await frame();
        const h = header.getBoundingClientRect();
        const hit = document.elementFromPoint(h.left + h.width / 2, h.top + h.height / 2);
        out.push({
          docScrolls: document.scrollingElement!.scrollTop > 0,
          headerTop: h.top,
          headerBottom: h.bottom,
          mainTop: main.getBoundingClientRect().top,
          headerHit: !!hit && header.contains(hit),
          scrollTop: main.scrollTop,
        });
      }
      return out;
    });
    expect(layout.at(-1)!.scrollTop).toBeGreaterThan(200); // the content really scrolled
    for (const l of layout) {
      expect(l.docScrolls).toBe(false);
      expect(l.headerTop).toBe(0);
      expect(l.mainTop).toBeGreaterThanOrEqual(l.headerBottom);
      expect(l.headerHit).toBe(true);
    }
    await panel.close();
  });

  test('Lightning SPA navigation between two contacts updates the panel', async () => {
    const { crm, panel } = await h.openPanelFor(sfContact(SEED.sfContactWithFlows));
    await poll(() => panel.getByRole('heading', { name: 'Avery Thompson' }).isVisible()).toBe(true);
    await poll(() => flowList(panel).getByRole('listitem').count()).toBeGreaterThan(0);
    const times: number[] = [];
    times.push(await timedNavigation(crm, panel, SEED.sfContactNoFlows2));
    // The name arrives later, from the page (through the background); the previous record's never shows.
    await panel.getByRole('heading', { name: 'Elena Dubois' }).waitFor({ timeout: 5_000 });
    expect(await panel.getByRole('heading', { name: 'Avery Thompson' }).count()).toBe(0);
    await poll(() => flowsRegion(panel).getByText('Not in any flow yet.').isVisible()).toBe(true);
    // And back: Avery is rendered from cache at once.
    times.push(await timedNavigation(crm, panel, SEED.sfContactWithFlows));
    await panel.getByRole('heading', { name: 'Avery Thompson' }).waitFor({ timeout: 5_000 });
    await poll(() => flowList(panel).getByRole('listitem').count(), { timeout: 5_000 }).toBeGreaterThan(0);
    times.push(await timedNavigation(crm, panel, SEED.sfContactNoFlows2));
    await panel.getByRole('heading', { name: 'Elena Dubois' }).waitFor({ timeout: 5_000 });
    console.log(`navigation → new record id in the panel: ${times.map((t) => t.toFixed(0)).join(', ')} ms (median ${median(times).toFixed(0)} ms)`);
    // Issue 4: the record shown is the one on screen within 300 ms of navigation (median of 3, loaded CI).
    expect(median(times)).toBeLessThanOrEqual(300);
    await panel.close();
    await crm.close();
  });

  test('Salesforce lead page', async () => {
    const { panel } = await h.openPanelFor(sfLead(SEED.sfLeadInFlow));
    await poll(() => panel.getByRole('heading', { name: 'Hana Thompson' }).isVisible()).toBe(true);
    await poll(() => panel.getByRole('region', { name: 'Record' }).textContent()).toMatch(/Lead/);
    await poll(() => flowList(panel).getByRole('listitem').count()).toBeGreaterThan(0);
    await panel.close();
  });

  test('HubSpot contact and lead pages', async () => {
    const contact = await h.openPanelFor(hsContact(SEED.hubspotContact));
    await poll(() => contact.panel.getByRole('heading', { name: 'Sven Jensen' }).isVisible()).toBe(true);
    const header = contact.panel.getByRole('region', { name: 'Record' });
    await poll(() => header.textContent()).toMatch(/HubSpot.*Contact/);
    await poll(() => flowList(contact.panel).getByRole('listitem').count()).toBeGreaterThan(0);
    await panelScreenshot(contact.panel, 'sidepanel-hubspot-contact');
    await contact.panel.close();

    const lead = await h.openPanelFor(hsLead(SEED.hubspotLead));
    await poll(() => lead.panel.getByRole('heading', { name: 'Chen Yilmaz' }).isVisible()).toBe(true);
    await poll(() => lead.panel.getByRole('region', { name: 'Record' }).textContent()).toMatch(/HubSpot.*Lead/);
    await poll(() => flowsRegion(lead.panel).getByText('Not in any flow yet.').isVisible()).toBe(true);
    await panelScreenshot(lead.panel, 'sidepanel-hubspot-lead');
    await lead.panel.close();
  });

  test('a CRM page that is not a prospect says so', async () => {
    const { panel } = await h.openPanelFor({ url: 'https://acme.lightning.force.com/lightning/r/Account/0018d00000AbCdEAAZ/view', fixture: 'salesforce-account.html' });
    await poll(() => panel.getByRole('heading', { name: 'Not a prospect' }).isVisible()).toBe(true);
    await panelScreenshot(panel, 'sidepanel-not-prospect');
    await panel.close();
  });

  test('bulk add from a list view runs as a job with progress and per-prospect results', async () => {
    const { panel } = await h.openPanelFor(sfContact(SEED.sfContactWithFlows));
    await poll(() => panel.getByRole('heading', { name: 'Avery Thompson' }).isVisible()).toBe(true);
    const seeded = gong()
      .state.raw.prospects.filter((p) => p.crm === 'salesforce')
      .map((p) => ({ crm: 'salesforce' as const, objectType: p.type === 'LEAD' ? ('lead' as const) : ('contact' as const), id: p.crmId }));
    const names = Object.fromEntries(gong().state.raw.prospects.map((p) => [p.crmId, `${p.firstName} ${p.lastName}`]));
    // More than 200 prospects make the backend answer with a job; ids Gong doesn't know fail per prospect.
    const unknown = Array.from({ length: 230 - seeded.length }, (_, i) => ({ crm: 'hubspot' as const, objectType: 'contact' as const, id: String(70_000_000 + i) }));
    const all = [...seeded, ...unknown];
    await h.serviceWorker.evaluate(async (intent) => {
      await chrome.storage.session.set({ panelIntent: intent });
    }, { view: 'bulk-assign', records: all, names, source: { url: 'https://acme.lightning.force.com/lightning/o/Contact/list', title: 'My Contacts' }, createdAt: Date.now() });
    const picker = panel.getByRole('dialog', { name: 'Add all to a flow' });
    await poll(() => picker.getByRole('option').count()).toBeGreaterThan(3);
    const target = flowName(SEED.personalFlowId);
    await picker.getByLabel('Search flows').fill(target);
    await picker.getByRole('option', { name: target }).click();
    await picker.getByRole('button', { name: new RegExp(`^Add ${all.length} prospects`) }).click();
    const progress = panel.getByRole('progressbar', { name: 'Assignment progress' });
    await progress.waitFor({ timeout: 15_000 });
    // The picker (and the button that sent) gave way to the progress: focus is on its heading, not dropped.
    await poll(() => panel.evaluate(() => (document.activeElement?.tagName ?? '') + ': ' + (document.activeElement?.textContent?.trim() ?? ''))).toBe(`H2: Adding to “${target}”`);
    await panelScreenshot(panel, 'sidepanel-bulk-progress');
    await poll(() => progress.getAttribute('aria-valuenow'), { timeout: 90_000, interval: 500 }).toBe(String(all.length));
    await poll(() => panel.getByRole('list', { name: 'Per-prospect results' }).getByRole('listitem').count()).toBe(all.length);
    await poll(() => panel.getByText(/^Finished/).isVisible()).toBe(true);
    await panelScreenshot(panel, 'sidepanel-bulk-done');

    // Prospects refused only for cool-off can be sent again with the override, just those.
    const isActive = (status: string) => ['Running', 'Pending', 'Paused'].includes(status);
    const coolOff = panel.getByRole('group', { name: 'Cool-off refusals' });
    await poll(() => coolOff.isVisible()).toBe(true);
    const anyway = coolOff.getByRole('button', { name: /^Assign anyway \(\d+\)$/ });
    const n = Number((await anyway.textContent())!.match(/\((\d+)\)/)![1]);
    expect(n).toBeGreaterThan(0);
    const results = panel.getByRole('list', { name: 'Per-prospect results' });
    expect(await results.getByText(/cool-off/i).count()).toBe(n);
    const inFlowBefore = gong().state.instances.filter((i) => i.flowId === SEED.personalFlowId && isActive(i.status)).length;
    const overrideCalls = async () => (await h.backend.audit.entries({ tool: 'gong_engage_prospects_assign_cool_off_override' })).filter((e) => e.outcome === 'ok');
    const overridesBefore = (await overrideCalls()).length;
    await anyway.click();
    await poll(() => coolOff.count()).toBe(0);
    await poll(() => results.getByText(/cool-off/i).count()).toBe(0);
    expect(gong().state.instances.filter((i) => i.flowId === SEED.personalFlowId && isActive(i.status)).length).toBe(inFlowBefore + n);
    // One Gong call with the cool-off override, for just those prospects.
    const sent = (await overrideCalls()).slice(overridesBefore);
    expect(sent).toHaveLength(1);
    expect((JSON.parse(sent[0].input!) as { crm_prospect_ids: string[] }).crm_prospect_ids).toHaveLength(n);
    await poll(() => results.getByRole('listitem').count()).toBe(all.length);
    await poll(() => panel.getByText(`Assigned anyway: ${n} of ${n} cool-off prospects.`).isVisible()).toBe(true);
    await panelScreenshot(panel, 'sidepanel-bulk-anyway');
    await panel.getByRole('button', { name: 'Done' }).click();
    await poll(() => panel.getByRole('heading', { name: 'Avery Thompson' }).isVisible()).toBe(true);
    // The record view took the place of "Done": focus is on whose record it is, not dropped to the page.
    await poll(() => panel.evaluate(() => (document.activeElement?.tagName ?? '') + ': ' + (document.activeElement?.textContent?.trim() ?? ''))).toBe('H1: Avery Thompson');
    await panel.close();
  });

  test('Gong refusing the rep access (403): the picker says so in a plain sentence, naming the Gong admin', async () => {
    const { panel } = await h.openPanelFor(sfContact(SEED.sfContactNoFlows));
    const target = flowName(SEED.otherFlowId);
    gong().faults.set({ tool: 'gong_engage_prospects_assign', kind: '403' });
    try {
      await addToFlow(panel, target);
      const alert = panel.getByRole('dialog', { name: 'Add to flow' }).getByRole('alert');
      await poll(() => alert.textContent()).toBe("Gong refused: your Gong user isn't allowed to do this. Ask your Gong admin for access.");
      await panelScreenshot(panel, 'sidepanel-gong-forbidden');
    } finally {
      gong().faults.clear();
    }
    expect(gong().state.instances.some((i) => i.crmProspectId === SEED.sfContactNoFlows && i.flowId === SEED.otherFlowId)).toBe(false);
  });

  test('not connected: an add as the connection expires is told failed; banner over the saved (read-only) flows and calls, Reconnect Gong, authorize, panel recovers', async () => {
    // Seen once while connected, so the panel has a saved copy.
    const first = await h.openPanelFor(sfContact(SEED.sfContactWithFlows));
    await poll(() => flowList(first.panel).getByRole('listitem').count()).toBeGreaterThan(0);
    await poll(() => first.panel.getByRole('region', { name: 'Recent calls' }).getByRole('listitem').count()).toBeGreaterThan(0);

    // The connection expires while the panel shows the record: the add is refused (409, EXPIRED) and the picker
    // gives way to the banner, so a notice is what says the add failed, and why.
    h.backend.sandbox!.accounts.setStatus('gong', SEED.repEmail, 'EXPIRED');
    const target = flowName(SEED.otherFlowId);
    await addToFlow(first.panel, target);
    await poll(() => first.panel.getByText(`Add Avery Thompson to “${target}” failed. Your Gong connection expired. Reconnect Gong to go on.`).isVisible()).toBe(true);
    await poll(() => first.panel.getByRole('region', { name: 'Gong connection' }).getByRole('button', { name: 'Reconnect Gong' }).isVisible()).toBe(true);
    await panelScreenshot(first.panel, 'sidepanel-add-while-expired');
    await first.panel.close();
    const { panel } = await h.openPanelFor(sfContact(SEED.sfContactWithFlows));
    const banner = panel.getByRole('region', { name: 'Gong connection' });
    await poll(() => banner.isVisible()).toBe(true);
    await poll(() => banner.textContent()).toMatch(/expired/i);
    await poll(() => statusPill(panel).textContent()).toBe('Gong not connected');
    // The saved flows and calls stay under the banner, marked read-only, with nothing to change them.
    const flows = flowsRegion(panel);
    await poll(() => flowList(panel).getByRole('listitem').count()).toBeGreaterThan(0);
    expect(await flows.getByText('Read-only').isVisible()).toBe(true);
    expect(await flows.getByText(/Connect Gong to refresh or make changes/).isVisible()).toBe(true);
    expect(await flows.getByRole('button', { name: 'Add to flow' }).count()).toBe(0);
    expect(await flows.getByRole('button', { name: /^Unassign/ }).count()).toBe(0);
    await poll(() => panel.getByRole('region', { name: 'Recent calls' }).getByRole('listitem').count()).toBeGreaterThan(0);
    expect(await panel.getByRole('region', { name: 'Recent calls' }).getByText('Read-only').isVisible()).toBe(true);
    await panelScreenshot(panel, 'sidepanel-not-connected');
    await panel.emulateMedia({ colorScheme: 'dark' });
    await panelScreenshot(panel, 'sidepanel-not-connected-dark');
    await panel.emulateMedia({ colorScheme: 'light' });
    const [authPage] = await Promise.all([h.context.waitForEvent('page'), banner.getByRole('button', { name: 'Reconnect Gong' }).click()]);
    await authPage.waitForLoadState();
    await authPage.getByRole('button', { name: 'Authorize' }).click();
    // User verification: the backend has the rep sign in to prove the connection is theirs (docs/sso.md).
    await authPage.waitForURL(/\/oauth\/authorize/);
    await authPage.locator(`button[data-email="${SEED.repEmail}"]`).click();
    await poll(() => banner.count(), { timeout: 20_000 }).toBe(0);
    await poll(() => flowList(panel).getByRole('listitem').count()).toBeGreaterThan(0);
    await poll(() => statusPill(panel).textContent()).toBe('Connected');
    await poll(() => flowsRegion(panel).getByRole('button', { name: 'Add to flow' }).isVisible()).toBe(true);
    expect(await flowsRegion(panel).getByText('Read-only').count()).toBe(0);
    await panel.close();
  });
});

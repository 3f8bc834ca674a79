/**
 * Background wiring with WXT's fakeBrowser: tab record tracking (incl. late content-script reports),
 * context menus (created once, link / record / "add all" intents) and keyboard commands.
 * fakeBrowser has no contextMenus.create, sidePanel or scripting: those are spies.
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing';

vi.stubGlobal('chrome', fakeBrowser);
vi.stubGlobal('browser', fakeBrowser);

const fb = fakeBrowser as unknown as Record<string, any>;
const sidePanel = { open: vi.fn(async () => undefined), setOptions: vi.fn(async () => undefined), setPanelBehavior: vi.fn(async () => undefined) };
const contextMenus = { create: vi.fn(), removeAll: vi.fn(async () => undefined), update: vi.fn(async () => undefined), onClicked: { addListener: vi.fn() } };
const scripting = { executeScript: vi.fn() };
fb.sidePanel = sidePanel;
fb.contextMenus = contextMenus;
fb.scripting = scripting;

let menus: typeof import('../../background/context-menus');
let tabs: typeof import('../../background/tab-records');
let commands: typeof import('../../background/commands');
let listView: typeof import('../../background/list-view');
let settings: typeof import('../../lib/storage');

beforeAll(async () => {
  menus = await import('../../background/context-menus');
  tabs = await import('../../background/tab-records');
  commands = await import('../../background/commands');
  listView = await import('../../background/list-view');
  settings = await import('../../lib/storage');
});

beforeEach(() => {
  fakeBrowser.reset();
  fb.sidePanel = sidePanel;
  fb.contextMenus = contextMenus;
  fb.scripting = scripting;
  vi.clearAllMocks();
});

const C = '0035g00000ABCdeAAH';
const L = '00Q5g00000XyZabEAF';
const contactUrl = `https://acme.lightning.force.com/lightning/r/Contact/${C}/view`;

describe('tab records', () => {
  it('tracks what a tab shows, keeps name/email while on the same record, drops them when it moves', async () => {
    await tabs.handlePageChanged(7, contactUrl, { url: contactUrl, name: 'Ada Lovelace', email: 'ada@example.com' });
    await tabs.trackTab(7, `${contactUrl}?tab=activity`);
    let info = (await settings.tabRecordsItem.getValue())['7'];
    expect(info.record).toEqual({ crm: 'salesforce', objectType: 'contact', id: C });
    expect(info.name).toBe('Ada Lovelace');
    await tabs.trackTab(7, `https://acme.lightning.force.com/lightning/r/Lead/${L}/view`);
    info = (await settings.tabRecordsItem.getValue())['7'];
    expect(info.record?.objectType).toBe('lead');
    expect(info.name).toBeUndefined();
    expect(info.email).toBeUndefined();
  });

  it('ignores a late content-script report for a record the tab already left', async () => {
    const leadUrl = `https://acme.lightning.force.com/lightning/r/Lead/${L}/view`;
    await tabs.handlePageChanged(8, leadUrl, { url: contactUrl, name: 'Stale Name' });
    const info = (await settings.tabRecordsItem.getValue())['8'];
    expect(info.url).toBe(leadUrl);
    expect(info.name).toBeUndefined();
  });

  it('marks CRM pages that are not prospects, and forgets closed tabs', async () => {
    await tabs.trackTab(9, 'https://acme.lightning.force.com/lightning/r/Account/0015g00000AAAAAAA2/view');
    expect((await settings.tabRecordsItem.getValue())['9']).toMatchObject({ record: null, crm: 'salesforce' });
    await tabs.forgetTab(9);
    expect((await settings.tabRecordsItem.getValue())['9']).toBeUndefined();
  });
});

describe('context menus', () => {
  it('creates the three items with CRM-only patterns', async () => {
    await menus.createContextMenus();
    expect(contextMenus.removeAll).toHaveBeenCalledOnce();
    const created = contextMenus.create.mock.calls.map((c) => c[0]);
    expect(created.map((c: any) => c.id)).toEqual([menus.MENU_ADD_RECORD, menus.MENU_ADD_LINK, menus.MENU_ADD_ALL]);
    expect(created[1].targetUrlPatterns).toContain('https://*.force.com/lightning/r/Contact/*');
    expect(created[1].targetUrlPatterns).toContain('https://*.hubspot.com/contacts/*/record/0-136/*');
    for (const c of created) for (const p of [...(c.documentUrlPatterns ?? []), ...(c.targetUrlPatterns ?? [])]) expect(p).toMatch(/^https:\/\/\*\.(force|salesforce|hubspot)\.com\//);
  });

  it('"Add to Gong flow" on a link opens the panel on the picker for the linked record', async () => {
    const intent = await menus.onMenuClick(
      { menuItemId: menus.MENU_ADD_LINK, linkUrl: 'https://app-eu1.hubspot.com/contacts/42/record/0-136/777', pageUrl: 'https://app-eu1.hubspot.com/contacts/42/objects/0-136/views/all/list' },
      { id: 3, windowId: 1 },
    );
    expect(sidePanel.open).toHaveBeenCalledWith({ windowId: 1 });
    expect(intent).toMatchObject({ view: 'assign', record: { crm: 'hubspot', objectType: 'lead', id: '777' }, windowId: 1 });
    expect(await settings.panelIntentItem.getValue()).toEqual(intent);
    // Only window 1's panel shows it: another window's panel open at the time leaves it alone.
    expect(settings.intentIsFor(intent!, 1)).toBe(true);
    expect(settings.intentIsFor(intent!, 2)).toBe(false);
    expect(settings.intentIsFor({ ...intent!, windowId: undefined }, 2)).toBe(true);
  });

  it('the page items follow the focused window: its active tab decides them, not the last tab activated', async () => {
    const listUrl = 'https://acme.lightning.force.com/lightning/o/Contact/list';
    const one = await fakeBrowser.windows.create({});
    const two = await fakeBrowser.windows.create({});
    const contactTab = await fakeBrowser.tabs.create({ windowId: one.id, url: contactUrl });
    const listTab = await fakeBrowser.tabs.create({ windowId: two.id, url: listUrl });
    // fakeBrowser does not keep a window's active tab: each window's only tab is its active one.
    const query = vi.spyOn(fakeBrowser.tabs, 'query').mockImplementation((async (q: { windowId?: number }) => (q.windowId === one.id ? [contactTab] : q.windowId === two.id ? [listTab] : [])) as never);
    await tabs.trackTab(contactTab.id!, contactUrl);
    await tabs.trackTab(listTab.id!, listUrl);
    const shown = () => Object.fromEntries((contextMenus.update.mock.calls as unknown as [string, { visible: boolean }][]).slice(-2).map(([id, p]) => [id, p.visible]));
    await menus.syncMenuForWindow(one.id!, tabs.getTabRecord);
    expect(shown()).toEqual({ [menus.MENU_ADD_RECORD]: true, [menus.MENU_ADD_ALL]: false });
    await menus.syncMenuForWindow(two.id!, tabs.getTabRecord);
    expect(shown()).toEqual({ [menus.MENU_ADD_RECORD]: false, [menus.MENU_ADD_ALL]: true });
    const calls = contextMenus.update.mock.calls.length;
    await menus.syncMenuForWindow(-1, tabs.getTabRecord);
    expect(contextMenus.update.mock.calls.length).toBe(calls);
    query.mockRestore();
  });

  it('opens the panel before anything async (the click is a user gesture only synchronously)', async () => {
    scripting.executeScript.mockImplementation(async () => {
      expect(sidePanel.open).toHaveBeenCalled();
      return [{ result: [] }];
    });
    await menus.onMenuClick({ menuItemId: menus.MENU_ADD_ALL, pageUrl: 'https://acme.lightning.force.com/lightning/o/Contact/list' }, { id: 4, windowId: 2 });
    expect(scripting.executeScript).toHaveBeenCalledOnce();
  });

  it('"Add all" collects every contact and lead linked on the page, once each, in page order', async () => {
    const links = [
      { href: contactUrl, text: 'Ada Lovelace' },
      { href: `https://acme.lightning.force.com/lightning/r/${C.slice(0, 15)}/view`, text: '' }, // same contact, 15-char
      { href: 'https://acme.lightning.force.com/lightning/r/Account/0015g00000AAAAAAA2/view', text: 'Acme' },
      { href: `https://acme.lightning.force.com/lightning/r/Lead/${L}/view`, text: 'Grace Hopper' },
      { href: 'https://example.com/', text: 'x' },
    ];
    scripting.executeScript.mockResolvedValue([{ result: links }]);
    const intent = await menus.onMenuClick({ menuItemId: menus.MENU_ADD_ALL, pageUrl: 'https://acme.lightning.force.com/lightning/o/Contact/list' }, { id: 5, windowId: 2, title: 'Contacts | Salesforce' });
    expect(intent?.view).toBe('bulk-assign');
    expect(intent?.records?.map((r) => r.id)).toEqual([C, L]);
    expect(intent?.names).toEqual({ [C]: 'Ada Lovelace', [L]: 'Grace Hopper' });
    expect(intent?.source?.title).toBe('Contacts | Salesforce');
    expect(intent?.windowId).toBe(2);
  });

  it('still stores the intent when the panel cannot open (no user gesture)', async () => {
    sidePanel.open.mockRejectedValueOnce(new Error('`sidePanel.open()` may only be called in response to a user gesture.'));
    const intent = await menus.onMenuClick({ menuItemId: menus.MENU_ADD_RECORD, pageUrl: contactUrl }, { id: 6, windowId: 1, url: contactUrl });
    expect(intent?.record?.id).toBe(C);
    expect((await settings.panelIntentItem.getValue())?.record?.id).toBe(C);
  });

  it('recordsFromLinks handles 450 links quickly', () => {
    const many = Array.from({ length: 450 }, (_, i) => ({ href: `https://app.hubspot.com/contacts/42/record/0-1/${1000 + i}`, text: `P ${i}` }));
    expect(listView.recordsFromLinks(many)).toHaveLength(450);
  });
});

describe('commands', () => {
  it('open-flow-picker opens the panel on the picker for the record on screen', async () => {
    await commands.onCommand(commands.COMMAND_FLOW_PICKER, { id: 1, windowId: 3, url: contactUrl });
    expect(sidePanel.open).toHaveBeenCalledWith({ windowId: 3 });
    await vi.waitFor(async () => expect((await settings.panelIntentItem.getValue())?.view).toBe('assign'));
  });
  it('open-side-panel just opens it', async () => {
    await commands.onCommand(commands.COMMAND_OPEN_PANEL, { id: 1, windowId: 3, url: contactUrl });
    expect(sidePanel.open).toHaveBeenCalledOnce();
    expect(await settings.panelIntentItem.getValue()).toBeNull();
  });
});

describe('task badge alarm', () => {
  it('runs hourly (each run is a Gong call per rep), and replaces an older, more frequent alarm', async () => {
    const tasks = await import('../../background/tasks');
    expect(tasks.BADGE_PERIOD_MINUTES).toBe(60);
    await fakeBrowser.alarms.create(tasks.BADGE_ALARM, { periodInMinutes: 5, delayInMinutes: 5 });
    await tasks.ensureBadgeAlarm();
    expect((await fakeBrowser.alarms.get(tasks.BADGE_ALARM))?.periodInMinutes).toBe(tasks.BADGE_PERIOD_MINUTES);
    const created = vi.spyOn(fakeBrowser.alarms, 'create');
    await tasks.ensureBadgeAlarm(); // already right: left alone
    expect(created).not.toHaveBeenCalled();
  });
});

describe('tasks on a worker start', () => {
  const task = { id: 't1', type: 'call', title: 'Call', status: 'OPEN', dueDate: null, overdue: false, prospect: { name: null, email: null, crmId: null }, flowName: null } as const;
  it('a cached list younger than an hour sets the badge without asking the backend; an older one is fetched', async () => {
    const tasks = await import('../../background/tasks');
    await fakeBrowser.storage.local.set({ settings: { backendUrl: 'http://127.0.0.1:9', apiToken: 't0k', repEmail: '', workspaceId: '' } });
    const fetched: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        fetched.push(url);
        return new Response(JSON.stringify({ tasks: [task, { ...task, id: 't2' }] }), { status: 200, headers: { 'content-type': 'application/json' } });
      }),
    );
    try {
      await settings.tasksCacheItem.setValue({ tasks: [task], fetchedAt: Date.now() - 59 * 60_000 });
      expect(await tasks.refreshTasksAndBadge({ ifStale: true })).toBe(1);
      expect(fetched).toEqual([]);
      expect(await fakeBrowser.action.getBadgeText({})).toBe('1');

      await settings.tasksCacheItem.setValue({ tasks: [task], fetchedAt: Date.now() - 61 * 60_000 });
      expect(await tasks.refreshTasksAndBadge({ ifStale: true })).toBe(2);
      expect(fetched.map((u) => new URL(u).pathname)).toEqual(['/api/v1/tasks']);
      expect(await fakeBrowser.action.getBadgeText({})).toBe('2');
    } finally {
      vi.unstubAllGlobals();
      vi.stubGlobal('chrome', fakeBrowser);
      vi.stubGlobal('browser', fakeBrowser);
    }
  });
});

describe('content script message', () => {
  it('accepts the raw pageChanged shape only', async () => {
    const { isContentScriptMessage } = await import('../../lib/messages');
    expect(isContentScriptMessage({ type: 'gong:pageChanged', data: { url: contactUrl, name: 'Ada' } })).toBe(true);
    expect(isContentScriptMessage({ type: 'gong:pageChanged', data: { name: 'Ada' } })).toBe(false);
    // A webext-core message (id, type, data, timestamp) is the messenger's, not this listener's.
    expect(isContentScriptMessage({ id: 1, type: 'getTabRecord', data: 3, timestamp: 1 })).toBe(false);
    expect(isContentScriptMessage(null)).toBe(false);
  });
});

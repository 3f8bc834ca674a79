import { describe, expect, test } from 'vitest';
import type { Flow, ProspectFlow } from '../../lib/api';
import { historyLine } from '../../components/FlowsSection';
import {
  coolOffEnds,
  explainRefusal,
  flowStatusBadge,
  formatDuration,
  formatShortDate,
  fromLocalInputValue,
  groupFlows,
  humanize,
  initials,
  matchesFlow,
  pendingLabel,
  sortProspectFlows,
  toLocalInputValue,
} from '../../components/format';

const flow = (id: string, name: string, visibility: Flow['visibility'], folderName: string | null): Flow => ({
  id,
  name,
  folderId: folderName ? `f-${folderName}` : null,
  folderName,
  visibility,
  exclusive: false,
});

describe('flow status badges', () => {
  test('known Gong statuses map to label + tone', () => {
    expect(flowStatusBadge('Running')).toEqual({ label: 'Active', tone: 'success' });
    expect(flowStatusBadge('Paused').tone).toBe('warning');
    expect(flowStatusBadge('FinishedNoReply').label).toBe('Finished · no reply');
  });
  test('unknown statuses stay readable', () => {
    expect(flowStatusBadge('WaitingForApproval')).toEqual({ label: 'Waiting for approval', tone: 'neutral' });
    expect(humanize('IN_PROGRESS')).toBe('In progress');
  });
});

test('sortProspectFlows puts running flows first, newest first', () => {
  const pf = (flowName: string, status: string, assignedAt: string): ProspectFlow => ({
    flowId: flowName,
    flowName,
    crmProspectId: 'x',
    flowInstanceId: flowName,
    status,
    ownerEmail: null,
    ownerName: null,
    assignedAt,
  });
  const sorted = sortProspectFlows([pf('old', 'Finished', '2024-01-01'), pf('paused', 'Paused', '2024-05-01'), pf('a', 'Running', '2024-02-01'), pf('b', 'Running', '2024-03-01')]);
  expect(sorted.map((f) => f.flowName)).toEqual(['b', 'a', 'paused', 'old']);
});

describe('durations and dates', () => {
  test('formatDuration', () => {
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(125)).toBe('2m 5s');
    expect(formatDuration(1925)).toBe('32m');
    expect(formatDuration(3720)).toBe('1h 2m');
    expect(formatDuration(7200)).toBe('2h');
  });
  test('formatShortDate is relative near today', () => {
    const now = new Date(2025, 5, 15, 12, 0);
    expect(formatShortDate(new Date(2025, 5, 15, 9, 30).toISOString(), now)).toBe('Today');
    expect(formatShortDate(new Date(2025, 5, 14, 9, 30).toISOString(), now)).toBe('Yesterday');
    expect(formatShortDate(new Date(2025, 2, 4).toISOString(), now)).toBe('Mar 4');
    expect(formatShortDate(new Date(2023, 2, 4).toISOString(), now)).toBe('Mar 4, 2023');
    expect(formatShortDate(null, now)).toBe('');
    expect(formatShortDate('garbage', now)).toBe('');
  });
  test('datetime-local round trip', () => {
    const d = new Date(2025, 0, 2, 3, 4);
    const v = toLocalInputValue(d);
    expect(v).toBe('2025-01-02T03:04');
    expect(fromLocalInputValue(v)).toBe(d.toISOString());
    expect(fromLocalInputValue('yesterday')).toBeNull();
  });
});

test('initials', () => {
  expect(initials('Avery Thompson')).toBe('AT');
  expect(initials('Cher')).toBe('C');
  expect(initials('', 'zoe@x.com')).toBe('Z');
  expect(initials(undefined)).toBe('?');
});

describe('flow picker grouping and search', () => {
  const flows = [
    flow('1', 'Outbound – Enterprise Cold', 'COMPANY', 'Outbound'),
    flow('2', 'Inbound Demo Request', 'COMPANY', 'Inbound'),
    flow('3', 'My Réengagement', 'PERSONAL', 'Riley'),
    flow('4', 'Webinar follow-up', 'SHARED', null),
    flow('5', 'Outbound – Mid-Market', 'COMPANY', 'Outbound'),
  ];
  test('groups by visibility (company, personal, shared), then folder, sorted', () => {
    const g = groupFlows(flows);
    expect(g.map((x) => x.kind)).toEqual(['COMPANY', 'PERSONAL', 'SHARED']);
    expect(g[0].folders.map((f) => f.folderName)).toEqual(['Inbound', 'Outbound']);
    expect(g[0].folders[1].flows.map((f) => f.name)).toEqual(['Outbound – Enterprise Cold', 'Outbound – Mid-Market']);
    expect(g[2].folders[0].folderName).toBe('No folder');
    expect(g[0].count).toBe(3);
  });
  test('search matches every word, case and accent insensitive, against name and folder', () => {
    expect(matchesFlow(flows[0], 'enterprise COLD')).toBe(true);
    expect(matchesFlow(flows[0], 'cold inbound')).toBe(false);
    expect(matchesFlow(flows[2], 'reengagement')).toBe(true);
    expect(matchesFlow(flows[2], 'riley')).toBe(true);
    const g = groupFlows(flows, 'outbound');
    expect(g).toHaveLength(1);
    expect(g[0].count).toBe(2);
    expect(groupFlows(flows, 'nothing-like-this')).toEqual([]);
  });
});

describe('refusals in plain words', () => {
  test('cool-off', () => {
    expect(explainRefusal({ code: 'InvalidState', message: 'Prospect is in cool off period', coolOff: true })).toMatch(/cool-off period/);
    expect(explainRefusal({ code: 'InvalidState', message: 'x', coolOff: true }, { short: true })).toBe("In Gong's cool-off period: finished a flow recently.");
  });
  test('cool-off: a plain sentence with the end date in the rep\'s locale, no internal id, no ISO date', () => {
    // The sandbox's wording (server/sandbox/gong/assign.ts); Gong's real text is only known to carry a date.
    const message = 'Prospect 0038d0002gjbWwDAAU is in a cool-off period until 2026-12-12T12:30:32.191Z (finished a flow less than 14 days ago); use the cool-off override to assign anyway';
    const us = explainRefusal({ code: 'InvalidState', message, coolOff: true }, { locale: 'en-US' });
    expect(us).toBe("This prospect finished a flow recently, so Gong won't start another one before Dec 12, 2026 (its cool-off period). Assign anyway to start this flow now.");
    expect(explainRefusal({ code: 'InvalidState', message, coolOff: true }, { locale: 'de-DE' })).toContain('before 12.12.2026');
    expect(explainRefusal({ code: 'InvalidState', message, coolOff: true }, { locale: 'en-GB', short: true })).toBe("In Gong's cool-off period until 12 Dec 2026: finished a flow recently.");
    for (const text of [us, explainRefusal({ code: 'InvalidState', message, coolOff: true }, { short: true })]) {
      expect(text).not.toContain('0038d0002gjbWwDAAU');
      expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    }
    expect(coolOffEnds('until 2026-13-45', 'en-US')).toBeNull();
    expect(coolOffEnds('cool-off period until 2027-01-05', 'en-US')).toBe('Jan 5, 2027');
  });
  test('already in flow / unknown prospect / fallbacks', () => {
    expect(explainRefusal({ code: 'InvalidState', message: 'Prospect is already assigned to this flow', coolOff: false })).toBe('This prospect is already in this flow.');
    expect(explainRefusal({ code: 'InvalidArgument', message: 'Prospect not found in CRM', coolOff: false })).toMatch(/synced/);
    expect(explainRefusal({ code: 'Weird', message: '', coolOff: false })).toBe('Gong refused the request.');
  });
});

test('pendingLabel', () => {
  expect(pendingLabel(1)).toBe('1 change waiting for the backend');
  expect(pendingLabel(2)).toBe('2 changes waiting for the backend');
});

describe('flow history lines', () => {
  const now = new Date('2026-11-20T12:00:00');
  const entry = { flowId: '1', flowName: 'Cold', at: '2026-11-03T10:00:00', by: 'sam@acme.com' } as const;
  test('says who removed or assigned the flow, and when; an assigned flow is no longer open in Gong', () => {
    expect(historyLine({ ...entry, action: 'removed', byYou: true }, now)).toBe('Removed by you, Nov 3');
    expect(historyLine({ ...entry, action: 'assigned', byYou: false }, now)).toBe('Assigned by sam@acme.com, Nov 3 · no longer open in Gong');
  });
});

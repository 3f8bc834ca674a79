/** Shared builders for the side panel store tests: pages, prospect flows, and waiting on the store. */
import { expect } from 'vitest';
import type { ProspectFlow } from '../../../lib/api';
import type { PageInfo } from '../../../entrypoints/sidepanel/store';

export const A = '0038d0000lA6fpiAAB';
export const B = '0038d0001jzXRKWAA4';

export const page = (id: string, extra: Partial<PageInfo> = {}): PageInfo => ({
  tabId: 1,
  url: `https://acme.lightning.force.com/lightning/r/Contact/${id}/view`,
  record: { crm: 'salesforce', objectType: 'contact', id },
  crm: 'salesforce',
  ...extra,
});

export const pf = (flowId: string, crmProspectId: string, status = 'Running'): ProspectFlow => ({
  flowId,
  flowName: `Flow ${flowId}`,
  crmProspectId,
  flowInstanceId: `i-${flowId}-${crmProspectId}`,
  status,
  ownerEmail: 'rep@example.com',
  ownerName: 'Riley Parker',
  assignedAt: '2025-01-01T00:00:00Z',
});

export const flush = () => new Promise((r) => setTimeout(r, 0));

/** Lets the store's promises settle until `cond` holds (fails the test if it never does). */
export const until = async (cond: () => boolean) => {
  for (let i = 0; i < 300 && !cond(); i++) await flush();
  expect(cond()).toBe(true);
};

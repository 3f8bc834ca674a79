/** The backend API contract (lib/api.ts): what it accepts and refuses, shared by backend and extension. */
import { describe, expect, it } from 'vitest';
import * as api from '../../lib/api';

const SF_CONTACT = '0038d0000lA6fpiAAB';

describe('backend API schemas', () => {
  it('accepts 18-character Salesforce ids and numeric HubSpot ids as prospect ids, nothing else', () => {
    expect(api.crmProspectId.safeParse(SF_CONTACT).success).toBe(true);
    expect(api.crmProspectId.safeParse('51235776').success).toBe(true);
    for (const bad of ['0038d0000lA6fpi', '', '0038d0000lA6fpiAAB; drop', '../../etc', 'x'.repeat(300), '12a']) {
      expect(api.crmProspectId.safeParse(bad).success, bad).toBe(false);
    }
  });

  it('assign requests: at least one id, strict fields, owner must be an email', () => {
    expect(api.assignRequest.safeParse({ crmProspectIds: [SF_CONTACT] }).success).toBe(true);
    expect(api.assignRequest.safeParse({ crmProspectIds: [SF_CONTACT], coolOffOverride: true, flowInstanceOwnerEmail: 'a@b.co' }).success).toBe(true);
    expect(api.assignRequest.safeParse({ crmProspectIds: [] }).success).toBe(false);
    expect(api.assignRequest.safeParse({ crmProspectIds: [SF_CONTACT], flowInstanceOwnerEmail: 'nope' }).success).toBe(false);
    expect(api.assignRequest.safeParse({ crmProspectIds: [SF_CONTACT], __proto__: { admin: true }, extra: 1 }).success).toBe(false);
  });

  it('unassign is capped at 200 prospects, as Gong is', () => {
    const ids = Array.from({ length: 201 }, (_, i) => String(1000 + i));
    expect(api.unassignRequest.safeParse({ crmProspectIds: ids }).success).toBe(false);
    expect(api.unassignRequest.safeParse({ crmProspectIds: ids.slice(0, 200) }).success).toBe(true);
  });

  it('interactions need a prospect (CRM id or email), an event name and an ISO time', () => {
    const ok = { crmProspectId: SF_CONTACT, eventName: 'Visited pricing', eventTimestamp: '2026-11-26T10:00:00Z' };
    expect(api.interactionRequest.safeParse(ok).success).toBe(true);
    expect(api.interactionRequest.safeParse({ ...ok, crmProspectId: undefined, prospectEmail: 'p@x.com' }).success).toBe(true);
    expect(api.interactionRequest.safeParse({ ...ok, crmProspectId: undefined }).success).toBe(false);
    expect(api.interactionRequest.safeParse({ ...ok, eventName: '   ' }).success).toBe(false);
    expect(api.interactionRequest.safeParse({ ...ok, eventTimestamp: 'yesterday' }).success).toBe(false);
    expect(api.interactionRequest.safeParse({ ...ok, url: 'javascript alert' }).success).toBe(false);
  });

  it('error answers have one shape with a known code', () => {
    expect(api.apiError.safeParse({ error: { code: 'GONG_NOT_CONNECTED', message: 'Connect Gong' } }).success).toBe(true);
    expect(api.apiError.safeParse({ error: { code: 'SOMETHING', message: 'x' } }).success).toBe(false);
    expect(api.apiError.safeParse({ message: 'x' }).success).toBe(false);
  });

  it('call queries default to 90 days and coerce the query string', () => {
    expect(api.callsQuery.parse({})).toEqual({ days: 90 });
    expect(api.callsQuery.parse({ days: '30' }).days).toBe(30);
    expect(api.callsQuery.safeParse({ days: '0' }).success).toBe(false);
    expect(api.tasksQuery.parse({})).toEqual({ due: 'today' });
  });

  it('task ids and flow ids are plain ids, never paths', () => {
    expect(api.taskParams.safeParse({ taskId: '7100000000000004' }).success).toBe(true);
    expect(api.flowParams.safeParse({ flowId: '../admin' }).success).toBe(false);
  });
});

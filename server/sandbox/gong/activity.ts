/** Engage activity: digital interactions (deduplicated by event id → 409) and email engagement events. */
import type { Handler } from './context';
import { badRequest } from './context';
import { gongError, iso, sha } from './util';

/**
 * The connector has no event id parameter, so the event id is derived from what identifies the event:
 * its name, its instant and who did it. Reporting the same event again is a 409, as in Gong.
 */
export function digitalInteractionEventId(input: { event_name: string; event_timestamp: string; crm_contact_id?: string; prospect_email?: string }): string {
  const when = new Date(Date.parse(input.event_timestamp)).toISOString();
  return sha(`${input.event_name}|${when}|${input.crm_contact_id ?? ''}|${(input.prospect_email ?? '').toLowerCase()}`).slice(0, 32);
}

const digitalInteraction: Handler = (
  c,
  input: { event_name: string; event_timestamp: string; crm_account_id?: string; crm_contact_id?: string; prospect_email?: string; url?: string },
) => {
  if (!input.crm_contact_id && !input.prospect_email && !input.crm_account_id) {
    badRequest(c, 'person: one of crm_contact_id, prospect_email or crm_account_id is required');
  }
  const eventId = digitalInteractionEventId(input);
  if (c.state.interactions.some((i) => i.eventId === eventId)) {
    throw gongError(409, c.requestId, [`Event ${eventId} was already reported in the past`]);
  }
  c.state.interactions.push({
    eventId,
    eventName: input.event_name,
    eventTimestamp: input.event_timestamp,
    crmAccountId: input.crm_account_id,
    crmContactId: input.crm_contact_id,
    prospectEmail: input.prospect_email,
    url: input.url,
    receivedAt: iso(c.nowMs),
  });
  c.store.changed();
  return { requestId: c.requestId };
};

const emailActivity: Handler = (c, input: { email_id: string; event_timestamp: string; event_type: string; prospect_email: string; link_url?: string }) => {
  if (input.event_type === 'EMAIL_LINK_CLICKED' && !input.link_url) badRequest(c, 'link_url is required for EMAIL_LINK_CLICKED events');
  c.state.emailActivities.push({
    emailId: input.email_id,
    eventType: input.event_type,
    eventTimestamp: input.event_timestamp,
    prospectEmail: input.prospect_email,
    linkUrl: input.link_url,
    receivedAt: iso(c.nowMs),
  });
  c.store.changed();
  return { requestId: c.requestId };
};

export const activityHandlers: Record<string, Handler> = {
  gong_engage_digital_interactions_create: digitalInteraction,
  gong_engage_email_activity_report: emailActivity,
};

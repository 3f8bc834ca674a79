/** Reporting a prospect's digital interactions and email engagement to Gong Engage. */
import type { z } from 'zod';
import type { emailActivityRequest, InteractionRequest } from '../../lib/api';
import type { GongSession } from '../gong/session';

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export async function reportInteraction(session: GongSession, r: InteractionRequest): Promise<void> {
  await session.call(
    'gong_engage_digital_interactions_create',
    defined({
      event_name: r.eventName,
      event_timestamp: r.eventTimestamp,
      crm_contact_id: r.crmProspectId,
      crm_account_id: r.crmAccountId,
      prospect_email: r.prospectEmail,
      url: r.url,
    }),
  );
}

export async function reportEmailActivity(session: GongSession, r: z.infer<typeof emailActivityRequest>): Promise<void> {
  await session.call(
    'gong_engage_email_activity_report',
    defined({
      email_id: r.emailId,
      event_type: r.eventType,
      event_timestamp: r.eventTimestamp,
      prospect_email: r.prospectEmail,
      link_url: r.linkUrl,
    }),
  );
}

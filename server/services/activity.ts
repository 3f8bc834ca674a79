/** Reporting a prospect's digital interactions and email engagement to Gong Engage. */
import type { z } from 'zod';
import type { emailActivityRequest, InteractionRequest } from '../../lib/api';
import { GongFailure } from '../gong/failure';
import type { GongSession } from '../gong/session';

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/**
 * Gong answers 409 for an event "already reported in the past" (spec `addDigitalInteraction`). To a call the gateway
 * retried (an earlier attempt's answer was lost), that is the earlier attempt done: reported. Else the rep reported
 * the same event twice, and is told so.
 */
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
  ).catch((err: unknown) => {
    if (!(err instanceof GongFailure && err.kind === 'refused' && err.status === 409 && (err.attempts ?? 1) > 1)) throw err;
    session.log.info({ gong: { eventName: r.eventName } }, 'Gong already had this interaction');
  });
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

/**
 * A prospect's recent calls. Gong cannot filter calls by prospect, so: list the calls in a window,
 * fetch their extensive details, keep those where a party is the prospect (CRM id in the party's
 * context, or the given email), then add a transcript preview and the talk ratio.
 */
import type { z } from 'zod';
import type { CallSummary } from '../../lib/api';
import { gongCallsListResponse, gongExtensiveCall, gongExtensiveCallsResponse, gongTranscriptsResponse } from '../../lib/gong-types';
import type { GongSession } from '../gong/session';
import { allPages } from './paging';

type ExtensiveCall = z.infer<typeof gongExtensiveCall>;
type Party = ExtensiveCall['parties'][number];

const MAX_CALLS_LISTED = 1_000;
const DETAILS_PER_CALL = 100;
const MAX_RESULTS = 10;
const PREVIEW_SENTENCES = 4;

/** Salesforce ids compare on their case-sensitive 15-character stem (Gong may store either form). */
function sameCrmId(a: string, b: string): boolean {
  if (a.toLowerCase() === b.toLowerCase()) return true;
  const sf = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;
  return sf.test(a) && sf.test(b) && !/^\d+$/.test(a) && a.slice(0, 15) === b.slice(0, 15);
}

function partyCrmIds(p: Party): string[] {
  return (p.context ?? []).flatMap((c) => (c.objects ?? []).map((o) => o.objectId).filter((id): id is string => !!id));
}

function matchCall(call: ExtensiveCall, crmId: string, email: string | undefined): CallSummary['matchedBy'] | null {
  if (call.parties.some((p) => partyCrmIds(p).some((id) => sameCrmId(id, crmId)))) return 'crmId';
  if (email && call.parties.some((p) => p.emailAddress?.toLowerCase() === email.toLowerCase())) return 'email';
  return null;
}

function affiliation(p: Party): 'Internal' | 'External' | 'Unknown' {
  return p.affiliation === 'Internal' || p.affiliation === 'External' ? p.affiliation : 'Unknown';
}

/** Share of talk time by the internal side (the rep's team), from Gong's interaction stats. */
function talkRatio(call: ExtensiveCall): number | null {
  const speakers = call.interaction?.speakers ?? [];
  const total = speakers.reduce((s, x) => s + (x.talkTime ?? 0), 0);
  if (!speakers.length || total <= 0) return null;
  const internalIds = new Set(call.parties.filter((p) => affiliation(p) === 'Internal').flatMap((p) => [p.id, p.userId].filter(Boolean) as string[]));
  const internal = speakers.filter((s) => (s.id && internalIds.has(s.id)) || (s.userId && internalIds.has(s.userId)));
  return Math.round((internal.reduce((s, x) => s + (x.talkTime ?? 0), 0) / total) * 1000) / 1000;
}

export async function prospectCalls(session: GongSession, crmId: string, email: string | undefined, days: number): Promise<CallSummary[]> {
  const to = new Date();
  const from = new Date(to.getTime() - days * 86_400_000);
  const window = { from_date_time: from.toISOString(), to_date_time: to.toISOString() };
  const listed = (
    await allPages(session, 'gong_calls_list', window, (data) => {
      const res = gongCallsListResponse.parse(data);
      return { items: res.calls, cursor: res.records?.cursor };
    })
  ).slice(0, MAX_CALLS_LISTED);

  const matched: { call: ExtensiveCall; by: CallSummary['matchedBy'] }[] = [];
  for (let i = 0; i < listed.length; i += DETAILS_PER_CALL) {
    const ids = listed.slice(i, i + DETAILS_PER_CALL).map((c) => c.id);
    const details = await allPages(session, 'gong_calls_get', { call_ids: ids }, (data) => {
      const res = gongExtensiveCallsResponse.parse(data);
      return { items: res.calls, cursor: res.records?.cursor };
    });
    for (const call of details) {
      const by = matchCall(call, crmId, email);
      if (by) matched.push({ call, by });
    }
  }
  matched.sort((a, b) => (b.call.metaData.started ?? '').localeCompare(a.call.metaData.started ?? ''));
  const recent = matched.slice(0, MAX_RESULTS);
  if (!recent.length) return [];

  const { data } = await session.call('gong_calls_transcript_get', { call_ids: recent.map((m) => m.call.metaData.id) });
  const transcripts = new Map(gongTranscriptsResponse.parse(data).callTranscripts.map((t) => [t.callId, t.transcript]));

  return recent.map(({ call, by }) => {
    const speakerName = new Map(call.parties.filter((p) => p.speakerId).map((p) => [p.speakerId!, p.name ?? p.emailAddress ?? 'Unknown speaker']));
    const preview: CallSummary['transcriptPreview'] = [];
    for (const mono of transcripts.get(call.metaData.id) ?? []) {
      for (const s of mono.sentences) {
        if (preview.length >= PREVIEW_SENTENCES) break;
        preview.push({ speaker: speakerName.get(mono.speakerId ?? '') ?? 'Unknown speaker', text: s.text });
      }
      if (preview.length >= PREVIEW_SENTENCES) break;
    }
    return {
      id: call.metaData.id,
      startedAt: call.metaData.started ?? '',
      title: call.metaData.title ?? 'Untitled call',
      durationSeconds: call.metaData.duration ?? 0,
      direction: call.metaData.direction ?? null,
      parties: call.parties.map((p) => ({ name: p.name ?? null, email: p.emailAddress ?? null, affiliation: affiliation(p) })),
      gongUrl: call.metaData.url ?? null,
      transcriptPreview: preview,
      talkRatio: talkRatio(call),
      matchedBy: by,
    };
  });
}

/** Calls: list, extensive details, transcripts, interaction stats, and registering a new call. */
import type { Ctx, Handler } from './context';
import { badRequest, omitUndefined, userByEmail } from './context';
import { findProspect } from './flows';
import { CALL_OUTCOMES, TRACKERS } from './settings';
import { callId } from './seed';
import type { Call, CallParty } from './state';
import { gongError, paginate, prng, randInt } from './util';

export const CALL_PAGE_SIZE = 100;

const REP_LINES = [
  'Thanks for making the time today.',
  'Could you walk me through how your team handles this today?',
  'What happens if nothing changes over the next two quarters?',
  'Who else would be involved in evaluating a solution like this?',
  'Let me share my screen and show you how that looks in practice.',
  'On pricing, we usually start with a pilot for one team.',
  'We are SOC 2 Type II certified and support SSO out of the box.',
  'How does that compare to what you saw from Globex?',
  'As next steps, I will send over a summary and a calendar invite.',
  'Does a follow up next Tuesday work for you?',
];
const PROSPECT_LINES = [
  'Sure, happy to. We are mostly doing this in spreadsheets right now.',
  'Honestly the biggest issue is visibility into what reps actually say.',
  'Our CFO will want to see the cost before anything else.',
  'We looked at Globex last year but the rollout stalled.',
  'Security review is usually a six week process for us.',
  'That integration with Salesforce is exactly what we need.',
  'I would need to loop in our VP of Operations.',
  'What does the budget look like for a team of forty?',
  'Yes, Tuesday works. Please send the invite.',
  'This looks promising, let us keep going.',
];

function speakers(call: Call) {
  return call.parties.filter((p) => p.affiliation !== 'Unknown');
}

/** Deterministic per-call talk times and interaction stats. */
export function callStats(call: Call) {
  const rand = prng(call.seed);
  const people = speakers(call);
  const talkTotal = Math.round(call.duration * 0.9);
  const primary = people.find((p) => p.userId === call.primaryUserId) ?? people[0];
  const repShare = 0.35 + rand() * 0.35;
  const others = people.filter((p) => p !== primary);
  const talk = new Map<CallParty, number>();
  talk.set(primary, Math.round(talkTotal * repShare));
  others.forEach((p, i) => talk.set(p, Math.round((talkTotal * (1 - repShare)) / others.length) + i));
  const stats = [
    { name: 'Talk Ratio', value: Math.round(repShare * 100) / 100 },
    { name: 'Longest Monologue', value: randInt(rand, 45, 240) },
    { name: 'Longest Customer Story', value: randInt(rand, 20, 180) },
    { name: 'Interactivity', value: Math.round((3 + rand() * 5) * 10) / 10 },
    { name: 'Patience', value: Math.round((0.4 + rand() * 1.6) * 100) / 100 },
    { name: 'Question Rate', value: Math.round((2 + rand() * 10) * 10) / 10 },
  ];
  return {
    // UserSpeaker.id is "Unique ID of the participant in the call" (gong-openapi.json): the party's id.
    speakers: people.map((p) => omitUndefined({ id: p.id, userId: p.userId, talkTime: talk.get(p) ?? 0 })),
    interactionStats: stats,
    questions: { companyCount: randInt(rand, 5, 25), nonCompanyCount: randInt(rand, 2, 15) },
    repShare,
  };
}

export function transcriptOf(call: Call) {
  if (call.created) return [];
  const rand = prng(call.seed + 1);
  const people = speakers(call);
  const primary = people.find((p) => p.userId === call.primaryUserId) ?? people[0];
  const other = people.find((p) => p !== primary) ?? primary;
  const segments = [];
  let t = 2_000;
  const n = 12 + (call.seed % 6);
  for (let s = 0; s < n && t < call.duration * 1000; s++) {
    const rep = s % 2 === 0;
    const who = rep ? primary : other;
    const bank = rep ? REP_LINES : PROSPECT_LINES;
    const sentences = [];
    const count = 1 + Math.floor(rand() * 3);
    for (let k = 0; k < count; k++) {
      const len = 2_000 + Math.floor(rand() * 6_000);
      sentences.push({ start: t, end: t + len, text: bank[(s * 3 + k + call.seed) % bank.length] });
      t += len + 300;
    }
    segments.push({ speakerId: who.speakerId, topic: call.topics[Math.floor(s / 3) % call.topics.length] ?? null, sentences });
  }
  return segments;
}

export function callMeta(call: Call) {
  return omitUndefined({
    id: call.id,
    url: `https://app.gong.io/call?id=${call.id}`,
    title: call.title,
    scheduled: call.scheduled,
    started: call.started,
    duration: call.duration,
    primaryUserId: call.primaryUserId,
    direction: call.direction,
    system: call.system,
    scope: call.scope,
    media: call.media,
    language: call.language,
    workspaceId: call.workspaceId,
    sdrDisposition: call.disposition,
    clientUniqueId: call.clientUniqueId,
    purpose: call.purpose,
    meetingUrl: call.system === 'Zoom' ? `https://zoom.us/j/9${call.id.slice(-9)}` : undefined,
    isPrivate: false,
  });
}

function extensive(call: Call) {
  const st = callStats(call);
  const rand = prng(call.seed + 2);
  const outcome = CALL_OUTCOMES.find((o) => o.callOutcome === call.outcome);
  const trackers = call.scope === 'Internal' ? [] : TRACKERS.filter((tr) => tr.workspaceId === call.workspaceId).slice(0, 4).map((tr) => {
    const count = randInt(rand, 0, 5);
    const occurrences = Array.from({ length: count }, () => ({ startTime: Math.round(rand() * call.duration * 10) / 10, speakerId: pickSpeaker(call, rand) }));
    return { id: tr.trackerId, name: tr.trackerName, count, type: 'KEYWORD', occurrences, phrases: count ? [{ count, occurrences, phrase: tr.keywords[0] }] : [] };
  });
  return {
    metaData: callMeta(call),
    context: call.account ? [{ system: call.account.system, objects: [{ objectType: 'Account', objectId: call.account.objectId, timing: 'Now' }] }] : [],
    parties: call.parties.map((p) =>
      omitUndefined({
        id: p.id,
        emailAddress: p.emailAddress,
        name: p.name,
        title: p.title,
        userId: p.userId,
        speakerId: p.speakerId,
        context: p.crm ? [{ system: p.crm.system, objects: [{ objectType: p.crm.objectType, objectId: p.crm.objectId, timing: 'Now' }] }] : undefined,
        affiliation: p.affiliation,
        phoneNumber: p.phoneNumber,
        methods: ['Invitee', 'Attendee'],
      }),
    ),
    content: omitUndefined({
      structure: [
        { name: 'Intro', duration: Math.round(call.duration * 0.1) },
        { name: 'Discovery', duration: Math.round(call.duration * 0.5) },
        { name: 'Next steps', duration: Math.round(call.duration * 0.4) },
      ],
      trackers,
      topics: call.topics.map((name, i) => ({ name, duration: Math.round(call.duration / (call.topics.length + 1)) + i })),
      brief: call.scope === 'Internal' ? 'Internal pipeline review.' : `${call.purpose ?? 'Call'} with ${call.parties.find((p) => p.affiliation === 'External')?.name ?? 'the prospect'}: pains, stakeholders and next steps were discussed.`,
      keyPoints: [{ text: 'Current process is manual and lacks visibility.' }, { text: 'Security review required before purchase.' }],
      callOutcome: outcome ? { id: outcome.id, category: outcome.category === 'ANSWERED' ? 'Answered' : 'Not answered', name: outcome.callOutcome } : undefined,
    }),
    interaction: { speakers: st.speakers, interactionStats: st.interactionStats, questions: st.questions },
    collaboration: { publicComments: [] },
  };
}

function pickSpeaker(call: Call, rand: () => number): string {
  const people = speakers(call);
  return people[Math.floor(rand() * people.length)].speakerId;
}

function filterCalls(c: Ctx, f: { ids?: string[]; from?: string; to?: string; workspace?: string }): Call[] {
  const from = f.from ? Date.parse(f.from) : -Infinity;
  const to = f.to ? Date.parse(f.to) : Infinity;
  const ids = f.ids ? new Set(f.ids) : undefined;
  const calls = c.state.calls
    .filter((call) => !ids || ids.has(call.id))
    .filter((call) => !f.workspace || call.workspaceId === f.workspace)
    .filter((call) => {
      const t = Date.parse(call.started);
      return t >= from && t < to;
    })
    .sort((a, b) => a.started.localeCompare(b.started) || a.id.localeCompare(b.id));
  if (calls.length === 0) throw gongError(404, c.requestId, ['No calls found corresponding to the provided filters']);
  return calls;
}

function rangeCheck(c: Ctx, from?: string, to?: string) {
  if (from && to && Date.parse(from) >= Date.parse(to)) badRequest(c, 'fromDateTime must be before toDateTime');
}

type CallQuery = { call_ids?: string[] | string; cursor?: string; from_date_time?: string; to_date_time?: string; workspace_id?: string };

function query(c: Ctx, kind: string, input: CallQuery) {
  rangeCheck(c, input.from_date_time, input.to_date_time);
  const ids = typeof input.call_ids === 'string' ? input.call_ids.split(',') : input.call_ids;
  const calls = filterCalls(c, { ids, from: input.from_date_time, to: input.to_date_time, workspace: input.workspace_id });
  const key = `${kind}|${ids?.join(',') ?? ''}|${input.from_date_time ?? ''}|${input.to_date_time ?? ''}|${input.workspace_id ?? ''}`;
  return paginate(calls, CALL_PAGE_SIZE, input.cursor, key, c.requestId);
}

const callsList: Handler = (c, input: CallQuery) => {
  const { page, records } = query(c, 'list', input);
  return { requestId: c.requestId, records, calls: page.map(callMeta) };
};

const callsGet: Handler = (c, input: CallQuery) => {
  const { page, records } = query(c, 'extensive', input);
  return { requestId: c.requestId, records, calls: page.map(extensive) };
};

const transcripts: Handler = (c, input: CallQuery) => {
  const { page, records } = query(c, 'transcript', input);
  return { requestId: c.requestId, records, callTranscripts: page.map((call) => ({ callId: call.id, transcript: transcriptOf(call) })) };
};

const statsInteraction: Handler = (c, input: { from_date_time: string; to_date_time: string; call_ids?: string[]; cursor?: string }) => {
  rangeCheck(c, input.from_date_time, input.to_date_time);
  const from = Date.parse(input.from_date_time);
  const to = Date.parse(input.to_date_time);
  const ids = input.call_ids ? new Set(input.call_ids) : undefined;
  const calls = c.state.calls.filter((call) => (!ids || ids.has(call.id)) && Date.parse(call.started) >= from && Date.parse(call.started) < to);
  const perUser = new Map<string, { n: number; sums: Map<string, number> }>();
  for (const call of calls) {
    const st = callStats(call);
    const agg = perUser.get(call.primaryUserId) ?? { n: 0, sums: new Map<string, number>() };
    agg.n += 1;
    for (const s of st.interactionStats) agg.sums.set(s.name, (agg.sums.get(s.name) ?? 0) + s.value);
    perUser.set(call.primaryUserId, agg);
  }
  const rows = [...perUser.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([userId, agg]) => ({
      userId,
      userEmailAddress: c.state.users.find((u) => u.id === userId)?.emailAddress ?? '',
      personInteractionStats: [...agg.sums.entries()].map(([name, sum]) => ({ name, value: Math.round((sum / agg.n) * 100) / 100 })),
    }));
  const key = `stats|${input.from_date_time}|${input.to_date_time}|${input.call_ids?.join(',') ?? ''}`;
  const { page, records } = paginate(rows, CALL_PAGE_SIZE, input.cursor, key, c.requestId);
  return { requestId: c.requestId, records, peopleInteractionStats: page, fromDateTime: input.from_date_time, toDateTime: input.to_date_time, timeZone: 'UTC' };
};

type CreateInput = {
  actual_start: string;
  call_provider_code?: string;
  client_unique_id?: string;
  direction?: Call['direction'];
  disposition?: string;
  duration?: number;
  language?: string;
  parties?: { emailAddress?: string; name?: string; speakerId?: string; userId?: string }[];
  purpose?: string;
  scheduled_end?: string;
  scheduled_start?: string;
  title?: string;
  workspace_id?: string;
};

const callsCreate: Handler = (c, input: CreateInput) => {
  if (input.client_unique_id && c.state.calls.some((x) => x.clientUniqueId === input.client_unique_id)) {
    throw gongError(409, c.requestId, [`A call with clientUniqueId ${input.client_unique_id} already exists`]);
  }
  if (input.workspace_id && !c.state.workspaces.some((w) => w.id === input.workspace_id)) badRequest(c, `Unknown workspaceId ${input.workspace_id}`);
  const rawParties = input.parties && input.parties.length ? input.parties : [{ emailAddress: c.identifier }];
  c.state.counters.call += 1;
  const id = callId(c.state.counters.call);
  const n = c.state.counters.call;
  const parties: CallParty[] = rawParties.map((p, i) => {
    const user = (p.userId && c.state.users.find((u) => u.id === p.userId)) || (p.emailAddress && userByEmail(c, p.emailAddress)) || undefined;
    const prospect = !user && p.emailAddress ? c.state.prospects.find((x) => x.email.toLowerCase() === p.emailAddress!.toLowerCase()) : undefined;
    return {
      id: `${n}0${i + 1}`,
      emailAddress: p.emailAddress ?? user?.emailAddress,
      name: p.name ?? (user ? `${user.firstName} ${user.lastName}` : prospect ? `${prospect.firstName} ${prospect.lastName}` : undefined),
      title: user?.title ?? prospect?.title,
      userId: user?.id,
      speakerId: p.speakerId ?? `${n}9${i + 1}`,
      affiliation: user ? 'Internal' : p.emailAddress ? 'External' : 'Unknown',
      crm: prospect ? { system: prospect.crm === 'salesforce' ? 'Salesforce' : 'HubSpot', objectType: prospect.type === 'LEAD' ? 'Lead' : 'Contact', objectId: prospect.crmId } : undefined,
    };
  });
  const primary = c.state.users.find((u) => u.id === parties.find((p) => p.userId)?.userId) ?? userByEmail(c, c.identifier);
  if (!primary) {
    c.state.counters.call -= 1;
    badRequest(c, 'primaryUser: no Gong user among the parties or the caller');
  }
  const external = parties.find((p) => p.crm);
  const prospect = external?.crm ? findProspect(c, external.crm.objectId) : undefined;
  const account = prospect ? c.state.accounts.find((a) => a.name === prospect.accountName) : undefined;
  const call: Call = {
    id,
    title: input.title ?? `${primary.firstName} ${primary.lastName} call`,
    scheduled: input.scheduled_start ?? input.actual_start,
    started: new Date(Date.parse(input.actual_start)).toISOString(),
    duration: input.duration ?? 0,
    primaryUserId: primary.id,
    direction: input.direction ?? 'Outbound',
    system: input.call_provider_code ?? 'API',
    scope: parties.some((p) => p.affiliation === 'External') ? 'External' : 'Internal',
    media: 'Audio',
    language: input.language ?? 'eng',
    workspaceId: input.workspace_id ?? primary.workspaceId,
    purpose: input.purpose,
    disposition: input.disposition,
    clientUniqueId: input.client_unique_id,
    parties,
    account: prospect && account ? { system: prospect.crm === 'salesforce' ? 'Salesforce' : 'HubSpot', objectId: prospect.accountCrmId, name: account.name } : undefined,
    topics: [],
    seed: 5000 + n * 7919,
    created: true,
  };
  c.state.calls.push(call);
  c.store.changed();
  return { requestId: c.requestId, callId: id };
};

export const callHandlers: Record<string, Handler> = {
  gong_calls_list: callsList,
  gong_calls_get: callsGet,
  gong_calls_transcript_get: transcripts,
  gong_calls_create: callsCreate,
  gong_stats_interaction: statsInteraction,
};

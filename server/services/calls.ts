/**
 * A prospect's recent calls. Gong cannot filter calls by prospect, so: list the calls in a window,
 * fetch their extensive details, keep those where a party is the prospect (CRM id in the party's
 * context, or the given email), then add a transcript preview and the talk ratio. The list and the
 * details live in a company-wide index (CallsIndex) shared by every rep.
 */
import type { z } from 'zod';
import type { CallSummary } from '../../lib/api';
import { gongCallsListResponse, gongExtensiveCall, gongExtensiveCallsResponse, gongTranscriptsResponse } from '../../lib/gong-types';
import type { GongToolName } from '../../lib/gong-tools';
import { classifyGongError } from '../gong/failure';
import type { GongGateway } from '../gong/gateway';
import type { GongSession } from '../gong/session';
import type { SharedRead } from '../store/shared-reads';

type ExtensiveCall = z.infer<typeof gongExtensiveCall>;
type Party = ExtensiveCall['parties'][number];
type Transcript = z.infer<typeof gongTranscriptsResponse>['callTranscripts'][number]['transcript'];
type ListedCall = z.infer<typeof gongCallsListResponse>['calls'][number];

/** The index holds at most this many calls of a window: the newest ones. */
const MAX_CALLS_LISTED = 1_000;
const DETAILS_PER_CALL = 100;
/** `gong_calls_list` calls per refresh: pages of ~100 calls, plus the probes of the window's halves. */
const MAX_LIST_CALLS = 15;
/** `gong_calls_get` calls per refresh: the listed calls' details, 100 ids a call. */
const MAX_DETAILS_CALLS = Math.ceil(MAX_CALLS_LISTED / DETAILS_PER_CALL);
/** The bound on Gong calls one refresh of the calls index makes (list + details; transcripts are per prospect). */
export const CALLS_INDEX_MAX_GONG_CALLS = MAX_LIST_CALLS + MAX_DETAILS_CALLS;
/** A piece of the window shorter than this is not split further. */
const MIN_SLICE_MS = 5 * 60_000;
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

/**
 * The prospect's calls: a party carrying its CRM id, or an outside party with its email. Never an internal party's
 * email: that would list a colleague's calls to anyone who names them as the "prospect".
 */
function matchCall(call: ExtensiveCall, crmId: string, email: string | undefined): CallSummary['matchedBy'] | null {
  if (call.parties.some((p) => partyCrmIds(p).some((id) => sameCrmId(id, crmId)))) return 'crmId';
  if (email && call.parties.some((p) => affiliation(p) !== 'Internal' && p.emailAddress?.toLowerCase() === email.toLowerCase())) return 'email';
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
  // Speakers name only Gong users (UserSpeaker) while the prospect was on the call: the other side's share
  // is unknown, so no ratio rather than a false 1.0 (docs/sandbox.md, Calls).
  if (internal.length === speakers.length && call.parties.some((p) => affiliation(p) === 'External')) return null;
  return Math.round((internal.reduce((s, x) => s + (x.talkTime ?? 0), 0) / total) * 1000) / 1000;
}

const INDEX_ROUNDING_MS = 5 * 60_000;

interface CallsWindowIndex {
  /** Start of the listed window (rounded down to 5 minutes, so repeated lists are the same call). */
  from: number;
  loadedAt: number;
  /** Generation of the `calls` write tag when loading started. */
  generation: number;
  calls: ExtensiveCall[];
}

/** A window's index as replicas share it (server/store/shared-reads.ts), keyed by its length in days. */
export interface SharedCallsWindow {
  from: number;
  calls: ExtensiveCall[];
}

/** The kind of shared read the calls index fills. */
export const SHARED_CALLS_INDEX = 'calls-index';

/**
 * A Gong call whose "nothing found" answer is a 404 (listCalls: "No calls found for the specified period"). For the
 * company-wide index, which every rep reads: the company's budget pays, not the share of the rep who asked first.
 */
async function callOrNone(session: GongSession, tool: GongToolName, input: Record<string, unknown>): Promise<unknown> {
  try {
    return (await session.call(tool, input, { forCompany: true })).data;
  } catch (err) {
    if (classifyGongError(err).kind === 'not-found') return null;
    throw err;
  }
}

/**
 * Company-wide index of recent calls: the window's newest calls (at most MAX_CALLS_LISTED, listed with
 * both ends of the window, see listNewest), extensive details fetched once per call id (a processed call does not
 * change) and kept, transcripts likewise. Shared by every rep of the company (calls are company data) and
 * refreshed when older than `ttlMs` or after a call was created through this backend; concurrent
 * refreshes are one. A prospect's calls are then matched in memory: no Gong call per record view.
 * Behind several replicas (PostgreSQL), a refresh first looks in the replicas' shared level (`shared`), where every
 * replica stores the windows it loaded and every write of a call drops them: one replica's refresh serves the others.
 */
export class CallsIndex {
  private readonly windows = new Map<number, CallsWindowIndex>();
  /** Loads under way, with the rep whose connection makes the calls. */
  private readonly refreshing = new Map<number, { index: Promise<CallsWindowIndex>; userId: number }>();
  private readonly details = new Map<string, ExtensiveCall>();
  private readonly transcripts = new Map<string, Transcript>();
  private generation = 0;
  /** Drops on their way to the shared level: a read of it waits for them (it must see this replica's writes). */
  private dropping: Promise<void> = Promise.resolve();

  constructor(
    gateway: GongGateway,
    private readonly ttlMs: number,
    private readonly maxCalls = 20_000,
    /** The replicas' shared level (with PostgreSQL); none for one process. */
    private readonly shared?: SharedRead<SharedCallsWindow>,
  ) {
    gateway.onInvalidate((tags) => {
      if (!tags.includes('calls')) return;
      this.generation++;
      if (this.shared) this.dropping = Promise.all([this.dropping, this.shared.drop(null).catch(() => undefined)]).then(() => undefined);
    });
  }

  /** Refreshes of a window under way (from the shared level's read before to storing the window there after). */
  get refreshesUnderWay(): number {
    return this.refreshing.size;
  }

  /** Extensive calls started in the last `days` days, from the index (refreshed when stale). */
  async recentCalls(session: GongSession, days: number): Promise<ExtensiveCall[]> {
    const now = Date.now();
    const cur = this.windows.get(days);
    const fresh = cur && now - cur.loadedAt < this.ttlMs && cur.generation === this.generation;
    const index = fresh ? cur : await this.refresh(session, days);
    const since = now - days * 86_400_000;
    return index.calls.filter((c) => !c.metaData.started || Date.parse(c.metaData.started) >= since);
  }

  /** Transcripts of these calls, fetched once per call id. */
  async transcriptsOf(session: GongSession, callIds: string[]): Promise<Map<string, Transcript>> {
    const out = new Map<string, Transcript>();
    for (const id of callIds) if (this.transcripts.has(id)) out.set(id, this.transcripts.get(id)!);
    const missing = callIds.filter((id) => !out.has(id));
    if (missing.length) {
      const data = await callOrNone(session, 'gong_calls_transcript_get', { call_ids: missing });
      for (const t of data === null ? [] : gongTranscriptsResponse.parse(data).callTranscripts) {
        out.set(t.callId, t.transcript);
        this.remember(this.transcripts, t.callId, t.transcript);
      }
      // A call without a transcript yet (still processing) is asked again next time.
    }
    return out;
  }

  private refresh(session: GongSession, days: number): Promise<CallsWindowIndex> {
    const running = this.refreshing.get(days);
    if (running) {
      if (running.userId === session.user.id) return running.index;
      // Another rep's load: its failure (their connection, their share of the budget) is not this rep's answer.
      return running.index.catch(() => this.refresh(session, days));
    }
    const index: Promise<CallsWindowIndex> = (this.shared ? this.sharedOrLoad(session, days, this.shared) : this.load(session, days)).finally(() => {
      if (this.refreshing.get(days)?.index === index) this.refreshing.delete(days);
    });
    this.refreshing.set(days, { index, userId: session.user.id });
    return index;
  }

  /** The window another replica loaded within the TTL, else loaded here and stored for the others. */
  private async sharedOrLoad(session: GongSession, days: number, shared: SharedRead<SharedCallsWindow>): Promise<CallsWindowIndex> {
    await this.dropping;
    const generation = this.generation;
    const row = (await shared.get([String(days)]).catch(() => new Map<string, never>())).get(String(days));
    // A write heard while the database answered: that answer may be older than the write.
    if (row && generation === this.generation) {
      for (const call of row.value.calls) this.remember(this.details, call.metaData.id, call);
      const index: CallsWindowIndex = { from: row.value.from, loadedAt: Date.now() - row.ageMs, generation, calls: row.value.calls };
      if (this.ttlMs > 0) this.windows.set(days, index);
      return index;
    }
    const askedAt = await shared.clock().catch(() => null);
    const index = await this.load(session, days);
    // Awaited: the refresh is one per window and replica, and other replicas' next refresh finds it.
    if (askedAt !== null && index.generation === this.generation) await shared.put([{ key: String(days), value: { from: index.from, calls: index.calls } }], askedAt).catch(() => undefined);
    return index;
  }

  private async load(session: GongSession, days: number): Promise<CallsWindowIndex> {
    const generation = this.generation;
    const loadedAt = Date.now();
    const from = Math.floor((loadedAt - days * 86_400_000) / INDEX_ROUNDING_MS) * INDEX_ROUNDING_MS;
    // Both ends of the window (listCalls: toDateTime is exclusive); rounded so that repeated lists are the same call.
    const to = Math.ceil((loadedAt + 1) / INDEX_ROUNDING_MS) * INDEX_ROUNDING_MS;
    const listed = await this.listNewest(session, from, to);
    const got = new Map<string, ExtensiveCall>();
    for (const c of listed) if (this.details.has(c.id)) got.set(c.id, this.details.get(c.id)!);
    const missing = listed.map((c) => c.id).filter((id) => !got.has(id));
    for (let i = 0; i < missing.length && i / DETAILS_PER_CALL < MAX_DETAILS_CALLS; i += DETAILS_PER_CALL) {
      const data = await callOrNone(session, 'gong_calls_get', { call_ids: missing.slice(i, i + DETAILS_PER_CALL) });
      for (const call of data === null ? [] : gongExtensiveCallsResponse.parse(data).calls) {
        got.set(call.metaData.id, call);
        this.remember(this.details, call.metaData.id, call);
      }
    }
    const calls = listed.map((c) => got.get(c.id)).filter((c): c is ExtensiveCall => !!c);
    const index: CallsWindowIndex = { from, loadedAt, generation, calls };
    if (this.ttlMs > 0) this.windows.set(days, index);
    return index;
  }

  /**
   * The newest calls (at most MAX_CALLS_LISTED) started in [from, to), newest first, in at most
   * MAX_LIST_CALLS Gong calls. Gong lists a period in its own order and pages it, so a period holding more
   * than fits is split in halves, the newer half first; a period is paged only when all its pages fit in
   * what is left of the budget, so the index never has a gap. A period without calls is Gong's 404.
   */
  private async listNewest(session: GongSession, from: number, to: number): Promise<ListedCall[]> {
    const out: ListedCall[] = [];
    let budget = MAX_LIST_CALLS;
    const list = async (start: number, end: number, cursor?: string) => {
      budget--;
      const input: Record<string, unknown> = { from_date_time: new Date(start).toISOString(), to_date_time: new Date(end).toISOString() };
      if (cursor) input.cursor = cursor;
      const data = await callOrNone(session, 'gong_calls_list', input);
      return data === null ? null : gongCallsListResponse.parse(data);
    };
    const period = async (start: number, end: number): Promise<void> => {
      if (budget <= 0 || out.length >= MAX_CALLS_LISTED) return;
      const first = await list(start, end);
      if (!first) return;
      const total = Math.max(first.records?.totalRecords ?? 0, first.calls.length);
      const perPage = Math.max(1, first.records?.currentPageSize ?? first.calls.length);
      const pagesLeft = first.records?.cursor ? Math.ceil(total / perPage) - 1 : 0;
      const fits = total <= MAX_CALLS_LISTED - out.length && pagesLeft <= budget;
      if (!fits && end - start > MIN_SLICE_MS) {
        const mid = start + Math.floor((end - start) / 2);
        await period(mid, end);
        await period(start, mid);
        return;
      }
      if (!fits) return; // a few minutes holding more than is left: stop here rather than leave a gap
      const calls = [...first.calls];
      let cursor = first.records?.cursor;
      while (cursor && budget > 0) {
        const page = await list(start, end, cursor);
        if (!page) break;
        calls.push(...page.calls);
        cursor = page.records?.cursor === cursor ? undefined : page.records?.cursor;
      }
      out.push(...calls.sort((a, b) => (b.started ?? '').localeCompare(a.started ?? '')));
    };
    await period(from, to);
    return out.slice(0, MAX_CALLS_LISTED);
  }

  private remember<T>(map: Map<string, T>, key: string, value: T): void {
    // TTL 0 (no caching at all, e.g. the benchmark's naive baseline): keep nothing.
    if (this.ttlMs <= 0) return;
    if (map.size >= this.maxCalls && !map.has(key)) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
    }
    map.set(key, value);
  }
}

export async function prospectCalls(index: CallsIndex, session: GongSession, crmId: string, email: string | undefined, days: number): Promise<CallSummary[]> {
  const matched: { call: ExtensiveCall; by: CallSummary['matchedBy'] }[] = [];
  // The index is company data, refreshed on whichever rep's connection: only for a connected rep.
  const [calls] = await Promise.all([index.recentCalls(session, days), session.ensureConnected()]);
  for (const call of calls) {
    const by = matchCall(call, crmId, email);
    if (by) matched.push({ call, by });
  }
  matched.sort((a, b) => (b.call.metaData.started ?? '').localeCompare(a.call.metaData.started ?? ''));
  const recent = matched.slice(0, MAX_RESULTS);
  if (!recent.length) return [];

  const transcripts = await index.transcriptsOf(session, recent.map((m) => m.call.metaData.id));

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

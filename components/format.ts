/**
 * Pure display helpers shared by the side panel and popup: dates, durations, flow status badges,
 * flow grouping/search, refusal and failure wording. No DOM, no browser APIs (unit-tested).
 */
import type { ConnectionStatus, Flow, ProspectFlow, Refusal } from '../lib/api';

export type Tone = 'success' | 'warning' | 'error' | 'info' | 'neutral';

/** Gong flow-instance statuses → short label + badge tone. Unknown statuses pass through readable. */
export function flowStatusBadge(status: string): { label: string; tone: Tone } {
  switch (status) {
    case 'Running':
      return { label: 'Active', tone: 'success' };
    case 'Pending':
      return { label: 'Scheduled', tone: 'info' };
    case 'Paused':
      return { label: 'Paused', tone: 'warning' };
    case 'FinishedResponse':
      return { label: 'Replied', tone: 'success' };
    case 'FinishedNoReply':
      return { label: 'Finished · no reply', tone: 'neutral' };
    case 'Finished':
      return { label: 'Finished', tone: 'neutral' };
    default:
      return { label: humanize(status), tone: 'neutral' };
  }
}

/** "FinishedNoReply" / "IN_PROGRESS" → "Finished no reply" / "In progress". */
export function humanize(s: string): string {
  const words = s
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase();
  return words ? words[0].toUpperCase() + words.slice(1) : '';
}

/** Flows that are still doing something come first; finished ones after, newest first within each. */
export function sortProspectFlows(flows: ProspectFlow[]): ProspectFlow[] {
  const rank = (s: string) => (s === 'Running' ? 0 : s === 'Pending' ? 1 : s === 'Paused' ? 2 : 3);
  return [...flows].sort((a, b) => rank(a.status) - rank(b.status) || (b.assignedAt ?? '').localeCompare(a.assignedAt ?? ''));
}

export function isActiveFlowStatus(status: string): boolean {
  return status === 'Running' || status === 'Pending' || status === 'Paused';
}

/** 1925 → "32m 5s"; 3720 → "1h 2m"; 42 → "42s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h) return m ? `${h}h ${m}m` : `${h}h`;
  if (m) return sec && m < 10 ? `${m}m ${sec}s` : `${m}m`;
  return `${sec}s`;
}

const DAY = 86_400_000;

/**
 * Date formats, each built once: `toLocaleDateString(locale, options)` builds a new formatter on every call,
 * which took 20–70 ms of a cold panel's first render for a few flow rows (bench/README.md, cold open).
 */
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = JSON.stringify(options);
  let f = dateFormats.get(key);
  if (!f) dateFormats.set(key, (f = new Intl.DateTimeFormat('en-US', options)));
  return f;
}

/** A short date that reads naturally next to a list row: "Today 3:04 PM", "Yesterday", "Mar 4", "Mar 4, 2023". */
export function formatShortDate(iso: string | null | undefined, now: Date = new Date(), opts: { withTime?: boolean } = {}): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const time = () => dateFormat({ hour: 'numeric', minute: '2-digit' }).format(d);
  if (d.getTime() >= startOfToday && d.getTime() < startOfToday + DAY) return opts.withTime ? `Today ${time()}` : 'Today';
  if (d.getTime() >= startOfToday - DAY && d.getTime() < startOfToday) return opts.withTime ? `Yesterday ${time()}` : 'Yesterday';
  const sameYear = d.getFullYear() === now.getFullYear();
  const date = dateFormat({ month: 'short', day: 'numeric', ...(sameYear ? {} : { year: 'numeric' }) }).format(d);
  return opts.withTime ? `${date}, ${time()}` : date;
}

/** "just now", "5 min ago", "3 h ago", then a short date. */
export function formatAgo(ms: number, now: number = Date.now()): string {
  const diff = Math.max(0, now - ms);
  if (diff < 45_000) return 'just now';
  if (diff < 3_600_000) return `${Math.round(diff / 60_000)} min ago`;
  if (diff < DAY) return `${Math.round(diff / 3_600_000)} h ago`;
  return formatShortDate(new Date(ms).toISOString(), new Date(now));
}

/** Value for <input type="datetime-local"> in local time. */
export function toLocalInputValue(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** <input type="datetime-local"> value (local time) → ISO with offset, as the backend wants. Null if invalid. */
export function fromLocalInputValue(v: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(v)) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function initials(name: string | null | undefined, email?: string | null): string {
  const src = (name ?? '').trim();
  if (src) {
    const parts = src.split(/\s+/).filter(Boolean);
    return ((parts[0]?.[0] ?? '') + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase();
  }
  return (email ?? '?').slice(0, 1).toUpperCase();
}

// ── Flow picker ──────────────────────────────────────────────────────────────────────────────────

export type FlowGroupKind = 'COMPANY' | 'PERSONAL' | 'SHARED';
export const FLOW_GROUP_LABEL: Record<FlowGroupKind, string> = {
  COMPANY: 'Company flows',
  PERSONAL: 'My flows',
  SHARED: 'Shared with me',
};

export interface FlowGroup {
  kind: FlowGroupKind;
  label: string;
  folders: { folderName: string; flows: Flow[] }[];
  count: number;
}

/** Case- and accent-insensitive match of every word of the query against name + folder. */
export function matchesFlow(flow: Flow, query: string): boolean {
  const norm = (s: string) => s.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
  const hay = norm(`${flow.name} ${flow.folderName ?? ''}`);
  return norm(query)
    .split(/\s+/)
    .filter(Boolean)
    .every((w) => hay.includes(w));
}

/** Groups flows by visibility (company, personal, shared), then folder; both sorted by name. */
export function groupFlows(flows: Flow[], query = ''): FlowGroup[] {
  const order: FlowGroupKind[] = ['COMPANY', 'PERSONAL', 'SHARED'];
  const groups: FlowGroup[] = [];
  for (const kind of order) {
    const inKind = flows.filter((f) => f.visibility === kind && matchesFlow(f, query));
    if (!inKind.length) continue;
    const byFolder = new Map<string, Flow[]>();
    for (const f of inKind) {
      const folder = f.folderName ?? 'No folder';
      byFolder.set(folder, [...(byFolder.get(folder) ?? []), f]);
    }
    const folders = [...byFolder.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([folderName, fs]) => ({ folderName, flows: fs.sort((a, b) => a.name.localeCompare(b.name)) }));
    groups.push({ kind, label: FLOW_GROUP_LABEL[kind], folders, count: inKind.length });
  }
  return groups;
}

// ── Refusals ─────────────────────────────────────────────────────────────────────────────────────

/**
 * The day a cool-off ends, in the rep's locale ("Dec 12, 2026"), from the date Gong's message carries (an
 * ISO date or timestamp); null when it names none. Gong's own text holds ids and ISO dates a rep should not
 * have to read.
 */
export function coolOffEnds(message: string, locale?: string): string | null {
  const m = /\b\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?/.exec(message);
  const d = m ? new Date(m[0]) : null;
  return d && !Number.isNaN(d.getTime()) ? d.toLocaleDateString(locale, { dateStyle: 'medium' }) : null;
}

/** Gong's refusal in words a rep understands; Gong's own message stays available as detail (except for cool-off). */
export function explainRefusal(r: Pick<Refusal, 'code' | 'message' | 'coolOff'>, opts: { short?: boolean; locale?: string } = {}): string {
  if (r.coolOff) {
    const until = coolOffEnds(r.message, opts.locale);
    if (opts.short) return until ? `In Gong's cool-off period until ${until}: finished a flow recently.` : "In Gong's cool-off period: finished a flow recently.";
    return `This prospect finished a flow recently, so Gong won't start another one ${until ? `before ${until}` : 'yet'} (its cool-off period). Assign anyway to start this flow now.`;
  }
  const msg = r.message.toLowerCase();
  if (/already/.test(msg) && /flow/.test(msg)) return 'This prospect is already in this flow.';
  if (/exclusive/.test(msg)) return 'This prospect is in an exclusive flow; remove them from it first.';
  if (/not found|unknown|does not exist/.test(msg))
    return "Gong doesn't know this prospect yet. Check that the record is synced from your CRM to Gong.";
  if (r.code === 'InvalidArgument') return `Gong can't use this prospect: ${r.message}`;
  if (r.code === 'InvalidState') return `Gong refused in the prospect's current state: ${r.message}`;
  return r.message || 'Gong refused the request.';
}

/** Whether connecting again is a re-connection (the banner's button says "Reconnect Gong"). */
export const reconnects = (status: ConnectionStatus | null | undefined) => status === 'EXPIRED' || status === 'DISCONNECTED';

/** The rep's Gong account is not usable, in a sentence that names its one action. */
export function notConnectedText(status: ConnectionStatus | null | undefined): string {
  switch (status) {
    case 'EXPIRED':
      return 'Your Gong connection expired. Reconnect Gong to go on.';
    case 'DISCONNECTED':
      return 'Gong was disconnected from your account. Reconnect Gong to go on.';
    case 'PENDING_AUTH':
      return 'Gong is waiting for you to authorize access. Connect Gong to finish.';
    case 'PENDING_VERIFICATION':
      return 'Gong is still verifying your connection. Try again in a minute.';
    default:
      return "Gong isn't connected for your account yet. Connect Gong to go on.";
  }
}

/** What a read says when the backend refused the API token; the panel then offers "Open settings" once. */
export const TOKEN_REJECTED = 'The backend did not accept your API token. Check it in settings.';

/** What Gong refused the rep's own Gong user (a missing scope or permission): only their Gong admin can change it. */
export const GONG_FORBIDDEN_TEXT = "Gong refused: your Gong user isn't allowed to do this. Ask your Gong admin for access.";

/** A failure the backend answered (or the outbox kept), in words a rep can act on. */
export function explainFailure(f: { code: string; message: string; connectionStatus?: ConnectionStatus | null }): string {
  switch (f.code) {
    case 'NETWORK':
      return "Can't reach the Gong backend. Check that it's running and the URL in settings.";
    case 'GONG_NOT_CONNECTED':
      return notConnectedText(f.connectionStatus);
    case 'GONG_FORBIDDEN':
      return GONG_FORBIDDEN_TEXT;
    case 'UNAUTHENTICATED':
      return TOKEN_REJECTED;
    case 'GONG_RATE_LIMITED':
    case 'TOO_MANY_REQUESTS':
      return 'Gong is busy right now. Try again in a moment.';
    default:
      return f.message;
  }
}

/** "2 changes waiting for the backend". */
export function pendingLabel(n: number): string {
  return `${n} ${n === 1 ? 'change' : 'changes'} waiting for the backend`;
}

export function pluralize(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** The CRM's product name, as reps know it. */
export function crmLabel(crm: 'salesforce' | 'hubspot'): string {
  return crm === 'salesforce' ? 'Salesforce' : 'HubSpot';
}

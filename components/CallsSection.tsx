/** Recent Gong calls with this prospect. */
import { useState } from 'react';
import type { CallSummary } from '../lib/api';
import { CallCard } from './CallCard';
import { IconPhoneOut } from './icons';
import { Section } from './Section';

export interface CallsSectionProps {
  calls: { status: 'idle' | 'loading' | 'ready' | 'error'; data: CallSummary[] | null; error: string | null; refreshing: boolean };
  onRetry: () => void;
  /** Set while Gong is not connected: the saved list is shown dimmed. */
  readOnlyNote?: string | null;
  /** Its error is said once above the sections. */
  quiet?: boolean;
}

/** Calls shown before "Show more": the latest few are what a rep needs before reaching out. */
const FIRST = 3;

export function CallsSection({ calls, onRetry, readOnlyNote, quiet }: CallsSectionProps) {
  const [all, setAll] = useState(false);
  const sorted = [...(calls.data ?? [])].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const list = all ? sorted : sorted.slice(0, FIRST);
  return (
    <Section title="Recent calls" icon={<IconPhoneOut />} count={calls.data?.length ?? null} status={calls.status} error={calls.error} refreshing={calls.refreshing} onRetry={onRetry} skeletonRows={2} readOnlyNote={readOnlyNote} quiet={quiet}>
      {list.length === 0 ? (
        <p className="ge-section__empty">No Gong calls with this prospect in the last 90 days.</p>
      ) : (
        <ul className="ge-calls" aria-label="Calls">
          {list.map((c) => (
            <CallCard key={c.id} call={c} />
          ))}
        </ul>
      )}
      {sorted.length > FIRST && (
        <button type="button" className="ge-btn ge-btn--sm ge-btn--ghost ge-more" onClick={() => setAll(!all)} aria-expanded={all}>
          {all ? 'Show fewer calls' : `Show ${sorted.length - FIRST} more ${sorted.length - FIRST === 1 ? 'call' : 'calls'}`}
        </button>
      )}
    </Section>
  );
}

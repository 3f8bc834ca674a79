/** Recent Gong calls with this prospect. */
import type { CallSummary } from '../lib/api';
import { CallCard } from './CallCard';
import { IconPhoneOut } from './icons';
import { Section } from './Section';

export interface CallsSectionProps {
  calls: { status: 'idle' | 'loading' | 'ready' | 'error'; data: CallSummary[] | null; error: string | null; refreshing: boolean };
  onRetry: () => void;
}

export function CallsSection({ calls, onRetry }: CallsSectionProps) {
  const list = [...(calls.data ?? [])].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  return (
    <Section title="Recent calls" icon={<IconPhoneOut />} count={calls.data?.length ?? null} status={calls.status} error={calls.error} refreshing={calls.refreshing} onRetry={onRetry} skeletonRows={2}>
      {list.length === 0 ? (
        <p className="ge-section__empty">No Gong calls with this prospect in the last 90 days.</p>
      ) : (
        <ul className="ge-calls" aria-label="Calls">
          {list.map((c) => (
            <CallCard key={c.id} call={c} />
          ))}
        </ul>
      )}
    </Section>
  );
}

/** "2 changes waiting for the backend" with the list of queued writes and their last error. */
import { useState } from 'react';
import type { OutboxEntry, OutboxWrite } from '../lib/outbox';
import { formatAgo, pendingLabel } from './format';
import { IconChevron, IconClock } from './icons';

export function PendingWrites({ entries, describe, onRetry }: { entries: OutboxEntry[]; describe: (w: OutboxWrite) => string; onRetry?: () => void }) {
  const [open, setOpen] = useState(false);
  if (!entries.length) return null;
  return (
    <section className="ge-pending" aria-label="Pending changes">
      <button type="button" className="ge-pending__toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        <IconClock className="ge-pending__icon" />
        <span role="status">{pendingLabel(entries.length)}</span>
        <IconChevron className={`ge-chevron${open ? ' ge-chevron--open' : ''}`} />
      </button>
      {open && (
        <ul className="ge-pending__list">
          {entries.map((e) => (
            <li key={e.id}>
              <span>{describe(e.write)}</span>
              <span className="ge-muted">
                {e.status === 'sending' ? 'sending…' : e.attempts ? `tried ${e.attempts}×, retrying` : 'queued'} · {formatAgo(e.createdAt)}
              </span>
              {e.lastError && <span className="ge-pending__err">{e.lastError.message}</span>}
            </li>
          ))}
          {onRetry && (
            <li>
              <button type="button" className="ge-btn ge-btn--sm ge-pending__retry" onClick={onRetry}>
                Retry now
              </button>
            </li>
          )}
        </ul>
      )}
    </section>
  );
}

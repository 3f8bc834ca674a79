/**
 * A panel card that loads on its own: skeleton while loading, inline error with Retry that keeps
 * whatever is already shown, a subtle "updating" hint while stale data revalidates.
 */
import type { ReactNode } from 'react';
import { IconRefresh } from './icons';
import { InlineError } from './InlineError';
import { Skeleton } from './Skeleton';

export interface SectionProps {
  title: string;
  icon?: ReactNode;
  count?: number | null;
  actions?: ReactNode;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error?: string | null;
  refreshing?: boolean;
  onRetry?: () => void;
  skeletonRows?: number;
  /** A saved copy shown while it can't be refreshed or changed (e.g. Gong not connected): dimmed, with a note. */
  readOnlyNote?: string | null;
  /** The error is one the panel states once above every section (backend down, token refused): no alert or Retry here. */
  quiet?: boolean;
  /** Shown above the content whatever its status (the flow picker: it needs the catalog, not this section's data). */
  lead?: ReactNode;
  children?: ReactNode;
}

export function Section({ title, icon, count, actions, status, error, refreshing, onRetry, skeletonRows = 2, readOnlyNote, quiet, lead, children }: SectionProps) {
  const readOnly = readOnlyNote != null;
  return (
    <section
      className={`ge-card ge-section${readOnly ? ' ge-section--readonly' : ''}`}
      aria-label={title}
      aria-busy={!readOnly && (status === 'loading' || refreshing) ? true : undefined}
    >
      <header className="ge-section__head">
        <h2 className="ge-section__title">
          {icon && <span className="ge-section__icon">{icon}</span>}
          {title}
          {count != null && status === 'ready' && <span className="ge-count">{count}</span>}
          {refreshing && !readOnly && (
            <span className="ge-section__refreshing" title="Updating">
              <IconRefresh size={12} className="ge-spin" />
              <span className="ge-sr-only">Updating</span>
            </span>
          )}
        </h2>
        {actions && !readOnly && <div className="ge-section__actions">{actions}</div>}
        {readOnly && <span className="ge-badge ge-section__readonly-badge">Read-only</span>}
      </header>
      <div className="ge-section__body">
        {readOnly && readOnlyNote && <p className="ge-section__note">{readOnlyNote}</p>}
        {lead}
        {status === 'loading' && <Skeleton rows={skeletonRows} label={`Loading ${title.toLowerCase()}`} />}
        {status === 'error' && !readOnly && (quiet ? <p className="ge-section__note">Not loaded yet.</p> : <InlineError message={error ?? 'Something went wrong.'} onRetry={onRetry} />)}
        {status === 'ready' && error && !readOnly && !quiet && <InlineError compact message={`Couldn't refresh: ${error}`} onRetry={onRetry} />}
        {status === 'ready' && children}
      </div>
    </section>
  );
}

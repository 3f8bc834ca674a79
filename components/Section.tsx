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
  children?: ReactNode;
}

export function Section({ title, icon, count, actions, status, error, refreshing, onRetry, skeletonRows = 2, children }: SectionProps) {
  return (
    <section className="ge-card ge-section" aria-label={title} aria-busy={status === 'loading' || refreshing ? true : undefined}>
      <header className="ge-section__head">
        <h2 className="ge-section__title">
          {icon && <span className="ge-section__icon">{icon}</span>}
          {title}
          {count != null && status === 'ready' && <span className="ge-count">{count}</span>}
          {refreshing && (
            <span className="ge-section__refreshing" title="Updating">
              <IconRefresh size={12} className="ge-spin" />
              <span className="ge-sr-only">Updating</span>
            </span>
          )}
        </h2>
        {actions && <div className="ge-section__actions">{actions}</div>}
      </header>
      <div className="ge-section__body">
        {status === 'loading' && <Skeleton rows={skeletonRows} label={`Loading ${title.toLowerCase()}`} />}
        {status === 'error' && <InlineError message={error ?? 'Something went wrong.'} onRetry={onRetry} />}
        {status === 'ready' && error && <InlineError compact message={`Couldn't refresh: ${error}`} onRetry={onRetry} />}
        {status === 'ready' && children}
      </div>
    </section>
  );
}

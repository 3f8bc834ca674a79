/** An error that stays inside its section, with a Retry button. */
import { IconAlert } from './icons';

export function InlineError({ message, onRetry, compact }: { message: string; onRetry?: () => void; compact?: boolean }) {
  return (
    <div className={`ge-alert ge-alert--${compact ? 'warning' : 'error'} ge-inline-error`} role="alert">
      <IconAlert className="ge-alert__icon" />
      <span className="ge-alert__text">{message}</span>
      {onRetry && (
        <button type="button" className="ge-btn ge-btn--sm" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

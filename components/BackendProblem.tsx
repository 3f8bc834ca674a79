/**
 * One message for a problem every section shares — the backend can't be reached, or it refused the API
 * token — with one action, instead of the same sentence and a Retry in every section.
 */
import { IconAlert } from './icons';

export type BackendProblemKind = 'offline' | 'token';

export function BackendProblem({ kind, onRetry, onOpenSettings }: { kind: BackendProblemKind; onRetry: () => void; onOpenSettings: () => void }) {
  return (
    <div className={`ge-alert ge-alert--${kind === 'offline' ? 'warning' : 'error'} ge-problem`} role="alert" aria-label="Backend problem">
      <IconAlert className="ge-alert__icon" />
      <span className="ge-alert__text">
        {kind === 'offline'
          ? "Can't reach the Gong backend. You're seeing what was saved; changes you make are kept and sent when it's back. The panel keeps checking by itself."
          : 'The backend did not accept your API token. Check it in settings, or ask your admin for a new one.'}
      </span>
      {kind === 'offline' ? (
        <button type="button" className="ge-btn ge-btn--sm" onClick={onRetry}>
          Retry now
        </button>
      ) : (
        <button type="button" className="ge-btn ge-btn--sm ge-btn--primary" onClick={onOpenSettings}>
          Open settings
        </button>
      )}
    </div>
  );
}

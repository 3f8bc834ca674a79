/** Shown when the rep's Gong connection is not ACTIVE: explains it and offers to connect. */
import type { ConnectionStatus } from '../lib/api';
import { IconPlug } from './icons';

const WHY: Partial<Record<ConnectionStatus, string>> = {
  EXPIRED: 'Your Gong authorization expired.',
  PENDING_AUTH: 'Gong is waiting for you to authorize access.',
  PENDING_VERIFICATION: 'Gong is verifying your connection.',
  DISCONNECTED: 'Gong was disconnected.',
  NOT_CONNECTED: "You haven't connected Gong yet.",
};

export interface ConnectionBannerProps {
  status: ConnectionStatus;
  awaitingAuth: boolean;
  error: string | null;
  onConnect: () => void;
  onCheckAgain: () => void;
}

export function ConnectionBanner({ status, awaitingAuth, error, onConnect, onCheckAgain }: ConnectionBannerProps) {
  return (
    <section className="ge-banner ge-banner--warning" aria-label="Gong connection" role="region">
      <div className="ge-banner__icon">
        <IconPlug />
      </div>
      <div className="ge-banner__body">
        <strong>Gong isn't connected</strong>
        <p>
          {WHY[status] ?? 'Gong is not available for your account.'} Connect Gong to see and change this prospect's flows and calls.
        </p>
        {awaitingAuth && (
          <p className="ge-banner__waiting" role="status">
            <span className="ge-spinner" aria-hidden="true" /> Finish authorizing in the Gong tab — this panel updates by itself.
          </p>
        )}
        {error && (
          <p className="ge-banner__error" role="alert">
            {error}
          </p>
        )}
        <div className="ge-banner__actions">
          <button type="button" className="ge-btn ge-btn--primary ge-btn--sm" onClick={onConnect}>
            {awaitingAuth ? 'Open Gong again' : 'Connect Gong'}
          </button>
          {awaitingAuth && (
            <button type="button" className="ge-btn ge-btn--sm" onClick={onCheckAgain}>
              I've authorized
            </button>
          )}
        </div>
      </div>
    </section>
  );
}

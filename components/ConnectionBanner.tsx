/** Shown when the rep's Gong connection is not ACTIVE: explains it and offers to connect. */
import type { ConnectionStatus } from '../lib/api';
import { notConnectedText, reconnects } from './format';
import { IconPlug } from './icons';

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
        <p>{notConnectedText(status)}</p>
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
            {awaitingAuth ? 'Open Gong again' : reconnects(status) ? 'Reconnect Gong' : 'Connect Gong'}
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

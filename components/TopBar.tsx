/** Panel header: product mark, what the panel last saw of the backend and Gong, settings. */
import { GongMark } from './CrmLogo';
import { IconGear } from './icons';

export interface TopBarStatus {
  tone: 'ok' | 'offline' | 'warning' | 'none';
  label: string;
  detail?: string;
  title?: string;
}

export function TopBar({ status, onOpenSettings }: { status: TopBarStatus; onOpenSettings: () => void }) {
  return (
    <header className="ge-topbar">
      <GongMark size={20} />
      <span className="ge-topbar__title">Gong Everywhere</span>
      {status.tone !== 'none' && status.label && (
        <span className={`ge-conn ge-conn--${status.tone}`} title={status.title ?? status.label} role="status" aria-label="Connection status">
          <i aria-hidden="true" />
          <span className="ge-conn__text">
            <strong>{status.label}</strong>
            {status.detail && <span className="ge-conn__detail"> — {status.detail}</span>}
          </span>
        </span>
      )}
      <button type="button" className="ge-icon-btn ge-topbar__settings" aria-label="Settings" title="Settings" onClick={onOpenSettings}>
        <IconGear />
      </button>
    </header>
  );
}

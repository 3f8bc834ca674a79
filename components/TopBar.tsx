/** Panel header: product mark, Gong connection state, settings. */
import type { ConnectionStatus } from '../lib/api';
import { GongMark } from './CrmLogo';
import { IconGear } from './icons';

export function TopBar({ status, identifier, onOpenSettings }: { status: ConnectionStatus | 'unknown' | 'unreachable'; identifier?: string; onOpenSettings: () => void }) {
  const ok = status === 'ACTIVE';
  const label = ok ? `Connected${identifier ? ` as ${identifier}` : ''}` : status === 'unreachable' ? 'Backend unreachable' : status === 'unknown' ? '' : 'Not connected';
  return (
    <header className="ge-topbar">
      <GongMark size={20} />
      <span className="ge-topbar__title">Gong Everywhere</span>
      {label && (
        <span className={`ge-conn ge-conn--${ok ? 'ok' : 'bad'}`} title={label}>
          <i aria-hidden="true" />
          <span className="ge-conn__text">{ok ? 'Connected' : label}</span>
        </span>
      )}
      <button type="button" className="ge-icon-btn ge-topbar__settings" aria-label="Settings" title="Settings" onClick={onOpenSettings}>
        <IconGear />
      </button>
    </header>
  );
}

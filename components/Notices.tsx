/** Short-lived confirmations ("Added to Q3 Outbound") stacked at the bottom of the panel. */
import { IconAlert, IconCheck, IconClose, IconInfo } from './icons';

export interface NoticeItem {
  id: string;
  tone: 'success' | 'error' | 'info' | 'warning';
  text: string;
}

export function Notices({ items, onDismiss }: { items: NoticeItem[]; onDismiss: (id: string) => void }) {
  return (
    <div className="ge-toasts" role="status" aria-live="polite">
      {items.map((n) => (
        <div key={n.id} className={`ge-toast ge-toast--${n.tone}`}>
          {n.tone === 'success' ? <IconCheck /> : n.tone === 'info' ? <IconInfo /> : <IconAlert />}
          <span>{n.text}</span>
          <button type="button" className="ge-icon-btn" aria-label="Dismiss" onClick={() => onDismiss(n.id)}>
            <IconClose size={12} />
          </button>
        </div>
      ))}
    </div>
  );
}

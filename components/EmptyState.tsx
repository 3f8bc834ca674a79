/** Centered illustration + message for states with nothing to show yet. */
import type { ReactNode } from 'react';

export function EmptyState({ icon, title, children, action }: { icon?: ReactNode; title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="ge-empty" role="status">
      {icon && <div className="ge-empty__icon">{icon}</div>}
      <h2 className="ge-empty__title">{title}</h2>
      {children && <div className="ge-empty__text">{children}</div>}
      {action && <div className="ge-empty__action">{action}</div>}
    </div>
  );
}

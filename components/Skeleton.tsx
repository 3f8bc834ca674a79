/** Placeholder rows shaped like list items while a section loads. */
export function Skeleton({ rows = 2, label = 'Loading' }: { rows?: number; label?: string }) {
  return (
    <div className="ge-skeleton-list" role="status" aria-label={label}>
      {Array.from({ length: rows }, (_, i) => (
        <div className="ge-skeleton-row" key={i}>
          <span className="ge-skeleton" style={{ width: `${62 - i * 9}%`, height: 13 }} />
          <span className="ge-skeleton" style={{ width: `${40 + i * 7}%`, height: 10 }} />
        </div>
      ))}
    </div>
  );
}

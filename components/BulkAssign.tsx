/** Add every prospect collected from a list view to one flow; big batches run as a job with progress. */
import { useMemo, useRef, useState } from 'react';
import type { Flow, JobProgress } from '../lib/api';
import type { CrmRecord } from '../lib/crm-record';
import { FlowPicker } from './FlowPicker';
import { useRefocusWhenDropped } from './focus';
import { pluralize } from './format';
import { IconAlert, IconCheck } from './icons';

export interface BulkAssignProps {
  records: CrmRecord[];
  names?: Record<string, string>;
  source?: { url: string; title?: string } | null;
  phase: 'choose' | 'sending' | 'queued' | 'running' | 'done' | 'error';
  flowName: string | null;
  job: JobProgress | null;
  results: { crmProspectId: string; ok: boolean; message: string | null; coolOff?: boolean }[];
  /** The current run re-sends cool-off refusals with the override. */
  override?: boolean;
  /** Outcomes before the current run (to say how the override went). */
  baseResults?: { crmProspectId: string; ok: boolean; coolOff?: boolean }[];
  error: string | null;
  catalog: { status: 'idle' | 'loading' | 'ready' | 'error'; data: Flow[] | null; error: string | null };
  defaultOwner: string;
  /** Managers and admins may name another flow owner; a rep assigns in their own name. */
  chooseOwner: boolean;
  onRetryCatalog: () => void;
  onAssign: (flow: Flow, opts: { ownerEmail?: string }) => void;
  /** Re-send the prospects refused for cool-off, with the override. */
  onAssignAnyway?: () => void;
  onClose: () => void;
}

export function BulkAssign(p: BulkAssignProps) {
  const [filter, setFilter] = useState<'all' | 'failed'>('all');
  const count = new Set(p.records.map((r) => r.id)).size;
  const contacts = p.records.filter((r) => r.objectType === 'contact').length;
  // While a job runs its own counts are live; once done, the (merged) per-prospect results are the truth.
  const live = !!p.job && p.phase !== 'done';
  const total = live ? p.job!.total : Math.max(count, p.results.length);
  const processed = live ? p.job!.processed : p.phase === 'done' ? p.results.length : 0;
  const succeeded = live ? p.job!.succeeded : p.results.filter((r) => r.ok).length;
  const failed = live ? p.job!.failed : p.results.filter((r) => !r.ok).length;
  const coolOff = p.results.filter((r) => !r.ok && r.coolOff).length;
  const overridden = useMemo(() => {
    const ids = new Set((p.baseResults ?? []).filter((r) => !r.ok && r.coolOff).map((r) => r.crmProspectId));
    return { total: ids.size, added: p.results.filter((r) => r.ok && ids.has(r.crmProspectId)).length };
  }, [p.baseResults, p.results]);
  const pct = total ? Math.round((processed / total) * 100) : 0;
  const choosing = (p.phase === 'choose' || p.phase === 'sending') && !p.override;
  // The picker gives way to the progress: focus, dropped with the button that sent, goes to the progress's heading.
  const progressRef = useRef<HTMLHeadingElement>(null);
  useRefocusWhenDropped(choosing, (now) => (now ? null : progressRef.current));
  const shown = useMemo(() => {
    const rs = filter === 'failed' ? p.results.filter((r) => !r.ok) : p.results;
    return [...rs].sort((a, b) => Number(a.ok) - Number(b.ok));
  }, [p.results, filter]);

  return (
    <div className="ge-bulk">
      <section className="ge-record ge-record--bulk" aria-label="Bulk add">
        <div className="ge-avatar ge-avatar--bulk" aria-hidden="true">
          {count > 999 ? '1k+' : count}
        </div>
        <div className="ge-record__main">
          <h1 className="ge-record__name">{pluralize(count, 'prospect')} from this page</h1>
          <div className="ge-record__meta">
            {pluralize(contacts, 'contact')} · {pluralize(count - contacts, 'lead')}
            {p.source?.title && <span className="ge-bulk__source">{p.source.title}</span>}
          </div>
        </div>
      </section>

      {choosing ? (
        <div className="ge-card ge-section">
          <FlowPicker
            title="Add all to a flow"
            flows={p.catalog.data}
            status={p.catalog.status}
            error={p.catalog.error}
            onRetry={p.onRetryCatalog}
            defaultOwner={p.defaultOwner}
            chooseOwner={p.chooseOwner}
            write={p.phase === 'sending' ? { status: 'sending' } : { status: 'idle' }}
            submitLabel={(f) => (f ? `Add ${pluralize(count, 'prospect')} to “${f.name}”` : `Choose a flow for ${pluralize(count, 'prospect')}`)}
            onAssign={(f, o) => p.onAssign(f, { ownerEmail: o.ownerEmail })}
            onClose={p.onClose}
          />
        </div>
      ) : (
        <section className="ge-card ge-section" aria-label="Bulk assignment progress">
          <header className="ge-section__head">
            <h2 ref={progressRef} tabIndex={-1} className="ge-section__title">
              Adding to “{p.flowName}”
            </h2>
          </header>
          <div className="ge-section__body">
            {p.override && (p.phase === 'sending' || p.phase === 'running') && (
              <div className="ge-alert ge-alert--info" role="status">
                <span className="ge-spinner" aria-hidden="true" /> Assigning the cool-off prospects anyway…
              </div>
            )}
            {p.phase === 'queued' && (
              <div className="ge-alert ge-alert--info" role="status">
                Saved. The assignment starts as soon as the backend is reachable.
              </div>
            )}
            {(p.phase === 'running' || p.phase === 'done' || (p.phase === 'error' && p.job)) && (
              <>
                <div className="ge-progress" role="progressbar" aria-label="Assignment progress" aria-valuemin={0} aria-valuemax={total} aria-valuenow={processed}>
                  <span className={`ge-progress__fill${p.phase === 'done' ? ' ge-progress__fill--done' : ''}`} style={{ width: `${pct}%` }} />
                </div>
                <div className="ge-progress__stats" role="status">
                  <span>{p.phase === 'done' ? 'Finished' : 'Assigning…'} {processed.toLocaleString('en-US')} of {total.toLocaleString('en-US')}</span>
                  <span className="ge-progress__counts">
                    <span className="ge-ok">
                      <IconCheck size={12} /> {succeeded.toLocaleString('en-US')} added
                    </span>
                    {failed > 0 && (
                      <span className="ge-fail">
                        <IconAlert size={12} /> {failed.toLocaleString('en-US')} not added
                      </span>
                    )}
                  </span>
                </div>
              </>
            )}
            {p.override && p.phase === 'done' && overridden.total > 0 && (
              <div className={`ge-alert ge-alert--${overridden.added === overridden.total ? 'success' : 'warning'}`} role="status">
                <IconCheck size={12} /> Assigned anyway: {overridden.added.toLocaleString('en-US')} of {overridden.total.toLocaleString('en-US')} cool-off{' '}
                {overridden.total === 1 ? 'prospect' : 'prospects'}.
              </div>
            )}
            {coolOff > 0 && (p.phase === 'done' || p.phase === 'error') && p.onAssignAnyway && (
              <div className="ge-alert ge-alert--warning ge-bulk__cooloff" role="group" aria-label="Cool-off refusals">
                <span className="ge-alert__text">
                  {coolOff === 1 ? '1 prospect finished a flow recently and is' : `${coolOff.toLocaleString('en-US')} prospects finished a flow recently and are`} in Gong's cool-off period.
                </span>
                <button type="button" className="ge-btn ge-btn--sm" onClick={p.onAssignAnyway}>
                  Assign anyway ({coolOff.toLocaleString('en-US')})
                </button>
              </div>
            )}
            {p.phase === 'error' && p.error && (
              <div className="ge-alert ge-alert--error" role="alert">
                {p.error}
              </div>
            )}
            {p.results.length > 0 && (
              <>
                <div className="ge-tabs" role="tablist" aria-label="Filter results">
                  <button type="button" role="tab" aria-selected={filter === 'all'} className="ge-tab" onClick={() => setFilter('all')}>
                    All {p.results.length}
                  </button>
                  <button type="button" role="tab" aria-selected={filter === 'failed'} className="ge-tab" onClick={() => setFilter('failed')}>
                    Not added {failed}
                  </button>
                </div>
                {/* Focusable: it scrolls on its own, and a keyboard must be able to scroll it (WCAG 2.1.1). */}
                <ul className="ge-results" aria-label="Per-prospect results" tabIndex={0}>
                  {shown.slice(0, 500).map((r) => (
                    <li key={r.crmProspectId} className={r.ok ? 'ge-results__ok' : 'ge-results__fail'}>
                      {r.ok ? <IconCheck size={12} /> : <IconAlert size={12} />}
                      <div className="ge-results__body">
                        <div className="ge-results__who">
                          {p.names?.[r.crmProspectId] ? <span className="ge-results__name">{p.names[r.crmProspectId]}</span> : <code>{r.crmProspectId}</code>}
                          {r.ok && <span className="ge-badge ge-badge--success">Added</span>}
                        </div>
                        {!r.ok && <div className="ge-results__why">{r.message ?? 'Not added'}</div>}
                      </div>
                    </li>
                  ))}
                </ul>
              </>
            )}
            {(p.phase === 'done' || p.phase === 'error') && (
              <button type="button" className="ge-btn ge-btn--block" onClick={p.onClose}>
                Done
              </button>
            )}
          </div>
        </section>
      )}
    </div>
  );
}

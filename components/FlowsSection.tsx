/** The prospect's flows, the "Add to flow" picker and unassign. Marks `gong:flows-visible` once shown. */
import { useEffect, useMemo, useRef } from 'react';
import type { Flow, FlowHistoryEntry, ProspectFlow } from '../lib/api';
import { FlowPicker } from './FlowPicker';
import { useRefocusWhenDropped } from './focus';
import { FlowRow } from './FlowRow';
import { formatAgo, formatShortDate, isActiveFlowStatus, sortProspectFlows } from './format';
import { IconFlow, IconPlus } from './icons';
import { Section } from './Section';
import type { WriteState } from './write-state';

export interface FlowsSectionProps {
  recordKey: string;
  flows: { status: 'idle' | 'loading' | 'ready' | 'error'; data: ProspectFlow[] | null; error: string | null; refreshing: boolean };
  catalog: { status: 'idle' | 'loading' | 'ready' | 'error'; data: Flow[] | null; error: string | null };
  pickerOpen: boolean;
  assign: WriteState;
  unassign: Record<string, WriteState>;
  defaultOwner: string;
  /** Managers and admins may name another flow owner; a rep assigns in their own name. */
  chooseOwner: boolean;
  onRetry: () => void;
  onRetryCatalog: () => void;
  onOpenPicker: (open: boolean) => void;
  onAssign: (flow: Flow, opts: { ownerEmail?: string; coolOffOverride?: boolean }) => void;
  onUnassign: (flow: ProspectFlow) => void;
  onDismissUnassign: (flowId: string) => void;
  /** Adds waiting in the outbox: shown as rows with a "Pending" badge until they land. */
  pendingAdds?: { entryId: string; flowId: string; flowName: string; ownerEmail: string | null; createdAt: number }[];
  /** Flow ids with an unassign waiting in the outbox: shown as "Removing…". */
  removing?: Set<string>;
  /** Set while Gong is not connected: the saved list is shown dimmed, without changes. */
  readOnlyNote?: string | null;
  /** Flows the prospect is no longer open in, from the backend's record of writes made through it (not Gong data). */
  history?: FlowHistoryEntry[];
  /** Its error is said once above the sections. */
  quiet?: boolean;
}

/** "Removed by you, Nov 3" / "Assigned by sam@acme.com, Oct 28 · no longer open in Gong". */
export function historyLine(e: FlowHistoryEntry, now?: Date): string {
  const line = `${e.action === 'removed' ? 'Removed' : 'Assigned'} by ${e.byYou ? 'you' : e.by}, ${formatShortDate(e.at, now)}`;
  return e.action === 'assigned' ? `${line} · no longer open in Gong` : line;
}

const marked = new Set<string>();

export function FlowsSection(p: FlowsSectionProps) {
  const sorted = useMemo(() => sortProspectFlows(p.flows.data ?? []), [p.flows.data]);
  const activeIds = useMemo(() => new Set(sorted.filter((f) => isActiveFlowStatus(f.status)).map((f) => f.flowId)), [sorted]);
  // A pending add whose flow is already listed as active has landed (the outbox just hasn't said so yet).
  const pendingAdds = useMemo(() => (p.pendingAdds ?? []).filter((a) => !activeIds.has(a.flowId)), [p.pendingAdds, activeIds]);
  const pendingIds = useMemo(() => new Set(pendingAdds.map((a) => a.flowId)), [pendingAdds]);
  const readOnly = p.readOnlyNote != null;
  const shown = p.flows.status === 'ready' && !!p.flows.data;
  const addRef = useRef<HTMLButtonElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  /** Focus's home in this section once what held it went away: "Add to flow", else the section. */
  const home = () => addRef.current ?? listRef.current;
  const focusHome = () => home()?.focus();

  // The picker closed (Escape, Close, or an assign that went through): "Add to flow" gets focus back.
  useRefocusWhenDropped(p.pickerOpen, (open) => (open ? null : home()));

  useEffect(() => {
    // For the benchmark: first time a record's flows are on screen (from cache or network).
    if (shown && !marked.has(p.recordKey)) {
      marked.add(p.recordKey);
      performance.mark('gong:flows-visible', { detail: { recordKey: p.recordKey, count: sorted.length } });
    }
  }, [shown, p.recordKey, sorted.length]);

  return (
    <Section
      title="Flows"
      icon={<IconFlow />}
      count={p.flows.data ? activeIds.size + pendingAdds.length : null}
      readOnlyNote={p.readOnlyNote}
      quiet={p.quiet}
      status={p.flows.status}
      error={p.flows.error}
      refreshing={p.flows.refreshing}
      onRetry={p.onRetry}
      actions={
        !p.pickerOpen && (
          <button ref={addRef} type="button" className="ge-btn ge-btn--sm ge-btn--primary" onClick={() => p.onOpenPicker(true)}>
            <IconPlus size={12} /> Add to flow
          </button>
        )
      }
      // Open even when this prospect's flows could not be loaded (backend down, a record never shown): the add
      // then waits in the outbox, as the offline banner promises.
      lead={
        p.pickerOpen &&
        !readOnly && (
          <FlowPicker
            flows={p.catalog.data}
            status={p.catalog.status}
            error={p.catalog.error}
            onRetry={p.onRetryCatalog}
            activeFlowIds={activeIds}
            pendingFlowIds={pendingIds}
            defaultOwner={p.defaultOwner}
            chooseOwner={p.chooseOwner}
            write={p.assign}
            onAssign={p.onAssign}
            onClose={() => p.onOpenPicker(false)}
          />
        )
      }
    >
      {sorted.length === 0 && pendingAdds.length === 0 ? (
        <p className="ge-section__empty">Not in any flow yet.</p>
      ) : (
        <ul ref={listRef} className="ge-flows" aria-label="Prospect flows" tabIndex={-1}>
          {pendingAdds.map((a) => (
            <li key={a.entryId} className="ge-flow ge-flow--pending" aria-label={a.flowName}>
              <div className="ge-flow__top">
                <span className="ge-flow__name">{a.flowName}</span>
                <span className="ge-badge ge-badge--info" title="Saved; it will be sent when the backend is reachable">
                  Pending
                </span>
              </div>
              <div className="ge-flow__meta">
                {(a.ownerEmail || p.defaultOwner) && <span>{a.ownerEmail || p.defaultOwner}</span>}
                {(a.ownerEmail || p.defaultOwner) && <span className="ge-dot" aria-hidden="true">·</span>}
                <span>Saved {formatAgo(a.createdAt)}, waiting for the backend</span>
              </div>
            </li>
          ))}
          {sorted.map((f) => (
            <FlowRow
              key={f.flowInstanceId ?? `${f.flowId}:${f.assignedAt}`}
              flow={f}
              write={p.unassign[f.flowId]}
              removing={p.removing?.has(f.flowId)}
              readOnly={readOnly}
              onUnassign={() => p.onUnassign(f)}
              onDismissError={() => p.onDismissUnassign(f.flowId)}
              onConfirmed={focusHome}
            />
          ))}
        </ul>
      )}
      {!!p.history?.length && (
        <ul className="ge-flows ge-flows--history" aria-label="Flow history">
          {p.history.map((e) => {
            const name = e.flowName ?? p.catalog.data?.find((f) => f.id === e.flowId)?.name ?? 'A flow';
            return (
              <li key={`${e.flowId}:${e.at}`} className="ge-flow ge-flow--finished" aria-label={name}>
                <div className="ge-flow__top">
                  <span className="ge-flow__name">{name}</span>
                </div>
                <div className="ge-flow__meta">
                  <span>{historyLine(e)}</span>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </Section>
  );
}

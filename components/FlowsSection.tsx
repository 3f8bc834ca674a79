/** The prospect's flows, the "Add to flow" picker and unassign. Marks `gong:flows-visible` once shown. */
import { useEffect, useMemo } from 'react';
import type { Flow, ProspectFlow } from '../lib/api';
import { FlowPicker, type PickerWrite } from './FlowPicker';
import { FlowRow, type FlowRowWriteState } from './FlowRow';
import { isActiveFlowStatus, sortProspectFlows } from './format';
import { IconFlow, IconPlus } from './icons';
import { Section } from './Section';

export interface FlowsSectionProps {
  recordKey: string;
  flows: { status: 'idle' | 'loading' | 'ready' | 'error'; data: ProspectFlow[] | null; error: string | null; refreshing: boolean };
  catalog: { status: 'idle' | 'loading' | 'ready' | 'error'; data: Flow[] | null; error: string | null };
  pickerOpen: boolean;
  assign: PickerWrite;
  unassign: Record<string, FlowRowWriteState>;
  defaultOwner: string;
  onRetry: () => void;
  onRetryCatalog: () => void;
  onOpenPicker: (open: boolean) => void;
  onAssign: (flow: Flow, opts: { ownerEmail?: string; coolOffOverride?: boolean }) => void;
  onUnassign: (flow: ProspectFlow) => void;
  onDismissUnassign: (flowId: string) => void;
}

const marked = new Set<string>();

export function FlowsSection(p: FlowsSectionProps) {
  const sorted = useMemo(() => sortProspectFlows(p.flows.data ?? []), [p.flows.data]);
  const activeIds = useMemo(() => new Set(sorted.filter((f) => isActiveFlowStatus(f.status)).map((f) => f.flowId)), [sorted]);
  const shown = p.flows.status === 'ready' && !!p.flows.data;

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
      count={p.flows.data ? activeIds.size : null}
      status={p.flows.status}
      error={p.flows.error}
      refreshing={p.flows.refreshing}
      onRetry={p.onRetry}
      actions={
        !p.pickerOpen && (
          <button type="button" className="ge-btn ge-btn--sm ge-btn--primary" onClick={() => p.onOpenPicker(true)}>
            <IconPlus size={12} /> Add to flow
          </button>
        )
      }
    >
      {p.pickerOpen && (
        <FlowPicker
          flows={p.catalog.data}
          status={p.catalog.status}
          error={p.catalog.error}
          onRetry={p.onRetryCatalog}
          activeFlowIds={activeIds}
          defaultOwner={p.defaultOwner}
          write={p.assign}
          onAssign={p.onAssign}
          onClose={() => p.onOpenPicker(false)}
        />
      )}
      {sorted.length === 0 ? (
        <p className="ge-section__empty">Not in any flow yet.</p>
      ) : (
        <ul className="ge-flows" aria-label="Prospect flows">
          {sorted.map((f) => (
            <FlowRow
              key={f.flowInstanceId ?? `${f.flowId}:${f.assignedAt}`}
              flow={f}
              write={p.unassign[f.flowId]}
              onUnassign={() => p.onUnassign(f)}
              onDismissError={() => p.onDismissUnassign(f.flowId)}
            />
          ))}
        </ul>
      )}
    </Section>
  );
}

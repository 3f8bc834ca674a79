/** One flow the prospect is in, with an Unassign that asks for confirmation first. */
import { useId, useLayoutEffect, useRef, useState } from 'react';
import type { ProspectFlow } from '../lib/api';
import { formatShortDate, isActiveFlowStatus } from './format';
import { FlowStatusBadge } from './StatusBadge';
import type { WriteState } from './write-state';

export interface FlowRowProps {
  flow: ProspectFlow;
  write?: WriteState;
  /** An unassign for this flow waits in the outbox. */
  removing?: boolean;
  /** Gong can't be reached for changes: no Unassign. */
  readOnly?: boolean;
  onUnassign: () => void;
  onDismissError?: () => void;
  /** Called once the rep confirmed: this row's buttons go away, so the list moves focus somewhere that stays. */
  onConfirmed?: () => void;
}

export function FlowRow({ flow, write, removing: removingProp, readOnly, onUnassign, onDismissError, onConfirmed }: FlowRowProps) {
  const [confirming, setConfirming] = useState(false);
  const unassignRef = useRef<HTMLButtonElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  // Where focus goes when the confirmation opens (its safe answer) and when it is dismissed (back to Unassign).
  const returnFocus = useRef(false);
  const confirmId = useId();
  // Layout effects: focus moves in the same task as the DOM change, so it is never seen on <body>.
  useLayoutEffect(() => {
    if (confirming) cancelRef.current?.focus();
    else if (returnFocus.current) unassignRef.current?.focus();
    returnFocus.current = false;
  }, [confirming]);
  const dismiss = () => {
    returnFocus.current = true;
    setConfirming(false);
  };
  const active = isActiveFlowStatus(flow.status);
  const removing = active && (removingProp || write?.status === 'queued');
  const busy = write?.status === 'sending';
  const owner = flow.ownerName || flow.ownerEmail;
  return (
    <li className={`ge-flow${active ? '' : ' ge-flow--finished'}${removing ? ' ge-flow--removing' : ''}`} aria-label={flow.flowName}>
      <div className="ge-flow__top">
        <span className="ge-flow__name">{flow.flowName}</span>
        {removing ? (
          <span className="ge-badge ge-badge--warning" title="Saved; it will be sent when the backend is reachable">
            Removing…
          </span>
        ) : (
          <FlowStatusBadge status={flow.status} />
        )}
      </div>
      <div className="ge-flow__meta">
        {owner && <span title={flow.ownerEmail ?? undefined}>{owner}</span>}
        {owner && flow.assignedAt && <span className="ge-dot" aria-hidden="true">·</span>}
        {flow.assignedAt && <span>Added {formatShortDate(flow.assignedAt)}</span>}
        {active && !confirming && !removing && !readOnly && (
          <button ref={unassignRef} type="button" className="ge-linkbtn ge-flow__unassign" onClick={() => setConfirming(true)} disabled={busy} aria-label={`Unassign from ${flow.flowName}`}>
            {busy ? 'Unassigning…' : 'Unassign'}
          </button>
        )}
        {removing && <span className="ge-flow__queued">Waiting for the backend</span>}
      </div>
      {confirming && (
        <div
          className="ge-confirm"
          role="group"
          aria-label={`Confirm unassign from ${flow.flowName}`}
          aria-describedby={`${confirmId}-text`}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault();
              e.stopPropagation();
              dismiss();
            }
          }}
        >
          <span id={`${confirmId}-text`}>Remove from this flow? Its remaining steps and tasks are cancelled.</span>
          <div className="ge-confirm__actions">
            <button ref={cancelRef} type="button" className="ge-btn ge-btn--sm" onClick={dismiss}>
              Cancel
            </button>
            <button
              type="button"
              className="ge-btn ge-btn--sm ge-btn--danger"
              onClick={() => {
                setConfirming(false);
                onUnassign();
                onConfirmed?.();
              }}
            >
              Yes, unassign
            </button>
          </div>
        </div>
      )}
      {(write?.status === 'error' || write?.status === 'refused') && (
        <div className="ge-alert ge-alert--error ge-flow__error" role="alert">
          <span className="ge-alert__text">{write.message}</span>
          {onDismissError && (
            <button type="button" className="ge-btn ge-btn--sm" onClick={onDismissError}>
              OK
            </button>
          )}
        </div>
      )}
    </li>
  );
}

/**
 * Searchable flow picker grouped by visibility and folder, with the flow owner for managers and admins
 * (defaults to the rep) and the assign outcome: refusal in plain words, "Assign anyway" for a cool-off refusal.
 */
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { Flow } from '../lib/api';
import { groupFlows } from './format';
import { IconClose, IconSearch } from './icons';
import { InlineError } from './InlineError';
import { Skeleton } from './Skeleton';
import type { WriteState } from './write-state';

export interface FlowPickerProps {
  flows: Flow[] | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  onRetry: () => void;
  /** Flows the prospect is already active in (shown, not selectable). */
  activeFlowIds?: Set<string>;
  /** Flows with an add saved in the outbox, not landed yet (shown as pending, not selectable: one write per flow). */
  pendingFlowIds?: Set<string>;
  defaultOwner: string;
  /**
   * Whether the caller may name another flow owner: managers (their team) and admins. A rep assigns in their
   * own name only (the backend refuses any other owner with 403), so no owner is sent and no field is shown.
   */
  chooseOwner: boolean;
  write: WriteState;
  submitLabel?: (flow: Flow | null) => string;
  onAssign: (flow: Flow, opts: { ownerEmail?: string; coolOffOverride?: boolean }) => void;
  onClose: () => void;
  title?: string;
}

export function FlowPicker(props: FlowPickerProps) {
  const { flows, status, error, onRetry, activeFlowIds, pendingFlowIds, defaultOwner, chooseOwner, write, onAssign, onClose } = props;
  const unavailable = (id: string) => !!activeFlowIds?.has(id) || !!pendingFlowIds?.has(id);
  const [query, setQuery] = useState('');
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [owner, setOwner] = useState(defaultOwner);
  const [ownerTouched, setOwnerTouched] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const submitRef = useRef<HTMLButtonElement>(null);
  const ids = useId();
  const listId = `${ids}-flows`;
  const optionId = (flowId: string) => `${ids}-opt-${flowId}`;
  useEffect(() => searchRef.current?.focus(), []);
  useEffect(() => {
    if (!ownerTouched) setOwner(defaultOwner);
  }, [defaultOwner, ownerTouched]);

  const groups = useMemo(() => groupFlows(flows ?? [], query), [flows, query]);
  const visible = useMemo(() => groups.flatMap((g) => g.folders.flatMap((f) => f.flows)).filter((f) => !activeFlowIds?.has(f.id) && !pendingFlowIds?.has(f.id)), [groups, activeFlowIds, pendingFlowIds]);
  const chosen = flows?.find((f) => f.id === selectedId) ?? null;
  // An add for the chosen flow already saved (waiting for the backend) or landed: nothing more to send for it.
  const waiting = !!chosen && (pendingFlowIds?.has(chosen.id) || (write.status === 'queued' && write.flowId === chosen.id));
  const selected = chosen && !unavailable(chosen.id) && !waiting ? chosen : null;
  // The option screen readers are told about (aria-activedescendant): the selection, while it is shown.
  const active = selected && visible.some((f) => f.id === selected.id) ? selected : null;
  const sending = write.status === 'sending';
  const coolOffRefused = write.status === 'refused' && write.coolOff;
  const ownerEmail = !chooseOwner ? undefined : owner.trim() && owner.trim() !== defaultOwner ? owner.trim() : defaultOwner || undefined;

  /** Arrow keys, Home and End move the selection (it follows the active option); Enter takes it to the Add button. */
  const onListKeys = (e: React.KeyboardEvent<HTMLElement>) => {
    const i = visible.findIndex((f) => f.id === selectedId);
    let next: Flow | undefined;
    if (e.key === 'ArrowDown') next = visible[Math.min(visible.length - 1, i + 1)];
    else if (e.key === 'ArrowUp') next = visible[Math.max(0, i - 1)];
    else if (e.key === 'Home' && e.currentTarget.getAttribute('role') === 'listbox') next = visible[0];
    else if (e.key === 'End' && e.currentTarget.getAttribute('role') === 'listbox') next = visible.at(-1);
    else if (e.key === 'Enter' && active) {
      // Choosing is not assigning: the rep hears "Add to <flow>" and presses Enter again to send it.
      e.preventDefault();
      submitRef.current?.focus();
      return;
    } else return;
    e.preventDefault();
    if (next) {
      setSelectedId(next.id);
      document.getElementById(optionId(next.id))?.scrollIntoView({ block: 'nearest' });
    }
  };

  const submit = (coolOffOverride = false) => {
    if (selected) onAssign(selected, { ownerEmail, coolOffOverride });
  };
  /** "Assign anyway" re-sends the flow Gong refused, whichever flow is selected now. */
  const assignAnyway = () => {
    const refused = write.status === 'refused' ? flows?.find((f) => f.id === write.flowId) : undefined;
    if (refused) onAssign(refused, { ownerEmail, coolOffOverride: true });
  };

  return (
    <div
      className="ge-picker"
      role="dialog"
      aria-label={props.title ?? 'Add to flow'}
      onKeyDown={(e) => {
        // Escape closes the picker from anywhere inside it (the opener gets focus back).
        if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <div className="ge-picker__head">
        <h3 className="ge-picker__title">{props.title ?? 'Add to flow'}</h3>
        <button type="button" className="ge-icon-btn" aria-label="Close flow picker" onClick={onClose}>
          <IconClose />
        </button>
      </div>
      <div className="ge-search">
        <IconSearch className="ge-search__icon" />
        <input
          ref={searchRef}
          type="text"
          role="combobox"
          className="ge-input ge-search__input"
          placeholder="Search flows or folders"
          aria-label="Search flows"
          aria-autocomplete="list"
          aria-expanded="true"
          aria-controls={listId}
          aria-activedescendant={active ? optionId(active.id) : undefined}
          autoComplete="off"
          spellCheck={false}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={onListKeys}
        />
      </div>
      <div
        className="ge-picker__list"
        id={listId}
        role="listbox"
        aria-label="Flows"
        aria-activedescendant={active ? optionId(active.id) : undefined}
        // Focusable so it can be scrolled and used by keyboard on its own (WCAG 2.1.1; axe scrollable-region-focusable).
        tabIndex={0}
        onKeyDown={onListKeys}
      >
        {status === 'loading' && !flows && <Skeleton rows={4} label="Loading flows" />}
        {status === 'error' && !flows && <InlineError message={error ?? "Couldn't load flows."} onRetry={onRetry} />}
        {flows && !groups.length && <div className="ge-picker__none">No flows match “{query}”.</div>}
        {groups.map((g) => (
          <div role="group" aria-label={g.label} key={g.kind} className="ge-picker__group">
            <div className="ge-picker__group-label" aria-hidden="true">
              {g.label} <span className="ge-muted">{g.count}</span>
            </div>
            {g.folders.map((folder) => (
              <div key={folder.folderName} className="ge-picker__folder" role="presentation">
                <div className="ge-picker__folder-label" aria-hidden="true">
                  {folder.folderName}
                </div>
                {folder.flows.map((f) => {
                  const inFlow = activeFlowIds?.has(f.id);
                  const pending = !inFlow && pendingFlowIds?.has(f.id);
                  const isSel = f.id === selectedId;
                  return (
                    <div
                      key={f.id}
                      id={optionId(f.id)}
                      role="option"
                      aria-selected={isSel}
                      aria-disabled={inFlow || pending || undefined}
                      className={`ge-option${isSel ? ' ge-option--selected' : ''}${inFlow || pending ? ' ge-option--disabled' : ''}`}
                      onClick={() => !inFlow && !pending && setSelectedId(f.id)}
                      onDoubleClick={() => !inFlow && !pending && onAssign(f, { ownerEmail })}
                    >
                      <span className="ge-option__name">{f.name}</span>
                      {inFlow ? (
                        <span className="ge-badge ge-badge--success">In flow</span>
                      ) : pending ? (
                        <span className="ge-badge ge-badge--info">Pending</span>
                      ) : f.exclusive ? (
                        <span className="ge-badge">Exclusive</span>
                      ) : null}
                    </div>
                  );
                })}
              </div>
            ))}
          </div>
        ))}
      </div>
      <div className="ge-picker__foot">
        {chooseOwner && (
          <label className="ge-field">
            <span className="ge-label">Flow owner</span>
            <input
              type="email"
              className="ge-input"
              value={owner}
              placeholder="you (the connected Gong user)"
              onChange={(e) => {
                setOwner(e.target.value);
                setOwnerTouched(true);
              }}
            />
          </label>
        )}
        {write.status === 'refused' && (
          <div className="ge-alert ge-alert--warning ge-refusal" role="alert">
            <div>
              <strong>{write.coolOff ? 'In cool-off period' : 'Gong refused'}</strong>
              <p>{write.message}</p>
              {/* Gong's own words only where ours may have lost something: a cool-off's are ids and an ISO date. */}
              {!write.coolOff && write.detail && write.detail !== write.message && <p className="ge-refusal__detail">Gong: {write.detail}</p>}
              {write.coolOff && (
                <button type="button" className="ge-btn ge-btn--sm ge-btn--primary" onClick={assignAnyway} disabled={sending}>
                  Assign anyway
                </button>
              )}
            </div>
          </div>
        )}
        {write.status === 'error' && (
          <div className="ge-alert ge-alert--error" role="alert">
            {write.message}
          </div>
        )}
        {write.status === 'queued' && (
          <div className="ge-alert ge-alert--info" role="status">
            {write.message}
          </div>
        )}
        <button
          ref={submitRef}
          type="button"
          // Once Gong refused for cool-off, "Assign anyway" is the action the rep came for: it takes the emphasis.
          className={`ge-btn ge-btn--block${coolOffRefused ? '' : ' ge-btn--primary'}`}
          disabled={!selected || sending}
          onClick={() => submit()}
        >
          {sending ? <span className="ge-spinner" aria-hidden="true" /> : null}
          {waiting && chosen
            ? `“${chosen.name}” saved, waiting to send`
            : props.submitLabel
              ? props.submitLabel(selected)
              : selected
                ? `Add to “${selected.name}”`
                : 'Add to flow'}
        </button>
      </div>
    </div>
  );
}

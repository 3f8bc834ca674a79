/** Today's tasks grouped by type, with Complete / Skip (optional notes / reason) updating in place. */
import { useLayoutEffect, useRef, useState } from 'react';
import type { Task, TaskType } from '../../lib/api';
import { CheckIcon, LinkedInIcon, MailIcon, PhoneIcon, SkipIcon, TaskIcon } from './icons';
import type { TaskAction, TaskChange } from './useTasks';

const GROUPS: { type: TaskType; label: string; Icon: typeof PhoneIcon }[] = [
  { type: 'call', label: 'Calls', Icon: PhoneIcon },
  { type: 'email', label: 'Emails', Icon: MailIcon },
  { type: 'linkedin', label: 'LinkedIn', Icon: LinkedInIcon },
  { type: 'other', label: 'Other', Icon: TaskIcon },
];

/** The two ways to close a task: one button and one note box each, alike but for their words and icon. */
const ACTIONS: { kind: TaskAction; label: string; Icon: typeof CheckIcon; iconSize: number; note: string; confirm: string; done: string }[] = [
  { kind: 'complete', label: 'Complete', Icon: CheckIcon, iconSize: 15, note: 'Notes (optional)', confirm: 'Mark complete', done: 'Completed' },
  { kind: 'skip', label: 'Skip', Icon: SkipIcon, iconSize: 14, note: 'Reason for skipping (optional)', confirm: 'Skip task', done: 'Skipped' },
];
const actionOf = (kind: TaskAction) => ACTIONS.find((a) => a.kind === kind)!;

export function groupTasks(tasks: Task[]): { type: TaskType; label: string; Icon: typeof PhoneIcon; tasks: Task[] }[] {
  return GROUPS.map((g) => ({
    ...g,
    // Overdue first, then by due date.
    tasks: tasks.filter((t) => t.type === g.type).sort((a, b) => Number(b.overdue) - Number(a.overdue) || (a.dueDate ?? '').localeCompare(b.dueDate ?? '')),
  })).filter((g) => g.tasks.length > 0);
}

export function TaskList(props: { tasks: Task[]; changes: Record<string, TaskChange>; onAct: (t: Task, a: TaskAction, text: string) => void; onDismiss: (id: string) => void }) {
  return (
    <div className="pp-groups">
      {groupTasks(props.tasks).map((g) => (
        <section key={g.type} className="pp-group" data-testid={`task-group-${g.type}`}>
          <h3 className="pp-group-title">
            <g.Icon size={13} />
            {g.label}
            <span className="pp-group-count">{g.tasks.filter((t) => t.status === 'OPEN').length}</span>
          </h3>
          <ul className="pp-task-list">
            {g.tasks.map((t) => (
              <TaskRow key={t.id} task={t} change={props.changes[t.id]} onAct={props.onAct} onDismiss={props.onDismiss} />
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

function dueLabel(t: Task): { text: string; tone: 'error' | 'neutral' } {
  if (t.overdue) {
    const d = t.dueDate ? new Date(t.dueDate) : null;
    return { text: d && !Number.isNaN(d.getTime()) ? `Overdue · ${d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })}` : 'Overdue', tone: 'error' };
  }
  return { text: 'Today', tone: 'neutral' };
}

function TaskRow({ task, change, onAct, onDismiss }: { task: Task; change?: TaskChange; onAct: (t: Task, a: TaskAction, text: string) => void; onDismiss: (id: string) => void }) {
  const [composer, setComposer] = useState<TaskAction | null>(null);
  const [text, setText] = useState('');
  const closed = task.status !== 'OPEN' || change?.phase === 'done' || change?.phase === 'queued';
  const busy = change?.phase === 'saving';
  const due = dueLabel(task);
  const prospect = task.prospect.name ?? task.prospect.email ?? 'Unknown prospect';
  const done = actionOf(change?.action ?? (task.status === 'DISMISSED' ? 'skip' : 'complete'));
  const open = composer && actionOf(composer);

  // Focus never drops to <body>: a dismissed note box hands it back to the button that opened it, a sent
  // one to the row (whose buttons give way to "Completed"/"Skipped"), from where Tab goes on to the next task.
  const rowRef = useRef<HTMLLIElement>(null);
  const openers = { complete: useRef<HTMLButtonElement>(null), skip: useRef<HTMLButtonElement>(null) };
  const focusAfter = useRef<{ to: 'opener'; action: TaskAction } | { to: 'row' } | null>(null);
  const noteRef = useRef<HTMLTextAreaElement>(null);
  useLayoutEffect(() => {
    if (composer) noteRef.current?.focus();
  }, [composer]);
  useLayoutEffect(() => {
    const f = focusAfter.current;
    if (!f || composer) return;
    focusAfter.current = null;
    (f.to === 'row' ? rowRef.current : openers[f.action].current)?.focus();
  });
  const dismiss = () => {
    if (composer) focusAfter.current = { to: 'opener', action: composer };
    setComposer(null);
  };

  const submit = () => {
    if (!composer) return;
    onAct(task, composer, text);
    focusAfter.current = { to: 'row' };
    setComposer(null);
    setText('');
  };

  return (
    <li ref={rowRef} tabIndex={-1} className={`pp-task${closed ? ' is-closed' : ''}`} data-testid="task" data-task-id={task.id} data-status={closed ? done.done.toLowerCase() : 'open'}>
      <div className="pp-task-row">
        <div className="pp-task-main">
          <div className="pp-task-title" title={task.title}>
            {task.title}
          </div>
          <div className="pp-task-meta">
            {!closed && <span className={`pp-due${due.tone === 'error' ? ' pp-due--overdue' : ''}`}>{due.text}</span>}
            <span className="pp-task-prospect">{prospect}</span>
            {task.flowName && (
              <>
                <span className="pp-dot">·</span>
                <span className="pp-task-flow" title={task.flowName}>
                  {task.flowName}
                </span>
              </>
            )}
          </div>
        </div>
        <div className="pp-task-side">
          {closed ? (
            <span className={`ge-badge ${done.kind === 'skip' ? '' : 'ge-badge--success'}`} data-testid="task-result">
              {done.done}
              {change?.phase === 'queued' ? ' · syncing' : ''}
            </span>
          ) : busy ? (
            <span className="ge-spinner pp-spinner" role="img" aria-label="Saving" />
          ) : (
            <div className="pp-task-actions">
              {ACTIONS.map(({ kind, label, Icon, iconSize }) => (
                <button
                  key={kind}
                  ref={openers[kind]}
                  className="pp-icon-btn"
                  title={label}
                  aria-label={`${label} ${task.title}`}
                  aria-expanded={composer === kind}
                  data-testid={`task-${kind}`}
                  onClick={() => setComposer(composer === kind ? null : kind)}
                >
                  <Icon size={iconSize} />
                </button>
              ))}
            </div>
          )}
        </div>
      </div>
      {open && !closed && (
        <form
          className="pp-composer"
          aria-label={`${open.label} ${task.title}`}
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault();
              dismiss();
            }
          }}
        >
          <textarea
            className="ge-textarea pp-composer-text"
            ref={noteRef}
            rows={2}
            maxLength={5000}
            placeholder={open.note}
            aria-label={open.note}
            value={text}
            data-testid="task-note"
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) submit();
            }}
          />
          <div className="pp-composer-actions">
            <button type="button" className="ge-btn ge-btn--sm ge-btn--ghost" onClick={dismiss}>
              Cancel
            </button>
            <button type="submit" className="ge-btn ge-btn--sm ge-btn--primary" data-testid="task-confirm">
              {open.confirm}
            </button>
          </div>
        </form>
      )}
      {change?.phase === 'failed' && (
        <div className="ge-alert ge-alert--error pp-task-error" role="alert">
          <span>
            Couldn’t {actionOf(change.action).label.toLowerCase()} this task: {change.message}
          </span>
          <button
            className="pp-link-btn"
            onClick={() => {
              // The alert goes with its button: the row keeps focus.
              focusAfter.current = { to: 'row' };
              onDismiss(task.id);
            }}
          >
            Dismiss
          </button>
        </div>
      )}
    </li>
  );
}

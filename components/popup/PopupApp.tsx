/** The toolbar popup: the record on the current tab with "Open Gong panel", and today's Engage tasks. */
import { useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import { sendMessage } from '../../lib/messages';
import { currentClient } from '../../lib/current-client';
import { crmLabel, initials } from '../format';
import { AlertIcon, CheckIcon, CloudOffIcon, GearIcon, PanelIcon, PlugIcon, RefreshIcon } from './icons';
import { TaskList } from './TaskList';
import { useCurrentRecord, type CurrentTab } from './useCurrentRecord';
import { usePendingWrites } from './usePendingWrites';
import { useTasks } from './useTasks';

/** How often an unreachable backend is asked again. */
const RECHECK_MS = 4_000;

export function PopupApp() {
  const { state, tasks, fetchedAt, refreshing, changes, reload, recheck, act, dismissChange } = useTasks();
  const current = useCurrentRecord();
  const pending = usePendingWrites();
  const openCount = tasks ? tasks.filter((t) => t.status === 'OPEN' && !['done', 'queued'].includes(changes[t.id]?.phase ?? '')).length : null;
  const today = new Date().toLocaleDateString(undefined, { weekday: 'short', month: 'short', day: 'numeric' });
  const unreachable = state.kind === 'unreachable';
  // While the backend can't be reached, look again every few seconds: the popup recovers without a click.
  useEffect(() => {
    if (!unreachable) return;
    const timer = setInterval(() => void recheck(), RECHECK_MS);
    return () => clearInterval(timer);
  }, [unreachable, recheck]);

  return (
    <div className="pp">
      <header className="pp-header">
        <img className="pp-logo" src="/icon/32.png" alt="" width={22} height={22} />
        <div className="pp-header-text">
          <h1 className="pp-title">Gong Everywhere</h1>
        </div>
        <button className="pp-icon-btn" title="Settings" aria-label="Settings" onClick={() => void browser.runtime.openOptionsPage()}>
          <GearIcon size={15} />
        </button>
      </header>

      <main className="pp-main">
        <RecordCard current={current} />

        <section className="pp-tasks" aria-busy={state.kind === 'loading'}>
          <div className="pp-section-head">
            <h2 className="pp-section-title">
              Today’s tasks
              {openCount != null && state.kind === 'ready' && (
                <span className="pp-count" data-testid="open-task-count">
                  {openCount}
                </span>
              )}
            </h2>
            <span className="pp-date">{today}</span>
            {refreshing && state.kind !== 'ready' && state.kind !== 'loading' ? (
              <span className="ge-spinner pp-spinner pp-refreshing" role="img" aria-label="Refreshing" />
            ) : (
              state.kind === 'ready' && (
                // The list is kept up to an hour (each fetch is a Gong call): its age, and a way to ask now. While it
                // refreshes the button stays (a spinner in it), so the focus a rep's Enter put there stays too.
                <button
                  className="pp-icon-btn"
                  data-testid="refresh-tasks"
                  aria-label={refreshing ? 'Refreshing' : 'Refresh tasks'}
                  aria-disabled={refreshing || undefined}
                  title={`Updated ${updatedAgo(fetchedAt)}. Refresh`}
                  onClick={() => !refreshing && void reload()}
                >
                  {refreshing ? <span className="ge-spinner pp-spinner pp-refreshing" aria-hidden="true" /> : <RefreshIcon size={14} />}
                </button>
              )
            )}
          </div>
          <TasksBody state={state} tasks={tasks} changes={changes} reload={reload} act={act} dismissChange={dismissChange} />
        </section>

        {pending.length > 0 && (
          <footer className="pp-pending" data-testid="pending-writes">
            <span className="pp-pending-dot" />
            {pending.length} change{pending.length === 1 ? '' : 's'} waiting for the backend
            <button className="pp-link-btn" onClick={() => void sendMessage('flushOutbox', undefined).catch(() => undefined)}>
              Retry now
            </button>
          </footer>
        )}
      </main>
    </div>
  );
}

const NOT_CONFIGURED = {
  missing: { title: 'Connect to your Gong backend', text: 'Add the backend URL and your API token to see your Engage tasks here.' },
  rejected: { title: 'Your API token was not accepted', text: 'Check the API token in settings, or ask your admin for a new one.' },
  'signed-out': { title: 'Sign in again', text: 'You were signed out: your sign-in was revoked or expired. Sign in again from settings to see your Engage tasks.' },
} as const;

function TasksBody(props: Pick<ReturnType<typeof useTasks>, 'state' | 'tasks' | 'changes' | 'reload' | 'act' | 'dismissChange'>) {
  const { state, tasks, changes, reload, act, dismissChange } = props;
  if (state.kind === 'loading' && !tasks) return <TasksSkeleton />;
  if (state.kind === 'not-configured') {
    return (
      <EmptyState
        icon={<PlugIcon size={22} />}
        title={NOT_CONFIGURED[state.reason].title}
        text={NOT_CONFIGURED[state.reason].text}
        action={
          <button className="ge-btn ge-btn--primary" onClick={() => void browser.runtime.openOptionsPage()}>
            Open settings
          </button>
        }
        testId="state-not-configured"
      />
    );
  }
  if (state.kind === 'not-connected') return <NotConnected onRetry={reload} />;
  if ((state.kind === 'unreachable' || state.kind === 'error') && !tasks) {
    return (
      <EmptyState
        icon={state.kind === 'unreachable' ? <CloudOffIcon size={22} /> : <AlertIcon size={22} />}
        title={state.kind === 'unreachable' ? 'Can’t reach the Gong backend' : 'Something went wrong'}
        text={state.kind === 'unreachable' ? `${state.message} Is it running? You can change the URL in settings. Checking again by itself…` : state.message}
        action={
          <button className="ge-btn" onClick={() => void reload()} data-testid="retry">
            Try again
          </button>
        }
        testId={`state-${state.kind}`}
      />
    );
  }
  const list = tasks ?? [];
  return (
    <>
      {(state.kind === 'unreachable' || state.kind === 'error') && (
        <div className="ge-alert ge-alert--warning pp-stale" role="status" data-testid="state-stale">
          <CloudOffIcon size={14} />
          <span>
            Showing saved tasks: {state.message}
            {state.kind === 'unreachable' ? ' Checking again by itself…' : ''}
          </span>
          <button className="pp-link-btn" onClick={() => void reload()}>
            Retry
          </button>
        </div>
      )}
      {list.length === 0 ? (
        <EmptyState icon={<CheckIcon size={22} />} title="You’re all caught up" text="No Engage tasks due today. Nice work." testId="state-empty" tone="success" />
      ) : (
        <TaskList tasks={list} changes={changes} onAct={(t, a, text) => void act(t, a, text)} onDismiss={dismissChange} />
      )}
    </>
  );
}

function NotConnected({ onRetry }: { onRetry: () => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const connect = async () => {
    setBusy(true);
    setError(null);
    try {
      const { client } = await currentClient();
      if (!client) throw new Error('Add the backend URL and token in settings first.');
      const { link } = await client.connectionLink();
      await browser.tabs.create({ url: link });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <EmptyState
      icon={<PlugIcon size={22} />}
      title="Connect your Gong account"
      text="Gong Everywhere needs access to Gong Engage to show your tasks and flows."
      action={
        <div className="pp-actions-row">
          <button className="ge-btn ge-btn--primary" disabled={busy} onClick={() => void connect()}>
            {busy ? <span className="ge-spinner" /> : null} Connect Gong
          </button>
          <button className="ge-btn ge-btn--ghost" onClick={() => void onRetry()}>
            I’ve connected
          </button>
        </div>
      }
      footer={error ? <div className="ge-alert ge-alert--error">{error}</div> : null}
      testId="state-not-connected"
    />
  );
}

function EmptyState(props: { icon: React.ReactNode; title: string; text: string; action?: React.ReactNode; footer?: React.ReactNode; testId: string; tone?: 'success' }) {
  return (
    <div className={`pp-empty${props.tone ? ` pp-empty--${props.tone}` : ''}`} data-testid={props.testId}>
      <div className="pp-empty-icon">{props.icon}</div>
      <div className="pp-empty-title">{props.title}</div>
      <div className="pp-empty-text">{props.text}</div>
      {props.action && <div className="pp-empty-action">{props.action}</div>}
      {props.footer}
    </div>
  );
}

function TasksSkeleton() {
  return (
    <div className="pp-skeleton" data-testid="state-loading" role="status" aria-label="Loading tasks">
      {[0, 1, 2, 3].map((i) => (
        <div key={i} className="pp-skeleton-row">
          <span className="ge-skeleton" style={{ width: `${70 - i * 8}%` }} />
          <span className="ge-skeleton" style={{ width: `${45 + i * 6}%`, height: 10 }} />
        </div>
      ))}
    </div>
  );
}


function RecordCard({ current }: { current: CurrentTab | null | 'loading' }) {
  if (current === 'loading') {
    return (
      <div className="pp-record">
        <span className="ge-skeleton" style={{ width: '60%' }} />
      </div>
    );
  }
  const info = current?.info ?? null;
  const record = info?.record ?? null;
  const open = () => {
    if (!current) return;
    // Straight from the click (a user gesture), no await first: Chrome only opens the panel then.
    const opening = chrome.sidePanel?.open ? chrome.sidePanel.open({ windowId: current.windowId }) : sendMessage('openSidePanel', { tabId: current.tabId, windowId: current.windowId });
    void Promise.resolve(opening)
      .catch(() => sendMessage('openSidePanel', { tabId: current.tabId, windowId: current.windowId }))
      .then(() => window.close())
      .catch(() => undefined);
  };
  return (
    <div className={`pp-record${record ? '' : ' pp-record--empty'}`} data-testid="current-record">
      {/* On a record the avatar is the person's (initials, tinted with the CRM's colour); elsewhere the CRM's mark. */}
      <div
        className={`pp-crm-mark ${info?.crm ? `pp-crm-mark--${info.crm}` : ''}`}
        title={info?.crm ? crmLabel(info.crm) : undefined}
        data-testid="record-avatar"
      >
        {record ? initials(info?.name, info?.email) : info?.crm ? crmLabel(info.crm)[0] : '–'}
      </div>
      <div className="pp-record-main">
        {record ? (
          <>
            <div className="pp-record-name">{info?.name ?? (record.objectType === 'lead' ? 'Lead' : 'Contact')}</div>
            <div className="pp-record-meta">
              {record.objectType === 'lead' ? 'Lead' : 'Contact'} · {crmLabel(record.crm)}
              {info?.email ? ` · ${info.email}` : ` · ${record.id}`}
            </div>
          </>
        ) : info?.crm ? (
          <>
            <div className="pp-record-name">{crmLabel(info.crm)} page</div>
            <div className="pp-record-meta">Not a contact or lead. Right-click a list to add everyone on it.</div>
          </>
        ) : (
          <>
            <div className="pp-record-name">No CRM record on this tab</div>
            <div className="pp-record-meta">Open a Salesforce or HubSpot contact or lead.</div>
          </>
        )}
      </div>
      <button className={`ge-btn ge-btn--sm ${record ? 'ge-btn--primary' : ''}`} onClick={open} data-testid="open-panel">
        <PanelIcon size={13} /> {record ? 'Open Gong panel' : 'Open panel'}
      </button>
    </div>
  );
}

/** "just now", "12 min ago", "2 h ago". */
export function updatedAgo(at: number | null, now = Date.now()): string {
  if (at == null) return 'never';
  const min = Math.floor((now - at) / 60_000);
  if (min < 1) return 'just now';
  return min < 60 ? `${min} min ago` : `${Math.floor(min / 60)} h ago`;
}

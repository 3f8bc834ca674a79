/** The side panel: picks the state to show (setup, empty, not a prospect, record, bulk) and wires the store. */
import { useStore } from 'zustand';
import { browser } from 'wxt/browser';
import { recordKey } from '../../lib/crm-record';
import { BulkAssign } from '../../components/BulkAssign';
import { BackendProblem } from '../../components/BackendProblem';
import { CallsSection } from '../../components/CallsSection';
import { ConnectionBanner } from '../../components/ConnectionBanner';
import { CrmLogo } from '../../components/CrmLogo';
import { EmptyState } from '../../components/EmptyState';
import { FlowsSection } from '../../components/FlowsSection';
import { InlineError } from '../../components/InlineError';
import { InteractionForm } from '../../components/InteractionForm';
import { Notices } from '../../components/Notices';
import { PendingWrites } from '../../components/PendingWrites';
import { RecordHeader } from '../../components/RecordHeader';
import { SetupState } from '../../components/SetupState';
import { signInWithSso } from '../../components/sign-in-flow';
import { Skeleton } from '../../components/Skeleton';
import { TopBar } from '../../components/TopBar';
import { crmLabel, formatAgo } from '../../components/format';
import { IconSearch, IconSpark } from '../../components/icons';
import { describeWrite, mayChooseOwner, pendingEntries, pendingFlowChanges, statusPill, TOKEN_REJECTED, subjectOf, subjectPerson, type Load, type PanelStore } from './store';
import { useMemo } from 'react';

const openSettings = () => void browser.runtime.openOptionsPage();
/** The backend's host is already granted (loopback, or asked for when it was set); the flow runs from this page. */
const signIn = () => signInWithSso();

export function App({ store }: { store: PanelStore }) {
  const s = useStore(store);
  const subject = subjectOf(s);
  const person = subjectPerson(s);
  const pending = useMemo(() => pendingEntries(s.outbox), [s.outbox]);
  const flowChanges = useMemo(() => pendingFlowChanges(s.outbox, subject?.id), [s.outbox, subject?.id]);
  const conn = s.connection;
  const connected = conn.data?.status === 'ACTIVE';
  const notConnected = !!conn.data && !connected;
  const defaultOwner = s.repEmail || conn.data?.identifier || '';
  const chooseOwner = mayChooseOwner(s);
  // A problem every read shares is said once, above the sections, with its one action.
  const problem = s.backend === 'unreachable' ? 'offline' : [conn.error, s.flows.error, s.calls.error].includes(TOKEN_REJECTED) ? 'token' : null;
  const retryAll = () => {
    s.reloadAll();
    s.retryPending();
  };

  let body: React.ReactNode;
  if (!s.settingsLoaded) body = <Skeleton rows={3} label="Loading" />;
  else if (!s.configured) body = <SetupState onOpenSettings={openSettings} onSignIn={signIn} signedOut={s.signedOut} />;
  else if (s.view === 'bulk' && s.bulk)
    body = (
      <BulkAssign
        {...s.bulk}
        catalog={s.catalog}
        defaultOwner={defaultOwner}
        chooseOwner={chooseOwner}
        onRetryCatalog={() => void s.loadCatalog({ force: true })}
        onAssign={(f, o) => void s.bulkAssign(f, o)}
        onAssignAnyway={() => void s.bulkAssignAnyway()}
        onClose={s.closeBulk}
      />
    );
  else if (!s.page) body = <Skeleton rows={3} label="Finding the record" />;
  else if (!subject && s.page.crm)
    body = (
      <EmptyState icon={<CrmLogo crm={s.page.crm} size={40} />} title="Not a prospect">
        This {crmLabel(s.page.crm)} page isn't a contact or lead. Gong Engage flows work with contacts and leads — open one to see its flows and calls.
      </EmptyState>
    );
  else if (!subject)
    body = (
      <EmptyState icon={<IconSearch size={36} />} title="Open a Salesforce or HubSpot contact or lead">
        The panel follows the tab you're on. Open a contact or lead record and its Gong flows and calls appear here.
      </EmptyState>
    );
  else {
    const key = recordKey(subject);
    body = (
      <>
        <RecordHeader record={subject} name={person.name} email={person.email} fromLink={!!s.linkRecord} onBackToPage={s.clearLinkRecord} />
        {notConnected && (
          <ConnectionBanner status={conn.data!.status} awaitingAuth={s.awaitingAuth} error={s.connectError} onConnect={() => void s.connectGong()} onCheckAgain={() => void s.loadConnection()} />
        )}
        {problem ? (
          <BackendProblem kind={problem} onRetry={retryAll} onOpenSettings={openSettings} />
        ) : (
          conn.status === 'error' && !conn.data && <InlineError message={conn.error ?? "Can't reach the Gong backend."} onRetry={s.reloadAll} />
        )}
        <PendingWrites entries={pending} describe={describeWrite} onRetry={problem ? undefined : s.retryPending} />
        {notConnected && (
          <>
            {/* What was seen before stays useful while Gong is disconnected: read-only, dimmed. */}
            {s.flows.data && s.flows.key === key && (
              <FlowsSection
                recordKey={key}
                flows={{ ...s.flows, error: null, refreshing: false, status: 'ready' }}
                catalog={s.catalog}
                pickerOpen={false}
                assign={{ status: 'idle' }}
                unassign={{}}
                defaultOwner={defaultOwner}
                chooseOwner={chooseOwner}
                pendingAdds={flowChanges.adds}
                removing={flowChanges.removing}
                readOnlyNote={savedNote(s.flows)}
                onRetry={() => void s.loadFlows()}
                onRetryCatalog={() => undefined}
                onOpenPicker={() => undefined}
                onAssign={() => undefined}
                onUnassign={() => undefined}
                onDismissUnassign={() => undefined}
              />
            )}
            {s.calls.data && s.calls.key === key && (
              <CallsSection calls={{ ...s.calls, error: null, refreshing: false, status: 'ready' }} onRetry={() => void s.loadCalls()} readOnlyNote={savedNote(s.calls)} />
            )}
          </>
        )}
        {!notConnected && (
          <>
            <FlowsSection
              recordKey={key}
              flows={s.flows}
              catalog={s.catalog}
              pickerOpen={s.pickerOpen}
              assign={s.assign}
              unassign={s.unassign}
              defaultOwner={defaultOwner}
              chooseOwner={chooseOwner}
              onRetry={() => void s.loadFlows()}
              onRetryCatalog={() => void s.loadCatalog({ force: true })}
              onOpenPicker={s.openPicker}
              onAssign={(f, o) => void s.assignFlow(f, o)}
              onUnassign={(f) => void s.unassignFlow(f)}
              onDismissUnassign={s.resetUnassign}
              pendingAdds={flowChanges.adds}
              removing={flowChanges.removing}
              history={s.flowHistory.key === key ? s.flowHistory.entries : undefined}
              quiet={!!problem}
            />
            <CallsSection calls={s.calls} onRetry={() => void s.loadCalls()} quiet={!!problem} />
            <section className="ge-card ge-section" aria-label="Report interaction">
              <header className="ge-section__head">
                <h2 id="ge-interaction-title" className="ge-section__title">
                  <span className="ge-section__icon">
                    <IconSpark />
                  </span>
                  Report interaction
                </h2>
              </header>
              <div className="ge-section__body">
                <InteractionForm key={key} write={s.interaction} onSubmit={(v) => void s.reportInteraction(v)} onReset={s.resetInteraction} />
              </div>
            </section>
          </>
        )}
      </>
    );
  }

  return (
    <div className="ge-panel">
      <TopBar status={statusPill(s)} onOpenSettings={openSettings} />
      <main className="ge-main">{body}</main>
      <Notices items={s.notices} onDismiss={s.dismissNotice} />
    </div>
  );
}

/** "Saved 3 min ago": when a read-only copy was fetched. */
function savedNote(l: Load<unknown>): string {
  return `Saved ${l.at ? formatAgo(l.at) : 'earlier'}. Connect Gong to refresh or make changes.`;
}

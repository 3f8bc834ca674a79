/** Settings: where the backend is, who the rep is, and a connection test that says exactly what works. */
import { useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import type { Connection, Health } from '../../lib/api';
import { BackendError } from '../../lib/backend-error';
import { createBackendClient } from '../../lib/backend-client';
import { DEFAULT_BACKEND_URL, managedBackendUrlItem, managedSsoOnlyItem, settingsItem, signedInItem, type Settings, type SignedIn } from '../../lib/storage';
import { originPatternFor, validateBackendUrl } from './permissions';
import { SignInCard } from './SignInCard';
import { AdminConsole } from './AdminConsole';
import type { Me } from '../../lib/api';

type Check = { state: 'idle' } | { state: 'running' } | { state: 'ok'; text: string } | { state: 'warn'; text: string; action?: 'connect' } | { state: 'fail'; text: string };

interface TestResult {
  backend: Check;
  gong: Check;
}

const IDLE: TestResult = { backend: { state: 'idle' }, gong: { state: 'idle' } };

export function OptionsApp() {
  const [form, setForm] = useState<Settings | null>(null);
  const [saved, setSaved] = useState<Settings | null>(null);
  const [managedUrl, setManagedUrl] = useState<string | null>(null);
  const [showToken, setShowToken] = useState(false);
  const [test, setTest] = useState<TestResult>(IDLE);
  const [workspaces, setWorkspaces] = useState<{ id: string; name: string }[] | null>(null);
  const [workspaceError, setWorkspaceError] = useState<string | null>(null);
  const [status, setStatus] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const [commands, setCommands] = useState<{ name?: string; description?: string; shortcut?: string }[]>([]);
  const [signedIn, setSignedIn] = useState<SignedIn | null>(null);
  /** Who the stored token belongs to; the Admin tab appears for the admin role (the backend checks it again). */
  const [me, setMe] = useState<Me | null>(null);
  const [tab, setTab] = useState<'settings' | 'admin'>('settings');
  const [ssoOnly, setSsoOnly] = useState(false);

  function load() {
    void Promise.all([
      settingsItem.getValue(),
      managedBackendUrlItem.getValue().catch(() => null),
      managedSsoOnlyItem.getValue().catch(() => null),
      signedInItem.getValue(),
    ]).then(([s, managed, onlySso, who]) => {
      setForm(s);
      setSaved(s);
      setManagedUrl(managed);
      setSsoOnly(onlySso === true);
      setSignedIn(who);
      if (s.apiToken) void loadWorkspaces(managed ?? s.backendUrl, s.apiToken);
      setMe(null);
      if (s.apiToken) void createBackendClient({ baseUrl: managed ?? s.backendUrl, token: s.apiToken }).me().then(setMe, () => setMe(null));
    });
  }

  useEffect(() => {
    load();
    void browser.commands?.getAll().then(setCommands).catch(() => undefined);
  }, []);

  // Closing the tab with unsaved changes asks first.
  const unsaved = !!form && JSON.stringify(form) !== JSON.stringify(saved);
  useEffect(() => {
    if (!unsaved) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [unsaved]);

  if (!form) return <div className="op-page" aria-busy="true" />;

  const backendUrl = managedUrl ?? form.backendUrl;
  const urlError = managedUrl ? null : validateBackendUrl(form.backendUrl);
  const emailError = form.repEmail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.repEmail) ? 'Enter an email address, like jane@acme.com' : null;
  const dirty = JSON.stringify(form) !== JSON.stringify(saved);
  const set = (patch: Partial<Settings>) => {
    setForm({ ...form, ...patch });
    setStatus(null);
    // A test result speaks of the URL and token it was run with: stale once either changes.
    if ((patch.backendUrl !== undefined && patch.backendUrl !== form.backendUrl) || (patch.apiToken !== undefined && patch.apiToken !== form.apiToken)) setTest(IDLE);
  };

  async function loadWorkspaces(url: string, token: string) {
    setWorkspaceError(null);
    try {
      const { workspaces: list } = await createBackendClient({ baseUrl: url, token }).workspaces();
      setWorkspaces(list);
    } catch (err) {
      setWorkspaces(null);
      setWorkspaceError(err instanceof Error ? err.message : String(err));
    }
  }

  async function runTest() {
    setTest({ backend: { state: 'running' }, gong: { state: 'idle' } });
    const client = createBackendClient({ baseUrl: backendUrl, token: form!.apiToken.trim(), timeoutMs: 8_000 });
    let health: Health;
    try {
      health = await client.health();
    } catch (err) {
      setTest({ backend: { state: 'fail', text: explain(err, backendUrl) }, gong: { state: 'idle' } });
      return;
    }
    const backendOk: Check = { state: 'ok', text: `Reachable at ${client.baseUrl} · ${health.mode === 'sandbox' ? 'sandbox mode' : 'live Gong'} · v${health.version}` };
    if (!form!.apiToken.trim()) {
      setTest({ backend: backendOk, gong: { state: 'fail', text: 'Sign in (or add your API token) to check your Gong connection.' } });
      return;
    }
    setTest({ backend: backendOk, gong: { state: 'running' } });
    let conn: Connection;
    try {
      conn = await client.connection();
    } catch (err) {
      setTest({ backend: backendOk, gong: { state: 'fail', text: explain(err, backendUrl) } });
      return;
    }
    setTest({
      backend: backendOk,
      gong:
        conn.status === 'ACTIVE'
          ? { state: 'ok', text: `Gong connected as ${conn.identifier}` }
          : { state: 'warn', text: `Gong is not connected for ${conn.identifier} (${conn.status.toLowerCase().replace(/_/g, ' ')}).`, action: 'connect' },
    });
    if (conn.status === 'ACTIVE') void loadWorkspaces(backendUrl, form!.apiToken.trim());
  }

  async function connectGong() {
    try {
      const { link } = await createBackendClient({ baseUrl: backendUrl, token: form!.apiToken.trim() }).connectionLink();
      await browser.tabs.create({ url: link });
    } catch (err) {
      setTest((t) => ({ ...t, gong: { state: 'fail', text: explain(err, backendUrl) } }));
    }
  }

  function save(e: React.FormEvent) {
    e.preventDefault();
    if (urlError || emailError) return;
    const next: Settings = { ...form!, backendUrl: form!.backendUrl.trim().replace(/\/+$/, ''), apiToken: form!.apiToken.trim(), repEmail: form!.repEmail.trim() };
    // Asked straight from the click (a user gesture); Chrome answers at once when access is already granted.
    const pattern = managedUrl ? originPatternFor(managedUrl) : originPatternFor(next.backendUrl);
    const granted = pattern ? browser.permissions.request({ origins: [pattern] }).catch(() => false) : Promise.resolve(true);
    void granted.then(async (ok) => {
      if (!ok) {
        setStatus({ tone: 'error', text: `Gong Everywhere needs access to ${new URL(managedUrl ?? next.backendUrl).host} to talk to your backend. Not saved.` });
        return;
      }
      await settingsItem.setValue(next);
      setForm(next);
      setSaved(next);
      setStatus({ tone: 'success', text: 'Settings saved.' });
      if (next.apiToken) void loadWorkspaces(managedUrl ?? next.backendUrl, next.apiToken);
    });
  }

  return (
    <div className={tab === 'admin' && me?.role === 'admin' ? 'op-page op-page--wide' : 'op-page'}>
      <header className="op-header">
        <img src="/icon/48.png" width={36} height={36} alt="" className="op-logo" />
        <div>
          <h1 className="op-title">Gong Everywhere</h1>
          <div className="op-subtitle">Settings for Gong Engage on Salesforce and HubSpot</div>
        </div>
      </header>

      <main>
        {me?.role === 'admin' && <Tabs tab={tab} onChange={setTab} />}
        {tab === 'admin' && me?.role === 'admin' ? (
          <div role="tabpanel" id="op-panel-admin" aria-labelledby="op-tab-admin">
            <AdminConsole client={createBackendClient({ baseUrl: backendUrl, token: form.apiToken })} myEmail={me.email} />
          </div>
        ) : (
        <div role={me?.role === 'admin' ? 'tabpanel' : undefined} id="op-panel-settings" aria-labelledby={me?.role === 'admin' ? 'op-tab-settings' : undefined}>
        <form className="op-form" onSubmit={save} noValidate>
          <SignInCard signedIn={signedIn} ssoOnly={ssoOnly} onChange={load} />

          <section className="ge-card op-card">
            <div className="op-card-head">
              <h2>Backend connection</h2>
              <p>{ssoOnly ? 'Your company’s Gong Everywhere backend talks to Gong for you.' : 'Your company’s Gong Everywhere backend talks to Gong for you. Sign in above, or paste the API token your admin gave you.'}</p>
            </div>

            <label className="ge-field">
              <span className="ge-label">Backend URL</span>
              {managedUrl ? (
                <>
                  <input className="ge-input" value={managedUrl} readOnly aria-readonly="true" data-testid="backend-url" />
                  <span className="ge-help op-managed">
                    <span className="ge-badge ge-badge--info">Managed</span> Set by your administrator.
                  </span>
                </>
              ) : (
                <>
                  <input
                    className={`ge-input${urlError ? ' op-invalid' : ''}`}
                    aria-invalid={!!urlError}
                    aria-describedby="op-url-note"
                    value={form.backendUrl}
                    placeholder={DEFAULT_BACKEND_URL}
                    spellCheck={false}
                    data-testid="backend-url"
                    onChange={(e) => set({ backendUrl: e.target.value })}
                  />
                  {urlError ? (
                    <span className="op-error" id="op-url-note">
                      {urlError}
                    </span>
                  ) : (
                    <span className="ge-help" id="op-url-note">
                      Default: {DEFAULT_BACKEND_URL} (a backend running on this computer).
                    </span>
                  )}
                </>
              )}
            </label>

            {!ssoOnly && !signedIn && (
              <label className="ge-field">
                <span className="ge-label">API token</span>
                <div className="op-input-row">
                  <input
                    className="ge-input"
                    type={showToken ? 'text' : 'password'}
                    value={form.apiToken}
                    autoComplete="off"
                    spellCheck={false}
                    placeholder="Paste your token"
                    data-testid="api-token"
                    onChange={(e) => set({ apiToken: e.target.value })}
                  />
                  <button type="button" className="ge-btn" onClick={() => setShowToken(!showToken)}>
                    {showToken ? 'Hide' : 'Show'}
                  </button>
                </div>
                <span className="ge-help">Stored only in this browser profile.</span>
              </label>
            )}

            <div className="op-test">
              <button type="button" className="ge-btn" onClick={() => void runTest()} disabled={!!urlError || test.backend.state === 'running' || test.gong.state === 'running'} data-testid="test-connection">
                {test.backend.state === 'running' || test.gong.state === 'running' ? <span className="ge-spinner" /> : null}
                Test connection
              </button>
              {/* Always present, so screen readers announce each result as it arrives. */}
              <div className="op-results" aria-live="polite">
                {test.backend.state !== 'idle' && (
                  <ul className="op-checks" data-testid="test-results">
                    <CheckRow label="Backend" check={test.backend} />
                    {test.gong.state !== 'idle' && <CheckRow label="Gong" check={test.gong} onConnect={() => void connectGong()} />}
                  </ul>
                )}
              </div>
            </div>
          </section>

          <section className="ge-card op-card">
            <div className="op-card-head">
              <h2>You</h2>
              <p>Used as the owner of flows you assign, unless you pick someone else.</p>
            </div>
            <label className="ge-field">
              <span className="ge-label">Your Gong email</span>
              <input
                className={`ge-input${emailError ? ' op-invalid' : ''}`}
                aria-invalid={!!emailError}
                aria-describedby="op-email-note"
                type="email"
                value={form.repEmail}
                placeholder="jane@acme.com"
                data-testid="rep-email"
                onChange={(e) => set({ repEmail: e.target.value })}
              />
              {emailError ? (
                <span className="op-error" id="op-email-note">
                  {emailError}
                </span>
              ) : (
                <span className="ge-help" id="op-email-note">
                  Leave empty to use the account your API token belongs to.
                </span>
              )}
            </label>
            <label className="ge-field">
              <span className="ge-label">Default workspace</span>
              <select className="ge-select" value={form.workspaceId} data-testid="workspace" onChange={(e) => set({ workspaceId: e.target.value })} disabled={!workspaces}>
                <option value="">{workspaces ? 'All workspaces' : 'Connect to load your workspaces'}</option>
                {workspaces?.map((w) => (
                  <option key={w.id} value={w.id}>
                    {w.name}
                  </option>
                ))}
                {form.workspaceId && !workspaces?.some((w) => w.id === form.workspaceId) && <option value={form.workspaceId}>{form.workspaceId}</option>}
              </select>
              {workspaceError && <span className="ge-help">Couldn’t load workspaces: {workspaceError}</span>}
            </label>
          </section>

          <section className="ge-card op-card">
            <div className="op-card-head">
              <h2>Keyboard shortcuts</h2>
            </div>
            <ul className="op-shortcuts">
              {commands
                .filter((c) => c.name && c.name !== '_execute_action')
                .map((c) => (
                  <li key={c.name}>
                    <span>{c.description}</span>
                    {c.shortcut ? <kbd>{c.shortcut}</kbd> : <span className="ge-muted">Not set</span>}
                  </li>
                ))}
            </ul>
            <button type="button" className="ge-btn ge-btn--ghost op-shortcuts-link" onClick={() => void browser.tabs.create({ url: 'chrome://extensions/shortcuts' })}>
              Change shortcuts
            </button>
          </section>

          <div className="op-savebar">
            {dirty && !status && (
              <span className="op-status op-status--unsaved" role="status" data-testid="unsaved">
                You have unsaved changes.
              </span>
            )}
            {status && (
              <span className={`op-status op-status--${status.tone}`} role="status" data-testid="save-status">
                {status.text}
              </span>
            )}
            <button type="submit" className="ge-btn ge-btn--primary" disabled={!dirty || !!urlError || !!emailError} data-testid="save">
              Save
            </button>
          </div>
        </form>
        </div>
        )}
      </main>
    </div>
  );
}

/** Settings | Admin, as a WAI-ARIA tab list: arrow keys move between the tabs, Tab moves into the panel. */
function Tabs({ tab, onChange }: { tab: 'settings' | 'admin'; onChange: (t: 'settings' | 'admin') => void }) {
  const tabs = [
    { id: 'settings' as const, label: 'Settings' },
    { id: 'admin' as const, label: 'Admin' },
  ];
  function onKeyDown(e: React.KeyboardEvent) {
    const i = tabs.findIndex((t) => t.id === tab);
    const next = e.key === 'ArrowRight' ? (i + 1) % tabs.length : e.key === 'ArrowLeft' ? (i + tabs.length - 1) % tabs.length : e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    onChange(tabs[next].id);
    document.getElementById(`op-tab-${tabs[next].id}`)?.focus();
  }
  return (
    <div className="op-tabs" role="tablist" aria-label="Options" onKeyDown={onKeyDown}>
      {tabs.map((t) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          id={`op-tab-${t.id}`}
          className="op-tab"
          aria-selected={tab === t.id}
          aria-controls={`op-panel-${t.id}`}
          tabIndex={tab === t.id ? 0 : -1}
          onClick={() => onChange(t.id)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

function CheckRow({ label, check, onConnect }: { label: string; check: Check; onConnect?: () => void }) {
  const icon = check.state === 'running' ? <span className="ge-spinner op-check-spin" /> : check.state === 'ok' ? '✓' : check.state === 'warn' ? '!' : check.state === 'fail' ? '✕' : '';
  return (
    <li className={`op-check op-check--${check.state}`} data-testid={`check-${label.toLowerCase()}`} data-state={check.state}>
      <span className="op-check-icon">{icon}</span>
      <span className="op-check-label">{label}</span>
      <span className="op-check-text">{'text' in check ? check.text : 'Checking…'}</span>
      {check.state === 'warn' && check.action === 'connect' && (
        <button type="button" className="ge-btn ge-btn--sm ge-btn--primary" onClick={onConnect}>
          Connect Gong
        </button>
      )}
    </li>
  );
}

function explain(err: unknown, url: string): string {
  if (err instanceof BackendError) {
    if (err.kind === 'unreachable') return `No answer from ${url}. Is the backend running, and is the URL right?`;
    // A revoked or expired SSO sign-in: the backend's own words say to sign in again.
    if (err.code === 'UNAUTHENTICATED') return /sign in again/i.test(err.message) ? err.message : 'The backend did not accept this API token.';
    if (err.code === 'GONG_NOT_CONNECTED') return 'Gong is not connected for this account.';
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

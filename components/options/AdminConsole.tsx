/**
 * The admin console (admins only; the backend checks the role on every call): people, the audit log, Gong usage,
 * jobs. Every action goes through the same backend API the extension uses, documented in its OpenAPI document.
 */
import { useEffect, useState } from 'react';
import type { AdminAuditPage, AdminJobs, AdminPerson, AdminUsage } from '../../lib/api';
import { ROLES } from '../../lib/gong-tools';
import type { BackendClient } from '../../lib/backend-client';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'Never');
/** Rows of the per-rep usage shown before "Show all": the busiest, at a glance, in a team of hundreds. */
const BUSIEST_REPS_SHOWN = 10;
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function AdminConsole({ client, myEmail }: { client: BackendClient; myEmail: string }) {
  /** Bumped by each change made here, so the audit log shows it. */
  const [changes, setChanges] = useState(0);
  return (
    <div className="op-admin" data-testid="admin-console">
      <People client={client} myEmail={myEmail} onChanged={() => setChanges((n) => n + 1)} />
      <Usage client={client} />
      <Audit client={client} changes={changes} />
      <Jobs client={client} />
    </div>
  );
}

function People({ client, myEmail, onChanged }: { client: BackendClient; myEmail: string; onChanged: () => void }) {
  const [people, setPeople] = useState<AdminPerson[] | null>(null);
  const [status, setStatus] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  /** A team of hundreds: the admin finds a person by part of their email. */
  const [query, setQuery] = useState('');
  const needle = query.trim().toLowerCase();
  const shown = !people || !needle ? people ?? [] : people.filter((p) => p.email.includes(needle));
  const load = () =>
    client.admin
      .people()
      .then((r) => setPeople(r.people))
      .catch((err) => setStatus({ tone: 'error', text: message(err) }));
  useEffect(() => void load(), []);

  function update(changed: AdminPerson, text: string) {
    setPeople((list) => list?.map((p) => (p.id === changed.id ? changed : p)) ?? null);
    setStatus({ tone: 'success', text });
    onChanged();
  }
  function setRole(p: AdminPerson, role: AdminPerson['role']) {
    setStatus(null);
    client.admin.setRole(p.id, role).then((c) => update(c, `${c.email} is now ${c.role}.`), (err) => setStatus({ tone: 'error', text: message(err) }));
  }
  function revoke(p: AdminPerson) {
    setConfirming(null);
    client.admin.revoke(p.id).then((c) => update(c, `${c.email} is revoked: their token and sign-ins no longer work.`), (err) => setStatus({ tone: 'error', text: message(err) }));
  }

  return (
    <section className="ge-card op-card" aria-labelledby="admin-people">
      <div className="op-card-head">
        <h2 id="admin-people">People</h2>
        <p>Everyone who can use the backend. A new person signs in as a rep; give roles here.</p>
      </div>
      <p className={`op-status op-status--${status?.tone ?? 'success'}`} role="status" aria-live="polite" data-testid="admin-people-status">
        {status?.text ?? ''}
      </p>
      {!people ? (
        <p className="ge-muted">Loading…</p>
      ) : (
        <>
          <PeopleSearch query={query} setQuery={setQuery} matching={shown.length} of={people.length} />
          {shown.length > 0 && (
            <div className="op-table-wrap">
              <table className="op-table" data-testid="admin-people">
                <thead>
                  <tr>
                    <th scope="col">Person</th>
                    <th scope="col">Role</th>
                    <th scope="col">Last seen</th>
                    <th scope="col">Gong</th>
                    <th scope="col">Sign-ins</th>
                    <th scope="col">
                      <span className="op-sr">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((p) => {
                    const self = p.email === myEmail;
                    return (
                      <tr key={p.id} data-email={p.email} className={p.revokedAt ? 'op-revoked' : undefined}>
                        <th scope="row">{p.email}</th>
                        <td>
                          <select className="ge-select" aria-label={`Role of ${p.email}`} value={p.role} disabled={self || !!p.revokedAt} onChange={(e) => setRole(p, e.target.value as AdminPerson['role'])}>
                            {ROLES.map((r) => (
                              <option key={r} value={r}>
                                {r}
                              </option>
                            ))}
                          </select>
                        </td>
                        <td>{when(p.lastSeenAt)}</td>
                        <td>{p.gong.toLowerCase().replace(/_/g, ' ')}</td>
                        <td>{p.activeSignIns}</td>
                        <td>
                          {p.revokedAt ? (
                            <span className="ge-muted">Revoked</span>
                          ) : self ? null : confirming === p.id ? (
                            <span className="op-confirm">
                              <button type="button" className="ge-btn ge-btn--sm ge-btn--danger" onClick={() => revoke(p)} autoFocus>
                                Confirm revoke
                              </button>
                              <button type="button" className="ge-btn ge-btn--sm" onClick={() => setConfirming(null)}>
                                Cancel
                              </button>
                            </span>
                          ) : (
                            <button type="button" className="ge-btn ge-btn--sm" aria-label={`Revoke ${p.email}`} onClick={() => setConfirming(p.id)}>
                              Revoke
                            </button>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}

/** The search over the people list and how many people it shows (announced as it changes). */
function PeopleSearch({ query, setQuery, matching, of }: { query: string; setQuery: (q: string) => void; matching: number; of: number }) {
  const needle = query.trim();
  return (
    <div className="op-filters" role="search" aria-label="People">
      <label className="ge-field">
        <span className="ge-label">Find a person</span>
        <input className="ge-input" type="search" value={query} placeholder="part of an email" onChange={(e) => setQuery(e.target.value)} aria-describedby="admin-people-count" data-testid="people-search" />
      </label>
      <p id="admin-people-count" className="op-count" aria-live="polite" data-testid="people-count">
        {!needle ? `${of} people` : matching ? `${matching} of ${of} people match` : `No one's email contains “${needle}”`}
      </p>
    </div>
  );
}

function Usage({ client }: { client: BackendClient }) {
  const [usage, setUsage] = useState<AdminUsage | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void client.admin.usage().then(setUsage, (err) => setError(message(err))), []);
  const today = usage?.days[usage.days.length - 1];
  // Scaled to the busiest day (a budget line 1,000× above the bars would flatten them); the budget line shows
  // once a day comes within reach of it.
  const busiest = usage ? Math.max(...usage.days.map((d) => d.gongCalls), 1) : 1;
  const max = usage && usage.dailyBudget <= busiest * 1.25 ? Math.max(usage.dailyBudget, busiest) * 1.05 : busiest * 1.25;
  const W = 600;
  const H = 120;
  const bar = usage ? W / usage.days.length : 0;
  const y = (v: number) => H - (v / max) * H;
  return (
    <section className="ge-card op-card" aria-labelledby="admin-usage">
      <div className="op-card-head">
        <h2 id="admin-usage">Gong budget</h2>
        <p>Gong calls made for the whole company per UTC day (Gong counts them against your daily limit).</p>
      </div>
      {error && <p className="op-status op-status--error">{error}</p>}
      {usage && today && (
        <>
          <p data-testid="admin-usage-today">
            Today: <strong>{today.gongCalls.toLocaleString()}</strong> of {usage.dailyBudget.toLocaleString()} calls ({Math.max(0, usage.dailyBudget - today.gongCalls).toLocaleString()} left)
          </p>
          <svg className="op-chart" viewBox={`0 0 ${W} ${H + 16}`} role="img" aria-labelledby="admin-usage-chart-title" data-testid="admin-usage-chart">
            <title id="admin-usage-chart-title">{`Gong calls per day, last ${usage.days.length} days: ${usage.days.reduce((n, d) => n + d.gongCalls, 0)} in all, most in a day ${Math.max(...usage.days.map((d) => d.gongCalls))}; daily budget ${usage.dailyBudget}`}</title>
            {usage.dailyBudget <= max && <line x1={0} x2={W} y1={y(usage.dailyBudget)} y2={y(usage.dailyBudget)} className="op-chart-budget" />}
            {usage.days.map((d, i) => (
              <rect key={d.date} x={i * bar + 1} width={Math.max(1, bar - 2)} y={y(d.gongCalls)} height={H - y(d.gongCalls)} className="op-chart-bar">
                <title>{`${d.date}: ${d.gongCalls} calls`}</title>
              </rect>
            ))}
            <text x={0} y={H + 14} className="op-chart-label">
              {usage.days[0].date}
            </text>
            <text x={W} y={H + 14} textAnchor="end" className="op-chart-label">
              {today.date}
            </text>
          </svg>
          <RepUsage usage={usage} />
        </>
      )}
    </section>
  );
}

/** Each rep's use today against their share, and their last 30 days as a small bar line. */
function RepUsage({ usage }: { usage: AdminUsage }) {
  const [all, setAll] = useState(false);
  if (usage.reps.length === 0) return <p className="ge-help">No rep has used Gong in these {usage.days.length} days.</p>;
  // Busiest first (today, then the whole period): the reps near their share are the ones an admin looks for.
  const todayOf = (r: AdminUsage['reps'][number]) => r.days[r.days.length - 1]?.gongCalls ?? 0;
  const totalOf = (r: AdminUsage['reps'][number]) => r.days.reduce((n, d) => n + d.gongCalls, 0);
  const ranked = [...usage.reps].sort((a, b) => todayOf(b) - todayOf(a) || totalOf(b) - totalOf(a) || a.identifier.localeCompare(b.identifier));
  const shown = all ? ranked : ranked.slice(0, BUSIEST_REPS_SHOWN);
  const W = 120;
  const H = 20;
  return (
    <>
      <div className="op-table-wrap">
        <table className="op-table" data-testid="admin-usage-reps">
          <caption className="op-caption">
            Per rep, busiest first: today against each rep's daily share of {usage.dailyShare.toLocaleString()} calls, and the last {usage.days.length} days
          </caption>
          <thead>
            <tr>
              <th scope="col">Rep</th>
              <th scope="col">Today</th>
              <th scope="col">Last {usage.days.length} days</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => {
              const today = todayOf(r);
              const total = totalOf(r);
              const most = Math.max(1, ...r.days.map((d) => d.gongCalls));
              const bar = W / Math.max(1, r.days.length);
              return (
                <tr key={r.identifier}>
                  <th scope="row">{r.identifier}</th>
                  <td>
                    {today.toLocaleString()} of {usage.dailyShare.toLocaleString()}
                  </td>
                  <td>
                    <svg className="op-spark" viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={`${r.identifier}: ${total} calls in ${r.days.length} days, most in a day ${most === 1 && total === 0 ? 0 : most}`}>
                      {r.days.map((d, i) => (
                        <rect key={d.date} x={i * bar} width={Math.max(1, bar - 1)} y={H - (d.gongCalls / most) * H} height={(d.gongCalls / most) * H} className="op-chart-bar" />
                      ))}
                    </svg>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {ranked.length > BUSIEST_REPS_SHOWN && (
        <button type="button" className="ge-btn ge-btn--sm op-more" aria-expanded={all} onClick={() => setAll(!all)} data-testid="usage-show-all">
          {all ? `Show the ${BUSIEST_REPS_SHOWN} busiest` : `Show all ${ranked.length} reps`}
        </button>
      )}
    </>
  );
}

interface AuditFilter {
  user: string;
  action: string;
  from: string;
  to: string;
}

function Audit({ client, changes }: { client: BackendClient; changes: number }) {
  const [filter, setFilter] = useState<AuditFilter>({ user: '', action: '', from: '', to: '' });
  const [applied, setApplied] = useState<AuditFilter>(filter);
  /** Cursors of the pages before this one (for "Newer"); the current page's cursor last. */
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const [page, setPage] = useState<AdminAuditPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const before = cursors[cursors.length - 1];
  useEffect(() => {
    setError(null);
    client.admin.audit({ ...applied, before, limit: 20 }).then(setPage, (err) => setError(message(err)));
  }, [applied, before, changes]);
  const set = (patch: Partial<AuditFilter>) => setFilter({ ...filter, ...patch });
  return (
    <section className="ge-card op-card" aria-labelledby="admin-audit">
      <div className="op-card-head">
        <h2 id="admin-audit">Audit log</h2>
        <p>Every Gong write, sign-in and admin action, newest first.</p>
      </div>
      <form
        className="op-filters"
        onSubmit={(e) => {
          e.preventDefault();
          setCursors([undefined]);
          setApplied(filter);
        }}
      >
        <label className="ge-field">
          <span className="ge-label">Person (email)</span>
          <input className="ge-input" type="email" value={filter.user} onChange={(e) => set({ user: e.target.value })} data-testid="audit-user" />
        </label>
        <label className="ge-field">
          <span className="ge-label">Action</span>
          <select className="ge-select" value={filter.action} onChange={(e) => set({ action: e.target.value })} data-testid="audit-action">
            <option value="">All actions</option>
            {page?.actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label className="ge-field">
          <span className="ge-label">From</span>
          <input className="ge-input" type="date" value={filter.from} onChange={(e) => set({ from: e.target.value })} />
        </label>
        <label className="ge-field">
          <span className="ge-label">To</span>
          <input className="ge-input" type="date" value={filter.to} onChange={(e) => set({ to: e.target.value })} />
        </label>
        <button type="submit" className="ge-btn" data-testid="audit-apply">
          Apply filters
        </button>
      </form>
      {error && <p className="op-status op-status--error" role="alert">{error}</p>}
      {page && (
        <>
          <div className="op-table-wrap">
            <table className="op-table" data-testid="admin-audit">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Person</th>
                  <th scope="col">Action</th>
                  <th scope="col">Outcome</th>
                </tr>
              </thead>
              <tbody>
                {page.entries.length === 0 ? (
                  <tr>
                    <td colSpan={4}>Nothing matches these filters.</td>
                  </tr>
                ) : (
                  page.entries.map((e) => (
                    <tr key={e.id}>
                      <td>{when(e.at)}</td>
                      <td>{e.userEmail ?? '—'}</td>
                      <td>{e.action}</td>
                      <td>{e.outcome}</td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
          <div className="op-pager">
            <button type="button" className="ge-btn ge-btn--sm" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
              Newer
            </button>
            <span aria-live="polite">Page {cursors.length}</span>
            <button type="button" className="ge-btn ge-btn--sm" disabled={page.nextBefore === null} onClick={() => setCursors([...cursors, page.nextBefore ?? undefined])} data-testid="audit-older">
              Older
            </button>
          </div>
        </>
      )}
    </section>
  );
}

function Jobs({ client }: { client: BackendClient }) {
  const [jobs, setJobs] = useState<AdminJobs | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void client.admin.jobs().then(setJobs, (err) => setError(message(err))), []);
  const list = (title: string, items: AdminJobs['open']) => (
    <>
      <h3>{title}</h3>
      {items.length === 0 ? (
        <p className="ge-muted">None.</p>
      ) : (
        <ul className="op-jobs">
          {items.map((j) => (
            <li key={j.id}>
              {j.userEmail} · flow {j.flowId} · {j.status.toLowerCase().replace('_', ' ')} · {j.processed}/{j.total} · {when(j.updatedAt)}
            </li>
          ))}
        </ul>
      )}
    </>
  );
  return (
    <section className="ge-card op-card" aria-labelledby="admin-jobs">
      <div className="op-card-head">
        <h2 id="admin-jobs">Bulk jobs</h2>
      </div>
      {error && <p className="op-status op-status--error">{error}</p>}
      {jobs && (
        <div data-testid="admin-jobs">
          {list('Open', jobs.open)}
          {list('Recent', jobs.recent)}
        </div>
      )}
    </section>
  );
}

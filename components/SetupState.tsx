/** First run, or a sign-in that ended: not signed in. One click signs in with the company's SSO; settings hold the rest. */
import { useState } from 'react';
import type { TokenRefusal } from '../lib/api';
import { EmptyState } from './EmptyState';
import { GongMark } from './CrmLogo';

/** Why the rep is back here, when the backend refused a token that used to work. */
const ENDED: Record<TokenRefusal, string> = {
  revoked: 'You were signed out: this sign-in was revoked. Sign in again to go on.',
  expired: 'Your sign-in expired. Sign in again to go on.',
};

export function SetupState({
  onOpenSettings,
  onSignIn,
  signedOut,
}: {
  onOpenSettings: () => void;
  onSignIn?: () => Promise<{ ok: boolean; message?: string }>;
  signedOut?: TokenRefusal | null;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const signIn = onSignIn
    ? () => {
        setBusy(true);
        setError(null);
        void onSignIn()
          .then((r) => setError(r.ok ? null : (r.message ?? 'Sign-in did not finish.')))
          .finally(() => setBusy(false));
      }
    : undefined;
  return (
    <EmptyState
      icon={<GongMark size={40} />}
      title={signedOut ? 'Sign in again' : 'Set up Gong Everywhere'}
      action={
        <div style={{ display: 'flex', flexWrap: 'wrap', justifyContent: 'center', gap: 8 }}>
          {signIn && (
            <button type="button" className="ge-btn ge-btn--primary" onClick={signIn} disabled={busy} data-testid="setup-sign-in">
              {busy ? <span className="ge-spinner" /> : null}
              Sign in
            </button>
          )}
          <button type="button" className={signIn ? 'ge-btn' : 'ge-btn ge-btn--primary'} onClick={onOpenSettings}>
            Open settings
          </button>
          {error && (
            <p className="ge-help" role="alert" data-testid="setup-sign-in-error" style={{ flexBasis: '100%' }}>
              {error}
            </p>
          )}
        </div>
      }
    >
      {signedOut ? (
        <span data-testid="setup-signed-out">
          {ENDED[signedOut]}
        </span>
      ) : (
        'Sign in with your company account to see Gong Engage flows and calls on every Salesforce and HubSpot record, or add your backend URL and API token in settings.'
      )}
    </EmptyState>
  );
}

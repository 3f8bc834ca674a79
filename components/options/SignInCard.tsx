/** Sign in with the company's SSO (through the backend and Scalekit), or sign out (revokes this browser's device token). */
import { useState } from 'react';
import type { SignedIn } from '../../lib/storage';
import { signInWithSso, signOut } from '../sign-in-flow';

export function SignInCard({ signedIn, ssoOnly, onChange }: { signedIn: SignedIn | null; ssoOnly: boolean; onChange: () => void }) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);

  function signIn() {
    setMessage(null);
    setBusy(true);
    void signInWithSso()
      .then((result) => {
        setMessage(result.ok ? { tone: 'success', text: `Signed in as ${result.email}.` } : { tone: 'error', text: result.message });
        onChange();
      })
      .finally(() => setBusy(false));
  }

  function out() {
    setBusy(true);
    setMessage(null);
    void signOut()
      .then(({ revokedAtBackend }) => {
        setMessage({ tone: 'success', text: revokedAtBackend ? 'Signed out.' : 'Signed out in this browser (the backend could not be reached to revoke the sign-in).' });
        onChange();
      })
      .finally(() => setBusy(false));
  }

  return (
    <section className="ge-card op-card" aria-labelledby="op-signin-title">
      <div className="op-card-head">
        <h2 id="op-signin-title">Sign in</h2>
        <p>{ssoOnly ? 'Your admin set Gong Everywhere up for your company’s single sign-on.' : 'Use your company account (single sign-on). No token to paste.'}</p>
      </div>
      {signedIn ? (
        <div className="op-signin-row">
          <span data-testid="signed-in-as">
            Signed in as <strong>{signedIn.email}</strong>
          </span>
          <button type="button" className="ge-btn" onClick={out} disabled={busy} data-testid="sign-out">
            Sign out
          </button>
        </div>
      ) : (
        <div className="op-signin-row">
          <button type="button" className="ge-btn ge-btn--primary" onClick={signIn} disabled={busy} data-testid="sign-in">
            {busy ? <span className="ge-spinner" /> : null}
            Sign in
          </button>
        </div>
      )}
      {message && (
        <p className={`op-status op-status--${message.tone}`} role={message.tone === 'error' ? 'alert' : 'status'} data-testid="sign-in-status">
          {message.text}
        </p>
      )}
    </section>
  );
}

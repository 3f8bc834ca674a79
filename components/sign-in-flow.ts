/**
 * SSO sign-in from an extension page (options, side panel): chrome.identity.launchWebAuthFlow opens the backend's
 * /auth/start, the company's IdP signs the rep in through Scalekit, and the backend ends the flow on this
 * extension's chromiumapp.org redirect with a device token in the fragment (lib/sign-in.ts). The token is stored
 * where an API token would be, so every part of the extension uses it the same way. Sign-out revokes it.
 */
import { browser } from 'wxt/browser';
import { SIGN_IN_REDIRECT_PATH, SIGN_IN_START_PATH } from '../lib/api-paths';
import { createBackendClient } from '../lib/backend-client';
import { originPatternFor } from './options/permissions';
import { effectiveSettings, settingsItem, signedInItem } from '../lib/storage';

export type SignInResult = { ok: true; email: string } | { ok: false; message: string };

function randomState(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The backend URL that /auth/start is opened at, with this extension's redirect and a fresh state. */
export function signInStartUrl(backendUrl: string, redirectUri: string, state: string): string {
  const q = new URLSearchParams({ redirect_uri: redirectUri, state });
  return `${backendUrl.replace(/\/+$/, '')}${SIGN_IN_START_PATH}?${q}`;
}

/** Stores the outcome of a finished flow (its final URL). Exported for tests: headless Chromium cannot show the flow's window. */
export async function completeSignIn(finalUrl: string, state: string, redirectUri: string): Promise<SignInResult> {
  // zod-backed (lib/sign-in.ts): loaded when a sign-in ends, not with the page.
  const { readSignInRedirect } = await import('../lib/sign-in');
  const outcome = readSignInRedirect(finalUrl, state, redirectUri);
  if (!outcome.ok) return { ok: false, message: outcome.message };
  const settings = await settingsItem.getValue();
  await settingsItem.setValue({ ...settings, apiToken: outcome.token });
  await signedInItem.setValue({ email: outcome.email, expiresAt: outcome.expiresAt });
  return { ok: true, email: outcome.email };
}

/** Call from a click: a backend off this computer needs host access, asked for while the click still counts. */
export async function signInWithSso(): Promise<SignInResult> {
  const { backendUrl } = await effectiveSettings();
  const pattern = originPatternFor(backendUrl);
  if (pattern && !(await browser.permissions.request({ origins: [pattern] }).catch(() => false))) {
    return { ok: false, message: `Gong Everywhere needs access to ${new URL(backendUrl).host} to sign you in.` };
  }
  const redirectUri = browser.identity.getRedirectURL(SIGN_IN_REDIRECT_PATH);
  const state = randomState();
  let finalUrl: string | undefined;
  try {
    finalUrl = await browser.identity.launchWebAuthFlow({ url: signInStartUrl(backendUrl, redirectUri, state), interactive: true });
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    // Chrome's words when the rep closes the window, or the backend cannot be loaded.
    if (/did not approve|closed/i.test(text)) return { ok: false, message: 'Sign-in was closed before it finished.' };
    return { ok: false, message: `Sign-in could not be completed (${text}). Is the backend URL right?` };
  }
  if (!finalUrl) return { ok: false, message: 'Sign-in ended without an answer.' };
  return completeSignIn(finalUrl, state, redirectUri);
}

/**
 * The backend refused `token` as revoked or expired (a sign-in that ended): forget it here, as signing out would,
 * without asking the backend. Only if it is still the stored token (not one signed in since); answers whether it was.
 */
export async function forgetSignIn(token: string): Promise<boolean> {
  const settings = await settingsItem.getValue();
  if (!token || settings.apiToken.trim() !== token.trim()) return false;
  await settingsItem.setValue({ ...settings, apiToken: '' });
  await signedInItem.setValue(null);
  return true;
}

/** Revokes the device token at the backend (best effort: offline, it is still forgotten here) and forgets it. */
export async function signOut(): Promise<{ revokedAtBackend: boolean }> {
  const s = await effectiveSettings();
  let revokedAtBackend = false;
  if (s.apiToken) {
    revokedAtBackend = await createBackendClient({ baseUrl: s.backendUrl, token: s.apiToken, timeoutMs: 8_000 })
      .signOut()
      .then((r) => r.revoked)
      .catch(() => false);
  }
  const current = await settingsItem.getValue();
  await settingsItem.setValue({ ...current, apiToken: '' });
  await signedInItem.setValue(null);
  return { revokedAtBackend };
}

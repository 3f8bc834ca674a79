/**
 * The end of an SSO sign-in, as the backend writes it and the extension reads it: the backend redirects to the
 * extension's `https://<id>.chromiumapp.org/sso` with the outcome in the URL fragment (never sent to any server,
 * so the device token stays out of logs), and chrome.identity.launchWebAuthFlow hands that URL to the extension.
 */
import { z } from 'zod';

export const signInSuccess = z.object({ token: z.string().regex(/^ged_[A-Za-z0-9_-]{20,}$/), email: z.email(), state: z.string(), expires_at: z.string() });
export const signInFailure = z.object({ error: z.string(), error_description: z.string(), state: z.string() });
export type SignInOutcome = { ok: true; token: string; email: string; expiresAt: string } | { ok: false; error: string; message: string };

/** The fragment the backend appends to the extension's redirect URI. */
export function signInFragment(fields: z.infer<typeof signInSuccess> | z.infer<typeof signInFailure>): string {
  return `#${new URLSearchParams(fields as Record<string, string>).toString()}`;
}

/** Reads the final URL of the flow; the state must be the one this extension instance sent (CSRF). */
export function readSignInRedirect(finalUrl: string, expectedState: string, redirectUri: string): SignInOutcome {
  if (!finalUrl.startsWith(redirectUri)) return { ok: false, error: 'bad_redirect', message: 'The sign-in ended somewhere unexpected.' };
  const fields = Object.fromEntries(new URLSearchParams(new URL(finalUrl).hash.slice(1)));
  if (fields.state !== expectedState) return { ok: false, error: 'state_mismatch', message: 'This sign-in answer was not for this request. Try again.' };
  const failure = signInFailure.safeParse(fields);
  if (failure.success) return { ok: false, error: failure.data.error, message: failure.data.error_description };
  const success = signInSuccess.safeParse(fields);
  if (!success.success) return { ok: false, error: 'bad_answer', message: 'The backend sent a sign-in answer this extension does not understand.' };
  return { ok: true, token: success.data.token, email: success.data.email, expiresAt: success.data.expires_at };
}

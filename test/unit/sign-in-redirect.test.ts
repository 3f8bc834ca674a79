/** The extension's reading of the flow's final URL (lib/sign-in.ts): what the backend writes, the extension reads. */
import { describe, expect, it } from 'vitest';
import { readSignInRedirect, signInFragment } from '../../lib/sign-in';

const REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/sso';
const TOKEN = `ged_${'x'.repeat(43)}`;

describe('readSignInRedirect', () => {
  it('reads a success the backend wrote', () => {
    const url = REDIRECT + signInFragment({ token: TOKEN, email: 'rep@example.com', state: 's1', expires_at: '2026-12-31T00:00:00.000Z' });
    expect(readSignInRedirect(url, 's1', REDIRECT)).toEqual({ ok: true, token: TOKEN, email: 'rep@example.com', expiresAt: '2026-12-31T00:00:00.000Z' });
  });
  it('refuses an answer for another request (state)', () => {
    const url = REDIRECT + signInFragment({ token: TOKEN, email: 'rep@example.com', state: 'other', expires_at: 'x' });
    expect(readSignInRedirect(url, 's1', REDIRECT)).toMatchObject({ ok: false, error: 'state_mismatch' });
  });
  it("passes the backend's refusal on", () => {
    const url = REDIRECT + signInFragment({ error: 'domain_not_allowed', error_description: 'Your email domain is not allowed', state: 's1' });
    expect(readSignInRedirect(url, 's1', REDIRECT)).toEqual({ ok: false, error: 'domain_not_allowed', message: 'Your email domain is not allowed' });
  });
  it('refuses a URL that is not this extension’s redirect, and a malformed token', () => {
    expect(readSignInRedirect(`https://evil.example.com/sso#token=${TOKEN}&state=s1`, 's1', REDIRECT)).toMatchObject({ ok: false, error: 'bad_redirect' });
    const url = REDIRECT + signInFragment({ token: 'not-a-token', email: 'rep@example.com', state: 's1', expires_at: 'x' });
    expect(readSignInRedirect(url, 's1', REDIRECT)).toMatchObject({ ok: false, error: 'bad_answer' });
  });
});

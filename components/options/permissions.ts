/** Host access for the backend: loopback is granted at install; any other origin is asked for when saving. */

const BUILT_IN = new Set(['127.0.0.1', 'localhost']);

/** The optional host permission a backend URL needs, or null when the manifest already grants it. */
export function originPatternFor(backendUrl: string): string | null {
  let u: URL;
  try {
    u = new URL(backendUrl);
  } catch {
    return null;
  }
  if (u.protocol === 'http:' && BUILT_IN.has(u.hostname)) return null;
  return `${u.protocol}//${u.hostname}/*`;
}

export function validateBackendUrl(value: string): string | null {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return 'Enter a full URL, like https://gong.example.com';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'The URL must start with https:// (or http:// on this computer)';
  if (u.protocol === 'http:' && !BUILT_IN.has(u.hostname)) return 'Use https:// for a backend that is not on this computer';
  return null;
}

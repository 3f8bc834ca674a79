/** The backend client for the settings in effect right now (managed URL wins): the one place the extension builds it. */
import { createBackendClient, type BackendClient } from './backend-client';
import { effectiveSettings, type Settings } from './storage';

export async function currentClient(): Promise<{ client: BackendClient | null; settings: Awaited<ReturnType<typeof effectiveSettings>> }> {
  const settings = await effectiveSettings();
  return { client: clientFor(settings), settings };
}

/** The client for these settings; null until there is a token and a backend URL. */
export function clientFor(settings: Pick<Settings, 'apiToken' | 'backendUrl'>, fetchImpl?: typeof fetch): BackendClient | null {
  const token = settings.apiToken.trim();
  return token && settings.backendUrl.trim() ? createBackendClient({ baseUrl: settings.backendUrl, token, fetch: fetchImpl }) : null;
}

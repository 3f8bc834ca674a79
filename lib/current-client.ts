/** The backend client for the settings in effect right now (managed URL wins): the one place the extension builds it. */
import { createBackendClient, type BackendClient } from './backend-client';
import { effectiveSettings } from './storage';

export async function currentClient(): Promise<{ client: BackendClient | null; settings: Awaited<ReturnType<typeof effectiveSettings>> }> {
  const settings = await effectiveSettings();
  const token = settings.apiToken.trim();
  const client = token && settings.backendUrl.trim() ? createBackendClient({ baseUrl: settings.backendUrl, token }) : null;
  return { client, settings };
}

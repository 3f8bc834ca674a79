/** The backend client for the settings in effect right now (managed URL wins). */
import { createBackendClient, type BackendClient } from '../lib/backend-client';
import { effectiveSettings } from './settings';

export async function currentClient(): Promise<{ client: BackendClient; configured: boolean }> {
  const s = await effectiveSettings();
  return { client: createBackendClient({ baseUrl: s.backendUrl, token: s.apiToken }), configured: Boolean(s.backendUrl && s.apiToken) };
}

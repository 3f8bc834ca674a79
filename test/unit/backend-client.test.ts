/** The backend client's errors: what the backend's error body says reaches the caller's BackendError. */
import { expect, test } from 'vitest';
import { BackendError } from '../../lib/backend-error';
import { createBackendClient } from '../../lib/backend-client';

const answering = (status: number, body: unknown) =>
  createBackendClient({ baseUrl: 'http://backend.test', token: 't', fetch: async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }) });

test('409 GONG_NOT_CONNECTED carries the account status the backend named; 403 GONG_FORBIDDEN its code', async () => {
  const expired = await answering(409, { error: { code: 'GONG_NOT_CONNECTED', message: 'Your Gong connection has expired; connect Gong again', connectionStatus: 'EXPIRED' } })
    .connection()
    .catch((e: unknown) => e);
  expect(expired).toBeInstanceOf(BackendError);
  expect(expired).toMatchObject({ kind: 'refused', code: 'GONG_NOT_CONNECTED', status: 409, connectionStatus: 'EXPIRED' });

  const forbidden = await answering(403, { error: { code: 'GONG_FORBIDDEN', message: 'Gong does not allow this for your connection: Access denied' } })
    .connection()
    .catch((e: unknown) => e);
  expect(forbidden).toMatchObject({ kind: 'refused', code: 'GONG_FORBIDDEN', status: 403, connectionStatus: null });
});

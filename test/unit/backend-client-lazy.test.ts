/**
 * The client loads the API's schemas (lib/api.ts, with zod) only when an answer needs checking, so that a page's
 * first render does not compile them (issue 15's cold open). Its own file: each test starts with fresh modules.
 */
import { afterEach, expect, test, vi } from 'vitest';

afterEach(() => {
  vi.doUnmock('../../lib/api');
  vi.resetModules();
});

test('lib/api.ts is imported when the first answer arrives, not when the client is made or the request sent', async () => {
  vi.resetModules();
  let imported = 0;
  vi.doMock('../../lib/api', async (original) => {
    imported++;
    return original();
  });
  const { createBackendClient } = await import('../../lib/backend-client');
  let answer!: (r: Response) => void;
  const client = createBackendClient({ baseUrl: 'http://backend.test', token: 't', fetch: () => new Promise<Response>((r) => (answer = r)) });
  const flows = client.prospectFlows('003000000000001AAA');
  await new Promise((r) => setTimeout(r, 20));
  expect(imported).toBe(0);
  answer(new Response(JSON.stringify({ crmProspectId: '003000000000001AAA', flows: [], history: [] }), { status: 200 }));
  await expect(flows).resolves.toMatchObject({ crmProspectId: '003000000000001AAA', flows: [] });
  expect(imported).toBe(1);
  // A wrong answer is still refused: the schemas check it.
  const bad = createBackendClient({ baseUrl: 'http://backend.test', token: 't', fetch: async () => new Response(JSON.stringify({ flows: 'no' }), { status: 200 }) });
  await expect(bad.prospectFlows('003000000000001AAA')).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  expect(imported).toBe(1);
});

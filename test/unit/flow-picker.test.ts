/** The flow picker (components/FlowPicker.tsx), rendered with Preact in a linkedom document. */
import { expect, test, vi } from 'vitest';
import { parseHTML } from 'linkedom';
import type { Flow } from '../../lib/api';

const { window } = parseHTML('<!doctype html><html><body><div id="root"></div></body></html>');
vi.stubGlobal('window', window);
vi.stubGlobal('document', window.document);
// The extension renders React components with Preact (wxt.config.ts): so does this test.
vi.mock('react', async () => await import('preact/compat'));
vi.mock('react/jsx-runtime', async () => await import('preact/jsx-runtime'));
vi.mock('react/jsx-dev-runtime', async () => await import('preact/jsx-runtime'));

const { h, render } = await import('preact');
const { act } = await import('preact/test-utils');
const { FlowPicker } = await import('../../components/FlowPicker');

const flow = (id: string, name: string): Flow => ({ id, name, folderId: null, folderName: null, visibility: 'COMPANY', exclusive: false });

test('"Assign anyway" re-sends the flow Gong refused for cool-off, even after the rep selected another', async () => {
  const onAssign = vi.fn();
  const root = window.document.getElementById('root')!;
  await act(() =>
    render(
      h(FlowPicker, {
        flows: [flow('7', 'Q3 outbound'), flow('8', 'Webinar follow-up')],
        status: 'ready',
        error: null,
        onRetry: () => undefined,
        defaultOwner: 'rep@example.com',
        write: { status: 'refused', flowId: '7', message: 'In cool-off', coolOff: true },
        onAssign,
        onClose: () => undefined,
      }),
      root,
    ),
  );
  const click = (el: Element) => act(() => void el.dispatchEvent(new window.Event('click', { bubbles: true })));
  const option = [...root.querySelectorAll('[role="option"]')].find((o) => o.textContent?.includes('Webinar follow-up'))!;
  await click(option);
  expect(option.getAttribute('aria-selected')).toBe('true');
  const anyway = [...root.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Assign anyway')!;
  await click(anyway);
  expect(onAssign).toHaveBeenCalledTimes(1);
  expect(onAssign.mock.calls[0][0].id).toBe('7');
  expect(onAssign.mock.calls[0][1]).toEqual({ ownerEmail: 'rep@example.com', coolOffOverride: true });
  render(null, root);
});

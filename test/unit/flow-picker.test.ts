/** The flow picker (components/FlowPicker.tsx), rendered with Preact in a linkedom document. */
import { afterEach, expect, test, vi } from 'vitest';
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

type Props = Parameters<typeof FlowPicker>[0];
const root = window.document.getElementById('root')!;
const click = (el: Element) => act(() => void el.dispatchEvent(new window.Event('click', { bubbles: true })));
const button = (text: string) => [...root.querySelectorAll('button')].find((b) => b.textContent?.trim() === text);
const option = (name: string) => [...root.querySelectorAll('[role="option"]')].find((o) => o.textContent?.includes(name))!;
const ownerField = () => [...root.querySelectorAll('label')].find((l) => l.textContent?.includes('Flow owner'))?.querySelector('input') ?? null;

async function renderPicker(over: Partial<Props>): Promise<Props['onAssign'] & ReturnType<typeof vi.fn>> {
  const onAssign = vi.fn();
  await act(() =>
    render(
      h(FlowPicker, {
        flows: [flow('7', 'Q3 outbound'), flow('8', 'Webinar follow-up')],
        status: 'ready',
        error: null,
        onRetry: () => undefined,
        defaultOwner: 'rep@example.com',
        chooseOwner: true,
        write: { status: 'idle' },
        onAssign,
        onClose: () => undefined,
        ...over,
      }),
      root,
    ),
  );
  return onAssign;
}
afterEach(() => render(null, root));

test('"Assign anyway" re-sends the flow Gong refused for cool-off, even after the rep selected another', async () => {
  const onAssign = await renderPicker({ write: { status: 'refused', flowId: '7', message: 'In cool-off', coolOff: true } });
  await click(option('Webinar follow-up'));
  expect(option('Webinar follow-up').getAttribute('aria-selected')).toBe('true');
  await click(button('Assign anyway')!);
  expect(onAssign).toHaveBeenCalledTimes(1);
  expect(onAssign.mock.calls[0][0].id).toBe('7');
  expect(onAssign.mock.calls[0][1]).toEqual({ ownerEmail: 'rep@example.com', coolOffOverride: true });
});

test('a rep (no owner choice) sees no "Flow owner" field and assigns without naming an owner: the backend uses the caller', async () => {
  const onAssign = await renderPicker({ chooseOwner: false });
  expect(ownerField()).toBeNull();
  expect(root.textContent).not.toContain('Flow owner');
  await click(option('Q3 outbound'));
  await click(button('Add to “Q3 outbound”')!);
  expect(onAssign).toHaveBeenCalledTimes(1);
  expect(onAssign.mock.calls[0][1]).toEqual({ ownerEmail: undefined, coolOffOverride: false });
});

test('a manager or admin sees "Flow owner" filled with their own email, and may name someone else', async () => {
  const onAssign = await renderPicker({ chooseOwner: true });
  const input = ownerField()!;
  expect(input.value).toBe('rep@example.com');
  await act(() => {
    input.value = 'sam@example.com';
    input.dispatchEvent(new window.Event('input', { bubbles: true }));
  });
  await click(option('Q3 outbound'));
  await click(button('Add to “Q3 outbound”')!);
  expect(onAssign.mock.calls[0][1]).toEqual({ ownerEmail: 'sam@example.com', coolOffOverride: false });
});

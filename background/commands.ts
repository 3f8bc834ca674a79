/** Keyboard shortcuts (manifest `commands`): open the side panel; open it on the flow picker for the record on screen. */
import { browser } from 'wxt/browser';
import { detectCrmRecord } from '../lib/crm-record';
import { panelIntentItem } from '../lib/storage';
import { openSidePanel } from './side-panel';

export const COMMAND_OPEN_PANEL = 'open-side-panel';
export const COMMAND_FLOW_PICKER = 'open-flow-picker';

export function onCommand(command: string, tab: { id?: number; windowId?: number; url?: string } | undefined): Promise<boolean> {
  // First thing, while the key press still counts as a user gesture.
  const opened = openSidePanel({ tabId: tab?.id, windowId: tab?.windowId });
  if (command === COMMAND_FLOW_PICKER) {
    const record = tab?.url ? detectCrmRecord(tab.url) : null;
    if (record) void panelIntentItem.setValue({ view: 'assign', record, windowId: tab?.windowId, createdAt: Date.now() });
  }
  return opened;
}

export function registerCommands(): void {
  browser.commands.onCommand.addListener((command, tab) => void onCommand(command, tab));
}

/**
 * One global side panel (manifest side_panel.default_path) that follows the active tab of its window, so a
 * rep opens it once and it stays with them from record to record. The toolbar button opens the popup.
 */

export function configureSidePanel(): void {
  chrome.sidePanel?.setPanelBehavior({ openPanelOnActionClick: false }).catch(() => undefined);
  chrome.sidePanel?.setOptions({ path: 'sidepanel.html', enabled: true }).catch(() => undefined);
}

/**
 * Opens the panel in the tab's window. Must be called synchronously from the user gesture's handler (a
 * context-menu click, a keyboard command, the popup's button): any `await` before it loses the gesture.
 */
export function openSidePanel(target: { tabId?: number; windowId?: number }): Promise<boolean> {
  if (!chrome.sidePanel?.open) return Promise.resolve(false);
  const options = target.windowId != null && target.windowId >= 0 ? { windowId: target.windowId } : target.tabId != null ? { tabId: target.tabId } : null;
  if (!options) return Promise.resolve(false);
  try {
    return chrome.sidePanel.open(options as chrome.sidePanel.OpenOptions).then(
      () => true,
      () => false, // no user gesture (e.g. a test driving the handler): the intent is still stored
    );
  } catch {
    return Promise.resolve(false);
  }
}

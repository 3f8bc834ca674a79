/** Whether focus went to the page: the control that held it was removed (e.g. a form replaced by its outcome). */
export function focusWasDropped(): boolean {
  return !document.activeElement || document.activeElement === document.body;
}

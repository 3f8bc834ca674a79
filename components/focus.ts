import { useLayoutEffect, useRef } from 'react';

/** Whether focus went to the page: the control that held it was removed (e.g. a form replaced by its outcome). */
export function focusWasDropped(): boolean {
  return !document.activeElement || document.activeElement === document.body;
}

/**
 * When `value` changes (a picker closes, a form gives way to its outcome) and that dropped focus to the page, focus
 * goes to `target(value)`; a rep who has already moved on keeps their focus.
 */
export function useRefocusWhenDropped<T>(value: T, target: (now: T) => HTMLElement | null | undefined): void {
  const was = useRef(value);
  useLayoutEffect(() => {
    if (was.current !== value && focusWasDropped()) target(value)?.focus();
    was.current = value;
  }, [value]);
}

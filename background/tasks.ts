/**
 * The rep's tasks due today (and overdue): a cached copy for instant popup rendering (stale-while-revalidate)
 * and the toolbar badge counting the open ones, refreshed by an alarm and after every task change.
 */
import { browser } from 'wxt/browser';
import type { Task } from '../lib/api';
import { BackendError } from '../lib/backend-client';
import { currentClient } from '../lib/current-client';
import type { OutboxEntry } from '../lib/outbox';
import { tasksCacheItem } from '../lib/storage';

export const BADGE_ALARM = 'gong-badge';
/**
 * Every badge refresh is a Gong call per rep; the popup refreshes on open and task writes refresh at once,
 * so the alarm only has to catch changes made elsewhere (Gong's own UI, new tasks due).
 */
export const BADGE_PERIOD_MINUTES = 15;
const BADGE_COLOR = '#8039df';

export function openTaskCount(tasks: Task[]): number {
  return tasks.filter((t) => t.status === 'OPEN').length;
}

export async function setBadge(count: number | null, title?: string): Promise<void> {
  const text = count == null || count === 0 ? '' : count > 99 ? '99+' : String(count);
  await browser.action.setBadgeText({ text });
  await browser.action.setBadgeBackgroundColor({ color: BADGE_COLOR });
  browser.action.setBadgeTextColor?.({ color: '#ffffff' })?.catch?.(() => undefined);
  await browser.action.setTitle({
    title: title ?? (count ? `Gong Everywhere — ${count} task${count === 1 ? '' : 's'} due today` : 'Gong Everywhere'),
  });
}

/** Fetches today's tasks, caches them and updates the badge. Returns the open count (null when unknown). */
export async function refreshTasksAndBadge(): Promise<number | null> {
  const { client } = await currentClient();
  if (!client) {
    await setBadge(null, 'Gong Everywhere — not set up yet');
    return null;
  }
  try {
    const { tasks } = await client.tasks('today');
    await tasksCacheItem.setValue({ tasks, fetchedAt: Date.now() });
    const count = openTaskCount(tasks);
    await setBadge(count);
    return count;
  } catch (err) {
    // Keep the last known count on a transient failure; clear it when the backend refuses us.
    if (err instanceof BackendError && err.kind === 'refused') await setBadge(null, `Gong Everywhere — ${err.message}`);
    return null;
  }
}

/** A task write landed: show it at once from the answer, then confirm with the backend. */
export async function applyTaskWrite(entry: OutboxEntry): Promise<void> {
  if (entry.write.kind !== 'completeTask' && entry.write.kind !== 'skipTask') return;
  if (entry.status === 'done' && entry.result && 'task' in entry.result) {
    const updated = entry.result.task;
    const cache = await tasksCacheItem.getValue();
    if (cache) {
      const tasks = cache.tasks.map((t) => (t.id === updated.id ? updated : t));
      await tasksCacheItem.setValue({ ...cache, tasks });
      await setBadge(openTaskCount(tasks));
    }
  }
  await refreshTasksAndBadge();
}

export async function ensureBadgeAlarm(): Promise<void> {
  const existing = await browser.alarms.get(BADGE_ALARM);
  // An alarm made by an older version may run at another period: replace it.
  if (!existing || existing.periodInMinutes !== BADGE_PERIOD_MINUTES) await browser.alarms.create(BADGE_ALARM, { periodInMinutes: BADGE_PERIOD_MINUTES, delayInMinutes: BADGE_PERIOD_MINUTES });
}

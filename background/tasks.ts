/**
 * The rep's tasks due today (and overdue): a cached copy for instant popup rendering (stale-while-revalidate)
 * and the toolbar badge counting the open ones, refreshed by an alarm and after every task change.
 */
import { browser } from 'wxt/browser';
import type { Task } from '../lib/api';
import { BackendError } from '../lib/backend-error';
import { currentClient } from '../lib/current-client';
import type { OutboxEntry } from '../lib/outbox';
import { TASKS_CACHE_FRESH_MS, tasksCacheItem } from '../lib/storage';

export const BADGE_ALARM = 'gong-badge';
/**
 * Every badge refresh is a Gong call per rep (at 500 reps, 8 an hour-long day each is 4,000 of Gong's 10,000 a
 * day): task writes through the extension refresh at once and the popup has a Refresh, so the alarm only has
 * to catch changes made elsewhere (Gong's own UI, new tasks due). Hourly: the cache's freshness.
 */
export const BADGE_PERIOD_MINUTES = TASKS_CACHE_FRESH_MS / 60_000;
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

/**
 * Fetches today's tasks, caches them and updates the badge. Returns the open count (null when unknown).
 * `ifStale`: the worker (re)starting: a cached list younger than TASKS_CACHE_FRESH_MS only sets the badge.
 */
export async function refreshTasksAndBadge(opts: { ifStale?: boolean } = {}): Promise<number | null> {
  const { client } = await currentClient();
  if (!client) {
    await setBadge(null, 'Gong Everywhere — not set up yet');
    return null;
  }
  if (opts.ifStale) {
    const cache = await tasksCacheItem.getValue();
    if (cache && Date.now() - cache.fetchedAt < TASKS_CACHE_FRESH_MS) {
      const count = openTaskCount(cache.tasks);
      await setBadge(count);
      return count;
    }
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

/** The calling rep's Gong Engage tasks, mapped to the API's task, and completing / skipping them. */
import type { z } from 'zod';
import type { Task, TaskType } from '../../lib/api';
import { gongTask, gongTasksResponse } from '../../lib/gong-types';
import type { GongSession } from '../gong/session';
import { allPages } from './paging';
import type { Scope } from './scope';

type GongTask = z.infer<typeof gongTask>;

function taskKind(t: GongTask): TaskType {
  const actions = Array.isArray(t.actions) ? (t.actions as unknown[]).map(String) : [];
  const words = `${t.type ?? ''} ${t.title ?? ''} ${JSON.stringify(t.flow?.step ?? '')}`.toLowerCase();
  if (actions.includes('CALL') || /^call\b|\bcall\b/.test(words)) return 'call';
  if (/linkedin/.test(words)) return 'linkedin';
  if (/e-?mail/.test(words)) return 'email';
  return 'other';
}

const endOfUtcDay = (now: Date) => {
  const d = new Date(now);
  d.setUTCHours(23, 59, 59, 999);
  return d;
};
const startOfUtcDay = (now: Date) => {
  const d = new Date(now);
  d.setUTCHours(0, 0, 0, 0);
  return d;
};

function personName(t: GongTask): string | null {
  const data = (t.contact as { data?: { firstName?: string; lastName?: string } } | undefined)?.data;
  const fromData = [data?.firstName, data?.lastName].filter(Boolean).join(' ');
  return t.contact?.name ?? (fromData || null);
}

function personEmail(t: GongTask): string | null {
  const data = (t.contact as { data?: { emails?: { email?: string }[] } } | undefined)?.data;
  return t.contact?.email ?? data?.emails?.[0]?.email ?? null;
}

export function toTask(t: GongTask, now = new Date()): Task {
  const status = t.status === 'DONE' || t.status === 'DISMISSED' ? t.status : 'OPEN';
  const due = t.dueDate ? new Date(t.dueDate) : null;
  return {
    id: String(t.id),
    type: taskKind(t),
    title: t.title ?? 'Task',
    status,
    dueDate: t.dueDate ?? null,
    overdue: status === 'OPEN' && due !== null && due < startOfUtcDay(now),
    prospect: { name: personName(t), email: personEmail(t), crmId: t.contact?.crmId ?? null },
    flowName: t.flow?.name ?? null,
  };
}

async function openTasks(session: GongSession, toDate?: Date, fresh = false, assignee = session.user.email): Promise<GongTask[]> {
  const input: Record<string, unknown> = { assignee_email: assignee };
  if (toDate) input.to_date = toDate.toISOString();
  return allPages(session, 'gong_engage_tasks_list', input, { fresh }, (data) => {
    const res = gongTasksResponse.parse(data);
    return { items: res.tasks, cursor: res.records?.cursor };
  });
}

/** Today's (and overdue) OPEN tasks, or every OPEN task; `fresh`: from Gong, past the per-rep cache. */
export async function listTasks(session: GongSession, due: 'today' | 'all', fresh = false): Promise<Task[]> {
  const now = new Date();
  const tasks = await openTasks(session, due === 'today' ? endOfUtcDay(now) : undefined, fresh);
  return tasks
    .filter((t) => t.status === 'OPEN')
    .map((t) => toTask(t, now))
    .sort((a, b) => (a.dueDate ?? '').localeCompare(b.dueDate ?? ''));
}

/**
 * The OPEN task with this id among those of the people the caller acts for (themself; a manager's team),
 * or undefined. Gong runs the task tools for any task id; this is how the backend finds the task's
 * assignee first. An admin's own list is searched only to answer with the task (an admin acts on any).
 */
export async function findOpenTask(session: GongSession, scope: Scope, taskId: string): Promise<GongTask | undefined> {
  // Task lists are cached for minutes (invalidated by writes through this backend); a task Gong created
  // since (a flow moved on) is looked up again before saying "not found".
  for (const fresh of [false, true]) {
    for (const email of scope.emails) {
      const found = (await openTasks(session, undefined, fresh, email)).find((t) => String(t.id) === taskId);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Completes or skips an OPEN task of the caller (or, for a manager, of their team; for an admin, any).
 * `refuse` builds the recorded 403 for a task that is not theirs to touch.
 */
export async function finishTask(
  session: GongSession,
  scope: Scope,
  taskId: string,
  how: { complete: true; notes?: string } | { complete: false; reason?: string },
  refuse: () => Error,
): Promise<Task> {
  const before = await findOpenTask(session, scope, taskId);
  if (!before && !scope.everyone) throw refuse();
  const { data } = how.complete
    ? await session.call('gong_engage_task_complete', { task_id: taskId, ...(how.notes ? { completion_notes: how.notes } : {}) })
    : await session.call('gong_engage_task_skip', { task_id: taskId, ...(how.reason ? { skip_reason: how.reason } : {}) });
  const updated = gongTasksResponse.safeParse(data);
  const task = updated.success ? updated.data.tasks.find((t) => String(t.id) === taskId) : undefined;
  if (task) return toTask(task);
  // Gong answered without the task: report what we know it became.
  return toTask({ ...(before ?? { id: taskId }), status: how.complete ? 'DONE' : 'DISMISSED' });
}

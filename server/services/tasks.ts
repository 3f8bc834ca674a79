/** The calling rep's Gong Engage tasks, mapped to the API's task, and completing / skipping them. */
import type { z } from 'zod';
import type { Task, TaskType } from '../../lib/api';
import { gongTask, gongTasksResponse } from '../../lib/gong-types';
import { notFound } from '../http/api-failure';
import type { GongSession } from '../gong/session';
import { allPages } from './paging';

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

async function openTasks(session: GongSession, toDate?: Date, fresh = false): Promise<GongTask[]> {
  const input: Record<string, unknown> = { assignee_email: session.user.email };
  if (toDate) input.to_date = toDate.toISOString();
  return allPages(session, 'gong_engage_tasks_list', input, { fresh }, (data) => {
    const res = gongTasksResponse.parse(data);
    return { items: res.tasks, cursor: res.records?.cursor };
  });
}

/** Today's (and overdue) OPEN tasks, or every OPEN task. */
export async function listTasks(session: GongSession, due: 'today' | 'all'): Promise<Task[]> {
  const now = new Date();
  const tasks = await openTasks(session, due === 'today' ? endOfUtcDay(now) : undefined);
  return tasks
    .filter((t) => t.status === 'OPEN')
    .map((t) => toTask(t, now))
    .sort((a, b) => (a.dueDate ?? '').localeCompare(b.dueDate ?? ''));
}

/** The caller's OPEN tasks, after making sure `taskId` is one of them (anyone else's is "not found"). */
export async function assertOwnOpenTask(session: GongSession, taskId: string): Promise<GongTask[]> {
  // Gong runs the task tools for any task id; the backend makes sure a rep only touches their own.
  // The rep's task list is cached for minutes (invalidated by writes through this backend); a task Gong
  // created since (a flow moved on) is looked up again before saying "not found".
  let mine = await openTasks(session);
  if (!mine.some((t) => String(t.id) === taskId)) mine = await openTasks(session, undefined, true);
  if (!mine.some((t) => String(t.id) === taskId)) throw notFound('No open task with this id for you');
  return mine;
}

/** Completes or skips one of the caller's own OPEN tasks; anyone else's task is "not found". */
export async function finishTask(session: GongSession, taskId: string, how: { complete: true; notes?: string } | { complete: false; reason?: string }): Promise<Task> {
  const mine = await assertOwnOpenTask(session, taskId);
  const { data } = how.complete
    ? await session.call('gong_engage_task_complete', { task_id: taskId, ...(how.notes ? { completion_notes: how.notes } : {}) })
    : await session.call('gong_engage_task_skip', { task_id: taskId, ...(how.reason ? { skip_reason: how.reason } : {}) });
  const updated = gongTasksResponse.safeParse(data);
  const task = updated.success ? updated.data.tasks.find((t) => String(t.id) === taskId) : undefined;
  if (task) return toTask(task);
  // Gong answered without the task: report what we know it became.
  const before = mine.find((t) => String(t.id) === taskId)!;
  return toTask({ ...before, status: how.complete ? 'DONE' : 'DISMISSED' });
}

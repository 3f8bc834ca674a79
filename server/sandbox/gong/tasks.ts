/** Engage tasks: list, complete (DONE), skip (DISMISSED); flow steps create the next task. */
import type { Ctx, Handler } from './context';
import { badRequest, notFound, omitUndefined, userByEmail } from './context';
import { prospectByLowerId } from './indexes';
import { COOL_OFF_DAYS, taskId, taskTitle } from './seed';
import type { Flow, FlowInstance, Prospect, Task } from './state';
import { DAY_MS, iso } from './util';

export const SF_BASE = 'https://northwind.lightning.force.com';
export const HUBSPOT_PORTAL = '21453779';

export function crmUrl(p: Prospect): string {
  if (p.crm === 'salesforce') return `${SF_BASE}/lightning/r/${p.type === 'LEAD' ? 'Lead' : 'Contact'}/${p.crmId}/view`;
  return `https://app.hubspot.com/contacts/${HUBSPOT_PORTAL}/record/${p.type === 'LEAD' ? '0-136' : '0-1'}/${p.crmId}`;
}

function accountUrl(p: Prospect): string {
  if (p.crm === 'salesforce') return `${SF_BASE}/lightning/r/Account/${p.accountCrmId}/view`;
  return `https://app.hubspot.com/contacts/${HUBSPOT_PORTAL}/record/0-2/${p.accountCrmId}`;
}

const PRIORITY = { HIGH: { id: 1, name: 'High', weight: 3 }, MEDIUM: { id: 2, name: 'Medium', weight: 2 }, LOW: { id: 3, name: 'Low', weight: 1 } } as const;

export function taskView(c: Ctx, t: Task) {
  const p = t.crmProspectId ? prospectByLowerId(c.state.prospects, t.crmProspectId.toLowerCase()) : undefined;
  const flow = t.flowId ? c.state.flows.find((f) => f.id === t.flowId) : undefined;
  return omitUndefined({
    id: t.id,
    userId: Number(t.userId),
    created: t.created,
    updated: t.updated,
    status: t.status,
    type: t.type,
    actions: t.kind === 'call' ? ['CALL'] : [],
    account: p ? { crmId: p.accountCrmId, name: p.accountName, crmUrl: accountUrl(p) } : undefined,
    dueDate: t.dueDate,
    flow: flow
      ? {
          id: Number(flow.id),
          name: flow.name,
          step: t.stepNumber !== undefined ? { id: Number(flow.id.slice(-4)) * 100 + t.stepNumber, name: t.stepName ?? '', stepNumber: t.stepNumber } : undefined,
        }
      : undefined,
    contact: p
      ? {
          crmId: p.crmId,
          type: p.type,
          data: {
            firstName: p.firstName,
            lastName: p.lastName,
            crmUrl: crmUrl(p),
            companyName: p.accountName,
            affiliation: 'Them',
            emails: [{ email: p.email }],
            title: p.title,
            timezone: p.timezone,
            phoneNumbers: [{ raw: p.phone, normalized: p.phone.replace(/[^+\d]/g, ''), label: 'work', isVerified: false }],
            city: p.city,
            country: p.country,
            linkedinProfile: p.linkedInUrl,
          },
        }
      : undefined,
    title: t.title,
    priority: PRIORITY[t.priority],
  });
}

/** Creates the OPEN task for a flow step of an instance (its owner's to-do). */
export function createStepTask(c: Ctx, instance: FlowInstance, flow: Flow, stepNumber: number, baseMs: number): Task | undefined {
  const step = flow.steps.find((s) => s.number === stepNumber);
  const owner = userByEmail(c, instance.ownerEmail);
  const p = prospectByLowerId(c.state.prospects, instance.crmProspectId.toLowerCase());
  if (!step || !owner || !p) return undefined;
  const prev = flow.steps.find((s) => s.number === stepNumber - 1);
  c.state.counters.task += 1;
  const task: Task = {
    id: taskId(c.state.counters.task),
    userId: owner.id,
    created: iso(c.nowMs),
    updated: iso(c.nowMs),
    status: 'OPEN',
    type: 'FLOW',
    kind: step.kind,
    title: taskTitle(step.kind, `${p.firstName} ${p.lastName}`, p.accountName),
    dueDate: iso(baseMs + (step.dayOffset - (prev?.dayOffset ?? 0)) * DAY_MS),
    crmProspectId: p.crmId,
    flowId: flow.id,
    flowInstanceId: instance.id,
    stepNumber: step.number,
    stepName: step.name,
    priority: step.kind === 'call' ? 'HIGH' : 'MEDIUM',
    workspaceId: flow.workspaceId,
  };
  c.state.tasks.push(task);
  return task;
}

const tasksList: Handler = (c, input: { assignee_email: string; from_date?: string; to_date?: string; workspace_id?: string; cursor?: string }) => {
  const user = userByEmail(c, input.assignee_email);
  if (!user) badRequest(c, `No Gong user with email ${input.assignee_email}`);
  const from = input.from_date ? Date.parse(input.from_date) : -Infinity;
  const to = input.to_date ? Date.parse(input.to_date) : Infinity;
  const tasks = c.state.tasks
    .filter((t) => t.userId === user.id && t.status === 'OPEN')
    .filter((t) => !input.workspace_id || t.workspaceId === input.workspace_id)
    .filter((t) => {
      const due = Date.parse(t.dueDate);
      return due >= from && due <= to;
    })
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.id - b.id);
  return { requestId: c.requestId, tasks: tasks.map((t) => taskView(c, t)), crmType: c.state.company.crmType };
};

function finishTask(c: Ctx, taskId: string, status: 'DONE' | 'DISMISSED', note?: string) {
  const task = c.state.tasks.find((t) => String(t.id) === taskId);
  if (!task) notFound(c, `Task ${taskId} was not found`);
  if (task.status !== 'OPEN') badRequest(c, `Task ${taskId} is ${task.status}; only OPEN tasks can be updated to ${status}`);
  task.status = status;
  task.updated = iso(c.nowMs);
  if (note) task.notes = note;
  // A flow task moves its instance on to the next step (or finishes it).
  const instance = task.flowInstanceId ? c.state.instances.find((i) => i.id === task.flowInstanceId) : undefined;
  const flow = instance ? c.state.flows.find((f) => f.id === instance.flowId) : undefined;
  if (instance && flow && task.stepNumber !== undefined && (instance.status === 'Running' || instance.status === 'Pending')) {
    const next = flow.steps.find((s) => s.number === task.stepNumber! + 1);
    if (next) createStepTask(c, instance, flow, next.number, c.nowMs);
    else {
      instance.status = 'FinishedNoReply';
      instance.finishedAt = iso(c.nowMs);
    }
  }
  c.store.changed();
  return { requestId: c.requestId, tasks: [taskView(c, task)], crmType: c.state.company.crmType };
}

export const taskHandlers: Record<string, Handler> = {
  gong_engage_tasks_list: tasksList,
  gong_engage_task_complete: (c, input: { task_id: string; completion_notes?: string }) => finishTask(c, input.task_id, 'DONE', input.completion_notes),
  gong_engage_task_skip: (c, input: { task_id: string; skip_reason?: string }) => finishTask(c, input.task_id, 'DISMISSED', input.skip_reason),
};

export { COOL_OFF_DAYS };

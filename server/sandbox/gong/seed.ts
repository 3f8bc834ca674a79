/**
 * Deterministic seed data for the Gong simulator. Everything is derived from fixed tables and a seeded
 * PRNG; dates are relative to the clock at seeding time (tasks due today, calls in the last 90 days).
 *
 * DEMO SET (stable ids the e2e tests and the demo can rely on; see SEED below):
 *  - Company "Northwind Cloud" (Salesforce CRM), workspaces "Sales – North America" (5550000000000001)
 *    and "Sales – EMEA" (5550000000000002).
 *  - Demo rep: Riley Parker <rep@example.com> (user 7234000000000000003), manager Jordan Kim
 *    <manager@example.com> (7234000000000000002).
 *  - rep@example.com sees 14 flows (8 company, 2 personal, 2 shared by Sam Rivera, 2 EMEA company):
 *    flows list pages at 10, so 2 pages. First company flow: "Outbound – Enterprise Cold" (SEED.flowId).
 *  - SEED.sfContactWithFlows: Salesforce contact Avery Thompson (Globex) with a Running, a Paused and an
 *    old FinishedNoReply flow instance; has calls with Riley.
 *  - SEED.sfContactNoFlows: Salesforce contact with no flow instance (assignable).
 *  - SEED.sfLead: Salesforce lead with no flow; SEED.sfLeadInFlow: lead Running in a flow.
 *  - SEED.hubspotContact: HubSpot contact Running in a flow; SEED.hubspotContactNoFlows: none.
 *  - SEED.coolOff: Salesforce contact whose flow finished (FinishedResponse) 3 days ago: in cool-off.
 *  - Riley has OPEN tasks overdue (3), due today (4) and later (4) of kinds call/email/linkedin/other.
 *  - 40 calls over the last 90 days; SEED.callId is Riley's most recent call with sfContactWithFlows.
 */
import { toSalesforceId18 } from '../../../lib/crm-record';
import type { FlowInstanceStatus } from '../../../lib/gong-types';
import type {
  Account,
  Call,
  CallParty,
  Flow,
  FlowFolder,
  FlowInstance,
  FlowStep,
  GongState,
  LibraryFolder,
  Prospect,
  StepKind,
  Task,
  User,
  Workspace,
} from './state';
import { DAY_MS, iso, pick, prng, randInt, startOfUtcDay } from './util';

/** Days after a finished flow during which a prospect cannot be assigned again (without override). */
export const COOL_OFF_DAYS = 14;

export const WS_NA = '5550000000000001';
export const WS_EMEA = '5550000000000002';

// Gong's string ids are "up to 20 digits" (gong-openapi.json): most seeded ones are 19, above 2^53, so that
// any code turning one into a JavaScript number (or a protobuf Struct number) loses digits and a test sees it.
const userId = (n: number) => `7234000000000000${String(n).padStart(3, '0')}`;
const folderId = (n: number) => `77100000000000000${String(n).padStart(2, '0')}`;
const flowId = (n: number) => `74410000000000000${String(n).padStart(2, '0')}`;
export const instanceId = (n: number) => `733${String(n).padStart(16, '0')}`;
/** Task ids are numbers in Gong (int64); kept below 2^53 so JSON and protobuf doubles hold them exactly. */
export const TASK_ID_BASE = 7_100_000_000_000_000;
export const taskId = (n: number) => TASK_ID_BASE + n;
export const callId = (n: number) => `788${String(n).padStart(16, '0')}`;
export const bulkId = (n: number) => `12${String(n).padStart(14, '0')}`;
const libraryFolderId = (n: number) => `61000000000000${String(n).padStart(2, '0')}`;

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Adds `n` Salesforce contacts to `prospects`, modelled on the first one, with ids `003<tag><0000000000>` and names
 * `<label> Prospect <i>` (bulk benchmarks and the scale test need thousands the seed does not have). Returns their ids.
 */
export function addSalesforceContacts(prospects: Prospect[], n: number, tag: string, label: string): string[] {
  const template = prospects[0];
  const ids = Array.from({ length: n }, (_, i) => toSalesforceId18(`003${tag}${String(i).padStart(10, '0')}`)!);
  const lower = label.toLowerCase();
  prospects.push(
    ...ids.map(
      (crmId, i): Prospect => ({
        ...template,
        crmId,
        crm: 'salesforce',
        type: 'CONTACT',
        firstName: label,
        lastName: `Prospect ${i}`,
        email: `${lower}.${i}@${lower}.example`,
        linkedInUrl: `https://www.linkedin.com/in/${lower}-${i}`,
      }),
    ),
  );
  return ids;
}

/** A valid 18-character Salesforce id with the given key prefix. */
export function salesforceId(prefix: string, n: number): string {
  const rand = prng(`${prefix}:${n}`);
  let body = '';
  for (let i = 0; i < 6; i++) body += ALNUM[Math.floor(rand() * ALNUM.length)];
  const id15 = `${prefix}8d000${String(n).padStart(1, '0').slice(-1)}${body}`.slice(0, 15);
  const id18 = toSalesforceId18(id15);
  if (!id18) throw new Error(`bad salesforce id ${id15}`);
  return id18;
}

const USERS: Omit<User, 'created' | 'active' | 'workspaceId'>[] = [
  { id: userId(1), emailAddress: 'morgan.lee@example.com', firstName: 'Morgan', lastName: 'Lee', title: 'VP of Sales', phoneNumber: '+1 415 555 0101' },
  { id: userId(2), emailAddress: 'manager@example.com', firstName: 'Jordan', lastName: 'Kim', title: 'Sales Manager', phoneNumber: '+1 415 555 0102', managerId: userId(1) },
  { id: userId(3), emailAddress: 'rep@example.com', firstName: 'Riley', lastName: 'Parker', title: 'Account Executive', phoneNumber: '+1 415 555 0103', managerId: userId(2) },
  { id: userId(4), emailAddress: 'sam.rivera@example.com', firstName: 'Sam', lastName: 'Rivera', title: 'Account Executive', phoneNumber: '+1 415 555 0104', managerId: userId(2) },
  { id: userId(5), emailAddress: 'taylor.nguyen@example.com', firstName: 'Taylor', lastName: 'Nguyen', title: 'Sales Development Representative', phoneNumber: '+1 415 555 0105', managerId: userId(2) },
  { id: userId(6), emailAddress: 'casey.morgan@example.com', firstName: 'Casey', lastName: 'Morgan', title: 'Sales Manager, EMEA', phoneNumber: '+44 20 5550 0106', managerId: userId(1) },
  { id: userId(7), emailAddress: 'alex.schmidt@example.com', firstName: 'Alex', lastName: 'Schmidt', title: 'Account Executive, DACH', phoneNumber: '+49 30 5550 0107', managerId: userId(6) },
  { id: userId(8), emailAddress: 'priya.shah@example.com', firstName: 'Priya', lastName: 'Shah', title: 'Solutions Engineer', phoneNumber: '+1 415 555 0108', managerId: userId(1) },
  { id: userId(9), emailAddress: 'dana.whitfield@example.com', firstName: 'Dana', lastName: 'Whitfield', title: 'Account Executive (former)', phoneNumber: '+1 415 555 0109', managerId: userId(2) },
];

const REP = 'rep@example.com';
const SAM = 'sam.rivera@example.com';

const ACCOUNTS: Omit<Account, 'sfId' | 'hubspotId'>[] = [
  { name: 'Globex Corporation', domain: 'globex.com', industry: 'Manufacturing' },
  { name: 'Initech', domain: 'initech.io', industry: 'Software' },
  { name: 'Umbrella Health', domain: 'umbrellahealth.com', industry: 'Healthcare' },
  { name: 'Stark Logistics', domain: 'starklogistics.com', industry: 'Logistics' },
  { name: 'Wayne Financial', domain: 'waynefinancial.com', industry: 'Financial Services' },
  { name: 'Hooli', domain: 'hooli.xyz', industry: 'Internet' },
  { name: 'Pied Piper', domain: 'piedpiper.com', industry: 'Software' },
  { name: 'Soylent Foods', domain: 'soylentfoods.com', industry: 'Food & Beverage' },
  { name: 'Vandelay Industries', domain: 'vandelay.com', industry: 'Import/Export' },
  { name: 'Massive Dynamic', domain: 'massivedynamic.com', industry: 'Research' },
  { name: 'Cyberdyne Systems', domain: 'cyberdyne.ai', industry: 'Robotics' },
  { name: 'Tyrell Biotech', domain: 'tyrellbio.com', industry: 'Biotech' },
  { name: 'Oceanic Airlines', domain: 'oceanicair.com', industry: 'Airlines' },
  { name: 'Blue Sun Retail', domain: 'bluesun.com', industry: 'Retail' },
  { name: 'Aperture Labs', domain: 'aperturelabs.com', industry: 'Research' },
];

const FIRST = ['Avery', 'Blake', 'Carmen', 'Devon', 'Elena', 'Farah', 'Gabriel', 'Hana', 'Isaac', 'Julia', 'Kofi', 'Lena', 'Mateo', 'Nadia', 'Omar', 'Paula', 'Quinn', 'Rosa', 'Sven', 'Tara', 'Umar', 'Vera', 'Wes', 'Ximena', 'Yusuf', 'Zoe', 'Aaron', 'Bianca', 'Chen', 'Dmitri'];
const LAST = ['Thompson', 'Okafor', 'Lindqvist', 'Garcia', 'Novak', 'Haddad', 'Brennan', 'Sato', 'Mensah', 'Duarte', 'Kowalski', 'Fischer', 'Rossi', 'Patel', 'Walsh', 'Ibrahim', 'Moreau', 'Jensen', 'Alvarez', 'Nakamura', 'Cohen', 'Singh', 'Larsen', 'Costa', 'Weber', 'Murphy', 'Ortiz', 'Yilmaz', 'Dubois', 'Park'];
const TITLES = ['VP of Operations', 'Director of IT', 'Head of Revenue Operations', 'CFO', 'Procurement Manager', 'Chief Technology Officer', 'Sales Operations Analyst', 'Director of Customer Success', 'Head of Growth', 'Engineering Manager', 'VP of Marketing', 'IT Manager'];
const CITIES: [string, string, string][] = [
  ['San Francisco', 'United States', 'America/Los_Angeles'],
  ['New York', 'United States', 'America/New_York'],
  ['Chicago', 'United States', 'America/Chicago'],
  ['Austin', 'United States', 'America/Chicago'],
  ['Toronto', 'Canada', 'America/Toronto'],
  ['London', 'United Kingdom', 'Europe/London'],
  ['Berlin', 'Germany', 'Europe/Berlin'],
];

const STEP_PLANS: Record<string, StepKind[]> = {
  outbound: ['email', 'call', 'linkedin', 'email', 'call', 'email', 'other'],
  inbound: ['call', 'email', 'call', 'email'],
  nurture: ['email', 'email', 'linkedin', 'email'],
  short: ['email', 'call', 'email'],
};
const STEP_NAMES: Record<StepKind, string> = { email: 'Manual email', call: 'Phone call', linkedin: 'LinkedIn connect', other: 'Custom task' };

function steps(plan: keyof typeof STEP_PLANS): FlowStep[] {
  return STEP_PLANS[plan].map((kind, i) => ({
    number: i + 1,
    kind,
    name: STEP_NAMES[kind],
    dayOffset: i * 2,
    subject: kind === 'email' ? (i === 0 ? 'Quick question, {{recipient.first_name}}' : 'Re: Quick question') : undefined,
  }));
}

interface FlowSpec { n: number; name: string; folder: number; plan: keyof typeof STEP_PLANS; exclusive?: boolean }

const FOLDERS: (Omit<FlowFolder, 'sharedWith'> & { sharedWith?: string[] })[] = [
  { id: folderId(1), name: 'Company Flows', visibility: 'Company', workspaceId: WS_NA },
  { id: folderId(2), name: 'Inbound & Events', visibility: 'Company', workspaceId: WS_NA, parentFolderId: folderId(1) },
  { id: folderId(3), name: 'Riley – My Flows', visibility: 'Personal', ownerEmail: REP, workspaceId: WS_NA },
  { id: folderId(4), name: 'Vertical Plays (shared)', visibility: 'Shared', ownerEmail: SAM, sharedWith: [REP, 'taylor.nguyen@example.com'], workspaceId: WS_NA },
  { id: folderId(5), name: 'Sam – Drafts', visibility: 'Personal', ownerEmail: SAM, workspaceId: WS_NA },
  { id: folderId(6), name: 'EMEA Flows', visibility: 'Company', workspaceId: WS_EMEA },
];

const FLOWS: FlowSpec[] = [
  { n: 1, name: 'Outbound – Enterprise Cold', folder: 1, plan: 'outbound' },
  { n: 2, name: 'Outbound – Mid-Market Cold', folder: 1, plan: 'outbound' },
  { n: 3, name: 'Webinar Attendee Nurture', folder: 2, plan: 'nurture' },
  { n: 4, name: 'Inbound Demo Request Follow-up', folder: 2, plan: 'inbound' },
  { n: 5, name: 'Trial Signup Activation', folder: 2, plan: 'short' },
  { n: 6, name: 'Closed-Lost Re-engagement', folder: 1, plan: 'nurture' },
  { n: 7, name: 'Executive Outreach (exclusive)', folder: 1, plan: 'short', exclusive: true },
  { n: 8, name: 'Customer Expansion – Upsell', folder: 1, plan: 'inbound' },
  { n: 9, name: 'Riley – Warm Intros', folder: 3, plan: 'short' },
  { n: 10, name: 'Riley – Champion Changed Jobs', folder: 3, plan: 'inbound' },
  { n: 11, name: 'Fintech Vertical Sequence', folder: 4, plan: 'outbound' },
  { n: 12, name: 'Healthcare ABM', folder: 4, plan: 'nurture' },
  { n: 13, name: 'Sam – Private Drafts', folder: 5, plan: 'short' },
  { n: 14, name: 'EMEA Outbound', folder: 6, plan: 'outbound' },
  { n: 15, name: 'DACH Inbound (German)', folder: 6, plan: 'inbound' },
];

/** Counts of seeded prospects by kind, in order: SF contacts, SF leads, HubSpot contacts, HubSpot leads. */
const SF_CONTACTS = 36;
const SF_LEADS = 12;
const HS_CONTACTS = 10;
const HS_LEADS = 4;

function hubspotContactId(i: number): string {
  return String(51_234_000 + i * 37);
}
function hubspotLeadId(i: number): string {
  return String(90_712_000 + i * 53);
}

function buildProspects(accounts: Account[]): Prospect[] {
  const out: Prospect[] = [];
  const total = SF_CONTACTS + SF_LEADS + HS_CONTACTS + HS_LEADS;
  for (let i = 0; i < total; i++) {
    const first = FIRST[i % FIRST.length];
    const last = LAST[(i * 7 + Math.floor(i / FIRST.length) * 11) % LAST.length];
    const account = accounts[i % accounts.length];
    const [city, country, timezone] = CITIES[i % CITIES.length];
    let crmId: string;
    let crm: Prospect['crm'];
    let type: Prospect['type'];
    if (i < SF_CONTACTS) [crmId, crm, type] = [salesforceId('003', i), 'salesforce', 'CONTACT'];
    else if (i < SF_CONTACTS + SF_LEADS) [crmId, crm, type] = [salesforceId('00Q', i), 'salesforce', 'LEAD'];
    else if (i < SF_CONTACTS + SF_LEADS + HS_CONTACTS) [crmId, crm, type] = [hubspotContactId(i), 'hubspot', 'CONTACT'];
    else [crmId, crm, type] = [hubspotLeadId(i), 'hubspot', 'LEAD'];
    out.push({
      crmId,
      crm,
      type,
      firstName: first,
      lastName: last,
      email: `${first}.${last}@${account.domain}`.toLowerCase(),
      title: TITLES[(i * 5) % TITLES.length],
      phone: `+1 212 555 ${String(1000 + i).slice(-4)}`,
      accountName: account.name,
      accountCrmId: crm === 'salesforce' ? account.sfId : account.hubspotId,
      linkedInUrl: `https://www.linkedin.com/in/${first}-${last}-${i}`.toLowerCase(),
      city,
      country,
      timezone,
    });
  }
  return out;
}

/** Stable ids of notable seed records, for tests and the demo. */
export const SEED = (() => {
  const p = (i: number) =>
    i < SF_CONTACTS ? salesforceId('003', i) : i < SF_CONTACTS + SF_LEADS ? salesforceId('00Q', i) : i < SF_CONTACTS + SF_LEADS + HS_CONTACTS ? hubspotContactId(i) : hubspotLeadId(i);
  return {
    companyId: '6600000000000001',
    workspaceId: WS_NA,
    emeaWorkspaceId: WS_EMEA,
    repEmail: REP,
    repUserId: userId(3),
    repName: 'Riley Parker',
    managerEmail: 'manager@example.com',
    managerUserId: userId(2),
    otherRepEmail: SAM,
    inactiveUserEmail: 'dana.whitfield@example.com',
    /** Company flow, visible to everyone ("Outbound – Enterprise Cold"). */
    flowId: flowId(1),
    flowName: 'Outbound – Enterprise Cold',
    /** A second company flow with no seeded instances of the "no flows" prospects. */
    otherFlowId: flowId(4),
    exclusiveFlowId: flowId(7),
    personalFlowId: flowId(9),
    sharedFlowId: flowId(11),
    /** Sam's personal flow: not visible to rep@example.com. */
    hiddenFlowId: flowId(13),
    emeaFlowId: flowId(14),
    /** Number of flows rep@example.com sees across all workspaces. */
    repVisibleFlowCount: 14,
    companyFolderId: folderId(1),
    personalFolderId: folderId(3),
    sharedFolderId: folderId(4),
    sfContactWithFlows: p(0),
    sfContactNoFlows: p(1),
    coolOff: p(2),
    sfContactNoFlows2: p(4),
    sfLead: p(SF_CONTACTS),
    sfLeadInFlow: p(SF_CONTACTS + 1),
    hubspotContact: p(SF_CONTACTS + SF_LEADS),
    hubspotContactNoFlows: p(SF_CONTACTS + SF_LEADS + 1),
    hubspotLead: p(SF_CONTACTS + SF_LEADS + HS_CONTACTS),
    /** Running instance of sfContactWithFlows in flowId. */
    runningInstanceId: instanceId(1),
    /** An OPEN call task of rep@example.com due today. */
    openTaskId: String(taskId(4)),
    /** Riley's most recent call, with sfContactWithFlows. */
    callId: callId(1),
    libraryFolderId: libraryFolderId(1),
    prospectCount: SF_CONTACTS + SF_LEADS + HS_CONTACTS + HS_LEADS,
    callCount: 40,
  } as const;
})();

export function buildSeed(nowMs: number): GongState {
  const rand = prng('gong-simulator-seed');
  const today = startOfUtcDay(nowMs);
  const workspaces: Workspace[] = [
    { id: WS_NA, name: 'Sales – North America', description: 'North American sales teams' },
    { id: WS_EMEA, name: 'Sales – EMEA', description: 'Europe, Middle East and Africa sales teams' },
  ];
  const users: User[] = USERS.map((u, i) => ({
    ...u,
    workspaceId: u.id === userId(6) || u.id === userId(7) ? WS_EMEA : WS_NA,
    created: iso(today - (500 - i * 30) * DAY_MS),
    active: u.id !== userId(9),
  }));
  const folders: FlowFolder[] = FOLDERS.map((f) => ({ ...f, sharedWith: f.sharedWith ?? [] }));
  const flows: Flow[] = FLOWS.map((f) => {
    const folder = folders.find((x) => x.id === folderId(f.folder))!;
    return {
      id: flowId(f.n),
      name: f.name,
      folderId: folder.id,
      visibility: folder.visibility,
      ownerEmail: folder.ownerEmail,
      sharedWith: folder.sharedWith,
      workspaceId: folder.workspaceId,
      creationDate: iso(today - (300 - f.n * 11) * DAY_MS),
      exclusive: !!f.exclusive,
      steps: steps(f.plan),
    };
  });
  const accounts: Account[] = ACCOUNTS.map((a, i) => ({
    ...a,
    sfId: salesforceId('001', 100 + i),
    hubspotId: String(7_700_100 + i * 11),
  }));
  const prospects = buildProspects(accounts);
  const userByEmail = (email: string) => users.find((u) => u.emailAddress === email)!;

  // Flow instances.
  const instances: FlowInstance[] = [];
  let inst = 0;
  const addInstance = (prospectIdx: number, flowN: number, owner: string, status: FlowInstanceStatus, createdDaysAgo: number, finishedDaysAgo?: number) => {
    inst += 1;
    instances.push({
      id: instanceId(inst),
      flowId: flowId(flowN),
      crmProspectId: prospects[prospectIdx].crmId,
      ownerEmail: owner,
      created: iso(nowMs - createdDaysAgo * DAY_MS),
      status,
      startsAt: status === 'Pending' ? nowMs + 2 * DAY_MS : undefined,
      finishedAt: finishedDaysAgo !== undefined ? iso(nowMs - finishedDaysAgo * DAY_MS) : undefined,
      fieldValues: {},
    });
  };
  addInstance(0, 1, REP, 'Running', 5); // instance 1: SEED.runningInstanceId
  addInstance(0, 9, REP, 'Paused', 12);
  addInstance(0, 3, REP, 'FinishedNoReply', 140, 120);
  addInstance(2, 4, REP, 'FinishedResponse', 20, 3); // SEED.coolOff
  addInstance(SF_CONTACTS + 1, 4, REP, 'Running', 2); // SEED.sfLeadInFlow
  addInstance(SF_CONTACTS + SF_LEADS, 11, REP, 'Running', 6); // SEED.hubspotContact
  const statuses: FlowInstanceStatus[] = ['Pending', 'Running', 'Paused', 'FinishedNoReply', 'FinishedResponse', 'Finished', 'Running'];
  const owners = [REP, REP, SAM, 'taylor.nguyen@example.com'];
  const skip = new Set([1, 2, 4, SF_CONTACTS, SF_CONTACTS + SF_LEADS + 1]);
  let s = 0;
  for (let i = 3; i < prospects.length; i += 2) {
    if (skip.has(i)) continue;
    const status = statuses[s % statuses.length];
    const finished = status.startsWith('Finished');
    // Two of the finished ones are recent (cool-off); the rest finished long ago.
    const finishedDaysAgo = finished ? (s % 9 === 3 ? 5 : 30 + (s % 40)) : undefined;
    addInstance(i, [1, 2, 3, 4, 5, 6, 8, 9, 11, 12][s % 10], owners[s % owners.length], status, (finishedDaysAgo ?? 0) + 10 + (s % 20), finishedDaysAgo);
    s += 1;
  }

  // Tasks for rep@example.com (and a few for others).
  const tasks: Task[] = [];
  let t = 0;
  const repInstances = instances.filter((x) => x.ownerEmail === REP && (x.status === 'Running' || x.status === 'Paused'));
  const addTask = (owner: string, kind: StepKind, dueMs: number, prospectIdx: number, viaFlow: boolean, status: Task['status'] = 'OPEN') => {
    t += 1;
    const prospect = prospects[prospectIdx];
    const instance = viaFlow ? instances.find((x) => x.crmProspectId === prospect.crmId && x.ownerEmail === owner && !x.status.startsWith('Finished')) ?? repInstances[t % repInstances.length] : undefined;
    const flow = instance ? flows.find((f) => f.id === instance.flowId) : undefined;
    const step = flow ? flow.steps.find((st) => st.kind === kind) ?? flow.steps[0] : undefined;
    const who = instance ? prospects.find((p) => p.crmId === instance.crmProspectId)! : prospect;
    tasks.push({
      id: taskId(t),
      userId: userByEmail(owner).id,
      created: iso(dueMs - 3 * DAY_MS),
      updated: iso(Math.min(nowMs, dueMs - 3 * DAY_MS)),
      status,
      type: instance ? 'FLOW' : 'MANUAL',
      kind,
      title: taskTitle(kind, `${who.firstName} ${who.lastName}`, who.accountName),
      dueDate: iso(dueMs),
      crmProspectId: who.crmId,
      flowId: flow?.id,
      flowInstanceId: instance?.id,
      stepNumber: step?.number,
      stepName: step?.name,
      priority: kind === 'call' ? 'HIGH' : kind === 'other' ? 'LOW' : 'MEDIUM',
      workspaceId: flow?.workspaceId ?? WS_NA,
    });
  };
  const H = 3_600_000;
  // Overdue.
  addTask(REP, 'call', today - 1 * DAY_MS + 15 * H, 0, true);
  addTask(REP, 'email', today - 2 * DAY_MS + 14 * H, SF_CONTACTS + 1, true);
  addTask(REP, 'linkedin', today - 4 * DAY_MS + 10 * H, 7, false);
  // Due today (task 4 = SEED.openTaskId).
  addTask(REP, 'call', today + 10 * H, 0, true);
  addTask(REP, 'email', today + 13 * H, SF_CONTACTS + SF_LEADS, true);
  addTask(REP, 'linkedin', today + 15 * H + 30 * 60_000, 9, false);
  addTask(REP, 'other', today + 17 * H, 11, false);
  // Later.
  addTask(REP, 'email', today + 1 * DAY_MS + 9 * H, 0, true);
  addTask(REP, 'call', today + 2 * DAY_MS + 16 * H, 13, false);
  addTask(REP, 'linkedin', today + 5 * DAY_MS + 11 * H, SF_CONTACTS + 1, true);
  addTask(REP, 'other', today + 9 * DAY_MS + 12 * H, 15, false);
  // Already handled, and other users' tasks.
  addTask(REP, 'email', today - 6 * DAY_MS + 9 * H, 17, false, 'DONE');
  addTask(REP, 'call', today - 8 * DAY_MS + 9 * H, 19, false, 'DISMISSED');
  addTask(SAM, 'call', today + 11 * H, 21, false);
  addTask(SAM, 'email', today - 1 * DAY_MS + 11 * H, 23, false);
  addTask('taylor.nguyen@example.com', 'linkedin', today + 12 * H, 25, false);

  // Calls over the last 90 days.
  const calls: Call[] = [];
  const reps = [REP, REP, REP, SAM, 'taylor.nguyen@example.com', 'alex.schmidt@example.com', REP, 'manager@example.com'];
  const purposes = ['Discovery', 'Demo', 'Pricing', 'Follow-up', 'Negotiation', 'QBR', 'Technical deep dive'];
  const outcomes = ['Meeting booked', 'Interested', 'Not interested', 'Follow-up scheduled', 'Left voicemail', 'No answer'];
  for (let k = 0; k < 40; k++) {
    const n = k + 1;
    const ownerEmail = k < 3 ? REP : reps[k % reps.length];
    const owner = userByEmail(ownerEmail);
    const daysAgo = k === 0 ? 1 : Math.min(89, Math.floor((k * 90) / 40) + (k % 3));
    const started = today - daysAgo * DAY_MS + (14 + (k % 6)) * H + (k % 4) * 15 * 60_000;
    const internal = k % 10 === 9;
    const purpose = purposes[k % purposes.length];
    const parties: CallParty[] = [
      { id: `${n}01`, emailAddress: owner.emailAddress, name: `${owner.firstName} ${owner.lastName}`, title: owner.title, userId: owner.id, speakerId: `${n}901`, affiliation: 'Internal' },
    ];
    let account: Call['account'];
    let title: string;
    if (internal) {
      const other = users[(k + 3) % 8];
      parties.push({ id: `${n}02`, emailAddress: other.emailAddress, name: `${other.firstName} ${other.lastName}`, title: other.title, userId: other.id, speakerId: `${n}902`, affiliation: 'Internal' });
      title = `Pipeline review: ${owner.firstName} / ${other.firstName}`;
    } else {
      // Calls 1-3 are with SEED.sfContactWithFlows (index 0); others spread over the prospects.
      const pIdx = k < 3 ? 0 : (k * 3 + 2) % prospects.length;
      const prospect = prospects[pIdx];
      const colleague = prospects.find((p, i) => i !== pIdx && p.accountName === prospect.accountName && p.crm === prospect.crm);
      const matchedByEmailOnly = k % 5 === 4;
      const crmParty = (p: Prospect): CallParty['crm'] =>
        matchedByEmailOnly ? undefined : { system: p.crm === 'salesforce' ? 'Salesforce' : 'HubSpot', objectType: p.type === 'LEAD' ? 'Lead' : 'Contact', objectId: p.crmId };
      parties.push({ id: `${n}02`, emailAddress: prospect.email, name: `${prospect.firstName} ${prospect.lastName}`, title: prospect.title, speakerId: `${n}902`, affiliation: 'External', crm: crmParty(prospect), phoneNumber: prospect.phone });
      if (colleague && k % 3 === 1) {
        parties.push({ id: `${n}03`, emailAddress: colleague.email, name: `${colleague.firstName} ${colleague.lastName}`, title: colleague.title, speakerId: `${n}903`, affiliation: 'External', crm: crmParty(colleague) });
      }
      if (k % 4 === 2) {
        const se = users[7];
        parties.push({ id: `${n}04`, emailAddress: se.emailAddress, name: `${se.firstName} ${se.lastName}`, title: se.title, userId: se.id, speakerId: `${n}904`, affiliation: 'Internal' });
      }
      const acct = accounts.find((a) => a.name === prospect.accountName)!;
      account = { system: prospect.crm === 'salesforce' ? 'Salesforce' : 'HubSpot', objectId: prospect.crm === 'salesforce' ? acct.sfId : acct.hubspotId, name: acct.name };
      title = `Northwind Cloud <> ${prospect.accountName} – ${purpose}`;
    }
    calls.push({
      id: callId(n),
      title,
      scheduled: iso(started - 2 * 60_000),
      started: iso(started),
      duration: 600 + randInt(rand, 0, 50) * 60,
      primaryUserId: owner.id,
      direction: internal ? 'Conference' : k % 4 === 3 ? 'Inbound' : k % 2 === 0 ? 'Conference' : 'Outbound',
      system: k % 2 === 0 ? 'Zoom' : 'Outreach',
      scope: internal ? 'Internal' : 'External',
      media: k % 2 === 0 ? 'Video' : 'Audio',
      language: owner.workspaceId === WS_EMEA && k % 2 === 1 ? 'deu' : 'eng',
      workspaceId: owner.workspaceId,
      purpose: internal ? 'Internal' : purpose,
      disposition: internal ? undefined : pick(rand, ['Connected', 'Connected', 'Left Voicemail', 'Connected']),
      parties,
      account,
      outcome: internal ? undefined : outcomes[k % outcomes.length],
      topics: internal ? ['Pipeline', 'Forecast'] : ['Pricing', 'Integration', 'Next Steps', 'Security', 'Timeline'].slice(0, 2 + (k % 4)),
      seed: 1000 + k * 7919,
      created: false,
    });
  }

  const libraryFolders: LibraryFolder[] = [
    { id: libraryFolderId(1), name: 'Best Discovery Calls', createdBy: userId(2), updated: iso(today - 10 * DAY_MS), workspaceId: WS_NA, calls: [1, 4, 8, 13].map((c, i) => ({ callId: callId(c), note: `Great discovery #${i + 1}: strong pain questions`, addedBy: userId(2), created: iso(today - (20 - i) * DAY_MS) })) },
    { id: libraryFolderId(2), name: 'Objection Handling', createdBy: userId(2), updated: iso(today - 15 * DAY_MS), workspaceId: WS_NA, parentFolderId: libraryFolderId(1), calls: [6, 12].map((c) => ({ callId: callId(c), note: 'Pricing objection handled well', addedBy: userId(1), created: iso(today - 25 * DAY_MS), fromSec: 300, toSec: 420 })) },
    { id: libraryFolderId(3), name: 'Onboarding – New Hires', createdBy: userId(1), updated: iso(today - 40 * DAY_MS), workspaceId: WS_NA, calls: [2, 3, 17].map((c) => ({ callId: callId(c), note: 'Listen to this first', addedBy: userId(1), created: iso(today - 45 * DAY_MS) })) },
    { id: libraryFolderId(4), name: 'Competitive: Globex wins', createdBy: userId(4), updated: iso(today - 5 * DAY_MS), workspaceId: WS_NA, calls: [] },
    { id: libraryFolderId(5), name: 'EMEA Highlights', createdBy: userId(6), updated: iso(today - 8 * DAY_MS), workspaceId: WS_EMEA, calls: [6, 14].map((c) => ({ callId: callId(c), note: 'Good multi-threading', addedBy: userId(6), created: iso(today - 9 * DAY_MS) })) },
  ];

  return {
    version: 1,
    seededAt: iso(nowMs),
    company: { id: SEED.companyId, name: 'Northwind Cloud', crmType: 'SALESFORCE' },
    workspaces,
    users,
    folders,
    flows,
    accounts,
    prospects,
    instances,
    tasks,
    calls,
    interactions: [],
    emailActivities: [],
    bulkAssignments: [],
    libraryFolders,
    counters: { instance: inst, task: t, call: calls.length, bulk: 0 },
  };
}

export function taskTitle(kind: StepKind, name: string, account: string): string {
  if (kind === 'call') return `Call ${name} (${account})`;
  if (kind === 'email') return `Email ${name} (${account})`;
  if (kind === 'linkedin') return `LinkedIn: connect with ${name} (${account})`;
  return `Follow up with ${name} (${account})`;
}

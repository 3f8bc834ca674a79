/**
 * The simulator's whole mutable state (plain JSON, so it can be persisted) and the store that owns it:
 * optional persistence to `statePath` (debounced, written to a temp file then renamed atomically).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FlowInstanceStatus } from '../../../lib/gong-types';

export type Visibility = 'Company' | 'Personal' | 'Shared';
export type StepKind = 'email' | 'call' | 'linkedin' | 'other';

export interface Workspace { id: string; name: string; description: string }

export interface User {
  id: string;
  emailAddress: string;
  firstName: string;
  lastName: string;
  title: string;
  phoneNumber: string;
  managerId?: string;
  workspaceId: string;
  created: string;
  active: boolean;
}

export interface FlowFolder {
  id: string;
  name: string;
  visibility: Visibility;
  ownerEmail?: string;
  sharedWith: string[];
  parentFolderId?: string;
  workspaceId: string;
}

export interface FlowStep { number: number; kind: StepKind; name: string; dayOffset: number; subject?: string }

export interface Flow {
  id: string;
  name: string;
  folderId: string;
  visibility: Visibility;
  ownerEmail?: string;
  sharedWith: string[];
  workspaceId: string;
  creationDate: string;
  exclusive: boolean;
  steps: FlowStep[];
}

export interface Account { name: string; domain: string; sfId: string; hubspotId: string; industry: string }

export interface Prospect {
  crmId: string;
  crm: 'salesforce' | 'hubspot';
  type: 'CONTACT' | 'LEAD';
  firstName: string;
  lastName: string;
  email: string;
  title: string;
  phone: string;
  accountName: string;
  accountCrmId: string;
  linkedInUrl: string;
  city: string;
  country: string;
  timezone: string;
}

export interface FlowInstance {
  id: string;
  flowId: string;
  crmProspectId: string;
  ownerEmail: string;
  created: string;
  status: FlowInstanceStatus;
  /** When a Pending instance starts running (ms since epoch). */
  startsAt?: number;
  /** When it finished (Finished* statuses), for the cool-off period. */
  finishedAt?: string;
  fieldValues: Record<string, string>;
  overrides?: unknown;
}

export type TaskStatus = 'OPEN' | 'DONE' | 'DISMISSED';

export interface Task {
  id: number;
  userId: string;
  created: string;
  updated: string;
  status: TaskStatus;
  type: 'FLOW' | 'MANUAL';
  kind: StepKind;
  title: string;
  dueDate: string;
  crmProspectId?: string;
  flowId?: string;
  flowInstanceId?: string;
  stepNumber?: number;
  stepName?: string;
  priority: 'HIGH' | 'MEDIUM' | 'LOW';
  workspaceId: string;
  notes?: string;
}

export interface CallParty {
  id: string;
  emailAddress?: string;
  name?: string;
  title?: string;
  userId?: string;
  speakerId: string;
  affiliation: 'Internal' | 'External' | 'Unknown';
  /** CRM object of an external party, when Gong matched it. */
  crm?: { system: 'Salesforce' | 'HubSpot'; objectType: 'Contact' | 'Lead'; objectId: string };
  phoneNumber?: string;
}

export interface Call {
  id: string;
  title: string;
  scheduled: string;
  started: string;
  duration: number;
  primaryUserId: string;
  direction: 'Inbound' | 'Outbound' | 'Conference' | 'Unknown';
  system: string;
  scope: 'Internal' | 'External' | 'Unknown';
  media: 'Video' | 'Audio';
  language: string;
  workspaceId: string;
  purpose?: string;
  disposition?: string;
  clientUniqueId?: string;
  parties: CallParty[];
  account?: { system: 'Salesforce' | 'HubSpot'; objectId: string; name: string };
  outcome?: string;
  topics: string[];
  /** Seed for the derived transcript and stats. */
  seed: number;
  created: boolean;
}

export interface Interaction {
  eventId: string;
  eventName: string;
  eventTimestamp: string;
  crmAccountId?: string;
  crmContactId?: string;
  prospectEmail?: string;
  url?: string;
  receivedAt: string;
}

export interface EmailActivity {
  emailId: string;
  eventType: string;
  eventTimestamp: string;
  prospectEmail: string;
  linkUrl?: string;
  receivedAt: string;
}

export interface BulkResult {
  crmId: string;
  status: 'CRM_OPERATION_FAILED' | 'FLOW_ASSIGNMENT_FAILED' | 'ASSIGNED';
  flowInstanceId?: string;
  errorCode?: string;
  errorMessage?: string;
}

export interface BulkAssignment {
  id: string;
  flowId: string;
  ownerEmail: string;
  crmIds: string[];
  /** ms since epoch the request was accepted. */
  submittedAt: number;
  status: 'PENDING' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  results: BulkResult[];
}

export interface LibraryFolder {
  id: string;
  name: string;
  parentFolderId?: string;
  createdBy: string;
  updated: string;
  workspaceId: string;
  calls: { callId: string; note: string; addedBy: string; created: string; fromSec?: number; toSec?: number }[];
}

export interface GongState {
  version: 1;
  seededAt: string;
  company: { id: string; name: string; crmType: 'SALESFORCE' | 'HUBSPOT' };
  workspaces: Workspace[];
  users: User[];
  folders: FlowFolder[];
  flows: Flow[];
  accounts: Account[];
  prospects: Prospect[];
  instances: FlowInstance[];
  tasks: Task[];
  calls: Call[];
  interactions: Interaction[];
  emailActivities: EmailActivity[];
  bulkAssignments: BulkAssignment[];
  libraryFolders: LibraryFolder[];
  /** Monotonic counters for new ids. */
  counters: { instance: number; task: number; call: number; bulk: number };
}

export const STATE_VERSION = 1;

export class Store {
  state: GongState;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly seed: () => GongState,
    private readonly statePath?: string,
    private readonly debounceMs = 50,
  ) {
    this.state = this.load() ?? seed();
    if (statePath) this.flush();
  }

  private load(): GongState | null {
    if (!this.statePath) return null;
    try {
      const raw = fs.readFileSync(this.statePath, 'utf8');
      const parsed = JSON.parse(raw) as GongState;
      if (parsed && parsed.version === STATE_VERSION && Array.isArray(parsed.flows)) return parsed;
    } catch {
      /* missing or unreadable: start from the seed */
    }
    return null;
  }

  /** Marks the state changed; persists after a short debounce. */
  changed(): void {
    if (!this.statePath || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, this.debounceMs);
    this.timer.unref?.();
  }

  /** Writes the state now (atomic: temp file + rename). */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.statePath) return;
    fs.mkdirSync(path.dirname(this.statePath), { recursive: true });
    const tmp = `${this.statePath}.${process.pid}.tmp`;
    // Private like the rest of the data directory.
    fs.writeFileSync(tmp, JSON.stringify(this.state), { mode: 0o600 });
    fs.renameSync(tmp, this.statePath);
  }

  reset(): void {
    this.state = this.seed();
    this.changed();
  }
}

/**
 * Which cached reads a Gong call depends on (reads) or makes stale (writes). Tags are company-wide:
 * rep A assigning a prospect must refresh rep B's view of that prospect too.
 */
import type { GongToolName } from '../../lib/gong-tools';

const prospectTags = (ids: unknown): string[] =>
  Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string').map((id) => `prospect:${id.toLowerCase()}`) : [];

/** The tags that cover every company-wide read (with the read cache's own per-tool tags, every read). */
export const EVERY_READ_TAG = ['prospects', 'tasks', 'flows', 'calls'] as const;

/** Reads that must always go to Gong (progress polling). */
export const UNCACHED_READS = new Set<GongToolName>(['gong_engage_prospects_bulk_assign_status']);

export function readTags(tool: GongToolName, input: Record<string, unknown>): string[] {
  switch (tool) {
    case 'gong_engage_prospects_flows_list':
      return ['prospects', ...prospectTags(input.crm_prospect_ids)];
    case 'gong_engage_tasks_list':
      return ['tasks'];
    case 'gong_engage_flows_list':
    case 'gong_engage_flow_folders_list':
      return ['flows'];
    case 'gong_calls_list':
    case 'gong_calls_get':
    case 'gong_calls_transcript_get':
    case 'gong_stats_interaction':
      return ['calls'];
    default:
      return [`tool:${tool}`];
  }
}

export function writeTags(tool: GongToolName, input: Record<string, unknown>): string[] {
  switch (tool) {
    case 'gong_engage_prospects_assign':
    case 'gong_engage_prospects_assign_cool_off_override':
    case 'gong_engage_prospects_bulk_assign':
    case 'gong_engage_prospects_unassign':
      // Assigning creates flow instances and their tasks; unassigning removes them.
      return [...prospectTags(input.crm_prospect_ids), 'tasks'];
    case 'gong_engage_prospects_unassign_by_instance':
      // Instance ids do not name the prospect: every prospect view may be stale.
      return ['prospects', 'tasks'];
    case 'gong_engage_task_complete':
    case 'gong_engage_task_skip':
    case 'gong_engage_flow_content_override':
      return ['tasks', 'prospects'];
    case 'gong_engage_digital_interactions_create':
    case 'gong_engage_email_activity_report':
      return [...prospectTags(input.crm_contact_id ? [input.crm_contact_id] : []), 'tasks'];
    case 'gong_calls_create':
      return ['calls'];
    default:
      return [];
  }
}

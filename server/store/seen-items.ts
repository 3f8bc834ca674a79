/**
 * Owners of the items Gong cannot be asked about by id, as the backend saw them in Gong's own answers:
 * flow instances (in a prospect-flows lookup, an assign, a bulk assignment's results) and bulk
 * assignments (who started them). The connector has no "get flow instance" tool, so an instance the
 * backend never saw has no known owner and is refused (server/services/ownership.ts).
 */
import { gongAssignResponse, gongBulkAssignment, gongProspectsFlowsResponse } from '../../lib/gong-types';
import type { GongToolName } from '../../lib/gong-tools';
import { nowIso, type Db } from './db';

export type SeenKind = 'flow-instance' | 'bulk-assignment';

export class SeenItems {
  constructor(private readonly db: Db) {}

  ownerOf(kind: SeenKind, id: string): string | undefined {
    const row = this.db.prepare('SELECT owner_email AS owner FROM seen_items WHERE kind = ? AND id = ?').get(kind, id) as { owner: string } | undefined;
    return row?.owner;
  }

  remember(kind: SeenKind, items: { id: string; owner: string }[]): void {
    if (!items.length) return;
    const at = nowIso();
    const stmt = this.db.prepare(
      'INSERT INTO seen_items (kind, id, owner_email, seen_at) VALUES (?, ?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET owner_email = excluded.owner_email, seen_at = excluded.seen_at',
    );
    this.db.transaction(() => {
      for (const item of items) stmt.run(kind, item.id, item.owner.toLowerCase(), at);
    })();
  }

  /** Learns owners from a successful Gong answer (the gateway calls this for every tool it ran). */
  learn(tool: GongToolName, input: Record<string, unknown>, identifier: string, data: unknown): void {
    switch (tool) {
      case 'gong_engage_prospects_flows_list':
      case 'gong_engage_prospects_assign':
      case 'gong_engage_prospects_assign_cool_off_override': {
        const parsed = (tool === 'gong_engage_prospects_flows_list' ? gongProspectsFlowsResponse : gongAssignResponse).safeParse(data);
        if (!parsed.success) return;
        this.remember(
          'flow-instance',
          parsed.data.prospectsAssigned.flatMap((a) => (a.flowInstanceId && a.flowInstanceOwnerEmail ? [{ id: a.flowInstanceId, owner: a.flowInstanceOwnerEmail }] : [])),
        );
        return;
      }
      case 'gong_engage_prospects_bulk_assign': {
        const parsed = gongBulkAssignment.safeParse(data);
        if (!parsed.success) return;
        const owner = typeof input.flow_instance_owner_email === 'string' ? input.flow_instance_owner_email : identifier;
        this.remember('bulk-assignment', [{ id: parsed.data.id, owner }]);
        return;
      }
      case 'gong_engage_prospects_bulk_assign_status': {
        const parsed = gongBulkAssignment.safeParse(data);
        const owner = parsed.success ? this.ownerOf('bulk-assignment', parsed.data.id) : undefined;
        if (!parsed.success || !owner) return;
        this.remember('flow-instance', parsed.data.results.flatMap((r) => (r.flowInstanceId ? [{ id: r.flowInstanceId, owner }] : [])));
        return;
      }
      default:
    }
  }
}

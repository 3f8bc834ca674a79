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

  async ownerOf(kind: SeenKind, id: string): Promise<string | undefined> {
    const row = await this.db.get<{ owner: string }>('SELECT owner_email AS owner FROM seen_items WHERE kind = ? AND id = ?', [kind, id]);
    return row?.owner;
  }

  async remember(kind: SeenKind, items: { id: string; owner: string }[]): Promise<void> {
    // One row per id (Postgres refuses to upsert a row twice in one statement), the last owner seen wins.
    const owners = new Map(items.map((i) => [i.id, i.owner.toLowerCase()]));
    if (!owners.size) return;
    const at = nowIso();
    const rows = [...owners];
    for (let i = 0; i < rows.length; i += 200) {
      const chunk = rows.slice(i, i + 200);
      await this.db.run(
        `INSERT INTO seen_items (kind, id, owner_email, seen_at) VALUES ${chunk.map(() => '(?, ?, ?, ?)').join(', ')}
         ON CONFLICT (kind, id) DO UPDATE SET owner_email = excluded.owner_email, seen_at = excluded.seen_at`,
        chunk.flatMap(([id, owner]) => [kind, id, owner, at]),
      );
    }
  }

  /** Learns owners from a successful Gong answer (the gateway calls this for every tool it ran). */
  async learn(tool: GongToolName, input: Record<string, unknown>, identifier: string, data: unknown): Promise<void> {
    switch (tool) {
      case 'gong_engage_prospects_flows_list':
      case 'gong_engage_prospects_assign':
      case 'gong_engage_prospects_assign_cool_off_override': {
        const parsed = (tool === 'gong_engage_prospects_flows_list' ? gongProspectsFlowsResponse : gongAssignResponse).safeParse(data);
        if (!parsed.success) return;
        await this.remember(
          'flow-instance',
          parsed.data.prospectsAssigned.flatMap((a) => (a.flowInstanceId && a.flowInstanceOwnerEmail ? [{ id: a.flowInstanceId, owner: a.flowInstanceOwnerEmail }] : [])),
        );
        return;
      }
      case 'gong_engage_prospects_bulk_assign': {
        const parsed = gongBulkAssignment.safeParse(data);
        if (!parsed.success) return;
        const owner = typeof input.flow_instance_owner_email === 'string' ? input.flow_instance_owner_email : identifier;
        await this.remember('bulk-assignment', [{ id: parsed.data.id, owner }]);
        return;
      }
      case 'gong_engage_prospects_bulk_assign_status': {
        const parsed = gongBulkAssignment.safeParse(data);
        const owner = parsed.success ? await this.ownerOf('bulk-assignment', parsed.data.id) : undefined;
        if (!parsed.success || !owner) return;
        await this.remember('flow-instance', parsed.data.results.flatMap((r) => (r.flowInstanceId ? [{ id: r.flowInstanceId, owner }] : [])));
        return;
      }
      default:
    }
  }
}

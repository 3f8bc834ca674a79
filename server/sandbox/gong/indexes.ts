/**
 * Lookup indexes over the simulator's state arrays (prospects by CRM id, flow instances by prospect), so
 * a 200-prospect assign does not scan 10,000 prospects and every instance once per id.
 *
 * An index belongs to one array object: replacing the array (unassign filters it, reset reseeds) builds a
 * new index; appending (assign pushes, a test or benchmark pushes extra prospects) is picked up
 * incrementally. A shrunk array is re-indexed in full. Hits are re-checked against the live object.
 */
import type { FlowInstance, Prospect } from './state';

interface Index<T> {
  indexed: number;
  map: Map<string, T>;
}

const prospectIndexes = new WeakMap<Prospect[], Index<Prospect>>();
const instanceIndexes = new WeakMap<FlowInstance[], Index<FlowInstance[]>>();

function refresh<E, T>(cache: WeakMap<E[], Index<T>>, arr: E[], add: (map: Map<string, T>, item: E) => void): Map<string, T> {
  let idx = cache.get(arr);
  if (!idx || idx.indexed > arr.length) {
    idx = { indexed: 0, map: new Map() };
    cache.set(arr, idx);
  }
  for (; idx.indexed < arr.length; idx.indexed++) add(idx.map, arr[idx.indexed]);
  return idx.map;
}

/** The prospect whose CRM id is `lower` (already lower-cased, 18-character form for Salesforce). */
export function prospectByLowerId(prospects: Prospect[], lower: string): Prospect | undefined {
  const map = refresh(prospectIndexes, prospects, (m, p) => {
    const k = p.crmId.toLowerCase();
    if (!m.has(k)) m.set(k, p);
  });
  const hit = map.get(lower);
  if (hit && hit.crmId.toLowerCase() === lower) return hit;
  // Index out of date (an id edited in place): fall back to a scan.
  return hit ? prospects.find((p) => p.crmId.toLowerCase() === lower) : undefined;
}

/** Flow instances of the prospect with exactly this CRM id, in array order. */
export function instancesOfProspect(instances: FlowInstance[], crmId: string): FlowInstance[] {
  const map = refresh(instanceIndexes, instances, (m, i) => {
    const list = m.get(i.crmProspectId);
    if (list) list.push(i);
    else m.set(i.crmProspectId, [i]);
  });
  return (map.get(crmId) ?? []).filter((i) => i.crmProspectId === crmId);
}

/**
 * The side panel's state (zustand, vanilla so it runs in unit tests), in four slices: the connection, the
 * record and its reads, writes, and bulk. Browser wiring (tabs, storage watchers, messaging) lives in
 * wiring.ts and feeds the store through its actions; the store only sees the injected deps.
 *
 * A write's path: component → writes slice (`assignFlow`) → the background's outbox (`enqueue`) → backend
 * client → route → service → gateway; its outcome comes back once, through the outbox's storage watcher
 * (`setOutbox`). See docs/architecture.md.
 */
import { createStore } from 'zustand/vanilla';
import { createBulkSlice, type BulkSlice } from './bulk';
import { createConnectionSlice, type ConnectionSlice } from './connection';
import { createRecordSlice, type RecordSlice } from './record';
import { createRuntime, type PanelDeps } from './runtime';
import { createWritesSlice, type WritesSlice } from './writes';

export type PanelState = ConnectionSlice & RecordSlice & WritesSlice & BulkSlice & { dispose(): void };

export function createPanelStore(deps: PanelDeps) {
  const rt = createRuntime(deps);
  return createStore<PanelState>()((set, get) => ({
    ...createConnectionSlice(rt, set, get),
    ...createRecordSlice(rt, set, get),
    ...createWritesSlice(rt, set, get),
    ...createBulkSlice(rt, set, get),
    dispose: rt.dispose,
  }));
}
export type PanelStore = ReturnType<typeof createPanelStore>;

export { statusPill, errorMessage, mayChooseOwner, TOKEN_REJECTED, type StatusPill, type Reachability } from './connection';
export { subjectOf, subjectKey, subjectPerson, type PageInfo } from './record';
export { describeWrite, landedNotice, mergeAssigned, pendingEntries, pendingFlowChanges, type Notice, type PendingFlowAdd } from './writes';
export { coolOffIds, jobResults, mergeBulkResults, type BulkResult, type BulkState } from './bulk';
export type { Load, LoadStatus, PanelDeps } from './runtime';

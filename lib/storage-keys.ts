/**
 * The names of the storage items the side panel reads first, in wxt/storage's `area:key` form. Their items
 * are declared in ./storage and ./outbox; the names live here, free of imports, because the panel's first
 * reads (entrypoints/sidepanel/prefetch.ts) run in a tiny script before any of the panel's modules.
 */
export const STORAGE_KEYS = {
  settings: 'local:settings',
  managedBackendUrl: 'managed:backendUrl',
  tabRecords: 'session:tabRecords',
  outbox: 'local:outbox',
} as const;

/** One record's saved reads: `local:cache:<recordKey>`. */
export const prospectCacheKey = (recordKey: string) => `cache:${recordKey}`;
export const prospectStorageKey = (recordKey: string) => `local:${prospectCacheKey(recordKey)}` as const;

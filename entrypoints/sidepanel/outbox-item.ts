/**
 * Read-only view of the background's outbox (`local:outbox`, an array of OutboxEntry) for the panel's
 * "waiting for the backend" list. Temporary: switch to the item exported by background/outbox.ts once it exists.
 */
import { storage } from 'wxt/utils/storage';
import type { OutboxEntry } from '../../background/outbox-types';

export const outboxEntriesItem = storage.defineItem<OutboxEntry[]>('local:outbox', { fallback: [] });

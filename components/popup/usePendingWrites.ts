/** Writes still waiting in the background outbox ("2 changes waiting for the backend"). */
import { useEffect, useState } from 'react';
import { outboxItem, pendingEntries, type OutboxEntry } from '../../lib/outbox';

export function usePendingWrites(): OutboxEntry[] {
  const [entries, setEntries] = useState<OutboxEntry[]>([]);
  useEffect(() => {
    void outboxItem.getValue().then((e) => setEntries(pendingEntries(e)));
    return outboxItem.watch((e) => setEntries(pendingEntries(e ?? [])));
  }, []);
  return entries;
}

/** The backend's environment (server/config.ts): what an operator sets, and a clear error for what is wrong. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config';
import { DEFAULT_DATABASE_POOL_SIZE } from '../../server/store/sql';

describe('backend configuration', () => {
  it('DATABASE_POOL_SIZE sizes each replica\'s Postgres pool; unset, the default', () => {
    expect(loadConfig({}).databasePoolSize).toBe(DEFAULT_DATABASE_POOL_SIZE);
    expect(loadConfig({ DATABASE_POOL_SIZE: '4' }).databasePoolSize).toBe(4);
  });

  it('refuses a pool size that is not a whole number above 0, naming the variable', () => {
    for (const bad of ['0', '-2', '2.5', 'ten']) expect(() => loadConfig({ DATABASE_POOL_SIZE: bad })).toThrow(/DATABASE_POOL_SIZE must be a whole number above 0/);
  });

  it('AUDIT_RETENTION_DAYS: unset keeps the audit for ever; a number of days deletes older entries; anything else is refused', () => {
    expect(loadConfig({}).auditRetentionDays).toBeNull();
    expect(loadConfig({ AUDIT_RETENTION_DAYS: ' ' }).auditRetentionDays).toBeNull();
    expect(loadConfig({ AUDIT_RETENTION_DAYS: '400' }).auditRetentionDays).toBe(400);
    for (const bad of ['0', '-1', '1.5', 'a year']) expect(() => loadConfig({ AUDIT_RETENTION_DAYS: bad })).toThrow(/AUDIT_RETENTION_DAYS must be a whole number above 0/);
  });
});

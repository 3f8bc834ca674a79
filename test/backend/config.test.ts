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
});

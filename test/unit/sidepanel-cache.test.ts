import { expect, test, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { CACHE_TTL_MS, expiredCacheKeys, memoryCache, usable } from '../../entrypoints/sidepanel/cache';

// lib/storage defines its items at import (the settings item migrates at once): a browser must exist first.
vi.stubGlobal('browser', fakeBrowser);
vi.stubGlobal('chrome', fakeBrowser);
const { prospectCacheKey } = await import('../../lib/storage-keys');

test('usable returns data within the TTL only', () => {
  const now = 1_000_000_000;
  expect(usable({ data: [1], at: now - 1000 }, now)).toEqual([1]);
  expect(usable({ data: [1], at: now - CACHE_TTL_MS - 1 }, now)).toBeNull();
  expect(usable({ data: [1], at: now + 5000 }, now)).toBeNull(); // clock went backwards: distrust
  expect(usable(null, now)).toBeNull();
  expect(usable(undefined, now)).toBeNull();
});

test('cache keys are per record', () => {
  expect(prospectCacheKey('salesforce:contact:0038d0000lA6fpiAAB')).toBe('cache:salesforce:contact:0038d0000lA6fpiAAB');
});

test('expiredCacheKeys finds only stale cache entries', () => {
  const now = 10 * CACHE_TTL_MS;
  const all = {
    settings: { apiToken: 'x' },
    'cache:fresh': { flows: { data: [], at: now - 1000 } },
    'cache:half': { flows: { data: [], at: now - 2 * CACHE_TTL_MS }, calls: { data: [], at: now - 10 } },
    'cache:old': { flows: { data: [], at: now - 2 * CACHE_TTL_MS } },
    'cache:flow-catalog': { data: [], at: now - 2 * CACHE_TTL_MS },
    'cache:broken': null,
  };
  expect(expiredCacheKeys(all, now).sort()).toEqual(['cache:broken', 'cache:flow-catalog', 'cache:old']);
});

test('memoryCache round-trips', async () => {
  const c = memoryCache();
  expect(await c.getProspect('k')).toBeNull();
  await c.setProspect('k', { flows: { data: [], at: 1 } });
  expect(await c.getProspect('k')).toEqual({ flows: { data: [], at: 1 } });
});

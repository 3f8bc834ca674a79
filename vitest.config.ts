import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.{ts,tsx}'], environment: 'node' } },
      {
        test: {
          name: 'backend',
          include: ['test/backend/**/*.test.ts'],
          // Replicas sharing Gong's rate, hearing each other over LISTEN: Postgres only, in `backend-pg`.
          exclude: ['test/backend/{shared-limiter,listen-gap,postgres-pool,postgres-stall,postgres-tls,store-import}.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Backend suites start real servers on loopback; run files one at a time on 2 cores.
          fileParallelism: false,
        },
      },
      {
        // The store and backend suites again on PostgreSQL (a throwaway cluster: test/postgres-cluster.ts), and the
        // scale-out test: three replicas, one Postgres, one shared Gong.
        test: {
          name: 'backend-pg',
          include: ['test/backend/**/*.test.ts', 'test/scale/**/*.test.ts'],
          // Engine-free: Gong's simulator and spec, the stand-in, the limiter's arithmetic, the idle-work timer (run once, in `backend`).
          exclude: ['test/backend/{gong-simulator,gong-spec,gong-answers,standin,limiter,fuzz,skeleton,idle-work,config,server-build,html-and-secrets,read-caches}.test.ts'],
          environment: 'node',
          globalSetup: ['test/postgres-cluster.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});

import { defineConfig } from 'vitest/config';

// `npm test`: everything that runs on embedded PGlite and the in-process bus.
// Suites that need the machine's PostgreSQL, NATS or Redis live under tests/postgres (vitest.postgres.config.ts).
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'subgraphs/**/*.test.ts', 'gateway/**/*.test.ts', 'tools/**/*.test.ts'],
    exclude: ['tests/postgres/**', 'node_modules/**'],
    globalSetup: ['tests/harness/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});

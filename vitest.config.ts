import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// graphql ships ESM and CJS builds; Apollo's packages load the CJS one. Tests must use the same
// copy, or graphql-js refuses types "from another module or realm".
const graphqlCjs = createRequire(import.meta.url).resolve('graphql');

// `npm test`: everything that runs on embedded PGlite and the in-process bus.
// Suites that need the machine's PostgreSQL, NATS or Redis live under tests/postgres (vitest.postgres.config.ts).
export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlCjs }] },
  test: {
    include: ['tests/**/*.test.ts', 'subgraphs/**/*.test.ts', 'gateway/**/*.test.ts', 'tools/**/*.test.ts', 'dashboard/src/**/*.test.ts'],
    // tests/browser needs Chromium: `npm run test:browser` (vitest.browser.config.ts).
    exclude: ['tests/postgres/**', 'tests/browser/**', 'node_modules/**'],
    globalSetup: ['tests/harness/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});

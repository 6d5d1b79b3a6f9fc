import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:postgres` (run by .ci/run): the end-to-end suites on PostgreSQL (DATABASE_URL_<NAME>
// for all six subgraphs) plus the suites under tests/postgres that need the machine's PostgreSQL,
// NATS or Redis. Files share those servers, so they run one at a time.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['tests/e2e/**/*.test.ts', 'tests/postgres/**/*.test.ts'],
    exclude: ['node_modules/**'],
    fileParallelism: false,
    maxWorkers: 1,
  },
});

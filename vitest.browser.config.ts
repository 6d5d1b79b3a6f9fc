import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:browser` (run by .ci/run): the dashboard and GraphiQL in Debian's Chromium, driven
// by playwright-core, against the whole supergraph. One file at a time: each runs a browser and a stack.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['tests/browser/**/*.test.ts'],
    exclude: ['node_modules/**'],
    globalSetup: ['tests/harness/global-setup.ts', 'tests/browser/harness/global-setup.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 90_000,
  },
});

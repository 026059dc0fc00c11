import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'out/**', 'dist/**', 'test-artifacts/**'],
    environment: 'node',
    // Tests start real brokers, tshark and chromium; forks isolate their native handles and signals.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // A fresh checkout may hold no tests yet; that is not a failure.
    passWithNoTests: true,
  },
});

import { defineConfig } from 'vitest/config';

// Four projects so a developer can run one layer at a time (`vitest run --project unit`).
// Integration and e2e tests start real servers and child processes, so they run in
// forked workers with generous timeouts; they wait for conditions, never fixed sleeps.
export default defineConfig({
  test: {
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test/artifacts/vitest.json' }]] : ['default'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000 } },
      { test: { name: 'node', include: ['test/node/**/*.test.ts'], testTimeout: 30_000, pool: 'forks' } },
      {
        test: {
          name: 'integration', include: ['test/integration/**/*.test.ts'],
          testTimeout: 180_000, hookTimeout: 120_000, pool: 'forks',
        },
      },
      {
        test: {
          name: 'e2e', include: ['test/e2e/**/*.test.ts'],
          testTimeout: 240_000, hookTimeout: 240_000, pool: 'forks', fileParallelism: false,
        },
      },
    ],
  },
});

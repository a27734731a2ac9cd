import { defineConfig } from 'vitest/config';

// Projects so a developer can run one layer at a time (`vitest run --project unit`).
// Integration and e2e tests start real servers and child processes, so they run in
// forked workers with generous timeouts; they wait for conditions, never fixed sleeps.
// The fleet tests (three clustered nats-servers, 20 gateways at 20,000 samples/s) load both
// cores for minutes: they run in their own group after all the others, one file at a time,
// so tests that check poll timing never share the machine with them.
// expect.poll waits for a condition; its 1 s default is shorter than one signature's
// password check on a loaded two-core machine, so polls get the time a condition may need.
export default defineConfig({
  test: {
    expect: { poll: { timeout: 15_000 } },
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test/artifacts/vitest.json' }]] : ['default'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000 } },
      { test: { name: 'node', include: ['test/node/**/*.test.ts'], testTimeout: 30_000, pool: 'forks' } },
      {
        test: {
          name: 'integration', include: ['test/integration/**/*.test.ts'], exclude: ['test/integration/fleet/**'],
          testTimeout: 180_000, hookTimeout: 120_000, pool: 'forks',
        },
      },
      {
        test: {
          name: 'fleet', include: ['test/integration/fleet/**/*.test.ts'],
          testTimeout: 180_000, hookTimeout: 120_000, pool: 'forks', fileParallelism: false, sequence: { groupOrder: 1 },
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

import { defineConfig } from 'vitest/config';

// One suite, several real engines: every integration test runs on embedded PGlite, and again on
// a PostgreSQL server when HAVEN_TEST_DATABASE_URL is set (CI sets it). Browser journeys run once.
const pgUrl = process.env.HAVEN_TEST_DATABASE_URL;

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        test: {
          name: 'pglite',
          include: ['src/**/*.test.ts', 'test/system/**/*.test.ts'],
          env: { HAVEN_TEST_DATABASE_URL: '' },
        },
      },
      ...(pgUrl
        ? [
            {
              test: {
                name: 'postgres',
                include: ['src/**/*.test.ts'],
                env: { HAVEN_TEST_DATABASE_URL: pgUrl },
              },
            },
          ]
        : []),
      {
        test: {
          name: 'browser',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
        },
      },
    ],
  },
});

import { defineConfig } from 'vitest/config';

// Two sizes of test (docs/CODE_STYLE.md): unit tests beside pure code, and integration tests
// (`*.int.test.ts`) that drive the real app over HTTP against a real database. Integration tests
// use PGlite unless TEST_DATABASE_URL names a PostgreSQL server (scripts/test.sh runs both).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          exclude: ['src/**/*.int.test.ts'],
        },
      },
      {
        test: {
          name: 'int',
          include: ['src/**/*.int.test.ts', 'test/**/*.int.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          pool: 'forks',
          // Each file has its own database and data folder; two at a time use both cores.
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 180_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
    ],
  },
});

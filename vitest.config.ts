import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';
import { findPgbouncer } from './tests/support/pgbouncer.js';

const require = createRequire(import.meta.url);

const postgresUrl = process.env.TEST_DATABASE_URL;
const pgbouncer = postgresUrl ? findPgbouncer() : undefined;

// Vitest evaluates this file more than once (and again in its workers): the marker makes the notice print once.
if (!process.env.TASKGRAPH_SKIP_NOTICE_SHOWN) {
  process.env.TASKGRAPH_SKIP_NOTICE_SHOWN = '1';
  const skipped = [
    ...(postgresUrl ? [] : ['PostgreSQL and PgBouncer runs (set TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres)']),
    ...(postgresUrl && !pgbouncer ? ['PgBouncer run (apt-get install -y pgbouncer)'] : []),
    ...(process.env.TEST_REDIS_URL ? [] : ['Redis tests (set TEST_REDIS_URL=redis://127.0.0.1:6379)']),
    ...(existsSync('/usr/bin/chromium') ? [] : ['browser tests (apt-get install -y chromium)']),
  ];
  if (skipped.length > 0) console.warn(`[taskgraph] skipped: ${skipped.join('; ')}`);
}

// Through PgBouncer in transaction mode (Neon's pooled endpoints): the tests of what a pooler can break.
const pgbouncerTests = [
  'tests/api/tasks.test.ts',
  'tests/api/pagination.test.ts',
  'tests/api/isolation.test.ts',
  'tests/api/concurrency.test.ts',
  'tests/api/bulk-writes.test.ts',
  'tests/tooling/migrations.test.ts',
  'tests/processes/database-faults.test.ts',
  'tests/processes/pgbouncer.test.ts',
];

export default defineConfig({
  // Node loads graphql's CommonJS entry for the externalized libraries (Yoga); Vite would pick the .mjs one for our
  // sources, and two copies of GraphQLError break instanceof checks.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    globalSetup: ['./tests/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'pglite', env: { TEST_DB: 'pglite' } } },
      ...(postgresUrl ? [{ extends: true as const, test: { name: 'postgres', env: { TEST_DB: 'postgres' } } }] : []),
      ...(pgbouncer
        ? [
            {
              extends: true as const,
              test: {
                name: 'pgbouncer',
                env: { TEST_DB: 'pgbouncer' },
                include: pgbouncerTests,
                globalSetup: ['./tests/support/pgbouncer-setup.ts'],
              },
            },
          ]
        : []),
    ],
  },
});

import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';
import { findPgbouncer } from './tests/support/pgbouncer.js';

const require = createRequire(import.meta.url);

const postgresUrl = process.env.TEST_DATABASE_URL;
if (!postgresUrl) {
  console.warn(
    '\n[taskgraph] TEST_DATABASE_URL is not set: the PostgreSQL run is SKIPPED and only PGlite runs.\n' +
      '            Set it (e.g. TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres) to run both.\n',
  );
}

const pgbouncer = postgresUrl ? findPgbouncer() : undefined;
if (postgresUrl && !pgbouncer) {
  console.warn('\n[taskgraph] pgbouncer is not installed: the PgBouncer run is SKIPPED (apt-get install -y pgbouncer).\n');
}

// Through PgBouncer in transaction mode (Neon's pooled endpoints): the tests of what a pooler can break.
const pgbouncerTests = [
  'tests/api/tasks.test.ts',
  'tests/api/pagination.test.ts',
  'tests/api/isolation.test.ts',
  'tests/api/concurrency.test.ts',
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

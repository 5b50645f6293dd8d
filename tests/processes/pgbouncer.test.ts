import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { migrationLockKey, readMigrations } from '../../src/migrate.js';
import { collectLogs, uniqueUserId } from '../support/api.js';
import { createPostgresDatabase, type TestDatabase, testDatabaseKind, throughPgbouncer } from '../support/databases.js';
import { createTaskMutation, type TaskResult, updateTaskMutation } from '../support/operations.js';
import { startPgbouncer } from '../support/pgbouncer.js';
import { postGraphQL } from '../support/requests.js';
import { runScriptExpectingExit, runServerExpectingExit, type ServerProcess, startServerProcess } from '../support/server-process.js';

const directUrlRequired = 'DATABASE_URL: looks like a pooled connection (a -pooler host or pgbouncer=true)';

describe.runIf(throughPgbouncer)('the server behind PgBouncer in transaction mode', () => {
  let database: TestDatabase & { url: string; directUrl: string };
  let server: ServerProcess;
  beforeAll(async () => {
    database = await createPostgresDatabase({ logger: collectLogs().logger });
    server = await startServerProcess({
      DATABASE_URL: database.url,
      DATABASE_DIRECT_URL: database.directUrl,
      DATABASE_STATEMENT_TIMEOUT_MS: '300',
      DATABASE_QUERY_TIMEOUT_MS: '10000',
    });
  });
  afterAll(async () => {
    await server?.stop();
    await database?.dispose();
  });

  it('answers requests with a statement timeout configured', async () => {
    const response = await postGraphQL<{ createTask: TaskResult }>(server.url, createTaskMutation, {
      userId: uniqueUserId(),
      input: { title: 'through the pooler' },
    });
    expect(response.errors).toBeUndefined();
    expect(response.data?.createTask.title).toBe('through the pooler');
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
  });

  it('still has PostgreSQL cancel a statement that runs past the timeout: SERVICE_UNAVAILABLE', async () => {
    const userId = uniqueUserId();
    const created = await postGraphQL<{ createTask: TaskResult }>(server.url, createTaskMutation, {
      userId,
      input: { title: 'locked' },
    });
    const id = created.data?.createTask.id;
    const locker = new pg.Client({ connectionString: database.directUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM "Task" WHERE id = $1 FOR UPDATE', [id]);
      const response = await postGraphQL(server.url, updateTaskMutation, { userId, id, input: { title: 'changed' } });
      expect(response.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      // PostgreSQL's own cancellation (57014), not the client's DATABASE_QUERY_TIMEOUT_MS ("Query read timeout").
      await expect.poll(() => server.output()).toContain('canceling statement due to statement timeout');
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
  });
});

describe.runIf(throughPgbouncer)('migrations with a pooled DATABASE_URL and DATABASE_DIRECT_URL', () => {
  it('two instances starting at once wait for each other on the direct connection, and leave no lock held', async () => {
    // One server connection per database: through it, two sessions' advisory locks would be one backend's.
    const pgbouncer = await startPgbouncer({ server: process.env.TEST_DATABASE_URL ?? '', poolSize: 1 });
    const database = await createPostgresDatabase({ logger: collectLogs().logger });
    const holder = new pg.Client({ connectionString: database.directUrl });
    await holder.connect();
    const migrationLocks = async (granted: boolean) => {
      const { rows } = await holder.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM pg_locks
          WHERE locktype = 'advisory' AND objid = $1 AND granted = $2
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [migrationLockKey, granted],
      );
      return rows[0]?.count;
    };
    const config = loadConfig({
      DATABASE_URL: pgbouncer.pooledUrl(database.directUrl),
      DATABASE_DIRECT_URL: database.directUrl,
      GRAPHIQL: 'false',
      METRICS: 'false',
    });
    const { logger } = collectLogs();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [migrationLockKey]);
      const starting = [createApp(config, logger), createApp(config, logger)];
      await expect.poll(() => migrationLocks(false), { timeout: 20_000 }).toBe(2);
      await holder.query('SELECT pg_advisory_unlock($1)', [migrationLockKey]);
      const apps = await Promise.all(starting);
      try {
        const { rows } = await holder.query<{ migration_name: string }>(
          'SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name',
        );
        expect(rows.map((row) => row.migration_name)).toEqual((await readMigrations()).map((migration) => migration.name));
        expect(await migrationLocks(true)).toBe(0);
      } finally {
        await Promise.all(apps.map((app) => app.close()));
      }
    } finally {
      await holder.end();
      await database.dispose();
      await pgbouncer.stop();
    }
  });
});

describe.runIf(testDatabaseKind === 'pglite')('a pooled DATABASE_URL without DATABASE_DIRECT_URL', () => {
  it('stops the server before migrating, with a clear message (pgbouncer=true)', async () => {
    const { code, output } = await runServerExpectingExit({
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/taskgraph?pgbouncer=true',
    });
    expect(code).toBe(2);
    expect(output).toContain(directUrlRequired);
    expect(output).toContain('set DATABASE_DIRECT_URL to the direct (non-pooled) URL of the same database');
  });

  it("stops the server before migrating, with a clear message (Neon's -pooler host)", async () => {
    const { code, output } = await runServerExpectingExit({
      DATABASE_URL: 'postgresql://alice@ep-quiet-fog-123456-pooler.eu-central-1.aws.neon.tech.invalid/db?sslmode=require',
    });
    expect(code).toBe(2);
    expect(output).toContain(directUrlRequired);
  });

  it('makes `npm run db:migrate` refuse with the same message', async () => {
    const { code, output } = await runScriptExpectingExit('src/cli/migrate.ts', {
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/taskgraph?pgbouncer=true',
      MIGRATE_ON_START: 'false',
    });
    expect(code).toBe(2);
    expect(output).toContain(directUrlRequired);
  });

  it('a DATABASE_DIRECT_URL that is itself pooled stops the server with a clear message', async () => {
    const { code, output } = await runServerExpectingExit({
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/taskgraph?pgbouncer=true',
      DATABASE_DIRECT_URL: 'postgresql://postgres@127.0.0.1:1/taskgraph?pgbouncer=true',
    });
    expect(code).toBe(2);
    expect(output).toContain('DATABASE_DIRECT_URL="postgresql://postgres@127.0.0.1:1/taskgraph?pgbouncer=true": must be a direct connection');
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { readMigrations } from '../../src/migrate.js';
import { createPostgresDatabase, testDatabaseKind, type TestDatabase } from '../support/databases.js';
import { postGraphQL } from '../support/requests.js';
import { runServerExpectingExit, startServerProcess } from '../support/server-process.js';

const createTaskDocument = `mutation { createTask(userId: "restart", input: { title: "survives" }) { id } }`;
const listDocument = `{ tasks(userId: "restart") { edges { node { id title } } } }`;

describe.runIf(testDatabaseKind === 'pglite')('the server on the embedded database', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'taskgraph-data-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps every task across a stop and a start', async () => {
    const first = await startServerProcess({ DATA_DIR: dataDir });
    const created = await postGraphQL<{ createTask: { id: string } }>(first.url, createTaskDocument);
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await startServerProcess({ DATA_DIR: dataDir });
    try {
      const listed = await postGraphQL<{ tasks: { edges: { node: { id: string } }[] } }>(second.url, listDocument);
      expect(listed.data?.tasks.edges.map((edge) => edge.node.id)).toEqual([created.data?.createTask.id]);
    } finally {
      await second.stop();
    }
  }, 90_000);

  it('runs from the compiled JavaScript that npm install builds (npm start)', async () => {
    const server = await startServerProcess({ DATA_DIR: dataDir, NODE_ENV: 'production' }, 'compiled');
    try {
      const listed = await postGraphQL<{ tasks: { edges: unknown[] } }>(server.url, listDocument);
      expect(listed.errors).toBeUndefined();
      expect(server.child.spawnargs).toContain('dist/server.js');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 60_000);

  it('exits 0 on SIGINT after closing the database', async () => {
    const server = await startServerProcess({ DATA_DIR: dataDir });
    expect(await server.stop('SIGINT')).toBe(0);
    expect(server.output()).toContain('shutdown complete');
  }, 60_000);
});

describe.runIf(testDatabaseKind === 'pglite')('configuration errors stop the server with a clear message', () => {
  it('a non-numeric PORT', async () => {
    const { code, output } = await runServerExpectingExit({ PORT: 'eighty' });
    expect(code).toBe(2);
    expect(output).toContain('PORT="eighty": must be a whole number from 0 to 65535');
  });

  it('a DATABASE_URL that is not PostgreSQL', async () => {
    const { code, output } = await runServerExpectingExit({ DATABASE_URL: 'mysql://root@localhost/tasks' });
    expect(code).toBe(2);
    expect(output).toContain('DATABASE_URL="mysql://root@localhost/tasks": must be a postgres:// or postgresql:// connection URL');
  });

  it('an unknown LOG_LEVEL', async () => {
    const { code, output } = await runServerExpectingExit({ LOG_LEVEL: 'loud' });
    expect(code).toBe(2);
    expect(output).toContain('LOG_LEVEL="loud"');
  });

  it('a DATABASE_QUERY_TIMEOUT_MS not above DATABASE_STATEMENT_TIMEOUT_MS', async () => {
    const { code, output } = await runServerExpectingExit({
      DATABASE_STATEMENT_TIMEOUT_MS: '5000',
      DATABASE_QUERY_TIMEOUT_MS: '5000',
    });
    expect(code).toBe(2);
    expect(output).toContain('DATABASE_QUERY_TIMEOUT_MS="5000": must be greater than DATABASE_STATEMENT_TIMEOUT_MS');
  });

  it('a negative DATABASE_STATEMENT_TIMEOUT_MS', async () => {
    const { code, output } = await runServerExpectingExit({ DATABASE_STATEMENT_TIMEOUT_MS: '-1' });
    expect(code).toBe(2);
    expect(output).toContain('DATABASE_STATEMENT_TIMEOUT_MS="-1": must be a whole number');
  });
});

describe.runIf(testDatabaseKind === 'postgres')('the server on PostgreSQL', () => {
  let database: TestDatabase & { url: string };
  beforeAll(async () => {
    database = await createPostgresDatabase({ logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await database.dispose();
  });

  async function appliedMigrations(): Promise<string[]> {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const exists = await client.query(`SELECT to_regclass('"_prisma_migrations"') AS name`);
      if (!exists.rows[0]?.name) return [];
      const rows = await client.query<{ migration_name: string }>('SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name');
      return rows.rows.map((row) => row.migration_name);
    } finally {
      await client.end();
    }
  }

  it('with MIGRATE_ON_START=false leaves the database as it is', async () => {
    const server = await startServerProcess({ DATABASE_URL: database.url, MIGRATE_ON_START: 'false' });
    await server.stop();
    expect(await appliedMigrations()).toEqual([]);
  }, 60_000);

  it('applies migrations on start and serves requests', async () => {
    const server = await startServerProcess({ DATABASE_URL: database.url, DATABASE_POOL_SIZE: '3' });
    try {
      const created = await postGraphQL<{ createTask: { id: string } }>(server.url, createTaskDocument);
      expect(created.errors).toBeUndefined();
      expect(await appliedMigrations()).toEqual((await readMigrations()).map((migration) => migration.name));
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 60_000);
});

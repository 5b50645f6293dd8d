import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { type Database, type DatabaseOptions, openDatabase, openPglite } from '../../src/db.js';
import { pgbouncerUrl } from './pgbouncer.js';

export type TestDatabaseKind = 'pglite' | 'postgres';

/** The `pgbouncer` project is a PostgreSQL run too: only the API's connections go through PgBouncer. */
export const testDatabaseKind: TestDatabaseKind = ['postgres', 'pgbouncer'].includes(process.env.TEST_DB ?? '')
  ? 'postgres'
  : 'pglite';

/** True in the `pgbouncer` project: the API reaches PostgreSQL through PgBouncer in transaction mode. */
export const throughPgbouncer = process.env.TEST_DB === 'pgbouncer';

export interface TestDatabase {
  db: Database;
  /** Connection URL of the database that the API uses (PostgreSQL only; through PgBouncer in its project). */
  url?: string;
  /** Direct connection URL of the database, for migrations and session work (PostgreSQL only). */
  directUrl?: string;
  /** Closes the connections and drops the database. */
  dispose(): Promise<void>;
}

/** A PGlite database loaded from the migrated template, private to the caller. */
export async function createPgliteDatabase(options: DatabaseOptions): Promise<TestDatabase> {
  const template = await readFile(inject('pgliteTemplate'));
  const pglite = await PGlite.create({ loadDataDir: new Blob([template]) });
  const db = await openPglite(pglite, options);
  return { db, dispose: () => db.close() };
}

/**
 * An empty PostgreSQL database with a unique name, created now and dropped on dispose. In the `pgbouncer` project its
 * `url` and `db` go through the project's PgBouncer, and migrations through `directUrl`.
 */
export async function createPostgresDatabase(
  options: DatabaseOptions & { poolSize?: number },
): Promise<TestDatabase & { url: string; directUrl: string }> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `taskgraph_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE "${name}"`));
  const direct = new URL(adminUrl);
  direct.pathname = `/${name}`;
  const directUrl = direct.toString();
  const url = throughPgbouncer ? pgbouncerUrl(directUrl, inject('pgbouncerPort')) : directUrl;
  const db = await openDatabase(
    { kind: 'postgres', url, directUrl, poolSize: options.poolSize ?? 10, connectTimeoutMs: 5000 },
    options,
  );
  return {
    db,
    url,
    directUrl,
    async dispose() {
      await db.close();
      await withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function createTestDatabase(options: DatabaseOptions): Promise<TestDatabase> {
  return testDatabaseKind === 'postgres' ? createPostgresDatabase(options) : createPgliteDatabase(options);
}

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { type Database, type DatabaseOptions, openPglite, openPostgres } from '../../src/db.js';

export type TestDatabaseKind = 'pglite' | 'postgres';

export const testDatabaseKind: TestDatabaseKind = process.env.TEST_DB === 'postgres' ? 'postgres' : 'pglite';

export interface TestDatabase {
  db: Database;
  /** Connection URL of the database (PostgreSQL only). */
  url?: string;
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

/** An empty PostgreSQL database with a unique name, created now and dropped on dispose. */
export async function createPostgresDatabase(
  options: DatabaseOptions & { poolSize?: number },
): Promise<TestDatabase & { url: string }> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `taskgraph_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = openPostgres(
    { kind: 'postgres', url: url.toString(), poolSize: options.poolSize ?? 10, connectTimeoutMs: 5000 },
    options,
  );
  return {
    db,
    url: url.toString(),
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

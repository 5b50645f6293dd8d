import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';
import { createScratchDatabase } from '../../scripts/db/admin.js';
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
  const scratch = await createScratchDatabase(adminUrl, 'taskgraph_test');
  const directUrl = scratch.url;
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
      await scratch.drop();
    },
  };
}

export function createTestDatabase(options: DatabaseOptions): Promise<TestDatabase> {
  return testDatabaseKind === 'postgres' ? createPostgresDatabase(options) : createPgliteDatabase(options);
}

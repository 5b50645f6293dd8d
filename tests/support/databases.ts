import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';
import { createScratchDatabase } from '../../scripts/db/admin.js';
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
  const scratch = await createScratchDatabase(adminUrl, 'taskgraph_test');
  const db = openPostgres({ kind: 'postgres', url: scratch.url, poolSize: options.poolSize ?? 10, connectTimeoutMs: 5000 }, options);
  return {
    db,
    url: scratch.url,
    async dispose() {
      await db.close();
      await scratch.drop();
    },
  };
}

export function createTestDatabase(options: DatabaseOptions): Promise<TestDatabase> {
  return testDatabaseKind === 'postgres' ? createPostgresDatabase(options) : createPgliteDatabase(options);
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { createPostgresDatabase, testDatabaseKind } from './databases.js';

export interface StoredTask {
  id: string;
  userId: string;
  title: string;
  description: string | null;
  completed: boolean;
}

/** Where a server process kept its data: an embedded data folder or a PostgreSQL database. */
export type DataLocation = { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };

/** A fresh data folder or PostgreSQL database for the test file's server processes, removed after the file. */
export function useDataLocation(label: string): () => DataLocation {
  let location: DataLocation | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    if (testDatabaseKind === 'pglite') {
      const dataDir = await mkdtemp(join(tmpdir(), `taskgraph-${label}-`));
      location = { kind: 'pglite', dataDir };
      cleanup = () => rm(dataDir, { recursive: true, force: true });
    } else {
      const database = await createPostgresDatabase({ logger: pino({ level: 'silent' }) });
      location = { kind: 'postgres', url: database.url };
      cleanup = () => database.dispose();
    }
  });
  afterAll(async () => {
    await cleanup?.();
  });
  return () => {
    if (!location) throw new Error('the data location is not ready yet');
    return location;
  };
}

const selectTasks = 'SELECT id, "userId", title, description, completed FROM "Task" ORDER BY id';

/** Every task row, read straight from the database (for PGlite: open the folder the stopped server left). */
export async function readStoredTasks(location: DataLocation): Promise<StoredTask[]> {
  if (location.kind === 'pglite') {
    const pglite = await PGlite.create(location.dataDir);
    try {
      return (await pglite.query<StoredTask>(selectTasks)).rows;
    } finally {
      await pglite.close();
    }
  }
  const client = new pg.Client({ connectionString: location.url });
  await client.connect();
  try {
    return (await client.query<StoredTask>(selectTasks)).rows;
  } finally {
    await client.end();
  }
}

export function serverEnvironment(location: DataLocation): Record<string, string> {
  return location.kind === 'pglite' ? { DATA_DIR: location.dataDir } : { DATABASE_URL: location.url };
}

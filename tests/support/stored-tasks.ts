import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export interface StoredTask {
  id: string;
  userId: string;
  title: string;
  description: string | null;
  completed: boolean;
}

/** Where a server process kept its data: an embedded data folder or a PostgreSQL database. */
export type DataLocation = { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };

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

import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, SqlSession } from './db.js';
import type { Logger } from './logger.js';

export const migrationsDir = fileURLToPath(new URL('../prisma/migrations', import.meta.url));

// Prisma's own ledger, byte for byte, so `prisma migrate deploy` can take over wherever its engine is available.
const createLedger = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

// Serializes concurrent starts of several instances against one database.
export const migrationLockKey = 72_707_369;

interface Migration {
  name: string;
  script: string;
  checksum: string;
}

interface LedgerRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export async function readMigrations(dir = migrationsDir): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const script = await readFile(join(dir, name, 'migration.sql'), 'utf8');
      return { name, script, checksum: createHash('sha256').update(script).digest('hex') };
    }),
  );
}

/** Applies pending migrations, each in its own transaction, like `prisma migrate deploy`. Returns their names. */
export async function migrate(db: Database, logger: Logger, dir = migrationsDir): Promise<string[]> {
  const migrations = await readMigrations(dir);
  return db.withSession(async (session) => {
    await session.query('SELECT pg_advisory_lock($1)', [migrationLockKey]);
    try {
      return await applyPending(session, migrations, logger);
    } finally {
      await session.query('SELECT pg_advisory_unlock($1)', [migrationLockKey]);
    }
  });
}

async function applyPending(session: SqlSession, migrations: Migration[], logger: Logger): Promise<string[]> {
  await session.exec(createLedger);
  const ledger = await session.query<LedgerRow>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"',
  );
  const failed = ledger.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed) {
    throw new MigrationError(
      `Migration ${failed.migration_name} failed earlier and blocks new ones (Prisma P3009). Resolve it first.`,
    );
  }
  const applied = new Map(
    ledger.filter((row) => row.finished_at !== null).map((row) => [row.migration_name, row.checksum]),
  );
  const appliedNow: string[] = [];
  for (const migration of migrations) {
    const checksum = applied.get(migration.name);
    if (checksum !== undefined) {
      if (checksum !== migration.checksum) {
        logger.warn({ migration: migration.name }, 'migration was modified after it was applied');
      }
      continue;
    }
    await session.exec('BEGIN');
    try {
      await session.exec(migration.script);
      await session.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), now(), 1)`,
        [randomUUID(), migration.checksum, migration.name],
      );
      await session.exec('COMMIT');
    } catch (error) {
      await session.exec('ROLLBACK');
      throw new MigrationError(`Migration ${migration.name} failed and was rolled back: ${String(error)}`, {
        cause: error,
      });
    }
    logger.info({ migration: migration.name }, 'migration applied');
    appliedNow.push(migration.name);
  }
  return appliedNow;
}

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { migrate, migrationsDir, readMigrations } from '../../src/migrate.js';
import { useTestApi } from '../support/api.js';

const api = useTestApi();

interface LedgerRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  applied_steps_count: number;
}

it("records applied migrations in Prisma's ledger with native checksums", async () => {
  const rows = await api().db.withSession((session) =>
    session.query<LedgerRow>(
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    ),
  );
  const names = (await readMigrations()).map((migration) => migration.name);
  expect(names).toContain('20261122000000_init');
  const expected = await Promise.all(
    names.map(async (name) => ({
      migration_name: name,
      checksum: createHash('sha256').update(await readFile(`${migrationsDir}/${name}/migration.sql`)).digest('hex'),
      finished_at: expect.any(Date),
      applied_steps_count: 1,
    })),
  );
  expect(rows).toEqual(expected);
});

it('applies nothing the second time', async () => {
  expect(await migrate(api().db, pino({ level: 'silent' }))).toEqual([]);
});

it('the database itself refuses a blank title', async () => {
  const insert = api().db.withSession((session) =>
    session.query(`WITH u AS (INSERT INTO "User" (id, "updatedAt") VALUES ('guard', now()) RETURNING id)
      INSERT INTO "Task" (id, title, "userId", "updatedAt") SELECT '01936d2e-6b8a-7c3e-8f00-0000000000aa', '   ', id, now() FROM u`),
  );
  await expect(insert).rejects.toThrow(/Task_title_not_blank/);
});

it('the database itself refuses a title over 500 characters', async () => {
  const insert = api().db.withSession((session) =>
    session.query(`WITH u AS (INSERT INTO "User" (id, "updatedAt") VALUES ('guard2', now()) RETURNING id)
      INSERT INTO "Task" (id, title, "userId", "updatedAt") SELECT '01936d2e-6b8a-7c3e-8f00-0000000000ab', repeat('x', 501), id, now() FROM u`),
  );
  await expect(insert).rejects.toThrow(/too long/);
});

it('Task.version is NOT NULL DEFAULT 1, so tasks from before the column get version 1', async () => {
  const rows = await api().db.withSession((session) =>
    session.query<{ column_default: string; is_nullable: string }>(
      `SELECT column_default, is_nullable FROM information_schema.columns WHERE table_name = 'Task' AND column_name = 'version'`,
    ),
  );
  expect(rows).toEqual([{ column_default: '1', is_nullable: 'NO' }]);
});

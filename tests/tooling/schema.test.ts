import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, isInputObjectType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { diffMigrationsToSchema } from '../../scripts/db/schema-engine.js';
import { printedSchema, schema } from '../../src/schema/index.js';
import { testDatabaseKind } from '../support/databases.js';

// These checks do not touch a database: run them once, in the PGlite project.
describe.runIf(testDatabaseKind === 'pglite')('schema for clients', () => {
  it('schema.graphql matches the schema the code builds (run npm run schema:print)', async () => {
    const committed = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(printedSchema());
  });

  it('every type and field of User and Task is documented', () => {
    const committed = buildSchema(printedSchema());
    const undocumented: string[] = [];
    for (const type of Object.values(committed.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      if (!type.description && !['Boolean', 'Int', 'String', 'ID'].includes(type.name)) undocumented.push(type.name);
      if (isObjectType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) undocumented.push(`${type.name}.${field.name}`);
        }
      }
    }
    expect(undocumented).toEqual([]);
  });

  it('the contract fields exist with their types', () => {
    const query = schema.getQueryType()?.getFields();
    const mutation = schema.getMutationType()?.getFields();
    expect(String(query?.task?.type)).toBe('Task');
    expect(String(query?.tasks?.type)).toBe('TaskConnection!');
    expect(String(query?.user?.type)).toBe('User');
    expect(String(mutation?.createTask?.type)).toBe('Task!');
    expect(String(mutation?.updateTask?.type)).toBe('Task!');
    expect(String(mutation?.deleteTask?.type)).toBe('Task!');
    expect(String(mutation?.createUser?.type)).toBe('User!');
  });

  it('the migrations produce exactly the Prisma schema (no drift)', async () => {
    const diff = await diffMigrationsToSchema();
    expect(diff.hasChanges, diff.sql).toBe(false);
  }, 60_000);

  it('the drift check notices a model change that has no migration', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskgraph-drift-'));
    try {
      const prismaSchema = await readFile(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8');
      const schemaPath = join(dir, 'schema.prisma');
      await writeFile(schemaPath, prismaSchema.replace('completed   Boolean', 'priority Int @default(0)\n  completed   Boolean'));
      const diff = await diffMigrationsToSchema({ schemaPath, migrationsDir: fileURLToPath(new URL('../../prisma/migrations', import.meta.url)) });
      expect(diff.hasChanges).toBe(true);
      expect(diff.sql).toContain('"priority" INTEGER NOT NULL DEFAULT 0');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

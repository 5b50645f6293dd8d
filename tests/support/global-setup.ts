import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pino } from 'pino';
import type { TestProject } from 'vitest/node';
import { openPglite } from '../../src/db.js';
import { migrate } from '../../src/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

/** initdb of PGlite takes seconds: migrate one database once and let every test file load its dump. */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'taskgraph-template-'));
  const pglite = await PGlite.create();
  const db = await openPglite(pglite, { logger: pino({ level: 'silent' }) });
  await migrate(db, pino({ level: 'silent' }));
  const dump = await pglite.dumpDataDir('gzip');
  await db.close();
  const file = join(dir, 'pglite.tar.gz');
  await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', file);
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}

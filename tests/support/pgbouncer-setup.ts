import type { TestProject } from 'vitest/node';
import { startPgbouncer } from './pgbouncer.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Port of the project's PgBouncer (transaction mode), in front of TEST_DATABASE_URL's server. */
    pgbouncerPort: number;
  }
}

/** One PgBouncer for the `pgbouncer` project; every test database is reached through it by name. */
export default async function setup(project: TestProject) {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) throw new Error('TEST_DATABASE_URL is not set');
  const pgbouncer = await startPgbouncer({ server });
  project.provide('pgbouncerPort', pgbouncer.port);
  return () => pgbouncer.stop();
}

import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, type TestDatabase, testDatabaseKind } from '../support/databases.js';
import { createTaskMutation } from '../support/operations.js';
import { postGraphQL } from '../support/requests.js';
import { startServerProcess } from '../support/server-process.js';
import { subscribeTaskEvents, untilLive } from '../support/task-events.js';

describe.runIf(testDatabaseKind === 'postgres')('shutdown with open taskEvents streams', () => {
  let database: (TestDatabase & { url: string }) | undefined;
  beforeAll(async () => {
    database = await createPostgresDatabase({ logger: pino({ level: 'silent' }), poolSize: 1 });
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it('completes the streams on SIGTERM and exits 0 without waiting for the shutdown timeout', async () => {
    if (!database) throw new Error('no database');
    // If open streams held the shutdown, the server would log "shutdown timed out" after 30 s and cut them.
    const server = await startServerProcess({ DATABASE_URL: database.url, SHUTDOWN_TIMEOUT_MS: '30000' });
    const stream = subscribeTaskEvents({ url: `${server.url}/graphql`, userId: 'leaving' });
    try {
      await untilLive(stream, (title) => postGraphQL(server.url, createTaskMutation, { userId: 'leaving', input: { title } }));
      expect(await server.stop('SIGTERM')).toBe(0);
      await expect.poll(() => stream.completed(), { timeout: 5_000 }).toBe(true);
      expect(server.output()).not.toContain('shutdown timed out');
    } finally {
      stream.close();
      await server.stop();
    }
  }, 90_000);
});

import pg from 'pg';
import { expect, it } from 'vitest';
import { testDatabaseKind } from '../support/databases.js';
import { createTasksUntil, graphQLBody, postOperation } from '../support/requests.js';
import { createTaskMutation, updateTaskMutation } from '../support/operations.js';
import { startServerProcess } from '../support/server-process.js';
import { readStoredTasks, serverEnvironment, useDataLocation } from '../support/stored-tasks.js';

const location = useDataLocation('shutdown');

it('SIGTERM under load: every request is answered or refused, none is reset, and every acknowledged task is stored', async () => {
  const server = await startServerProcess(serverEnvironment(location()));
  try {
    const acknowledged: string[] = [];
    const load = createTasksUntil(server.url, {
      clients: 16,
      userPrefix: 'shutdown',
      acknowledged,
      isLast: (outcome) => outcome.kind !== 'response' || outcome.status === 503,
    });
    for (let waited = 0; acknowledged.length < 100 && waited < 30_000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const exitCode = server.stop('SIGTERM');
    const outcomes = await load;
    expect(await exitCode).toBe(0);

    expect(outcomes.filter((outcome) => outcome.kind === 'broken')).toEqual([]);
    const unexpectedResponses = outcomes.filter(
      (outcome) =>
        outcome.kind === 'response' &&
        graphQLBody(outcome)?.errors &&
        !(outcome.status === 503 && graphQLBody(outcome)?.errors?.[0]?.extensions?.code === 'SERVICE_UNAVAILABLE'),
    );
    expect(unexpectedResponses).toEqual([]);
    expect(acknowledged.length).toBeGreaterThan(0);

    const stored = new Set((await readStoredTasks(location())).map((task) => task.id));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
  } finally {
    await server.stop('SIGKILL');
  }
}, 120_000);

it.runIf(testDatabaseKind === 'postgres')(
  'during shutdown an in-flight request completes and a new one gets 503 SERVICE_UNAVAILABLE with Connection: close',
  async () => {
    const database = location();
    if (database.kind !== 'postgres') throw new Error('PostgreSQL only');
    const server = await startServerProcess(serverEnvironment(database));
    const locker = new pg.Client({ connectionString: database.url });
    try {
      const created = graphQLBody<{ createTask: { id: string } }>(
        await postOperation(server.url, createTaskMutation, { userId: 'draining', input: { title: 'before' } }),
      );
      const id = created?.data?.createTask.id;
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM "Task" WHERE id = $1 FOR UPDATE', [id]);
      const inFlight = postOperation(server.url, updateTaskMutation, { userId: 'draining', id, input: { title: 'after' } });
      await new Promise((resolve) => setTimeout(resolve, 300));

      const exitCode = server.stop('SIGTERM');
      for (let waited = 0; !server.output().includes('shutting down') && waited < 10_000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const arriving = await postOperation(server.url, createTaskMutation, { userId: 'draining', input: { title: 'late' } });
      expect(arriving).toMatchObject({ kind: 'response', status: 503, connectionClose: true });
      expect(graphQLBody(arriving)?.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');

      await locker.query('ROLLBACK');
      const finished = await inFlight;
      expect(finished).toMatchObject({ kind: 'response', status: 200, connectionClose: true });
      expect(graphQLBody<{ updateTask: { title: string } }>(finished)?.data?.updateTask.title).toBe('after');
      expect(await exitCode).toBe(0);
    } finally {
      await locker.end().catch(() => undefined);
      await server.stop('SIGKILL');
    }
  },
  60_000,
);

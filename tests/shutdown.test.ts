import pg from 'pg';
import { expect, it } from 'vitest';
import { testDatabaseKind } from './support/databases.js';
import { createTasksUntil, graphQLBody, postOperation, type RequestOutcome } from './support/load.js';
import { createTaskMutation, updateTaskMutation } from './support/operations.js';
import { startServerProcess } from './support/server-process.js';
import { readStoredTasks, serverEnvironment, useDataLocation } from './support/stored-tasks.js';

const location = useDataLocation('shutdown');

const shutdownTimeoutMs = 8_000;

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  for (let waited = 0; !condition() && waited < timeoutMs; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const isServiceUnavailable = (outcome: RequestOutcome) =>
  outcome.kind === 'response' &&
  outcome.status === 503 &&
  outcome.connectionClose &&
  graphQLBody(outcome)?.errors?.[0]?.extensions?.code === 'SERVICE_UNAVAILABLE';

it('SIGTERM while 24 clients keep sending creates and ignore Retry-After: no sent request is reset, every acknowledged task is stored, and the server exits 0 in time', async () => {
  const server = await startServerProcess({
    ...serverEnvironment(location()),
    SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
  });
  try {
    const acknowledged: string[] = [];
    const load = createTasksUntil(server.url, {
      clients: 24,
      userPrefix: 'relentless',
      acknowledged,
      freshConnection: (client) => client % 2 === 0,
      // A 503 does not stop these clients: only a connection the server no longer accepts (or a failure) does.
      isLast: (outcome) => outcome.kind !== 'response',
      forMs: 20_000,
    });
    await until(() => acknowledged.length >= 100);
    const signalledAt = performance.now();
    const exitCode = server.stop('SIGTERM');
    const outcomes = await load;
    expect(await exitCode).toBe(0);
    expect(performance.now() - signalledAt).toBeLessThan(shutdownTimeoutMs);
    expect(server.output()).not.toContain('shutdown timed out');

    expect(outcomes.filter((outcome) => outcome.kind === 'broken')).toEqual([]);
    expect(outcomes.filter((outcome) => outcome.kind === 'refused')).toHaveLength(24);
    const answered = outcomes.filter((outcome) => outcome.kind === 'response');
    expect(answered.filter((outcome) => outcome.status !== 200 && !isServiceUnavailable(outcome))).toEqual([]);
    expect(answered.filter(isServiceUnavailable).length).toBeGreaterThan(0);

    // Every request has a known outcome, so the database holds exactly the acknowledged tasks: no 503 ran.
    const stored = (await readStoredTasks(location())).filter((task) => task.userId.startsWith('relentless-'));
    expect(stored.map((task) => task.id).sort()).toEqual([...acknowledged].sort());
  } finally {
    await server.stop('SIGKILL');
  }
}, 60_000);

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

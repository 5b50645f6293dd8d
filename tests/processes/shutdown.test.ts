import pg from 'pg';
import { expect, it } from 'vitest';
import { testDatabaseKind } from '../support/databases.js';
import { createTasksUntil, graphQLBody, postOperation, type RequestOutcome, send } from '../support/requests.js';
import { createTaskMutation, updateTaskMutation } from '../support/operations.js';
import { runServerExpectingExit, startServerProcess } from '../support/server-process.js';
import { readStoredTasks, serverEnvironment, useDataLocation } from '../support/stored-tasks.js';

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
    let giveUpAt = Number.POSITIVE_INFINITY;
    const load = createTasksUntil(server.url, {
      clients: 24,
      userPrefix: 'relentless',
      acknowledged,
      freshConnection: (client) => client % 2 === 0,
      // A 503 does not stop these clients: only a connection the server no longer accepts (or a failure) does.
      isLast: (outcome) => outcome.kind !== 'response' || performance.now() > giveUpAt,
    });
    await until(() => acknowledged.length >= 50);
    const signalledAt = performance.now();
    giveUpAt = signalledAt + shutdownTimeoutMs + 2_000;
    const exitCode = server.stop('SIGTERM');
    const outcomes = await load;
    expect(outcomes.filter((outcome) => outcome.kind === 'broken')).toEqual([]);
    expect(await exitCode).toBe(0);
    expect(performance.now() - signalledAt).toBeLessThan(shutdownTimeoutMs);
    expect(server.output()).not.toContain('shutdown timed out');
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
}, 120_000);

it('with SHUTDOWN_GRACE_MS, /ready answers 503 from the signal on while ordinary requests are still served until the grace ends', async () => {
  const graceMs = 5_000;
  const server = await startServerProcess({ ...serverEnvironment(location()), SHUTDOWN_GRACE_MS: String(graceMs) });
  try {
    expect(await send(`${server.url}/ready`, { method: 'GET' })).toMatchObject({ kind: 'response', status: 200 });
    const signalledAt = performance.now();
    const exitCode = server.stop('SIGTERM');
    await until(() => server.output().includes('shutting down'));

    const ready = await send(`${server.url}/ready`, { method: 'GET' });
    const health = await send(`${server.url}/health`, { method: 'GET' });
    const onPooledConnection = await postOperation(server.url, createTaskMutation, {
      userId: 'graceful',
      input: { title: 'pooled' },
    });
    const onFreshConnection = await postOperation(
      server.url,
      createTaskMutation,
      { userId: 'graceful', input: { title: 'fresh' } },
      { freshConnection: true },
    );
    // Everything above was answered before the grace ended, or this test proves nothing.
    expect(server.output()).not.toContain('grace period over');

    expect(ready).toMatchObject({ kind: 'response', status: 503 });
    expect(health).toMatchObject({ kind: 'response', status: 200 });
    for (const created of [onPooledConnection, onFreshConnection]) {
      expect(created).toMatchObject({ kind: 'response', status: 200 });
      expect(graphQLBody(created)?.errors).toBeUndefined();
    }
    expect(onPooledConnection).toMatchObject({ connectionClose: false });

    expect(await exitCode).toBe(0);
    expect(performance.now() - signalledAt).toBeGreaterThanOrEqual(graceMs);
    const stored = (await readStoredTasks(location())).filter((task) => task.userId === 'graceful');
    expect(stored.map((task) => task.title).sort()).toEqual(['fresh', 'pooled']);
  } finally {
    await server.stop('SIGKILL');
  }
}, 90_000);

it('/ready answers 503 from the moment the signal is handled, through the grace and the drain, until connections are refused', async () => {
  const server = await startServerProcess({ ...serverEnvironment(location()), SHUTDOWN_GRACE_MS: '1000' });
  try {
    let signalLogged = false;
    const probes: { outcome: RequestOutcome; sentAfterSignalLogged: boolean }[] = [];
    const probing = Array.from({ length: 4 }, async (_, client) => {
      for (let sent = 0; sent < 10_000; sent += 1) {
        const sentAfterSignalLogged = signalLogged;
        const outcome = await send(`${server.url}/ready`, { method: 'GET' }, { freshConnection: client % 2 === 0 });
        probes.push({ outcome, sentAfterSignalLogged });
        if (outcome.kind !== 'response') return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });
    await until(() => probes.length >= 20);
    const exitCode = server.stop('SIGTERM');
    await until(() => server.output().includes('shutting down'));
    signalLogged = true;
    await Promise.all(probing);
    expect(await exitCode).toBe(0);

    const afterSignal = probes.filter((probe) => probe.sentAfterSignalLogged).map((probe) => probe.outcome);
    expect(afterSignal.filter((outcome) => outcome.kind === 'broken')).toEqual([]);
    expect(afterSignal.filter((outcome) => outcome.kind === 'response' && outcome.status !== 503)).toEqual([]);
    expect(afterSignal.filter((outcome) => outcome.kind === 'response').length).toBeGreaterThan(4);
    expect(afterSignal.filter((outcome) => outcome.kind === 'refused')).toHaveLength(4);
  } finally {
    await server.stop('SIGKILL');
  }
}, 90_000);

it.runIf(testDatabaseKind === 'pglite')(
  'a SHUTDOWN_GRACE_MS not below SHUTDOWN_TIMEOUT_MS stops the server with a clear message',
  async () => {
    const { code, output } = await runServerExpectingExit({ SHUTDOWN_GRACE_MS: '10000', SHUTDOWN_TIMEOUT_MS: '10000' });
    expect(code).toBe(2);
    expect(output).toContain('SHUTDOWN_GRACE_MS="10000": must be less than SHUTDOWN_TIMEOUT_MS (10000)');
  },
);

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

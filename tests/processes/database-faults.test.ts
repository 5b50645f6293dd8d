import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { uniqueUserId } from '../support/api.js';
import { testDatabaseKind } from '../support/databases.js';
import {
  createTaskMutation,
  expectErrorCode,
  expectNoErrors,
  taskQuery,
  type TaskResult,
  updateTaskMutation,
} from '../support/operations.js';
import { useProxiedApi } from '../support/proxied-api.js';

const unavailable = 'SERVICE_UNAVAILABLE';

describe.runIf(testDatabaseKind === 'postgres')('when the database goes away', () => {
  const api = useProxiedApi({ connectTimeoutMs: 300, statementTimeoutMs: 500, queryTimeoutMs: 1000 });

  const createTask = (userId: string, title = 'written while the database is away') =>
    api().graphql<{ createTask: TaskResult }>(createTaskMutation, { userId, input: { title } });

  async function recover() {
    api().proxy.restore();
    await expect.poll(() => api().ready(), { timeout: 10_000, interval: 50 }).toBe(200);
  }

  it('a request while connections are refused fails with SERVICE_UNAVAILABLE and no internals', async () => {
    api().proxy.cut('refuse');
    try {
      const response = await createTask(uniqueUserId());
      expectErrorCode(response, unavailable);
      expect(response.errors?.[0]?.message).toBe('The service is temporarily unavailable. Try again later.');
      expect(JSON.stringify(response.errors)).not.toMatch(/prisma|sql|127\.0\.0\.1|connect|stack/i);
    } finally {
      await recover();
    }
  });

  it('a request while connections hang unanswered fails with SERVICE_UNAVAILABLE after the connect timeout', async () => {
    api().proxy.cut('blackhole');
    try {
      expectErrorCode(await createTask(uniqueUserId()), unavailable);
    } finally {
      await recover();
    }
  });

  it('a request on a connection that stops answering fails with SERVICE_UNAVAILABLE after the query timeout', async () => {
    const userId = uniqueUserId();
    expectNoErrors(await createTask(userId, 'warms the pool'));
    api().proxy.cut('stall');
    try {
      expectErrorCode(await createTask(userId), unavailable);
    } finally {
      await recover();
    }
  });

  it('the failure is logged for operators as an unexpected error with its cause', async () => {
    api().proxy.cut('refuse');
    try {
      await createTask(uniqueUserId());
      const entry = api().logs.findLast((log) => log.msg === 'unexpected error');
      expect(JSON.stringify(entry?.err)).toMatch(/closed the connection|ConnectionClosed|Connection terminated/);
    } finally {
      await recover();
    }
  });

  it('GET /ready answers 503 while the database is cut', async () => {
    api().proxy.cut('blackhole');
    try {
      expect(await api().ready()).toBe(503);
    } finally {
      await recover();
    }
  });

  it('requests succeed again once the database is back, without a restart', async () => {
    const userId = uniqueUserId();
    const before = expectNoErrors(await createTask(userId, 'before the outage')).createTask;
    api().proxy.cut('refuse');
    expectErrorCode(await createTask(userId), unavailable);
    api().proxy.restore();

    await expect
      .poll(async () => (await createTask(userId, 'after the outage')).errors, { timeout: 10_000, interval: 50 })
      .toBeUndefined();
    const read = await api().graphql<{ task: TaskResult | null }>(taskQuery, { userId, id: before.id });
    expect(expectNoErrors(read).task?.title).toBe('before the outage');
    expect(await api().ready()).toBe(200);
  });
});

describe.runIf(testDatabaseKind === 'postgres')('the statement timeout', () => {
  const api = useProxiedApi({ connectTimeoutMs: 2000, statementTimeoutMs: 300, queryTimeoutMs: 5000 });

  it('cancels a runaway query on the server', async () => {
    await expect(api().db.prisma.$queryRaw`SELECT pg_sleep(1)::text`).rejects.toMatchObject({
      meta: { driverAdapterError: { cause: { code: '57014' } } },
    });
    expect(await api().db.prisma.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);
  });

  it('ends an update blocked on a locked row with SERVICE_UNAVAILABLE and leaves the task unchanged', async () => {
    const userId = uniqueUserId();
    const task = expectNoErrors(
      await api().graphql<{ createTask: TaskResult }>(createTaskMutation, { userId, input: { title: 'locked' } }),
    ).createTask;
    const locker = new pg.Client({ connectionString: api().direct.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM "Task" WHERE id = $1 FOR UPDATE', [task.id]);
      const response = await api().graphql(updateTaskMutation, { userId, id: task.id, input: { title: 'changed' } });
      expectErrorCode(response, unavailable);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    const read = await api().graphql<{ task: TaskResult | null }>(taskQuery, { userId, id: task.id });
    expect(expectNoErrors(read).task?.title).toBe('locked');
  });
});

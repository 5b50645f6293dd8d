import { expect, it } from 'vitest';
import { uniqueUserId, useTestApi } from '../support/api.js';
import {
  countTasks,
  createTask,
  createTaskMutation,
  expectNoErrors,
  taskQuery,
  type TaskResult,
  updateTaskMutation,
  versionedDeleteTaskMutation,
  versionedTaskQuery,
  type VersionedTaskResult,
  versionedUpdateTaskMutation,
} from '../support/operations.js';

const api = useTestApi();

it('100 simultaneous createTask calls for a new user all succeed', async () => {
  const userId = uniqueUserId('burst');
  const responses = await Promise.all(
    Array.from({ length: 100 }, (_, index) =>
      api().graphql<{ createTask: TaskResult }>(createTaskMutation, { userId, input: { title: `task ${index}` } }),
    ),
  );
  expect(responses.filter((response) => response.errors)).toEqual([]);
  expect(await countTasks(api(), userId)).toBe(100);
});

it('simultaneous updates of one task all succeed and leave one of the written states', async () => {
  const userId = uniqueUserId('race');
  const task = await createTask(api(), userId, { title: 'start' });
  const titles = Array.from({ length: 30 }, (_, index) => `title ${index}`);
  const responses = await Promise.all(
    titles.map((title, index) =>
      api().graphql<{ updateTask: TaskResult }>(updateTaskMutation, {
        userId,
        id: task.id,
        input: { title, completed: index % 2 === 0 },
      }),
    ),
  );
  expect(responses.filter((response) => response.errors)).toEqual([]);
  const stored = expectNoErrors(await api().graphql<{ task: TaskResult }>(taskQuery, { userId, id: task.id })).task;
  const writtenIndex = titles.indexOf(stored.title);
  expect(writtenIndex).toBeGreaterThanOrEqual(0);
  expect(stored.completed).toBe(writtenIndex % 2 === 0);
});

it('of 10 simultaneous updates with the same expectedVersion, exactly one wins; the others get CONFLICT with its state', async () => {
  const userId = uniqueUserId('race');
  const task = await createTask(api(), userId, { title: 'start' });
  const titles = Array.from({ length: 10 }, (_, index) => `title ${index}`);
  const responses = await Promise.all(
    titles.map((title) =>
      api().graphql<{ updateTask: VersionedTaskResult }>(versionedUpdateTaskMutation, {
        userId,
        id: task.id,
        input: { title },
        expectedVersion: 1,
      }),
    ),
  );
  const winners = responses.filter((response) => !response.errors);
  expect(winners).toHaveLength(1);
  const winner = expectNoErrors(winners[0]!).updateTask;
  expect(winner.version).toBe(2);
  for (const loser of responses.filter((response) => response.errors)) {
    expect(loser.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(loser.errors?.[0]?.extensions?.task).toMatchObject({ title: winner.title, version: 2 });
  }
  const stored = expectNoErrors(await api().graphql<{ task: VersionedTaskResult }>(versionedTaskQuery, { userId, id: task.id })).task;
  expect(stored).toMatchObject({ title: winner.title, version: 2 });
});

it('of 10 simultaneous deletes with the same expectedVersion, exactly one deletes; the others get NOT_FOUND', async () => {
  const userId = uniqueUserId('race');
  const task = await createTask(api(), userId, { title: 'contested' });
  const responses = await Promise.all(
    Array.from({ length: 10 }, () => api().graphql(versionedDeleteTaskMutation, { userId, id: task.id, expectedVersion: 1 })),
  );
  expect(responses.filter((response) => !response.errors)).toHaveLength(1);
  // The task is gone by the time a loser looks: NOT_FOUND (a missing task is never a CONFLICT).
  expect(new Set(responses.flatMap((response) => (response.errors ?? []).map((error) => error.extensions?.code)))).toEqual(
    new Set(['NOT_FOUND']),
  );
});

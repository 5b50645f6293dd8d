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

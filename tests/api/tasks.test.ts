import { describe, expect, it } from 'vitest';
import { uniqueUserId, useTestApi } from '../support/api.js';
import {
  createTask,
  createTaskMutation,
  deleteTaskMutation,
  expectErrorCode,
  expectNoErrors,
  taskQuery,
  type TaskResult,
  updateTaskMutation,
} from '../support/operations.js';

const api = useTestApi();

describe('createTask', () => {
  it('returns the new task with its fields, completed false by default', async () => {
    const task = await createTask(api(), uniqueUserId(), { title: 'Buy milk', description: 'two litres' });
    expect(task).toMatchObject({ title: 'Buy milk', description: 'two litres', completed: false });
    expect(task.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(task.updatedAt).toBe(task.createdAt);
  });

  it('trims the title', async () => {
    const task = await createTask(api(), uniqueUserId(), { title: '  padded  ' });
    expect(task.title).toBe('padded');
  });

  it('accepts completed: true', async () => {
    const task = await createTask(api(), uniqueUserId(), { title: 'done already', completed: true });
    expect(task.completed).toBe(true);
  });

  it('creates the user on first use', async () => {
    const userId = uniqueUserId();
    const response = await api().graphql<{ createTask: { user: { id: string; taskCount: number } } }>(
      `mutation($userId: ID!) { createTask(userId: $userId, input: { title: "first" }) { user { id taskCount } } }`,
      { userId },
    );
    expect(expectNoErrors(response).createTask.user).toEqual({ id: userId, taskCount: 1 });
  });

  it('gives ids that sort in creation order', async () => {
    const userId = uniqueUserId();
    const first = await createTask(api(), userId, { title: 'a' });
    const second = await createTask(api(), userId, { title: 'b' });
    expect(second.id > first.id).toBe(true);
  });
});

describe('task', () => {
  it('returns a task of the user', async () => {
    const userId = uniqueUserId();
    const created = await createTask(api(), userId, { title: 'read me' });
    const response = await api().graphql<{ task: TaskResult }>(taskQuery, { userId, id: created.id });
    expect(expectNoErrors(response).task).toEqual(created);
  });

  it('returns null for an id that does not exist', async () => {
    const response = await api().graphql<{ task: TaskResult | null }>(taskQuery, {
      userId: uniqueUserId(),
      id: '01936d2e-6b8a-7c3e-8f00-000000000000',
    });
    expect(expectNoErrors(response).task).toBeNull();
  });
});

describe('updateTask', () => {
  it('changes only the fields given', async () => {
    const userId = uniqueUserId();
    const created = await createTask(api(), userId, { title: 'old', description: 'keep me' });
    const response = await api().graphql<{ updateTask: TaskResult }>(updateTaskMutation, {
      userId,
      id: created.id,
      input: { title: 'new' },
    });
    expect(expectNoErrors(response).updateTask).toMatchObject({ title: 'new', description: 'keep me', completed: false });
  });

  it('clears the description when it is null', async () => {
    const userId = uniqueUserId();
    const created = await createTask(api(), userId, { title: 't', description: 'remove me' });
    const response = await api().graphql<{ updateTask: TaskResult }>(updateTaskMutation, {
      userId,
      id: created.id,
      input: { description: null },
    });
    expect(expectNoErrors(response).updateTask.description).toBeNull();
  });

  it('moves updatedAt forward and keeps createdAt', async () => {
    const userId = uniqueUserId();
    const created = await createTask(api(), userId, { title: 't' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const response = await api().graphql<{ updateTask: TaskResult }>(updateTaskMutation, {
      userId,
      id: created.id,
      input: { completed: true },
    });
    const updated = expectNoErrors(response).updateTask;
    expect(updated.completed).toBe(true);
    expect(updated.createdAt).toBe(created.createdAt);
    expect(Date.parse(updated.updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));
  });

  it('returns NOT_FOUND for an id that does not exist', async () => {
    const response = await api().graphql(updateTaskMutation, {
      userId: uniqueUserId(),
      id: '01936d2e-6b8a-7c3e-8f00-000000000000',
      input: { completed: true },
    });
    expectErrorCode(response, 'NOT_FOUND');
    expect(response.data).toBeNull();
  });

  it('with an empty input returns the task unchanged', async () => {
    const userId = uniqueUserId();
    const created = await createTask(api(), userId, { title: 't' });
    const response = await api().graphql<{ updateTask: TaskResult }>(updateTaskMutation, {
      userId,
      id: created.id,
      input: {},
    });
    expect(expectNoErrors(response).updateTask).toEqual(created);
  });
});

describe('deleteTask', () => {
  it('returns the deleted task', async () => {
    const userId = uniqueUserId();
    const created = await createTask(api(), userId, { title: 'bye' });
    const response = await api().graphql<{ deleteTask: TaskResult }>(deleteTaskMutation, { userId, id: created.id });
    expect(expectNoErrors(response).deleteTask).toEqual(created);
  });

  it('removes the task', async () => {
    const userId = uniqueUserId();
    const created = await createTask(api(), userId, { title: 'bye' });
    await api().graphql(deleteTaskMutation, { userId, id: created.id });
    const response = await api().graphql<{ task: TaskResult | null }>(taskQuery, { userId, id: created.id });
    expect(expectNoErrors(response).task).toBeNull();
  });

  it('returns NOT_FOUND the second time', async () => {
    const userId = uniqueUserId();
    const created = await createTask(api(), userId, { title: 'bye' });
    await api().graphql(deleteTaskMutation, { userId, id: created.id });
    expectErrorCode(await api().graphql(deleteTaskMutation, { userId, id: created.id }), 'NOT_FOUND');
  });
});

describe('users', () => {
  it('user returns null for an unknown id', async () => {
    const response = await api().graphql<{ user: null }>(`query($id: ID!) { user(id: $id) { id } }`, {
      id: uniqueUserId(),
    });
    expect(expectNoErrors(response).user).toBeNull();
  });

  it('createUser is idempotent', async () => {
    const id = uniqueUserId();
    const mutation = `mutation($id: ID!) { createUser(id: $id) { id createdAt } }`;
    const first = expectNoErrors(await api().graphql<{ createUser: { id: string; createdAt: string } }>(mutation, { id }));
    const second = expectNoErrors(await api().graphql<{ createUser: { id: string; createdAt: string } }>(mutation, { id }));
    expect(second.createUser).toEqual(first.createUser);
  });

  it('user shows its tasks and count', async () => {
    const userId = uniqueUserId();
    await createTask(api(), userId, { title: 'one' });
    await createTask(api(), userId, { title: 'two', completed: true });
    const response = await api().graphql<{
      user: { taskCount: number; open: number; tasks: { totalCount: number; edges: { node: { title: string } }[] } };
    }>(
      `query($id: ID!) { user(id: $id) { taskCount open: taskCount(filter: { completed: false })
        tasks { totalCount edges { node { title } } } } }`,
      { id: userId },
    );
    const user = expectNoErrors(response).user;
    expect(user.taskCount).toBe(2);
    expect(user.open).toBe(1);
    expect(user.tasks.edges.map((edge) => edge.node.title)).toEqual(['two', 'one']);
  });

  it('createTask for an existing user keeps its createdAt', async () => {
    const id = uniqueUserId();
    const created = expectNoErrors(
      await api().graphql<{ createUser: { createdAt: string } }>(`mutation($id: ID!) { createUser(id: $id) { createdAt } }`, {
        id,
      }),
    );
    const response = await api().graphql<{ createTask: { user: { createdAt: string } } }>(
      `mutation($id: ID!) { createTask(userId: $id, input: { title: "x" }) { user { createdAt } } }`,
      { id },
    );
    expect(expectNoErrors(response).createTask.user.createdAt).toBe(created.createUser.createdAt);
  });
});

it('the mutation document is rejected over GET with 405', async () => {
  const search = new URLSearchParams({ query: createTaskMutation, variables: JSON.stringify({ userId: 'x', input: { title: 'no' } }) });
  const response = await api().fetch(`/graphql?${search}`, { headers: { accept: 'application/graphql-response+json' } });
  expect(response.status).toBe(405);
});

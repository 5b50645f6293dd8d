import { describe, expect, it } from 'vitest';
import { uniqueUserId, useTestApi } from '../support/api.js';
import {
  createTask,
  expectErrorCode,
  expectNoErrors,
  versionedDeleteTaskMutation,
  versionedTaskQuery,
  type VersionedTaskResult,
  versionedUpdateTaskMutation,
} from '../support/operations.js';

const api = useTestApi();

const missingTaskId = '01936d2e-6b8a-7c3e-8f00-000000000000';

async function readTask(userId: string, id: string): Promise<VersionedTaskResult | null> {
  return expectNoErrors(await api().graphql<{ task: VersionedTaskResult | null }>(versionedTaskQuery, { userId, id })).task;
}

async function update(userId: string, id: string, input: Record<string, unknown>, expectedVersion?: number) {
  return api().graphql<{ updateTask: VersionedTaskResult }>(versionedUpdateTaskMutation, { userId, id, input, expectedVersion });
}

describe('Task.version', () => {
  it('is 1 for a new task', async () => {
    const userId = uniqueUserId();
    const { id } = await createTask(api(), userId, { title: 'new' });
    expect((await readTask(userId, id))?.version).toBe(1);
  });

  it('grows by 1 with every update', async () => {
    const userId = uniqueUserId();
    const { id } = await createTask(api(), userId, { title: 'v1' });
    expect(expectNoErrors(await update(userId, id, { title: 'v2' })).updateTask.version).toBe(2);
    expect(expectNoErrors(await update(userId, id, { completed: true })).updateTask.version).toBe(3);
  });

  it('stays the same for an update that names no field', async () => {
    const userId = uniqueUserId();
    const { id } = await createTask(api(), userId, { title: 'still' });
    expect(expectNoErrors(await update(userId, id, {})).updateTask.version).toBe(1);
  });
});

describe('updateTask with expectedVersion', () => {
  it('changes the task when the version matches', async () => {
    const userId = uniqueUserId();
    const { id } = await createTask(api(), userId, { title: 'mine' });
    const updated = expectNoErrors(await update(userId, id, { title: 'edited' }, 1)).updateTask;
    expect(updated).toMatchObject({ title: 'edited', version: 2 });
  });

  it('answers CONFLICT with the current task when the version is stale, and changes nothing', async () => {
    const userId = uniqueUserId();
    const { id } = await createTask(api(), userId, { title: 'first', description: 'details' });
    const current = expectNoErrors(await update(userId, id, { title: 'theirs' }, 1)).updateTask;
    const response = await update(userId, id, { title: 'mine' }, 1);
    expectErrorCode(response, 'CONFLICT');
    expect(response.data).toBeNull();
    expect(response.errors?.[0]?.extensions?.task).toEqual({
      id,
      title: 'theirs',
      description: 'details',
      completed: false,
      version: 2,
      createdAt: current.createdAt,
      updatedAt: current.updatedAt,
    });
    expect(await readTask(userId, id)).toEqual(current);
  });

  it('answers CONFLICT for a stale version even when the input names no field', async () => {
    const userId = uniqueUserId();
    const { id } = await createTask(api(), userId, { title: 'first' });
    expectNoErrors(await update(userId, id, { title: 'second' }));
    const response = await update(userId, id, {}, 1);
    expectErrorCode(response, 'CONFLICT');
    expect(response.errors?.[0]?.extensions?.task).toMatchObject({ title: 'second', version: 2 });
  });

  it('answers NOT_FOUND, not CONFLICT, for a task that does not exist', async () => {
    const response = await update(uniqueUserId(), missingTaskId, { title: 'x' }, 1);
    expectErrorCode(response, 'NOT_FOUND');
  });

  it("answers NOT_FOUND, not CONFLICT, for another user's task, and shows nothing of it", async () => {
    const { id } = await createTask(api(), uniqueUserId('owner'), { title: 'private' });
    const response = await update(uniqueUserId('other'), id, { title: 'x' }, 7);
    expectErrorCode(response, 'NOT_FOUND');
    expect(response.errors?.[0]?.extensions?.task).toBeUndefined();
  });
});

describe('deleteTask with expectedVersion', () => {
  it('deletes the task when the version matches', async () => {
    const userId = uniqueUserId();
    const { id } = await createTask(api(), userId, { title: 'bye' });
    const response = await api().graphql(versionedDeleteTaskMutation, { userId, id, expectedVersion: 1 });
    expectNoErrors(response);
    expect(await readTask(userId, id)).toBeNull();
  });

  it('answers CONFLICT with the current task when the version is stale, and keeps the task', async () => {
    const userId = uniqueUserId();
    const { id } = await createTask(api(), userId, { title: 'first' });
    expectNoErrors(await update(userId, id, { title: 'changed since' }));
    const response = await api().graphql(versionedDeleteTaskMutation, { userId, id, expectedVersion: 1 });
    expectErrorCode(response, 'CONFLICT');
    expect(response.errors?.[0]?.extensions?.task).toMatchObject({ id, title: 'changed since', version: 2 });
    expect((await readTask(userId, id))?.title).toBe('changed since');
  });

  it('answers NOT_FOUND, not CONFLICT, for a task that does not exist', async () => {
    const response = await api().graphql(versionedDeleteTaskMutation, { userId: uniqueUserId(), id: missingTaskId, expectedVersion: 1 });
    expectErrorCode(response, 'NOT_FOUND');
  });
});

import { describe, expect, it } from 'vitest';
import { uniqueUserId, useTestApi } from '../support/api.js';
import {
  countTasks,
  createTask,
  deleteTaskMutation,
  expectErrorCode,
  expectNoErrors,
  listTasks,
  taskQuery,
  type TaskResult,
  updateTaskMutation,
} from '../support/operations.js';

const api = useTestApi();

async function aliceAndBobsTask() {
  const alice = uniqueUserId('alice');
  const bob = uniqueUserId('bob');
  const task = await createTask(api(), alice, { title: "alice's secret" });
  return { alice, bob, task };
}

describe('another user', () => {
  it('reads null for the task', async () => {
    const { bob, task } = await aliceAndBobsTask();
    const response = await api().graphql<{ task: TaskResult | null }>(taskQuery, { userId: bob, id: task.id });
    expect(expectNoErrors(response).task).toBeNull();
  });

  it('does not see the task in their list', async () => {
    const { bob } = await aliceAndBobsTask();
    await createTask(api(), bob, { title: "bob's own" });
    const page = await listTasks(api(), { userId: bob });
    expect(page.edges.map((edge) => edge.node.title)).toEqual(["bob's own"]);
    expect(page.totalCount).toBe(1);
  });

  it('gets NOT_FOUND updating the task, and the task is unchanged', async () => {
    const { alice, bob, task } = await aliceAndBobsTask();
    const response = await api().graphql(updateTaskMutation, { userId: bob, id: task.id, input: { title: 'pwned' } });
    expectErrorCode(response, 'NOT_FOUND');
    const stored = await api().graphql<{ task: TaskResult }>(taskQuery, { userId: alice, id: task.id });
    expect(expectNoErrors(stored).task).toEqual(task);
  });

  it('gets the same error updating the task as for a missing one', async () => {
    const { bob, task } = await aliceAndBobsTask();
    const foreign = await api().graphql(updateTaskMutation, { userId: bob, id: task.id, input: { completed: true } });
    const missingId = '01936d2e-6b8a-7c3e-8f00-00000000abcd';
    const missing = await api().graphql(updateTaskMutation, { userId: bob, id: missingId, input: { completed: true } });
    expect(foreign.errors?.[0]?.extensions).toEqual(missing.errors?.[0]?.extensions);
    expect(foreign.errors?.[0]?.message.replace(task.id, '<id>')).toBe(missing.errors?.[0]?.message.replace(missingId, '<id>'));
  });

  it('gets NOT_FOUND deleting the task, and the task still exists', async () => {
    const { alice, bob, task } = await aliceAndBobsTask();
    expectErrorCode(await api().graphql(deleteTaskMutation, { userId: bob, id: task.id }), 'NOT_FOUND');
    expect(await countTasks(api(), alice)).toBe(1);
  });
});

it('an unknown user has an empty task list', async () => {
  const page = await listTasks(api(), { userId: uniqueUserId('nobody') });
  expect(page).toEqual({
    totalCount: 0,
    edges: [],
    pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
  });
});

it('user ids are case-sensitive and distinct', async () => {
  const lower = uniqueUserId('case');
  await createTask(api(), lower, { title: 'lower' });
  expect(await countTasks(api(), lower.toUpperCase())).toBe(0);
});

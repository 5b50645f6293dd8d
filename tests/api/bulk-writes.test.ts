import { afterEach, describe, expect, it } from 'vitest';
import { uniqueUserId, useTestApi } from '../support/api.js';
import { useRealPort } from '../support/http-server.js';
import {
  countTasks,
  createTask,
  createTasks,
  deleteCompletedTasksMutation,
  type DeleteCompletedTasksResult,
  deleteTasksMutation,
  type DeleteTasksResult,
  expectErrorCode,
  expectNoErrors,
  listTasks,
  setTasksCompletedMutation,
  type SetTasksCompletedResult,
  versionedTaskQuery,
  type VersionedTaskResult,
} from '../support/operations.js';
import { subscribeTaskEvents, type TaskEventStream, untilLive } from '../support/task-events.js';

const api = useTestApi({ countQueries: true });
const serverUrl = useRealPort(api);
const streams: TaskEventStream[] = [];
afterEach(() => {
  for (const stream of streams.splice(0)) stream.close();
});

const missingTaskId = '01936d2e-6b8a-7c3e-8f00-000000000000';

async function readTask(userId: string, id: string): Promise<VersionedTaskResult | null> {
  return expectNoErrors(await api().graphql<{ task: VersionedTaskResult | null }>(versionedTaskQuery, { userId, id })).task;
}

async function completedStates(userId: string): Promise<Record<string, boolean>> {
  const page = await listTasks(api(), { userId, first: 100 });
  return Object.fromEntries(page.edges.map(({ node }) => [node.title, node.completed]));
}

const setCompleted = (userId: string, ids: string[], completed: boolean) =>
  api().graphql<SetTasksCompletedResult>(setTasksCompletedMutation, { userId, ids, completed });

const deleteTasks = (userId: string, ids: string[]) => api().graphql<DeleteTasksResult>(deleteTasksMutation, { userId, ids });

/** Where the stream stands once the event of the task created last has arrived: later events start here. */
async function positionAfter(stream: TaskEventStream, lastCreated: { id: string }): Promise<number> {
  await stream.waitFor((event) => event.task.id === lastCreated.id);
  return stream.received.length;
}

async function follow(userId: string): Promise<TaskEventStream> {
  const stream = subscribeTaskEvents({ url: `${serverUrl()}/graphql`, userId });
  streams.push(stream);
  await untilLive(stream, (title) => createTask(api(), userId, { title }));
  return stream;
}

describe('setTasksCompleted', () => {
  it('marks the named tasks done and returns them in the order named, with their new versions', async () => {
    const userId = uniqueUserId();
    const [a, b, untouched] = await createTasks(api(), userId, ['a', 'b', 'untouched']);
    const result = expectNoErrors(await setCompleted(userId, [b!.id, a!.id], true)).setTasksCompleted;
    expect(result.count).toBe(2);
    expect(result.tasks.map((task) => [task.title, task.completed, task.version])).toEqual([
      ['b', true, 2],
      ['a', true, 2],
    ]);
    expect(await completedStates(userId)).toEqual({ a: true, b: true, [untouched!.title]: false });
  });

  it('leaves tasks already in the requested state unchanged and uncounted, but returns them', async () => {
    const userId = uniqueUserId();
    const done = await createTask(api(), userId, { title: 'done', completed: true });
    const open = await createTask(api(), userId, { title: 'open' });
    const result = expectNoErrors(await setCompleted(userId, [done.id, open.id], true)).setTasksCompleted;
    expect(result.count).toBe(1);
    expect(result.tasks.map((task) => [task.title, task.version])).toEqual([
      ['done', 1],
      ['open', 2],
    ]);
    expect((await readTask(userId, done.id))?.updatedAt).toBe(done.updatedAt);
  });

  it('marks tasks not done with completed: false', async () => {
    const userId = uniqueUserId();
    const task = await createTask(api(), userId, { title: 'reopen me', completed: true });
    const result = expectNoErrors(await setCompleted(userId, [task.id], false)).setTasksCompleted;
    expect(result).toMatchObject({ count: 1, tasks: [{ id: task.id, completed: false }] });
  });

  it('counts a repeated id once', async () => {
    const userId = uniqueUserId();
    const task = await createTask(api(), userId, { title: 'twice' });
    const result = expectNoErrors(await setCompleted(userId, [task.id, task.id, task.id.toUpperCase()], true)).setTasksCompleted;
    expect(result.count).toBe(1);
    expect(result.tasks.map((returned) => [returned.id, returned.version])).toEqual([[task.id, 2]]);
  });

  it("changes nothing when one id is another user's task, and says how many were not found", async () => {
    const userId = uniqueUserId();
    const own = await createTasks(api(), userId, ['one', 'two', 'three']);
    const theirs = await createTask(api(), uniqueUserId('other'), { title: 'not yours' });
    const response = await setCompleted(userId, [...own.map((task) => task.id), theirs.id, missingTaskId], true);
    expectErrorCode(response, 'NOT_FOUND');
    expect(response.errors?.[0]?.message).toBe('2 of the 5 tasks were not found.');
    expect(response.errors?.[0]?.extensions?.missing).toBe(2);
    expect(JSON.stringify(response.errors)).not.toContain('not yours');
    expect(await completedStates(userId)).toEqual({ one: false, two: false, three: false });
    expect((await readTask(userId, own[0]!.id))?.version).toBe(1);
  });
});

describe('deleteTasks', () => {
  it('deletes the named tasks and returns their ids', async () => {
    const userId = uniqueUserId();
    const [a, b] = await createTasks(api(), userId, ['a', 'b', 'keep']);
    const result = expectNoErrors(await deleteTasks(userId, [a!.id, b!.id, a!.id])).deleteTasks;
    expect(result.count).toBe(2);
    expect(result.deletedIds.toSorted()).toEqual([a!.id, b!.id].toSorted());
    expect(Object.keys(await completedStates(userId))).toEqual(['keep']);
  });

  it("deletes nothing when one id is another user's task, and says how many were not found", async () => {
    const userId = uniqueUserId();
    const own = await createTasks(api(), userId, ['one', 'two']);
    const other = uniqueUserId('other');
    const theirs = await createTask(api(), other, { title: 'not yours' });
    const response = await deleteTasks(userId, [...own.map((task) => task.id), theirs.id]);
    expectErrorCode(response, 'NOT_FOUND');
    expect(response.errors?.[0]?.message).toBe('1 of the 3 tasks was not found.');
    expect(response.errors?.[0]?.extensions?.missing).toBe(1);
    expect(await countTasks(api(), userId)).toBe(2);
    expect(await readTask(other, theirs.id)).not.toBeNull();
  });
});

describe('deleteCompletedTasks', () => {
  it("deletes only the user's completed tasks", async () => {
    const userId = uniqueUserId();
    const other = uniqueUserId('other');
    const done = await createTask(api(), userId, { title: 'done', completed: true });
    await createTask(api(), userId, { title: 'open' });
    const othersDone = await createTask(api(), other, { title: 'theirs', completed: true });
    const result = expectNoErrors(await api().graphql<DeleteCompletedTasksResult>(deleteCompletedTasksMutation, { userId }))
      .deleteCompletedTasks;
    expect(result).toEqual({ count: 1, deletedIds: [done.id] });
    expect(Object.keys(await completedStates(userId))).toEqual(['open']);
    expect(await readTask(other, othersDone.id)).not.toBeNull();
  });

  it('answers count 0 when the user has no completed task', async () => {
    const result = expectNoErrors(
      await api().graphql<DeleteCompletedTasksResult>(deleteCompletedTasksMutation, { userId: uniqueUserId() }),
    ).deleteCompletedTasks;
    expect(result).toEqual({ count: 0, deletedIds: [] });
  });
});

describe('bulk lists are checked before the database', () => {
  const tooMany = Array.from({ length: 101 }, () => missingTaskId);

  it.each([
    ['setTasksCompleted', 'an empty list', setTasksCompletedMutation, { ids: [], completed: true }],
    ['setTasksCompleted', '101 ids', setTasksCompletedMutation, { ids: tooMany, completed: true }],
    ['deleteTasks', 'an empty list', deleteTasksMutation, { ids: [] }],
    ['deleteTasks', '101 ids', deleteTasksMutation, { ids: tooMany }],
  ])('%s refuses %s with BAD_USER_INPUT naming ids, before any SQL', async (_name, _case, mutation, variables) => {
    const { response, statements } = await api().graphqlWithStatements(mutation, { userId: uniqueUserId(), ...variables });
    expectErrorCode(response, 'BAD_USER_INPUT', 'ids');
    expect(statements).toEqual([]);
  });

  it('refuses a malformed id with BAD_USER_INPUT naming it, as the single-task mutations do', async () => {
    const { response, statements } = await api().graphqlWithStatements(deleteTasksMutation, {
      userId: uniqueUserId(),
      ids: [missingTaskId, 'not-a-uuid'],
    });
    expectErrorCode(response, 'BAD_USER_INPUT', 'ids.1');
    expect(statements).toEqual([]);
  });

  it('accepts 100 ids', async () => {
    const userId = uniqueUserId();
    const response = await setCompleted(userId, Array.from({ length: 100 }, () => missingTaskId), true);
    expectErrorCode(response, 'NOT_FOUND');
    expect(response.errors?.[0]?.extensions?.missing).toBe(1);
  });
});

describe('events of bulk writes', () => {
  it('setTasksCompleted publishes one UPDATED per changed task, none for unchanged ones', async () => {
    const userId = uniqueUserId('events');
    const stream = await follow(userId);
    const [a, b] = await createTasks(api(), userId, ['a', 'b']);
    const done = await createTask(api(), userId, { title: 'already done', completed: true });
    const from = await positionAfter(stream, done);
    expectNoErrors(await setCompleted(userId, [a!.id, b!.id, done.id], true));
    const last = await createTask(api(), userId, { title: 'after' });
    await stream.waitFor((event) => event.task.id === last.id, { from });
    expect(stream.received.slice(from).map((event) => [event.type, event.task.title, event.task.completed])).toEqual([
      ['UPDATED', 'a', true],
      ['UPDATED', 'b', true],
      ['CREATED', 'after', false],
    ]);
  });

  it('deleteTasks and deleteCompletedTasks publish one DELETED per task with its last state', async () => {
    const userId = uniqueUserId('events');
    const stream = await follow(userId);
    const [a, b] = await createTasks(api(), userId, ['a', 'b']);
    const done = await createTask(api(), userId, { title: 'done', completed: true });
    const from = await positionAfter(stream, done);
    expectNoErrors(await deleteTasks(userId, [a!.id, b!.id]));
    expectNoErrors(await api().graphql(deleteCompletedTasksMutation, { userId }));
    await stream.waitFor((event) => event.type === 'DELETED' && event.task.id === done.id, { from });
    const deleted = stream.received.slice(from).filter((event) => event.type === 'DELETED');
    expect(deleted.map((event) => event.task.title).toSorted()).toEqual(['a', 'b', 'done']);
    expect(deleted.find((event) => event.task.id === done.id)?.task.completed).toBe(true);
  });

  it('a refused bulk write publishes nothing', async () => {
    const userId = uniqueUserId('events');
    const stream = await follow(userId);
    const task = await createTask(api(), userId, { title: 'stays open' });
    const from = await positionAfter(stream, task);
    expectErrorCode(await setCompleted(userId, [task.id, missingTaskId], true), 'NOT_FOUND');
    expectErrorCode(await deleteTasks(userId, [task.id, missingTaskId]), 'NOT_FOUND');
    const marker = await createTask(api(), userId, { title: 'marker' });
    await stream.waitFor((event) => event.task.id === marker.id, { from });
    expect(stream.received.slice(from).map((event) => event.type)).toEqual(['CREATED']);
  });
});

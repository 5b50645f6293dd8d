import { describe, expect, it } from 'vitest';
import { uniqueUserId, useTestApi } from '../support/api.js';
import {
  countTasks,
  createTask,
  createTaskMutation,
  expectErrorCode,
  expectNoErrors,
  listTasks,
  taskQuery,
  type TaskResult,
  tasksQuery,
  updateTaskMutation,
} from '../support/operations.js';

const api = useTestApi();

async function createExpectingBadInput(input: Record<string, unknown>, field: string, userId = uniqueUserId()) {
  const response = await api().graphql(createTaskMutation, { userId, input });
  expectErrorCode(response, 'BAD_USER_INPUT', field);
  expect(response.data).toBeNull();
  if (userId !== '') expect(await countTasks(api(), userId)).toBe(0);
  return response;
}

describe('title', () => {
  it('of 500 characters is accepted', async () => {
    const task = await createTask(api(), uniqueUserId(), { title: 'x'.repeat(500) });
    expect(task.title).toHaveLength(500);
  });

  it('of 501 characters is refused and nothing is stored', async () => {
    const response = await createExpectingBadInput({ title: 'x'.repeat(501) }, 'input.title');
    expect(response.errors?.[0]?.message).toBe('title must be at most 500 characters (got 501).');
  });

  it('counts characters, not UTF-16 units: 500 emoji are accepted', async () => {
    const task = await createTask(api(), uniqueUserId(), { title: '🚀'.repeat(500) });
    expect(task.title).toBe('🚀'.repeat(500));
  });

  it('of 500 characters plus surrounding spaces is accepted after trimming', async () => {
    const task = await createTask(api(), uniqueUserId(), { title: `  ${'y'.repeat(500)}  ` });
    expect(task.title).toBe('y'.repeat(500));
  });

  it('that is empty is refused', async () => {
    await createExpectingBadInput({ title: '' }, 'input.title');
  });

  it('of only whitespace is refused', async () => {
    await createExpectingBadInput({ title: ' \t\n ' }, 'input.title');
  });

  it('with a NUL character is refused', async () => {
    await createExpectingBadInput({ title: 'a\u0000b' }, 'input.title');
  });

  it('with an unpaired surrogate is refused', async () => {
    await createExpectingBadInput({ title: 'a\ud800b' }, 'input.title');
  });

  it('set to null on update is refused and the task is unchanged', async () => {
    const userId = uniqueUserId();
    const task = await createTask(api(), userId, { title: 'keep' });
    const response = await api().graphql(updateTaskMutation, { userId, id: task.id, input: { title: null } });
    expectErrorCode(response, 'BAD_USER_INPUT', 'input.title');
    const stored = await api().graphql<{ task: TaskResult }>(taskQuery, { userId, id: task.id });
    expect(expectNoErrors(stored).task).toEqual(task);
  });

  it('of 501 characters on update is refused', async () => {
    const userId = uniqueUserId();
    const task = await createTask(api(), userId, { title: 'keep' });
    const response = await api().graphql(updateTaskMutation, { userId, id: task.id, input: { title: 'z'.repeat(501) } });
    expectErrorCode(response, 'BAD_USER_INPUT', 'input.title');
  });
});

describe('description', () => {
  it('of 5000 characters is accepted', async () => {
    const task = await createTask(api(), uniqueUserId(), { title: 't', description: 'd'.repeat(5000) });
    expect(task.description).toHaveLength(5000);
  });

  it('of 5001 characters is refused', async () => {
    await createExpectingBadInput({ title: 't', description: 'd'.repeat(5001) }, 'input.description');
  });

  it('keeps its whitespace byte for byte', async () => {
    const description = '  line one\n\tline two  ';
    const task = await createTask(api(), uniqueUserId(), { title: 't', description });
    expect(task.description).toBe(description);
  });
});

describe('completed', () => {
  it('set to null on update is refused', async () => {
    const userId = uniqueUserId();
    const task = await createTask(api(), userId, { title: 't' });
    const response = await api().graphql(updateTaskMutation, { userId, id: task.id, input: { completed: null } });
    expectErrorCode(response, 'BAD_USER_INPUT', 'input.completed');
  });
});

describe('userId', () => {
  it('that is empty is refused', async () => {
    await createExpectingBadInput({ title: 't' }, 'userId', '');
  });

  it('of 128 characters is accepted', async () => {
    const userId = `u${'x'.repeat(127)}`;
    await createTask(api(), userId, { title: 't' });
    expect(await countTasks(api(), userId)).toBe(1);
  });

  it('of 129 characters is refused', async () => {
    const response = await api().graphql(tasksQuery, { userId: 'u'.repeat(129) });
    expectErrorCode(response, 'BAD_USER_INPUT', 'userId');
  });

  it('with a NUL character is refused', async () => {
    const response = await api().graphql(tasksQuery, { userId: 'a\u0000' });
    expectErrorCode(response, 'BAD_USER_INPUT', 'userId');
  });
});

describe('task id', () => {
  it('that is malformed is refused on read', async () => {
    const response = await api().graphql(taskQuery, { userId: uniqueUserId(), id: 'not-an-id' });
    expectErrorCode(response, 'BAD_USER_INPUT', 'id');
  });

  it('that is malformed is refused on update', async () => {
    const response = await api().graphql(updateTaskMutation, {
      userId: uniqueUserId(),
      id: "1' OR '1'='1",
      input: { completed: true },
    });
    expectErrorCode(response, 'BAD_USER_INPUT', 'id');
  });
});

describe('page arguments', () => {
  it('first of 100 is accepted', async () => {
    const page = await listTasks(api(), { userId: uniqueUserId(), first: 100 });
    expect(page.edges).toEqual([]);
  });

  it('first over 100 is refused', async () => {
    expectErrorCode(await api().graphql(tasksQuery, { userId: uniqueUserId(), first: 101 }), 'BAD_USER_INPUT', 'first');
  });

  it('negative first is refused', async () => {
    expectErrorCode(await api().graphql(tasksQuery, { userId: uniqueUserId(), first: -1 }), 'BAD_USER_INPUT', 'first');
  });

  it('negative last is refused', async () => {
    expectErrorCode(await api().graphql(tasksQuery, { userId: uniqueUserId(), last: -1 }), 'BAD_USER_INPUT', 'last');
  });

  it('first and last together are refused', async () => {
    expectErrorCode(
      await api().graphql(tasksQuery, { userId: uniqueUserId(), first: 1, last: 1 }),
      'BAD_USER_INPUT',
      'last',
    );
  });

  it('a malformed after cursor is refused', async () => {
    expectErrorCode(
      await api().graphql(tasksQuery, { userId: uniqueUserId(), after: 'bm90IGEgY3Vyc29y' }),
      'BAD_USER_INPUT',
      'after',
    );
  });

  it('a malformed before cursor is refused', async () => {
    expectErrorCode(await api().graphql(tasksQuery, { userId: uniqueUserId(), before: '%%%' }), 'BAD_USER_INPUT', 'before');
  });

  it('a search with a NUL character is refused', async () => {
    const response = await api().graphql(tasksQuery, { userId: uniqueUserId(), filter: { search: '\u0000' } });
    expectErrorCode(response, 'BAD_USER_INPUT', 'filter.search');
  });
});

describe('GraphQL-level errors keep their codes', () => {
  it('a syntax error is GRAPHQL_PARSE_FAILED with status 400', async () => {
    const response = await api().graphql('{ tasks(userId: "x") { ');
    expect(response.status).toBe(400);
    expectErrorCode(response, 'GRAPHQL_PARSE_FAILED');
  });

  it('an unknown field is GRAPHQL_VALIDATION_FAILED with status 400', async () => {
    const response = await api().graphql('{ tasks(userId: "x") { nope } }');
    expect(response.status).toBe(400);
    expectErrorCode(response, 'GRAPHQL_VALIDATION_FAILED');
  });

  it('a variable of the wrong type is BAD_USER_INPUT with status 400', async () => {
    const response = await api().graphql(tasksQuery, { userId: 'x', first: 'ten' });
    expect(response.status).toBe(400);
    expectErrorCode(response, 'BAD_USER_INPUT');
  });
});

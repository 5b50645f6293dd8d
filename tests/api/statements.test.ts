import { v7 as uuidv7 } from 'uuid';
import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueUserId, useTestApi } from '../support/api.js';
import {
  deleteCompletedTasksMutation,
  deleteTasksMutation,
  expectNoErrors,
  setTasksCompletedMutation,
} from '../support/operations.js';

// Every statement Prisma sends is counted; a resolver that queries per row, per alias or per page size shows up here.
const api = useTestApi({ countQueries: true });

const alice = uniqueUserId('alice');
const bob = uniqueUserId('bob');

beforeAll(async () => {
  const { prisma } = api().db;
  await prisma.user.createMany({ data: [{ id: alice }, { id: bob }] });
  const start = Date.now() - 3_600_000;
  const tasks = [alice, bob].flatMap((userId) =>
    Array.from({ length: 60 }, (_, index) => ({
      id: uuidv7({ msecs: start + index }),
      userId,
      title: `task ${index}`,
      completed: index % 3 === 0,
      createdAt: new Date(start + index),
    })),
  );
  await prisma.task.createMany({ data: tasks });
});

async function statementsFor(query: string, variables: Record<string, unknown>) {
  const { response, statements } = await api().graphqlWithStatements(query, variables);
  return { data: expectNoErrors(response), statements };
}

const listQuery = `query List($userId: ID!, $first: Int) {
  tasks(userId: $userId, first: $first) { totalCount edges { node { id title completed createdAt } } }
}`;

const nestedFields = `taskCount tasks(first: $first) { totalCount edges { node { id title user { id } } } }`;
const nestedQuery = `query Nested($userId: ID!, $first: Int) { user(id: $userId) { ${nestedFields} } }`;
const aliasedQuery = `query Aliased($a: ID!, $b: ID!, $first: Int) {
  a: user(id: $a) { ${nestedFields} }
  b: user(id: $b) { ${nestedFields} }
}`;

describe('SQL statements per request', () => {
  it('a page of tasks with totalCount costs 2 statements, for 5 or 50 tasks', async () => {
    const small = await statementsFor(listQuery, { userId: alice, first: 5 });
    const large = await statementsFor(listQuery, { userId: alice, first: 50 });
    expect(small.statements).toHaveLength(2);
    expect(large.statements).toHaveLength(2);
  });

  it('a page without totalCount skips the COUNT', async () => {
    const { statements } = await statementsFor(
      `query($userId: ID!) { tasks(userId: $userId, first: 20) { edges { node { id } } } }`,
      { userId: alice },
    );
    expect(statements).toHaveLength(1);
    expect(statements.join('\n')).not.toMatch(/COUNT/i);
  });

  it('a user with its count, a page and each task owner costs 3 statements, for 5 or 50 tasks', async () => {
    const small = await statementsFor(nestedQuery, { userId: alice, first: 5 });
    const large = await statementsFor(nestedQuery, { userId: alice, first: 50 });
    expect(small.statements).toHaveLength(3);
    expect(large.statements).toHaveLength(3);
  });

  it('two aliased users are batched: the same 3 statements as one user', async () => {
    const small = await statementsFor(aliasedQuery, { a: alice, b: bob, first: 5 });
    const large = await statementsFor(aliasedQuery, { a: alice, b: bob, first: 50 });
    expect(small.statements).toHaveLength(3);
    expect(large.statements).toHaveLength(3);
    const data = large.data as Record<'a' | 'b', { taskCount: number; tasks: { edges: { node: { user: { id: string } } }[] } }>;
    expect(data.a.taskCount).toBe(60);
    expect(data.a.tasks.edges).toHaveLength(50);
    expect(data.a.tasks.edges.every((edge) => edge.node.user.id === alice)).toBe(true);
    expect(data.b.tasks.edges.every((edge) => edge.node.user.id === bob)).toBe(true);
  });

  it('per-task owner counts are one grouped query, not one per task', async () => {
    const query = `query($userId: ID!, $first: Int) {
      tasks(userId: $userId, first: $first) { edges { node { id user { id taskCount } } } }
    }`;
    const small = await statementsFor(query, { userId: alice, first: 5 });
    const large = await statementsFor(query, { userId: alice, first: 50 });
    expect(small.statements).toHaveLength(3);
    expect(large.statements).toHaveLength(3);
  });
});

describe('SQL statements per bulk write', () => {
  /** A new user with this many tasks, written straight to the database; returns the user and the task ids. */
  async function userWithTasks(count: number, completed: boolean) {
    const userId = uniqueUserId('bulk');
    const { prisma } = api().db;
    await prisma.user.create({ data: { id: userId } });
    const ids = Array.from({ length: count }, () => uuidv7());
    await prisma.task.createMany({ data: ids.map((id, index) => ({ id, userId, title: `task ${index}`, completed })) });
    return { userId, ids };
  }

  it('setTasksCompleted costs the same statements for 2 or 100 tasks', async () => {
    const small = await userWithTasks(2, false);
    const large = await userWithTasks(100, false);
    const forSmall = await statementsFor(setTasksCompletedMutation, { ...small, completed: true });
    const forLarge = await statementsFor(setTasksCompletedMutation, { ...large, completed: true });
    expect((forLarge.data as { setTasksCompleted: { count: number } }).setTasksCompleted.count).toBe(100);
    expect(forLarge.statements).toHaveLength(forSmall.statements.length);
    // UPDATE … RETURNING, SELECT, COMMIT (Prisma does not log the BEGIN).
    expect(forSmall.statements).toHaveLength(3);
  });

  it('deleteTasks costs the same statements for 2 or 100 tasks', async () => {
    const small = await userWithTasks(2, false);
    const large = await userWithTasks(100, false);
    const forSmall = await statementsFor(deleteTasksMutation, small);
    const forLarge = await statementsFor(deleteTasksMutation, large);
    expect((forLarge.data as { deleteTasks: { count: number } }).deleteTasks.count).toBe(100);
    expect(forLarge.statements).toHaveLength(forSmall.statements.length);
    // DELETE … RETURNING, COMMIT.
    expect(forSmall.statements).toHaveLength(2);
  });

  it('deleteCompletedTasks costs the same statements for 2 or 100 tasks', async () => {
    const small = await userWithTasks(2, true);
    const large = await userWithTasks(100, true);
    const forSmall = await statementsFor(deleteCompletedTasksMutation, { userId: small.userId });
    const forLarge = await statementsFor(deleteCompletedTasksMutation, { userId: large.userId });
    expect((forLarge.data as { deleteCompletedTasks: { count: number } }).deleteCompletedTasks.count).toBe(100);
    expect(forLarge.statements).toHaveLength(forSmall.statements.length);
    expect(forSmall.statements).toHaveLength(1);
  });
});

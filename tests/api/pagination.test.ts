import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueUserId, useTestApi } from '../support/api.js';
import {
  createTask,
  createTasks,
  deleteTaskMutation,
  expectErrorCode,
  expectNoErrors,
  listTasks,
  type PageResult,
  type TaskResult,
  tasksQuery,
  updateTaskMutation,
} from '../support/operations.js';

const api = useTestApi();

const titles = Array.from({ length: 23 }, (_, index) => `task ${String(index).padStart(2, '0')}`);
let userId: string;
let created: TaskResult[];

beforeAll(async () => {
  userId = uniqueUserId('pager');
  created = await createTasks(api(), userId, titles);
});

async function walkForward(pageSize: number, extra: Record<string, unknown> = {}) {
  const pages: PageResult[] = [];
  let after: string | null = null;
  do {
    const page: PageResult = await listTasks(api(), { userId, first: pageSize, after, ...extra });
    pages.push(page);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return pages;
}

describe('paging forward', () => {
  it('returns every task once, newest first, with no gaps', async () => {
    const pages = await walkForward(5);
    const ids = pages.flatMap((page) => page.edges.map((edge) => edge.node.id));
    expect(ids).toEqual(created.map((task) => task.id).reverse());
  });

  it('fills pages to the requested size and says when more follow', async () => {
    const pages = await walkForward(5);
    expect(pages.map((page) => page.edges.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.map((page) => page.pageInfo.hasNextPage)).toEqual([true, true, true, true, false]);
  });

  it('reports hasPreviousPage after the first page', async () => {
    const pages = await walkForward(10);
    expect(pages.map((page) => page.pageInfo.hasPreviousPage)).toEqual([false, true, true]);
  });

  it('gives totalCount of the whole list on every page', async () => {
    const pages = await walkForward(10);
    expect(pages.map((page) => page.totalCount)).toEqual([23, 23, 23]);
  });

  it('uses 20 as the default page size', async () => {
    const page = await listTasks(api(), { userId });
    expect(page.edges).toHaveLength(20);
  });

  it('accepts first: 0 and returns no edges', async () => {
    const page = await listTasks(api(), { userId, first: 0 });
    expect(page.edges).toEqual([]);
    expect(page.totalCount).toBe(23);
  });

  it('continues from a cursor whose task was deleted', async () => {
    const otherUser = uniqueUserId('deleter');
    const tasks = await createTasks(api(), otherUser, ['a', 'b', 'c', 'd']);
    const firstPage = await listTasks(api(), { userId: otherUser, first: 2 });
    await api().graphql(deleteTaskMutation, { userId: otherUser, id: firstPage.edges[1]?.node.id });
    const next = await listTasks(api(), { userId: otherUser, first: 2, after: firstPage.pageInfo.endCursor });
    expect(next.edges.map((edge) => edge.node.id)).toEqual([tasks[1]?.id, tasks[0]?.id]);
  });
});

describe('paging backward', () => {
  it('with last and before returns every task once, in list order', async () => {
    const collected: string[] = [];
    let before: string | null = null;
    do {
      const page: PageResult = await listTasks(api(), { userId, last: 6, before });
      collected.unshift(...page.edges.map((edge) => edge.node.id));
      before = page.pageInfo.hasPreviousPage ? page.pageInfo.startCursor : null;
    } while (before);
    expect(collected).toEqual(created.map((task) => task.id).reverse());
  });

  it('last alone returns the end of the list', async () => {
    const page = await listTasks(api(), { userId, last: 3 });
    expect(page.edges.map((edge) => edge.node.title)).toEqual(['task 02', 'task 01', 'task 00']);
    expect(page.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
  });
});

describe('ordering', () => {
  it('TITLE ASC sorts by title', async () => {
    const page = await listTasks(api(), { userId, first: 3, orderBy: { field: 'TITLE', direction: 'ASC' } });
    expect(page.edges.map((edge) => edge.node.title)).toEqual(['task 00', 'task 01', 'task 02']);
  });

  it('CREATED_AT ASC returns oldest first', async () => {
    const page = await listTasks(api(), { userId, first: 2, orderBy: { field: 'CREATED_AT', direction: 'ASC' } });
    expect(page.edges.map((edge) => edge.node.id)).toEqual([created[0]?.id, created[1]?.id]);
  });

  it('UPDATED_AT DESC puts the last changed task first', async () => {
    const owner = uniqueUserId('updater');
    const [older] = await createTasks(api(), owner, ['older', 'newer']);
    await api().graphql(updateTaskMutation, { userId: owner, id: older?.id, input: { completed: true } });
    const page = await listTasks(api(), { userId: owner, orderBy: { field: 'UPDATED_AT', direction: 'DESC' } });
    expect(page.edges.map((edge) => edge.node.title)).toEqual(['older', 'newer']);
  });

  it('pages through equal titles without duplicates or gaps', async () => {
    const owner = uniqueUserId('ties');
    const same = await createTasks(api(), owner, Array.from({ length: 7 }, () => 'same title'));
    const ids: string[] = [];
    let after: string | null = null;
    do {
      const page: PageResult = await listTasks(api(), {
        userId: owner,
        first: 3,
        after,
        orderBy: { field: 'TITLE', direction: 'DESC' },
      });
      ids.push(...page.edges.map((edge) => edge.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect([...ids].sort()).toEqual(same.map((task) => task.id).sort());
    expect(new Set(ids).size).toBe(7);
  });

  it('refuses a cursor that came from another ordering', async () => {
    const page = await listTasks(api(), { userId, first: 1 });
    const response = await api().graphql(tasksQuery, {
      userId,
      after: page.pageInfo.endCursor,
      orderBy: { field: 'TITLE', direction: 'ASC' },
    });
    expectErrorCode(response, 'BAD_USER_INPUT', 'after');
  });
});

describe('filtering', () => {
  let owner: string;
  beforeAll(async () => {
    owner = uniqueUserId('filter');
    await createTask(api(), owner, { title: 'Pay 100% of rent', completed: true });
    await createTask(api(), owner, { title: 'Pay 100 euros', description: 'to BOB' });
    await createTask(api(), owner, { title: 'call_mom' });
    await createTask(api(), owner, { title: 'callXmom' });
  });

  it('completed: true returns only done tasks, and totalCount follows', async () => {
    const page = await listTasks(api(), { userId: owner, filter: { completed: true } });
    expect(page.edges.map((edge) => edge.node.title)).toEqual(['Pay 100% of rent']);
    expect(page.totalCount).toBe(1);
  });

  it('completed: false returns only open tasks', async () => {
    const page = await listTasks(api(), { userId: owner, filter: { completed: false } });
    expect(page.totalCount).toBe(3);
  });

  it('search matches the description case-insensitively', async () => {
    const page = await listTasks(api(), { userId: owner, filter: { search: 'bob' } });
    expect(page.edges.map((edge) => edge.node.title)).toEqual(['Pay 100 euros']);
  });

  it('search treats % as a literal character', async () => {
    const page = await listTasks(api(), { userId: owner, filter: { search: '100%' } });
    expect(page.edges.map((edge) => edge.node.title)).toEqual(['Pay 100% of rent']);
  });

  it('search treats _ as a literal character', async () => {
    const page = await listTasks(api(), { userId: owner, filter: { search: 'l_m' } });
    expect(page.edges.map((edge) => edge.node.title)).toEqual(['call_mom']);
  });

  it('search combines with completed', async () => {
    const page = await listTasks(api(), { userId: owner, filter: { search: 'pay', completed: false } });
    expect(page.edges.map((edge) => edge.node.title)).toEqual(['Pay 100 euros']);
  });

  it('taskCount on the user follows the filter', async () => {
    const response = await api().graphql<{ user: { all: number; done: number } }>(
      `query($id: ID!) { user(id: $id) { all: taskCount done: taskCount(filter: { completed: true }) } }`,
      { id: owner },
    );
    expect(expectNoErrors(response).user).toEqual({ all: 4, done: 1 });
  });
});

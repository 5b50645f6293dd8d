import DataLoader from 'dataloader';
import type { Prisma, PrismaClient, Task, User } from '../../generated/prisma/client.js';
import type { TaskColumn } from './columns.js';
import { type TaskFilterInput, type TaskPagePlan, taskFilterKey, taskFilterWhere } from './paging.js';

export interface TaskCountKey {
  userId: string;
  filter: TaskFilterInput | null | undefined;
}

export interface TaskPageKey {
  userId: string;
  filter: TaskFilterInput | null | undefined;
  plan: TaskPagePlan;
  /** The columns the query reads; the rows carry only these (and those of other keys batched with them). */
  columns: readonly TaskColumn[];
}

const pageShapeKey = ({ filter, plan }: Pick<TaskPageKey, 'filter' | 'plan'>) => `${plan.key}\u0000${taskFilterKey(filter)}`;
const pageCacheKey = (key: TaskPageKey) => `${pageShapeKey(key)}\u0000${key.userId}\u0000${key.columns.join(',')}`;

function groupUsers<Key extends { userId: string }>(keys: readonly Key[], signatureOf: (key: Key) => string) {
  const groups = new Map<string, { first: Key; userIds: Set<string>; members: Key[] }>();
  for (const key of keys) {
    const signature = signatureOf(key);
    const group = groups.get(signature) ?? { first: key, userIds: new Set<string>(), members: [] };
    group.userIds.add(key.userId);
    group.members.push(key);
    groups.set(signature, group);
  }
  return groups;
}

function userLoader(prisma: PrismaClient) {
  return new DataLoader<string, User | null>(async (ids) => {
    const users = await prisma.user.findMany({ where: { id: { in: [...ids] } } });
    const byId = new Map(users.map((user) => [user.id, user]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

function taskPageLoader(prisma: PrismaClient) {
  return new DataLoader<TaskPageKey, Task[], string>(
    async (keys) => {
      const pages = new Map<string, Task[]>();
      await Promise.all(
        [...groupUsers(keys, pageShapeKey)].map(async ([signature, { first, userIds, members }]) => {
          const filterWhere = taskFilterWhere(first.filter);
          const where = first.plan.where ? { AND: [filterWhere, first.plan.where] } : filterWhere;
          const { orderBy, take } = first.plan;
          const select: Prisma.TaskSelect = Object.fromEntries(members.flatMap((key) => key.columns).map((column) => [column, true]));
          // The rows hold the selected columns only; resolvers read no others (columns.ts).
          if (userIds.size === 1) {
            const { userId } = first;
            const rows = await prisma.task.findMany({ where: { ...where, userId }, orderBy, take, select });
            pages.set(`${signature}\u0000${userId}`, rows as Task[]);
            return;
          }
          // One statement for all users: a LATERAL subquery with its own ORDER BY … LIMIT per user seeks each page.
          const users = await prisma.user.findMany({
            where: { id: { in: [...userIds] } },
            relationLoadStrategy: 'join',
            select: { id: true, tasks: { where, orderBy, take, select } },
          });
          for (const user of users) pages.set(`${signature}\u0000${user.id}`, user.tasks as Task[]);
        }),
      );
      return keys.map((key) => pages.get(`${pageShapeKey(key)}\u0000${key.userId}`) ?? []);
    },
    { cacheKeyFn: pageCacheKey },
  );
}

function taskCountLoader(prisma: PrismaClient) {
  return new DataLoader<TaskCountKey, number, string>(
    async (keys) => {
      const counts = new Map<string, number>();
      await Promise.all(
        [...groupUsers(keys, (key) => taskFilterKey(key.filter))].map(async ([signature, { first, userIds }]) => {
          const rows = await prisma.task.groupBy({
            by: ['userId'],
            where: { ...taskFilterWhere(first.filter), userId: { in: [...userIds] } },
            _count: { _all: true },
          });
          for (const row of rows) counts.set(`${signature}\u0000${row.userId}`, row._count._all);
        }),
      );
      return keys.map((key) => counts.get(`${taskFilterKey(key.filter)}\u0000${key.userId}`) ?? 0);
    },
    { cacheKeyFn: (key) => `${taskFilterKey(key.filter)}\u0000${key.userId}` },
  );
}

/**
 * Per-request loaders, so a query costs the same number of statements whatever its page size, nesting or aliases:
 * every count becomes one grouped query per distinct filter, every page one query per distinct page shape,
 * and every user lookup one query. Each is built on first use: most requests need one of them, or none.
 */
export class Loaders {
  #user?: ReturnType<typeof userLoader>;
  #taskPage?: ReturnType<typeof taskPageLoader>;
  #taskCount?: ReturnType<typeof taskCountLoader>;

  constructor(private readonly prisma: PrismaClient) {}

  get user() {
    return (this.#user ??= userLoader(this.prisma));
  }

  get taskPage() {
    return (this.#taskPage ??= taskPageLoader(this.prisma));
  }

  get taskCount() {
    return (this.#taskCount ??= taskCountLoader(this.prisma));
  }
}

export const createLoaders = (prisma: PrismaClient) => new Loaders(prisma);

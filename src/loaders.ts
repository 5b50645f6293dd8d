import DataLoader from 'dataloader';
import type { Prisma } from './db.js';
import type { Task, User } from './generated/prisma/client.js';
import { type TaskFilter, type TaskPagePlan, taskFilterKey, taskFilterWhere } from './task-query.js';

export interface TaskCountKey {
  userId: string;
  filter: TaskFilter | null | undefined;
}

export interface TaskPageKey {
  userId: string;
  filter: TaskFilter | null | undefined;
  plan: TaskPagePlan;
}

export type Loaders = ReturnType<typeof createLoaders>;

const pageShapeKey = ({ filter, plan }: Omit<TaskPageKey, 'userId'>) => `${plan.key}\u0000${taskFilterKey(filter)}`;

function groupUsers<Key extends { userId: string }>(keys: readonly Key[], signatureOf: (key: Key) => string) {
  const groups = new Map<string, { first: Key; userIds: Set<string> }>();
  for (const key of keys) {
    const signature = signatureOf(key);
    const group = groups.get(signature) ?? { first: key, userIds: new Set<string>() };
    group.userIds.add(key.userId);
    groups.set(signature, group);
  }
  return groups;
}

/**
 * Per-request loaders, so a query costs the same number of statements whatever its page size, nesting or aliases:
 * every count becomes one grouped query per distinct filter, every page one query per distinct page shape,
 * and every user lookup one query.
 */
export function createLoaders(prisma: Prisma) {
  return {
    user: new DataLoader<string, User | null>(async (ids) => {
      const users = await prisma.user.findMany({ where: { id: { in: [...ids] } } });
      const byId = new Map(users.map((user) => [user.id, user]));
      return ids.map((id) => byId.get(id) ?? null);
    }),

    taskPage: new DataLoader<TaskPageKey, Task[], string>(
      async (keys) => {
        const pages = new Map<string, Task[]>();
        await Promise.all(
          [...groupUsers(keys, pageShapeKey)].map(async ([signature, { first, userIds }]) => {
            const filterWhere = taskFilterWhere(first.filter);
            const where = first.plan.where ? { AND: [filterWhere, first.plan.where] } : filterWhere;
            const { orderBy, take } = first.plan;
            if (userIds.size === 1) {
              const { userId } = first;
              pages.set(`${signature}\u0000${userId}`, await prisma.task.findMany({ where: { ...where, userId }, orderBy, take }));
              return;
            }
            // One statement for all users: a LATERAL subquery with its own ORDER BY … LIMIT per user seeks each page.
            const users = await prisma.user.findMany({
              where: { id: { in: [...userIds] } },
              relationLoadStrategy: 'join',
              select: { id: true, tasks: { where, orderBy, take } },
            });
            for (const user of users) pages.set(`${signature}\u0000${user.id}`, user.tasks);
          }),
        );
        return keys.map((key) => pages.get(`${pageShapeKey(key)}\u0000${key.userId}`) ?? []);
      },
      { cacheKeyFn: (key) => `${pageShapeKey(key)}\u0000${key.userId}` },
    ),

    taskCount: new DataLoader<TaskCountKey, number, string>(
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
    ),
  };
}

import DataLoader from 'dataloader';
import type { Prisma } from './db.js';
import { type TaskFilter, taskFilterWhere } from './task-query.js';

export interface TaskCountKey {
  userId: string;
  filter: TaskFilter | null | undefined;
}

export type Loaders = ReturnType<typeof createLoaders>;

const filterKey = (filter: TaskFilter | null | undefined) =>
  JSON.stringify([filter?.completed ?? null, filter?.search ?? null]);

/** Per-request loaders: every count asked for in one request becomes one grouped query per distinct filter. */
export function createLoaders(prisma: Prisma) {
  return {
    taskCount: new DataLoader<TaskCountKey, number, string>(
      async (keys) => {
        const byFilter = new Map<string, { filter: TaskFilter | null | undefined; userIds: Set<string> }>();
        for (const key of keys) {
          const group = byFilter.get(filterKey(key.filter)) ?? { filter: key.filter, userIds: new Set<string>() };
          group.userIds.add(key.userId);
          byFilter.set(filterKey(key.filter), group);
        }
        const counts = new Map<string, number>();
        await Promise.all(
          [...byFilter].map(async ([signature, group]) => {
            const rows = await prisma.task.groupBy({
              by: ['userId'],
              where: { ...taskFilterWhere(group.filter), userId: { in: [...group.userIds] } },
              _count: { _all: true },
            });
            for (const row of rows) counts.set(`${signature}\u0000${row.userId}`, row._count._all);
          }),
        );
        return keys.map((key) => counts.get(`${filterKey(key.filter)}\u0000${key.userId}`) ?? 0);
      },
      { cacheKeyFn: (key) => `${filterKey(key.filter)}\u0000${key.userId}` },
    ),
  };
}

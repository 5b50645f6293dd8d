// The Yoga + pg floor (yoga-floor-server.ts) reading through Prisma instead of pg: the same Prisma client, adapter
// and pool as the API (src/db.ts), the API's keyset page plan and the four columns the baseline's SQL reads, so its
// distance from Yoga + pg is Prisma's cost.
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { openPostgres } from '../../src/db.js';
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import { defaultTaskOrder, planTaskPage } from '../../src/schema/task/paging.js';
import { createYogaHandler } from './yoga-floor-server.js';

export function createYogaPrismaHandler(prisma: PrismaClient) {
  return createYogaHandler(async (userId, after) => {
    const plan = planTaskPage({ first: 20, after }, defaultTaskOrder);
    const rows = await prisma.task.findMany({
      where: { ...plan.where, userId },
      orderBy: plan.orderBy,
      take: plan.take,
      select: { id: true, title: true, completed: true, createdAt: true },
    });
    return rows.slice(0, plan.size);
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const db = openPostgres(
    { kind: 'postgres', url: process.env.DATABASE_URL ?? '', poolSize: Number(process.env.DATABASE_POOL_SIZE ?? 10), connectTimeoutMs: 5000 },
    { logger: pino({ level: 'warn' }) },
  );
  const server = createServer(createYogaPrismaHandler(db.prisma));
  server.listen(Number(process.env.PORT ?? 4002), '127.0.0.1');
  const stop = () => server.close(() => void db.close().then(() => process.exit(0)));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

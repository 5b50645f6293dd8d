import { v7 as uuidv7 } from 'uuid';
import type { SqlSession } from '../../src/db.js';
import type { Task } from '../../src/generated/prisma/client.js';
import { type CursorSource, encodeCursor, type TaskOrderInput } from '../../src/schema/task/paging.js';

export interface SeedSize {
  users: number;
  tasksPerUser: number;
  bigUserTasks: number;
  /** How deep in the big user's list the deep-page cursors point. */
  deepPosition: number;
}

/** What the load generator needs to pick random, existing rows for every request. */
export interface SeedData {
  userIds: string[];
  /** [userId, taskId] pairs spread over all ordinary users. */
  updateTargets: [string, string][];
  bigUserId: string;
  /** `after` cursors from deepPosition onwards in the big user's newest-first list. */
  deepCursors: string[];
  /** The same, in the big user's list ordered by TITLE ASC. */
  deepTitleCursors: string[];
}

const rowsPerStatement = 5_000;
const epoch = Date.UTC(2025, 0, 1);
const bigUserId = 'bench-big';

type SeedTask = Pick<Task, 'id' | 'title' | 'userId' | 'completed' | 'createdAt'>;

/**
 * Seeds with multi-row INSERTs of unnested arrays (5,000 rows a statement) on one session; task ids are the app's
 * uuid v7 and createdAt moves one second per task, so every list has one deterministic order.
 */
export async function seedDataset(session: SqlSession, size: SeedSize): Promise<SeedData> {
  const userIds = Array.from({ length: size.users }, (_, index) => `bench-user-${String(index + 1).padStart(5, '0')}`);
  await session.query(
    `INSERT INTO "User" (id, "createdAt", "updatedAt") SELECT id, now(), now() FROM unnest($1::varchar[]) AS u(id)`,
    [[...userIds, bigUserId]],
  );

  let clock = epoch;
  const taskOf = (userId: string, index: number): SeedTask => {
    clock += 1000;
    return { id: uuidv7({ msecs: clock }), title: `Task ${index + 1} of ${userId}`, userId, completed: index % 4 === 0, createdAt: new Date(clock) };
  };

  const updateTargets: [string, string][] = [];
  let batch: SeedTask[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await session.query(
      `INSERT INTO "Task" (id, title, "userId", completed, "createdAt", "updatedAt")
       SELECT id, title, "userId", completed, "createdAt", "createdAt"
       FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::boolean[], $5::timestamptz[])
         AS t(id, title, "userId", completed, "createdAt")`,
      [
        batch.map((task) => task.id),
        batch.map((task) => task.title),
        batch.map((task) => task.userId),
        batch.map((task) => task.completed),
        batch.map((task) => task.createdAt.toISOString()),
      ],
    );
    batch = [];
  };

  for (const userId of userIds) {
    for (let index = 0; index < size.tasksPerUser; index += 1) {
      const task = taskOf(userId, index);
      if (index % 20 === 0) updateTargets.push([userId, task.id]);
      batch.push(task);
      if (batch.length >= rowsPerStatement) await flush();
    }
  }
  for (let index = 0; index < size.bigUserTasks; index += 1) {
    batch.push(taskOf(bigUserId, index));
    if (batch.length >= rowsPerStatement) await flush();
  }
  await flush();
  await session.exec('ANALYZE');

  const deepCursors = await deepCursorsOf(session, size, { field: 'CREATED_AT', direction: 'DESC' });
  const deepTitleCursors = await deepCursorsOf(session, size, { field: 'TITLE', direction: 'ASC' });
  return { userIds, updateTargets, bigUserId, deepCursors, deepTitleCursors };
}

// Read back in the API's own order, so cursors carry what the database computed (the title key).
async function deepCursorsOf(session: SqlSession, size: SeedSize, order: TaskOrderInput): Promise<string[]> {
  const orderBy = order.field === 'TITLE' ? '"titleKey", id' : '"createdAt" DESC, id DESC';
  const rows = await session.query<CursorSource>(
    `SELECT id, "titleKey", "createdAt", "updatedAt" FROM "Task" WHERE "userId" = $1 ORDER BY ${orderBy} OFFSET $2 LIMIT 500`,
    [bigUserId, size.deepPosition - 1],
  );
  return rows.map((row) => encodeCursor(order, row));
}

import type { GraphQLError } from 'graphql';
import { conflict, notFound } from '../../errors.js';
import { isRecordNotFound } from '../../database-errors.js';
import type { Prisma, PrismaClient, Task } from '../../generated/prisma/client.js';

/** The task as a client reads it (timestamps as ISO strings), for a CONFLICT's `extensions.task`. */
export function taskConflict(task: Task): GraphQLError {
  const { id, title, description, completed, version, createdAt, updatedAt } = task;
  const current = { id, title, description, completed, version, createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString() };
  return conflict('Task', id, 'task', current);
}

/** Names one task of the user and, when the client gave one, the version it must still be at. */
export function versionedTaskWhere(userId: string, id: string, expectedVersion: number | null | undefined): Prisma.TaskWhereUniqueInput {
  return expectedVersion == null ? { id, userId } : { id, userId, version: expectedVersion };
}

/**
 * Runs a write whose `where` names one task and maybe its version (so the check and the write are one statement).
 * Only when no row matched is the task read: NOT_FOUND when it is not the user's, else CONFLICT with its current state.
 */
export async function orNotFoundOrConflict<T>(
  prisma: Pick<PrismaClient, 'task'>,
  userId: string,
  id: string,
  write: PromiseLike<T>,
): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (!isRecordNotFound(error)) throw error;
    const current = await prisma.task.findUnique({ where: { id, userId } });
    throw current ? taskConflict(current) : notFound('Task', id);
  }
}

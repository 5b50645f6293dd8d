import { builder } from '../../builder.js';
import { someNotFound } from '../../errors.js';
import { Prisma, type Task as TaskRow } from '../../generated/prisma/client.js';
import { limits, taskIdsInput } from '../validation.js';
import { pricedBy } from './cost.js';
import { publishTaskEvent, type TaskPubSub } from './events.js';
import { ownerArgs } from './inputs.js';
import { Task } from './task.js';

interface SetTasksCompletedResult {
  tasks: TaskRow[];
  count: number;
}

interface DeleteTasksResult {
  deletedIds: string[];
  count: number;
}

const SetTasksCompletedPayload = builder.objectRef<SetTasksCompletedResult>('SetTasksCompletedPayload').implement({
  description: 'What setTasksCompleted did.',
  fields: (t) => ({
    tasks: t.field({
      type: [Task],
      description: 'Every task named, as it is after the change (also those that were already in the requested state), in the order named.',
      // The mutation field prices the list by how many ids it names.
      complexity: { field: 1, multiplier: 1 },
      resolve: (result) => result.tasks,
    }),
    count: t.exposeInt('count', { description: 'How many tasks changed; tasks already in the requested state do not count.' }),
  }),
});

const DeleteTasksPayload = builder.objectRef<DeleteTasksResult>('DeleteTasksPayload').implement({
  description: 'What a bulk deletion did.',
  fields: (t) => ({
    deletedIds: t.exposeIDList('deletedIds', { description: 'The ids of the deleted tasks.' }),
    count: t.exposeInt('count', { description: 'How many tasks were deleted.' }),
  }),
});

const bulkArgs = builder.args((t) => ({
  ...ownerArgs,
  ids: t.idList({ required: true, description: `The tasks: 1 to ${limits.bulkTasks} ids; repeated ids count once.` }).validate(taskIdsInput()),
}));

/** Bulk writes cost what their selection costs once per task they name. */
const bulkComplexity = pricedBy(['ids'], ({ ids }: { ids: readonly string[] }) => ({ field: 1, multiplier: Math.min(ids.length, limits.bulkTasks) }));

/** PostgreSQL's uuid ignores case, so `A…` and `a…` name one task. */
const distinctTaskIds = (ids: readonly string[]) => [...new Set(ids.map((id) => id.toLowerCase()))];

const allOrNothing =
  'All or nothing: if any id is not a task of the user, nothing changes and the answer is NOT_FOUND, with how many were missing in extensions.missing.';

const noPreconditions =
  'Takes no expectedVersion: it writes only completed, which commutes with changes to title and description.';

/** DELETE … RETURNING: in one statement, exactly the rows deleted, as they were (deleteMany returns only a count). */
function deleteTasksReturning(prisma: Pick<Prisma.TransactionClient, '$queryRaw'>, where: Prisma.Sql): Promise<TaskRow[]> {
  return prisma.$queryRaw<TaskRow[]>`DELETE FROM "Task" WHERE ${where} RETURNING *`;
}

/** One DELETED event per task, once the deletion has committed. */
function publishDeleted(pubsub: TaskPubSub, tasks: readonly TaskRow[]): DeleteTasksResult {
  for (const task of tasks) publishTaskEvent(pubsub, 'DELETED', task);
  return { deletedIds: tasks.map((task) => task.id), count: tasks.length };
}

builder.mutationFields((t) => ({
  setTasksCompleted: t.field({
    type: SetTasksCompletedPayload,
    description: `Marks tasks of the user done (or not done). ${allOrNothing} Tasks already in the requested state stay as they are (same version, no event); each changed task gets version + 1 and one UPDATED event. ${noPreconditions}`,
    complexity: bulkComplexity,
    args: {
      ...bulkArgs,
      completed: t.arg.boolean({ required: true, description: 'The state to set.' }),
    },
    resolve: async (_root, { userId, ids, completed }, context) => {
      const named = distinctTaskIds(ids);
      const changed = await context.prisma.$transaction(async (tx) => {
        const updated = await tx.task.updateManyAndReturn({
          where: { userId, id: { in: named }, completed: !completed },
          data: { completed, version: { increment: 1 } },
        });
        const tasks = await tx.task.findMany({ where: { userId, id: { in: named } } });
        if (tasks.length < named.length) throw someNotFound('tasks', named.length - tasks.length, named.length);
        return { updated, tasks };
      });
      for (const task of changed.updated) publishTaskEvent(context.pubsub, 'UPDATED', task);
      const byId = new Map(changed.tasks.map((task) => [task.id, task]));
      return { tasks: named.flatMap((id) => byId.get(id) ?? []), count: changed.updated.length };
    },
  }),
  deleteTasks: t.field({
    type: DeleteTasksPayload,
    description: `Deletes tasks of the user. ${allOrNothing} Each deleted task gets one DELETED event. Takes no expectedVersion: the user chose these tasks from a list they see.`,
    args: bulkArgs,
    resolve: async (_root, { userId, ids }, context) => {
      const named = distinctTaskIds(ids);
      const deleted = await context.prisma.$transaction(async (tx) => {
        const tasks = await deleteTasksReturning(tx, Prisma.sql`"userId" = ${userId} AND "id" = ANY(${named}::uuid[])`);
        if (tasks.length < named.length) throw someNotFound('tasks', named.length - tasks.length, named.length);
        return tasks;
      });
      return publishDeleted(context.pubsub, deleted);
    },
  }),
  deleteCompletedTasks: t.field({
    type: DeleteTasksPayload,
    description: 'Deletes every completed task of the user (none is fine). Each deleted task gets one DELETED event.',
    args: ownerArgs,
    resolve: async (_root, { userId }, context) => {
      const deleted = await deleteTasksReturning(context.prisma, Prisma.sql`"userId" = ${userId} AND "completed"`);
      return publishDeleted(context.pubsub, deleted);
    },
  }),
}));

import { v7 as uuidv7 } from 'uuid';
import { builder } from '../../builder.js';
import { isForeignKeyViolation } from '../../database-errors.js';
import { notFound } from '../../errors.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { publishTaskEvent } from './events.js';
import { CreateTaskInput, ownerArgs, taskArgs, UpdateTaskInput } from './inputs.js';
import { orNotFoundOrConflict, taskConflict, versionedTaskWhere } from './versions.js';

const expectedVersionDescription =
  'The version the client last read. When given and the task has changed since, nothing happens and the answer is CONFLICT.';

builder.mutationFields((t) => ({
  createTask: t.prismaField({
    type: 'Task',
    description: 'Creates a task. The user is created on first use.',
    args: {
      ...ownerArgs,
      input: t.arg({ type: CreateTaskInput, required: true, description: 'The new task.' }),
    },
    resolve: async (query, _root, { userId, input }, context) => {
      const data = {
        id: uuidv7(),
        userId,
        title: input.title,
        description: input.description ?? null,
        completed: input.completed ?? false,
      };
      let task;
      try {
        task = await context.prisma.task.create({ ...query, data });
      } catch (error) {
        if (!isForeignKeyViolation(error)) throw error;
        // First task of a new user. ON CONFLICT DO NOTHING keeps concurrent first writes from racing.
        await context.prisma.user.createMany({ data: [{ id: userId }], skipDuplicates: true });
        task = await context.prisma.task.create({ ...query, data });
      }
      publishTaskEvent(context.pubsub, 'CREATED', task);
      return task;
    },
  }),
  updateTask: t.prismaField({
    type: 'Task',
    description:
      'Changes a task of the user and adds 1 to its version. NOT_FOUND when it does not exist or belongs to someone else. With expectedVersion, changes it only if it is still at that version, else CONFLICT (nothing changed) with the current task in extensions.task; without it, the last write wins.',
    args: {
      ...taskArgs,
      input: t.arg({ type: UpdateTaskInput, required: true, description: 'The changes.' }),
      expectedVersion: t.arg.int({ required: false, description: expectedVersionDescription }),
    },
    resolve: async (query, _root, { userId, id, input, expectedVersion }, context) => {
      const data: Prisma.TaskUpdateInput = {};
      if (input.title != null) data.title = input.title;
      if (input.description !== undefined) data.description = input.description;
      if (input.completed != null) data.completed = input.completed;
      if (Object.keys(data).length === 0) {
        const task = await context.prisma.task.findUnique({ ...query, where: { id, userId } });
        if (!task) throw notFound('Task', id);
        if (expectedVersion != null && task.version !== expectedVersion) throw taskConflict(task);
        return task;
      }
      data.version = { increment: 1 };
      const where = versionedTaskWhere(userId, id, expectedVersion);
      const task = await orNotFoundOrConflict(context.prisma, userId, id, context.prisma.task.update({ ...query, where, data }));
      publishTaskEvent(context.pubsub, 'UPDATED', task);
      return task;
    },
  }),
  deleteTask: t.prismaField({
    type: 'Task',
    description:
      'Deletes a task of the user and returns it. NOT_FOUND when it does not exist or belongs to someone else. With expectedVersion, deletes it only if it is still at that version, else CONFLICT (nothing deleted) with the current task in extensions.task.',
    args: {
      ...taskArgs,
      expectedVersion: t.arg.int({ required: false, description: expectedVersionDescription }),
    },
    resolve: async (query, _root, { userId, id, expectedVersion }, context) => {
      const where = versionedTaskWhere(userId, id, expectedVersion);
      const task = await orNotFoundOrConflict(context.prisma, userId, id, context.prisma.task.delete({ ...query, where }));
      publishTaskEvent(context.pubsub, 'DELETED', task);
      return task;
    },
  }),
}));

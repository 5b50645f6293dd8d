import { v7 as uuidv7 } from 'uuid';
import { builder } from '../../builder.js';
import { isForeignKeyViolation } from '../../database-errors.js';
import { notFound, orNotFound } from '../../errors.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { publishTaskEvent } from './events.js';
import { CreateTaskInput, ownerArgs, taskArgs, UpdateTaskInput } from './inputs.js';

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
    description: 'Changes a task of the user. NOT_FOUND when it does not exist or belongs to someone else.',
    args: {
      ...taskArgs,
      input: t.arg({ type: UpdateTaskInput, required: true, description: 'The changes.' }),
    },
    resolve: async (query, _root, { userId, id, input }, context) => {
      const data: Prisma.TaskUpdateInput = {};
      if (input.title != null) data.title = input.title;
      if (input.description !== undefined) data.description = input.description;
      if (input.completed != null) data.completed = input.completed;
      if (Object.keys(data).length === 0) {
        const task = await context.prisma.task.findUnique({ ...query, where: { id, userId } });
        if (!task) throw notFound('Task', id);
        return task;
      }
      const task = await orNotFound('Task', id, context.prisma.task.update({ ...query, where: { id, userId }, data }));
      publishTaskEvent(context.pubsub, 'UPDATED', task);
      return task;
    },
  }),
  deleteTask: t.prismaField({
    type: 'Task',
    description: 'Deletes a task of the user and returns it. NOT_FOUND when it does not exist or belongs to someone else.',
    args: taskArgs,
    resolve: async (query, _root, { userId, id }, context) => {
      const task = await orNotFound('Task', id, context.prisma.task.delete({ ...query, where: { id, userId } }));
      publishTaskEvent(context.pubsub, 'DELETED', task);
      return task;
    },
  }),
}));

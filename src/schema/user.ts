import { builder } from '../builder.js';
import { taskPageComplexity } from './task/cost.js';
import { TaskFilter, TaskOrder } from './task/inputs.js';
import { taskPageSize } from './task/paging.js';
import { resolveTaskConnection, Task, TaskConnection } from './task/task.js';
import { userIdInput } from './validation.js';

/** The `id` argument of the user fields. */
const userArgs = builder.args((t) => ({
  id: t.id({ required: true, description: 'The user id (1 to 128 characters).' }).validate(userIdInput('id')),
}));

const User = builder.prismaObject('User', {
  description: 'Someone who owns tasks. The id is chosen by the client, typically an auth provider subject.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The id the client chose: 1 to 128 characters.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the user was first seen.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the user last changed.' }),
    tasks: t.connection(
      {
        type: Task,
        complexity: taskPageComplexity,
        description: `This user's tasks, newest first unless orderBy says otherwise; ${taskPageSize.default} per page by default, ${taskPageSize.max} at most.`,
        args: {
          filter: t.arg({ type: TaskFilter, description: 'Only tasks that match.' }),
          orderBy: t.arg({ type: TaskOrder, description: 'Sort order; newest first by default.' }),
        },
        resolve: (user, args, context, info) => resolveTaskConnection(context, user.id, args, info),
      },
      TaskConnection,
    ),
    taskCount: t.int({
      description: 'How many tasks this user has that match the filter.',
      args: { filter: t.arg({ type: TaskFilter, description: 'Only tasks that match.' }) },
      resolve: (user, { filter }, context) => context.loaders.taskCount.load({ userId: user.id, filter }),
    }),
  }),
});

// Through the per-request loader, not an include: owners of a whole page, and aliased users, cost one query.
builder.prismaObjectFields(Task, (t) => ({
  user: t.field({
    type: User,
    description: 'The owner of the task.',
    resolve: async (task, _args, context) => {
      const user = await context.loaders.user.load(task.userId);
      if (!user) throw new Error(`task ${task.id} has no user ${task.userId}`);
      return user;
    },
  }),
}));

builder.queryFields((t) => ({
  user: t.field({
    type: User,
    nullable: true,
    description: 'A user by id; null when no such user exists.',
    args: userArgs,
    resolve: (_root, { id }, context) => context.loaders.user.load(id),
  }),
}));

builder.mutationFields((t) => ({
  createUser: t.prismaField({
    type: 'User',
    description: 'Creates the user if it does not exist yet and returns it. Safe to repeat.',
    args: userArgs,
    resolve: async (query, _root, { id }, context) => {
      // ON CONFLICT DO NOTHING: an upsert here races under concurrent first requests.
      await context.prisma.user.createMany({ data: [{ id }], skipDuplicates: true });
      return context.prisma.user.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
}));

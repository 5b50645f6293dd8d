import type { GraphQLResolveInfo } from 'graphql';
import { builder } from '../../builder.js';
import type { Context } from '../../context.js';
import { limits } from '../validation.js';
import { selectedTaskColumns } from './columns.js';
import { taskPageComplexity } from './cost.js';
import { ownerArgs, taskArgs, TaskFilter, TaskOrder } from './inputs.js';
import {
  defaultTaskOrder,
  type PageArgs,
  planTaskPage,
  type TaskFilterInput,
  type TaskListScope,
  type TaskOrderInput,
  taskPageSize,
  toConnection,
} from './paging.js';

export const Task = builder.prismaObject('Task', {
  description: 'A to-do item. It belongs to exactly one user and is visible only through that user.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Opaque, unique id. Ids of tasks sort in creation order.' }),
    title: t.exposeString('title', { description: `What to do: 1 to ${limits.title} characters, trimmed.` }),
    description: t.exposeString('description', {
      nullable: true,
      description: `Optional details, up to ${limits.description} characters.`,
    }),
    completed: t.exposeBoolean('completed', { description: 'Whether the task is done.' }),
    version: t.exposeInt('version', {
      description:
        'Starts at 1 and grows by 1 with every change to the task. Send it as expectedVersion to change or delete the task only if no one else has changed it since you read it.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the task was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the task last changed.' }),
  }),
});

export const TaskConnection = builder.connectionObject<typeof Task, TaskListScope>({
  type: Task,
  name: 'TaskConnection',
  description: 'A page of tasks (Relay cursor connection).',
  fields: (t) => ({
    totalCount: t.int({
      description: 'How many tasks match the filter, across all pages.',
      resolve: ({ userId, filter }, _args, context) => context.loaders.taskCount.load({ userId, filter }),
    }),
  }),
}, { name: 'TaskEdge', description: 'A task and the cursor to page from it.' });

export async function resolveTaskConnection(
  context: Context,
  userId: string,
  args: PageArgs & { filter?: TaskFilterInput | null; orderBy?: TaskOrderInput | null },
  info: GraphQLResolveInfo,
) {
  const order = args.orderBy ?? defaultTaskOrder;
  const plan = planTaskPage(args, order);
  const columns = selectedTaskColumns(info, order.field);
  const rows = plan.size === 0 ? [] : await context.loaders.taskPage.load({ userId, filter: args.filter, plan, columns });
  return toConnection(rows, plan, args, order, { userId, filter: args.filter });
}

builder.queryFields((t) => ({
  task: t.prismaField({
    type: 'Task',
    nullable: true,
    description: "One of the user's tasks; null when it does not exist or belongs to someone else.",
    args: taskArgs,
    resolve: (query, _root, { userId, id }, context) =>
      context.prisma.task.findUnique({ ...query, where: { id, userId } }),
  }),
  tasks: t.connection(
    {
      type: Task,
      complexity: taskPageComplexity,
      description: `The user's tasks, newest first unless orderBy says otherwise. Pages hold ${taskPageSize.default} tasks by default, ${taskPageSize.max} at most. An unknown user has none.`,
      args: {
        ...ownerArgs,
        filter: t.arg({ type: TaskFilter, description: 'Only tasks that match.' }),
        orderBy: t.arg({ type: TaskOrder, description: 'Sort order; newest first by default.' }),
      },
      resolve: (_root, args, context, info) => resolveTaskConnection(context, args.userId, args, info),
    },
    TaskConnection,
  ),
}));

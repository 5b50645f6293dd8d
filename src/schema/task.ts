import type { GraphQLResolveInfo } from 'graphql';
import { z } from 'zod';
import { v7 as uuidv7 } from 'uuid';
import { builder } from '../builder.js';
import { taskPageComplexity } from '../complexity.js';
import type { Context } from '../context.js';
import { isForeignKeyViolation, isRecordNotFound, notFound } from '../errors.js';
import type { Prisma, Task as TaskRow } from '../generated/prisma/client.js';
import {
  defaultTaskOrder,
  type PageArgs,
  planTaskPage,
  type TaskConnection as TaskConnectionResult,
  type TaskFilter as TaskFilterValue,
  type TaskOrder as TaskOrderValue,
  taskPageSize,
  toConnection,
} from '../task-query.js';
import { publishTaskEvent } from '../task-events.js';
import { selectedTaskColumns } from '../task-selection.js';
import { OrderDirection } from './scalars.js';
import { descriptionInput, limits, searchInput, taskIdInput, titleInput, userIdInput } from '../validation.js';

const ownerDescription = 'The user the task belongs to (1 to 128 characters).';

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
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the task was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the task last changed.' }),
  }),
});

const TaskOrderField = builder.enumType('TaskOrderField', {
  description: 'Fields tasks can be sorted by. Ties are broken by id, so pages are stable.',
  values: {
    CREATED_AT: { description: 'Creation time.' },
    UPDATED_AT: { description: 'Time of the last change.' },
    TITLE: { description: 'Title, in the database collation.' },
  },
});

export const TaskOrder = builder.inputType('TaskOrder', {
  description: 'How to sort a task list. The default is CREATED_AT DESC: newest first.',
  fields: (t) => ({
    field: t.field({ type: TaskOrderField, required: true, description: 'What to sort by.' }),
    direction: t.field({ type: OrderDirection, required: true, description: 'Which way.' }),
  }),
});

export const TaskFilter = builder.inputType('TaskFilter', {
  description: 'Narrows a task list (and its totalCount). Conditions combine with AND.',
  fields: (t) => ({
    completed: t.boolean({ required: false, description: 'Only done (true) or only open (false) tasks.' }),
    search: t
      .string({
        required: false,
        description: 'Case-insensitive substring of the title or description. % and _ match themselves.',
      })
      .validate(searchInput.nullish()),
  }),
});

const CreateTaskInput = builder.inputType('CreateTaskInput', {
  description: 'A new task.',
  fields: (t) => ({
    title: t.string({ required: true, description: `1 to ${limits.title} characters after trimming.` }).validate(titleInput),
    description: t
      .string({ required: false, description: `Up to ${limits.description} characters.` })
      .validate(descriptionInput.nullish()),
    completed: t.boolean({ required: false, description: 'Defaults to false.' }),
  }),
});

const UpdateTaskInput = builder.inputType('UpdateTaskInput', {
  description: 'Changes to a task. Omitted fields stay as they are; description: null clears the description.',
  // Field validators skip null values; only description may be null here.
  validate: z.looseObject({
    title: z.string({ error: 'title must be a string, not null.' }).optional(),
    completed: z.boolean({ error: 'completed must be true or false, not null.' }).optional(),
  }),
  fields: (t) => ({
    title: t
      .string({ required: false, description: `1 to ${limits.title} characters after trimming; not null.` })
      .validate(titleInput.optional()),
    description: t
      .string({ required: false, description: `Up to ${limits.description} characters; null clears it.` })
      .validate(descriptionInput.nullish()),
    completed: t.boolean({ required: false, description: 'Not null.' }),
  }),
});

export const TaskConnection = builder.connectionObject({
  type: Task,
  name: 'TaskConnection',
  description: 'A page of tasks (Relay cursor connection).',
  fields: (t) => ({
    totalCount: t.int({
      description: 'How many tasks match the filter, across all pages.',
      resolve: (connection, _args, context) => {
        const { userId, filter } = connection as unknown as TaskConnectionResult<unknown>;
        return context.loaders.taskCount.load({ userId, filter });
      },
    }),
  }),
}, { name: 'TaskEdge', description: 'A task and the cursor to page from it.' });

export async function resolveTaskConnection(
  context: Context,
  userId: string,
  args: PageArgs & { filter?: TaskFilterValue | null; orderBy?: TaskOrderValue | null },
  info: GraphQLResolveInfo,
): Promise<TaskConnectionResult<TaskRow>> {
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
    args: {
      userId: t.arg.id({ required: true, description: ownerDescription }).validate(userIdInput()),
      id: t.arg.id({ required: true, description: 'The task id.' }).validate(taskIdInput()),
    },
    resolve: (query, _root, { userId, id }, context) =>
      context.prisma.task.findUnique({ ...query, where: { id, userId } }),
  }),
  tasks: t.connection(
    {
      type: Task,
      complexity: taskPageComplexity,
      description: `The user's tasks, newest first unless orderBy says otherwise. Pages hold ${taskPageSize.default} tasks by default, ${taskPageSize.max} at most. An unknown user has none.`,
      args: {
        userId: t.arg.id({ required: true, description: ownerDescription }).validate(userIdInput()),
        filter: t.arg({ type: TaskFilter, description: 'Only tasks that match.' }),
        orderBy: t.arg({ type: TaskOrder, description: 'Sort order; newest first by default.' }),
      },
      resolve: (_root, args, context, info) => resolveTaskConnection(context, args.userId, args, info),
    },
    TaskConnection,
  ),
}));

builder.mutationFields((t) => ({
  createTask: t.prismaField({
    type: 'Task',
    description: 'Creates a task. The user is created on first use.',
    args: {
      userId: t.arg.id({ required: true, description: ownerDescription }).validate(userIdInput()),
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
      userId: t.arg.id({ required: true, description: ownerDescription }).validate(userIdInput()),
      id: t.arg.id({ required: true, description: 'The task id.' }).validate(taskIdInput()),
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
      let task;
      try {
        task = await context.prisma.task.update({ ...query, where: { id, userId }, data });
      } catch (error) {
        if (isRecordNotFound(error)) throw notFound('Task', id);
        throw error;
      }
      publishTaskEvent(context.pubsub, 'UPDATED', task);
      return task;
    },
  }),
  deleteTask: t.prismaField({
    type: 'Task',
    description: 'Deletes a task of the user and returns it. NOT_FOUND when it does not exist or belongs to someone else.',
    args: {
      userId: t.arg.id({ required: true, description: ownerDescription }).validate(userIdInput()),
      id: t.arg.id({ required: true, description: 'The task id.' }).validate(taskIdInput()),
    },
    resolve: async (query, _root, { userId, id }, context) => {
      let task;
      try {
        task = await context.prisma.task.delete({ ...query, where: { id, userId } });
      } catch (error) {
        if (isRecordNotFound(error)) throw notFound('Task', id);
        throw error;
      }
      publishTaskEvent(context.pubsub, 'DELETED', task);
      return task;
    },
  }),
}));

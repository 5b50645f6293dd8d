import { builder } from '../../builder.js';
import { userIdInput } from '../validation.js';
import { fromTaskEventMessage, type TaskEventMessage } from './events.js';

const TaskEventType = builder.enumType('TaskEventType', {
  description: 'What happened to a task.',
  values: {
    CREATED: { description: 'The task was created.' },
    UPDATED: { description: 'The task was changed; the event carries its new state.' },
    DELETED: { description: 'The task was deleted; the event carries its last state.' },
  },
});

const TaskEvent = builder.objectRef<TaskEventMessage>('TaskEvent').implement({
  description: 'A change to one of the user\'s tasks.',
  fields: (t) => ({
    type: t.field({ type: TaskEventType, description: 'What happened.', resolve: (event) => event.type }),
    task: t.prismaField({
      type: 'Task',
      description: 'The task after the change (for DELETED: as it was when deleted).',
      // The event carries the row, so a deleted task can still be shown; only its owner is read, when selected.
      resolve: async (query, message, _args, context) => {
        const { task } = fromTaskEventMessage(message);
        const userQuery = 'include' in query ? query.include?.user : undefined;
        if (!userQuery) return task;
        const user = await context.prisma.user.findUniqueOrThrow({
          ...(userQuery === true ? {} : userQuery),
          where: { id: task.userId },
        });
        return { ...task, user };
      },
    }),
  }),
});

builder.subscriptionFields((t) => ({
  taskEvents: t.field({
    type: TaskEvent,
    description:
      "Every creation, change and deletion of the user's tasks from now on, whichever server instance made them, in the order they were published. Nothing is replayed: after a reconnect, query tasks to catch up.",
    args: {
      userId: t.arg.id({ required: true, description: 'The user whose tasks to follow (1 to 128 characters).' }).validate(userIdInput()),
    },
    subscribe: (_root, { userId }, context) => context.pubsub.subscribe('taskEvents', userId),
    resolve: (message) => message,
  }),
}));

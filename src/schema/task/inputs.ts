import { z } from 'zod';
import { builder } from '../../builder.js';
import { OrderDirection } from '../scalars.js';
import { descriptionInput, limits, searchInput, taskIdInput, titleInput, userIdInput } from '../validation.js';

/** The `userId` argument of the task fields: every task read and write names the user it is for. */
export const ownerArgs = builder.args((t) => ({
  userId: t.id({ required: true, description: 'The user the task belongs to (1 to 128 characters).' }).validate(userIdInput()),
}));

/** The arguments that name one task: its owner and its id. */
export const taskArgs = builder.args((t) => ({
  ...ownerArgs,
  id: t.id({ required: true, description: 'The task id.' }).validate(taskIdInput()),
}));

const TaskOrderField = builder.enumType('TaskOrderField', {
  description: 'Fields tasks can be sorted by. Ties are broken by id, so pages are stable.',
  values: {
    CREATED_AT: { description: 'Creation time.' },
    UPDATED_AT: { description: 'Time of the last change.' },
    TITLE: {
      description:
        'Title, alphabetically, the same on every database: Unicode NFKD (so ligatures and full-width letters become plain letters), combining accents removed, lower-cased (Unicode root rules, any script), ß read as ss, then compared code point by code point (the first 500 characters); ties by id.',
    },
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

export const CreateTaskInput = builder.inputType('CreateTaskInput', {
  description: 'A new task.',
  fields: (t) => ({
    title: t.string({ required: true, description: `1 to ${limits.title} characters after trimming.` }).validate(titleInput),
    description: t
      .string({ required: false, description: `Up to ${limits.description} characters.` })
      .validate(descriptionInput.nullish()),
    completed: t.boolean({ required: false, description: 'Defaults to false.' }),
  }),
});

export const UpdateTaskInput = builder.inputType('UpdateTaskInput', {
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

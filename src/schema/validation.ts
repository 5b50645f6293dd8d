import { z } from 'zod';

export const limits = {
  userId: 128,
  title: 500,
  description: 5000,
  search: 500,
  /** Tasks one bulk write may name. */
  bulkTasks: 100,
} as const;

function countCharacters(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** Text PostgreSQL can store as given: no NUL, no unpaired surrogates, within a length in characters (code points). */
function storableText(name: string, { min, max, trim }: { min: number; max: number; trim: boolean }) {
  return z
    .string({ error: `${name} must be a string, not null.` })
    .transform((value) => (trim ? value.trim() : value))
    .superRefine((value, context) => {
      if (value.includes('\u0000')) {
        context.addIssue({ code: 'custom', message: `${name} must not contain NUL (\\u0000) characters.` });
        return;
      }
      if (!value.isWellFormed()) {
        context.addIssue({ code: 'custom', message: `${name} must be valid Unicode (it has an unpaired surrogate).` });
        return;
      }
      const length = countCharacters(value);
      if (length < min) {
        context.addIssue({
          code: 'custom',
          message: trim ? `${name} must not be empty or only whitespace.` : `${name} must not be empty.`,
        });
      } else if (length > max) {
        context.addIssue({ code: 'custom', message: `${name} must be at most ${max} characters (got ${length}).` });
      }
    });
}

export const userIdInput = (name = 'userId') => storableText(name, { min: 1, max: limits.userId, trim: false });
export const taskIdInput = (name = 'id') => z.uuid({ error: `${name} is not a valid task id.` });
export const titleInput = storableText('title', { min: 1, max: limits.title, trim: true });
export const descriptionInput = storableText('description', { min: 0, max: limits.description, trim: false });
export const searchInput = storableText('search', { min: 0, max: limits.search, trim: false });
export const taskIdsInput = (name = 'ids') =>
  z
    .array(taskIdInput(name))
    .min(1, { error: `${name} must name at least 1 task.` })
    .max(limits.bulkTasks, { error: (issue) => `${name} must name at most ${limits.bulkTasks} tasks (got ${String((issue.input as unknown[]).length)}).` });

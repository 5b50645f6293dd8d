import { CombinedGraphQLErrors } from '@apollo/client';
import type { TaskItemFragment } from './gql/graphql';

export interface InputProblems {
  /** Messages by input field (`title`, `description`), from BAD_USER_INPUT's extensions.field. */
  fields: Partial<Record<string, string>>;
  /** Anything that is not about one field. */
  general?: string;
}

/** Splits a failed mutation into the server's per-field messages (BAD_USER_INPUT + extensions.field) and the rest. */
export function inputProblems(error: unknown): InputProblems {
  if (!CombinedGraphQLErrors.is(error)) {
    return { fields: {}, general: 'The task API did not answer. Your change was not saved; try again.' };
  }
  const problems: InputProblems = { fields: {} };
  for (const graphQLError of error.errors) {
    const field = graphQLError.extensions?.field;
    if (graphQLError.extensions?.code === 'BAD_USER_INPUT' && typeof field === 'string') {
      // "input.title" names the title input of the form.
      const name = field.split('.').at(-1) ?? field;
      problems.fields[name] ??= graphQLError.message;
    } else {
      problems.general ??= graphQLError.message;
    }
  }
  return problems;
}

/** The task as the server has it now, when a write was refused with CONFLICT (someone changed it meanwhile). */
export function conflictingTask(error: unknown): TaskItemFragment | undefined {
  if (!CombinedGraphQLErrors.is(error)) return undefined;
  const conflict = error.errors.find((graphQLError) => graphQLError.extensions?.code === 'CONFLICT');
  const task = conflict?.extensions?.task;
  return typeof task === 'object' && task !== null ? { __typename: 'Task', ...(task as Omit<TaskItemFragment, '__typename'>) } : undefined;
}

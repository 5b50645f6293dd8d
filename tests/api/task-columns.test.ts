import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueUserId, useTestApi } from '../support/api.js';
import { createTask, expectNoErrors } from '../support/operations.js';

// Pages read only the columns their query selects (src/schema/task/columns.ts); every selected field must still arrive.
const api = useTestApi({ countQueries: true });

const owner = uniqueUserId('owner');
const other = uniqueUserId('other');

beforeAll(async () => {
  await createTask(api(), owner, { title: 'first', description: 'details one' });
  await createTask(api(), owner, { title: 'second', description: 'details two', completed: true });
  await createTask(api(), other, { title: 'theirs', description: 'details three' });
});

interface Node {
  id: string;
  title?: string;
  description?: string | null;
  completed?: boolean;
  createdAt?: string;
  updatedAt?: string;
  user?: { id: string };
}
interface Page {
  edges: { node: Node }[];
}

const nodesOf = (page: Page | undefined) => (page?.edges ?? []).map((edge) => edge.node);

describe('task pages read the selected columns', () => {
  it('answers every field when the same page is read again later in the request with more fields', async () => {
    const data = expectNoErrors(
      await api().graphql<{ few: Page; user: { tasks: Page } }>(
        `query ($userId: ID!) {
          few: tasks(userId: $userId, first: 5) { edges { node { id } } }
          user(id: $userId) { tasks(first: 5) { edges { node { id title description completed createdAt updatedAt user { id } } } } }
        }`,
        { userId: owner },
      ),
    );
    expect(nodesOf(data.few)).toHaveLength(2);
    expect(nodesOf(data.user.tasks).map(({ title, description, completed }) => ({ title, description, completed }))).toEqual([
      { title: 'second', description: 'details two', completed: true },
      { title: 'first', description: 'details one', completed: false },
    ]);
    for (const node of nodesOf(data.user.tasks)) {
      expect(Date.parse(node.createdAt ?? '')).not.toBeNaN();
      expect(Date.parse(node.updatedAt ?? '')).not.toBeNaN();
      expect(node.user).toEqual({ id: owner });
    }
  });

  it('reads the fields selected through fragments and inline fragments', async () => {
    const data = expectNoErrors(
      await api().graphql<{ tasks: Page }>(
        `query ($userId: ID!) { tasks(userId: $userId, first: 5) { ...Page } }
         fragment Page on TaskConnection { edges { node { id ... on Task { title } ...Details } } }
         fragment Details on Task { description user { id } }`,
        { userId: owner },
      ),
    );
    expect(nodesOf(data.tasks)).toEqual([
      expect.objectContaining({ title: 'second', description: 'details two', user: { id: owner } }),
      expect.objectContaining({ title: 'first', description: 'details one', user: { id: owner } }),
    ]);
  });

  it('answers each alias with its own fields when aliased users are batched into one statement', async () => {
    const { response, statements } = await api().graphqlWithStatements<{ a: { tasks: Page }; b: { tasks: Page } }>(
      `query ($a: ID!, $b: ID!) {
        a: user(id: $a) { tasks(first: 5) { edges { node { id title } } } }
        b: user(id: $b) { tasks(first: 5) { edges { node { id description } } } }
      }`,
      { a: owner, b: other },
    );
    const data = expectNoErrors(response);
    expect(statements).toHaveLength(2);
    expect(nodesOf(data.a.tasks).map((node) => node.title)).toEqual(['second', 'first']);
    expect(nodesOf(data.b.tasks).map((node) => node.description)).toEqual(['details three']);
  });
});

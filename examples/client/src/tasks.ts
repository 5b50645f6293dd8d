// A tiny command-line client: lists a user's tasks through the typed operations in operations/tasks.graphql.
//   npx tsx examples/client/src/tasks.ts alice [http://localhost:4000/graphql] [--trusted-documents]
// --trusted-documents sends hashes instead of text, for a server started with
// TRUSTED_DOCUMENTS=examples/client/src/gql/persisted-documents.json.
import type { OperationResult } from '@urql/core';
import { TaskListDocument, type TaskFieldsFragment, type TaskListQuery } from './gql/graphql.js';
import { createUrqlClient } from './urql.js';

export function formatTask(task: TaskFieldsFragment): string {
  const title = task.title.length > 60 ? `${task.title.slice(0, 59)}…` : task.title;
  const line = `${task.completed ? '[x]' : '[ ]'} ${title}`;
  return task.description === null ? line : `${line}\n      ${task.description}`;
}

export async function printTasks(url: string, userId: string, options: { trustedDocuments?: boolean } = {}): Promise<void> {
  const client = createUrqlClient(url, options);
  let after: string | null = null;
  do {
    const result: OperationResult<TaskListQuery> = await client.query(TaskListDocument, { userId, first: 50, after }).toPromise();
    if (result.error) throw result.error;
    if (!result.data) return;
    const { edges, pageInfo } = result.data.tasks;
    for (const edge of edges) console.log(formatTask(edge.node));
    after = pageInfo.hasNextPage ? pageInfo.endCursor : null;
  } while (after);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const flag = '--trusted-documents';
  const [userId = 'alice', url = 'http://localhost:4000/graphql'] = process.argv.slice(2).filter((arg) => arg !== flag);
  await printTasks(url, userId, { trustedDocuments: process.argv.includes(flag) });
}

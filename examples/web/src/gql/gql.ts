/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "fragment TaskItem on Task {\n  id\n  title\n  description\n  completed\n  version\n  createdAt\n  updatedAt\n}\n\nquery TaskList($userId: ID!, $first: Int!, $after: String, $filter: TaskFilter) {\n  tasks(userId: $userId, first: $first, after: $after, filter: $filter) {\n    totalCount\n    edges {\n      cursor\n      node {\n        ...TaskItem\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nmutation CreateTask($userId: ID!, $input: CreateTaskInput!) {\n  createTask(userId: $userId, input: $input) {\n    ...TaskItem\n  }\n}\n\nmutation UpdateTask($userId: ID!, $id: ID!, $input: UpdateTaskInput!, $expectedVersion: Int) {\n  updateTask(\n    userId: $userId\n    id: $id\n    input: $input\n    expectedVersion: $expectedVersion\n  ) {\n    ...TaskItem\n  }\n}\n\nmutation DeleteTask($userId: ID!, $id: ID!) {\n  deleteTask(userId: $userId, id: $id) {\n    ...TaskItem\n  }\n}\n\nmutation MarkTasksDone($userId: ID!, $ids: [ID!]!) {\n  setTasksCompleted(userId: $userId, ids: $ids, completed: true) {\n    count\n    tasks {\n      ...TaskItem\n    }\n  }\n}\n\nmutation ClearCompleted($userId: ID!) {\n  deleteCompletedTasks(userId: $userId) {\n    count\n    deletedIds\n  }\n}\n\nsubscription TaskEvents($userId: ID!) {\n  taskEvents(userId: $userId) {\n    type\n    task {\n      ...TaskItem\n    }\n  }\n}": typeof types.TaskItemFragmentDoc,
};
const documents: Documents = {
    "fragment TaskItem on Task {\n  id\n  title\n  description\n  completed\n  version\n  createdAt\n  updatedAt\n}\n\nquery TaskList($userId: ID!, $first: Int!, $after: String, $filter: TaskFilter) {\n  tasks(userId: $userId, first: $first, after: $after, filter: $filter) {\n    totalCount\n    edges {\n      cursor\n      node {\n        ...TaskItem\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nmutation CreateTask($userId: ID!, $input: CreateTaskInput!) {\n  createTask(userId: $userId, input: $input) {\n    ...TaskItem\n  }\n}\n\nmutation UpdateTask($userId: ID!, $id: ID!, $input: UpdateTaskInput!, $expectedVersion: Int) {\n  updateTask(\n    userId: $userId\n    id: $id\n    input: $input\n    expectedVersion: $expectedVersion\n  ) {\n    ...TaskItem\n  }\n}\n\nmutation DeleteTask($userId: ID!, $id: ID!) {\n  deleteTask(userId: $userId, id: $id) {\n    ...TaskItem\n  }\n}\n\nmutation MarkTasksDone($userId: ID!, $ids: [ID!]!) {\n  setTasksCompleted(userId: $userId, ids: $ids, completed: true) {\n    count\n    tasks {\n      ...TaskItem\n    }\n  }\n}\n\nmutation ClearCompleted($userId: ID!) {\n  deleteCompletedTasks(userId: $userId) {\n    count\n    deletedIds\n  }\n}\n\nsubscription TaskEvents($userId: ID!) {\n  taskEvents(userId: $userId) {\n    type\n    task {\n      ...TaskItem\n    }\n  }\n}": types.TaskItemFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment TaskItem on Task {\n  id\n  title\n  description\n  completed\n  version\n  createdAt\n  updatedAt\n}\n\nquery TaskList($userId: ID!, $first: Int!, $after: String, $filter: TaskFilter) {\n  tasks(userId: $userId, first: $first, after: $after, filter: $filter) {\n    totalCount\n    edges {\n      cursor\n      node {\n        ...TaskItem\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nmutation CreateTask($userId: ID!, $input: CreateTaskInput!) {\n  createTask(userId: $userId, input: $input) {\n    ...TaskItem\n  }\n}\n\nmutation UpdateTask($userId: ID!, $id: ID!, $input: UpdateTaskInput!, $expectedVersion: Int) {\n  updateTask(\n    userId: $userId\n    id: $id\n    input: $input\n    expectedVersion: $expectedVersion\n  ) {\n    ...TaskItem\n  }\n}\n\nmutation DeleteTask($userId: ID!, $id: ID!) {\n  deleteTask(userId: $userId, id: $id) {\n    ...TaskItem\n  }\n}\n\nmutation MarkTasksDone($userId: ID!, $ids: [ID!]!) {\n  setTasksCompleted(userId: $userId, ids: $ids, completed: true) {\n    count\n    tasks {\n      ...TaskItem\n    }\n  }\n}\n\nmutation ClearCompleted($userId: ID!) {\n  deleteCompletedTasks(userId: $userId) {\n    count\n    deletedIds\n  }\n}\n\nsubscription TaskEvents($userId: ID!) {\n  taskEvents(userId: $userId) {\n    type\n    task {\n      ...TaskItem\n    }\n  }\n}"): (typeof documents)["fragment TaskItem on Task {\n  id\n  title\n  description\n  completed\n  version\n  createdAt\n  updatedAt\n}\n\nquery TaskList($userId: ID!, $first: Int!, $after: String, $filter: TaskFilter) {\n  tasks(userId: $userId, first: $first, after: $after, filter: $filter) {\n    totalCount\n    edges {\n      cursor\n      node {\n        ...TaskItem\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nmutation CreateTask($userId: ID!, $input: CreateTaskInput!) {\n  createTask(userId: $userId, input: $input) {\n    ...TaskItem\n  }\n}\n\nmutation UpdateTask($userId: ID!, $id: ID!, $input: UpdateTaskInput!, $expectedVersion: Int) {\n  updateTask(\n    userId: $userId\n    id: $id\n    input: $input\n    expectedVersion: $expectedVersion\n  ) {\n    ...TaskItem\n  }\n}\n\nmutation DeleteTask($userId: ID!, $id: ID!) {\n  deleteTask(userId: $userId, id: $id) {\n    ...TaskItem\n  }\n}\n\nmutation MarkTasksDone($userId: ID!, $ids: [ID!]!) {\n  setTasksCompleted(userId: $userId, ids: $ids, completed: true) {\n    count\n    tasks {\n      ...TaskItem\n    }\n  }\n}\n\nmutation ClearCompleted($userId: ID!) {\n  deleteCompletedTasks(userId: $userId) {\n    count\n    deletedIds\n  }\n}\n\nsubscription TaskEvents($userId: ID!) {\n  taskEvents(userId: $userId) {\n    type\n    task {\n      ...TaskItem\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;
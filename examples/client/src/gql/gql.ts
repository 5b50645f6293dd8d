/* eslint-disable */
import * as types from './graphql.js';
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
    "fragment TaskFields on Task {\n  __typename\n  id\n  title\n  description\n  completed\n  version\n  createdAt\n  updatedAt\n}\n\nquery TaskList($userId: ID!, $first: Int, $after: String, $filter: TaskFilter) {\n  tasks(userId: $userId, first: $first, after: $after, filter: $filter) {\n    totalCount\n    edges {\n      cursor\n      node {\n        ...TaskFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery TaskById($userId: ID!, $id: ID!) {\n  task(userId: $userId, id: $id) {\n    ...TaskFields\n  }\n}\n\nmutation AddTask($userId: ID!, $input: CreateTaskInput!) {\n  createTask(userId: $userId, input: $input) {\n    ...TaskFields\n  }\n}\n\nmutation ChangeTask($userId: ID!, $id: ID!, $input: UpdateTaskInput!, $expectedVersion: Int) {\n  updateTask(\n    userId: $userId\n    id: $id\n    input: $input\n    expectedVersion: $expectedVersion\n  ) {\n    ...TaskFields\n  }\n}\n\nmutation RemoveTask($userId: ID!, $id: ID!, $expectedVersion: Int) {\n  deleteTask(userId: $userId, id: $id, expectedVersion: $expectedVersion) {\n    __typename\n    id\n  }\n}\n\nmutation MarkTasks($userId: ID!, $ids: [ID!]!, $completed: Boolean!) {\n  setTasksCompleted(userId: $userId, ids: $ids, completed: $completed) {\n    count\n    tasks {\n      ...TaskFields\n    }\n  }\n}\n\nmutation RemoveTasks($userId: ID!, $ids: [ID!]!) {\n  deleteTasks(userId: $userId, ids: $ids) {\n    count\n    deletedIds\n  }\n}\n\nmutation RemoveCompletedTasks($userId: ID!) {\n  deleteCompletedTasks(userId: $userId) {\n    count\n    deletedIds\n  }\n}\n\nsubscription FollowTasks($userId: ID!) {\n  taskEvents(userId: $userId) {\n    type\n    task {\n      ...TaskFields\n    }\n  }\n}": typeof types.TaskFieldsFragmentDoc,
};
const documents: Documents = {
    "fragment TaskFields on Task {\n  __typename\n  id\n  title\n  description\n  completed\n  version\n  createdAt\n  updatedAt\n}\n\nquery TaskList($userId: ID!, $first: Int, $after: String, $filter: TaskFilter) {\n  tasks(userId: $userId, first: $first, after: $after, filter: $filter) {\n    totalCount\n    edges {\n      cursor\n      node {\n        ...TaskFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery TaskById($userId: ID!, $id: ID!) {\n  task(userId: $userId, id: $id) {\n    ...TaskFields\n  }\n}\n\nmutation AddTask($userId: ID!, $input: CreateTaskInput!) {\n  createTask(userId: $userId, input: $input) {\n    ...TaskFields\n  }\n}\n\nmutation ChangeTask($userId: ID!, $id: ID!, $input: UpdateTaskInput!, $expectedVersion: Int) {\n  updateTask(\n    userId: $userId\n    id: $id\n    input: $input\n    expectedVersion: $expectedVersion\n  ) {\n    ...TaskFields\n  }\n}\n\nmutation RemoveTask($userId: ID!, $id: ID!, $expectedVersion: Int) {\n  deleteTask(userId: $userId, id: $id, expectedVersion: $expectedVersion) {\n    __typename\n    id\n  }\n}\n\nmutation MarkTasks($userId: ID!, $ids: [ID!]!, $completed: Boolean!) {\n  setTasksCompleted(userId: $userId, ids: $ids, completed: $completed) {\n    count\n    tasks {\n      ...TaskFields\n    }\n  }\n}\n\nmutation RemoveTasks($userId: ID!, $ids: [ID!]!) {\n  deleteTasks(userId: $userId, ids: $ids) {\n    count\n    deletedIds\n  }\n}\n\nmutation RemoveCompletedTasks($userId: ID!) {\n  deleteCompletedTasks(userId: $userId) {\n    count\n    deletedIds\n  }\n}\n\nsubscription FollowTasks($userId: ID!) {\n  taskEvents(userId: $userId) {\n    type\n    task {\n      ...TaskFields\n    }\n  }\n}": types.TaskFieldsFragmentDoc,
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
export function graphql(source: "fragment TaskFields on Task {\n  __typename\n  id\n  title\n  description\n  completed\n  version\n  createdAt\n  updatedAt\n}\n\nquery TaskList($userId: ID!, $first: Int, $after: String, $filter: TaskFilter) {\n  tasks(userId: $userId, first: $first, after: $after, filter: $filter) {\n    totalCount\n    edges {\n      cursor\n      node {\n        ...TaskFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery TaskById($userId: ID!, $id: ID!) {\n  task(userId: $userId, id: $id) {\n    ...TaskFields\n  }\n}\n\nmutation AddTask($userId: ID!, $input: CreateTaskInput!) {\n  createTask(userId: $userId, input: $input) {\n    ...TaskFields\n  }\n}\n\nmutation ChangeTask($userId: ID!, $id: ID!, $input: UpdateTaskInput!, $expectedVersion: Int) {\n  updateTask(\n    userId: $userId\n    id: $id\n    input: $input\n    expectedVersion: $expectedVersion\n  ) {\n    ...TaskFields\n  }\n}\n\nmutation RemoveTask($userId: ID!, $id: ID!, $expectedVersion: Int) {\n  deleteTask(userId: $userId, id: $id, expectedVersion: $expectedVersion) {\n    __typename\n    id\n  }\n}\n\nmutation MarkTasks($userId: ID!, $ids: [ID!]!, $completed: Boolean!) {\n  setTasksCompleted(userId: $userId, ids: $ids, completed: $completed) {\n    count\n    tasks {\n      ...TaskFields\n    }\n  }\n}\n\nmutation RemoveTasks($userId: ID!, $ids: [ID!]!) {\n  deleteTasks(userId: $userId, ids: $ids) {\n    count\n    deletedIds\n  }\n}\n\nmutation RemoveCompletedTasks($userId: ID!) {\n  deleteCompletedTasks(userId: $userId) {\n    count\n    deletedIds\n  }\n}\n\nsubscription FollowTasks($userId: ID!) {\n  taskEvents(userId: $userId) {\n    type\n    task {\n      ...TaskFields\n    }\n  }\n}"): (typeof documents)["fragment TaskFields on Task {\n  __typename\n  id\n  title\n  description\n  completed\n  version\n  createdAt\n  updatedAt\n}\n\nquery TaskList($userId: ID!, $first: Int, $after: String, $filter: TaskFilter) {\n  tasks(userId: $userId, first: $first, after: $after, filter: $filter) {\n    totalCount\n    edges {\n      cursor\n      node {\n        ...TaskFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery TaskById($userId: ID!, $id: ID!) {\n  task(userId: $userId, id: $id) {\n    ...TaskFields\n  }\n}\n\nmutation AddTask($userId: ID!, $input: CreateTaskInput!) {\n  createTask(userId: $userId, input: $input) {\n    ...TaskFields\n  }\n}\n\nmutation ChangeTask($userId: ID!, $id: ID!, $input: UpdateTaskInput!, $expectedVersion: Int) {\n  updateTask(\n    userId: $userId\n    id: $id\n    input: $input\n    expectedVersion: $expectedVersion\n  ) {\n    ...TaskFields\n  }\n}\n\nmutation RemoveTask($userId: ID!, $id: ID!, $expectedVersion: Int) {\n  deleteTask(userId: $userId, id: $id, expectedVersion: $expectedVersion) {\n    __typename\n    id\n  }\n}\n\nmutation MarkTasks($userId: ID!, $ids: [ID!]!, $completed: Boolean!) {\n  setTasksCompleted(userId: $userId, ids: $ids, completed: $completed) {\n    count\n    tasks {\n      ...TaskFields\n    }\n  }\n}\n\nmutation RemoveTasks($userId: ID!, $ids: [ID!]!) {\n  deleteTasks(userId: $userId, ids: $ids) {\n    count\n    deletedIds\n  }\n}\n\nmutation RemoveCompletedTasks($userId: ID!) {\n  deleteCompletedTasks(userId: $userId) {\n    count\n    deletedIds\n  }\n}\n\nsubscription FollowTasks($userId: ID!) {\n  taskEvents(userId: $userId) {\n    type\n    task {\n      ...TaskFields\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;
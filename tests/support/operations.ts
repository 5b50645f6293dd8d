import { expect } from 'vitest';
import type { GraphQLResponse, TestApi } from './api.js';

export const taskFields = 'id title description completed createdAt updatedAt';

export interface TaskResult {
  id: string;
  title: string;
  description: string | null;
  completed: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface PageResult {
  totalCount: number;
  edges: { cursor: string; node: TaskResult }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

export const createTaskMutation = `mutation CreateTask($userId: ID!, $input: CreateTaskInput!) {
  createTask(userId: $userId, input: $input) { ${taskFields} }
}`;

export const updateTaskMutation = `mutation UpdateTask($userId: ID!, $id: ID!, $input: UpdateTaskInput!) {
  updateTask(userId: $userId, id: $id, input: $input) { ${taskFields} }
}`;

export const deleteTaskMutation = `mutation DeleteTask($userId: ID!, $id: ID!) {
  deleteTask(userId: $userId, id: $id) { ${taskFields} }
}`;

export const taskQuery = `query Task($userId: ID!, $id: ID!) { task(userId: $userId, id: $id) { ${taskFields} } }`;

export const tasksQuery = `query Tasks($userId: ID!, $first: Int, $after: String, $last: Int, $before: String, $filter: TaskFilter, $orderBy: TaskOrder) {
  tasks(userId: $userId, first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
    totalCount
    edges { cursor node { ${taskFields} } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

export function expectNoErrors<Data>(response: GraphQLResponse<Data>): Data {
  expect(response.errors).toBeUndefined();
  expect(response.data).toBeTruthy();
  return response.data as Data;
}

export async function createTask(
  api: TestApi,
  userId: string,
  input: { title: string; description?: string | null; completed?: boolean },
  headers?: Record<string, string>,
): Promise<TaskResult> {
  const response = await api.graphql<{ createTask: TaskResult }>(createTaskMutation, { userId, input }, headers);
  return expectNoErrors(response).createTask;
}

export async function createTasks(api: TestApi, userId: string, titles: string[]): Promise<TaskResult[]> {
  const created: TaskResult[] = [];
  for (const title of titles) created.push(await createTask(api, userId, { title }));
  return created;
}

export async function listTasks(api: TestApi, variables: Record<string, unknown>): Promise<PageResult> {
  return expectNoErrors(await api.graphql<{ tasks: PageResult }>(tasksQuery, variables)).tasks;
}

export async function countTasks(api: TestApi, userId: string): Promise<number> {
  return (await listTasks(api, { userId, first: 0 })).totalCount;
}

/** The `extensions.code` of every error, in order. */
export function errorCodes(response: Pick<GraphQLResponse<unknown>, 'errors'>): unknown[] {
  return (response.errors ?? []).map((error) => error.extensions?.code);
}

export function expectErrorCode(response: Pick<GraphQLResponse<unknown>, 'errors'>, code: string, field?: string) {
  expect(response.errors?.[0]?.extensions?.code, JSON.stringify(response.errors)).toBe(code);
  if (field !== undefined) expect(response.errors?.[0]?.extensions?.field).toBe(field);
}

export const versionedTaskFields = `${taskFields} version`;

export interface VersionedTaskResult extends TaskResult {
  version: number;
}

export const versionedUpdateTaskMutation = `mutation UpdateTask($userId: ID!, $id: ID!, $input: UpdateTaskInput!, $expectedVersion: Int) {
  updateTask(userId: $userId, id: $id, input: $input, expectedVersion: $expectedVersion) { ${versionedTaskFields} }
}`;

export const versionedDeleteTaskMutation = `mutation DeleteTask($userId: ID!, $id: ID!, $expectedVersion: Int) {
  deleteTask(userId: $userId, id: $id, expectedVersion: $expectedVersion) { ${versionedTaskFields} }
}`;

export const versionedTaskQuery = `query Task($userId: ID!, $id: ID!) { task(userId: $userId, id: $id) { ${versionedTaskFields} } }`;

export interface SetTasksCompletedResult {
  setTasksCompleted: { count: number; tasks: VersionedTaskResult[] };
}

export const setTasksCompletedMutation = `mutation SetTasksCompleted($userId: ID!, $ids: [ID!]!, $completed: Boolean!) {
  setTasksCompleted(userId: $userId, ids: $ids, completed: $completed) { count tasks { ${versionedTaskFields} } }
}`;

export interface DeleteTasksResult {
  deleteTasks: { count: number; deletedIds: string[] };
}

export const deleteTasksMutation = `mutation DeleteTasks($userId: ID!, $ids: [ID!]!) {
  deleteTasks(userId: $userId, ids: $ids) { count deletedIds }
}`;

export interface DeleteCompletedTasksResult {
  deleteCompletedTasks: { count: number; deletedIds: string[] };
}

export const deleteCompletedTasksMutation = `mutation DeleteCompletedTasks($userId: ID!) {
  deleteCompletedTasks(userId: $userId) { count deletedIds }
}`;

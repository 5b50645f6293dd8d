import type { ApolloClient } from '@apollo/client';
import { describe, expect, it } from 'vitest';
import { applyBulkWriteToCache, createApolloClient, removeTaskFromCache } from '../../examples/client/src/apollo.js';
import {
  AddTaskDocument,
  ChangeTaskDocument,
  FollowTasksDocument,
  MarkTasksDocument,
  RemoveCompletedTasksDocument,
  RemoveTaskDocument,
  RemoveTasksDocument,
  TaskListDocument,
  type TaskListQuery,
} from '../../examples/client/src/gql/graphql.js';
import { uniqueUserId, useTestApi } from '../support/api.js';
import { useRealServer } from '../support/http-server.js';
import { createTaskMutation, updateTaskMutation } from '../support/operations.js';
import { postGraphQL } from '../support/requests.js';
import { collectTaskEvents, untilLive } from '../support/task-events.js';
import { webSocketClient } from '../support/websocket.js';

const api = useTestApi();
const server = useRealServer(api);
const serverUrl = () => server().url;

function newClient(): ApolloClient {
  return createApolloClient(`${serverUrl()}/graphql`);
}

async function addTasks(client: ApolloClient, userId: string, titles: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const title of titles) {
    const result = await client.mutate({ mutation: AddTaskDocument, variables: { userId, input: { title } } });
    if (!result.data) throw new Error(`createTask failed: ${String(result.error)}`);
    ids.push(result.data.createTask.id);
  }
  return ids;
}

function cachedList(client: ApolloClient, userId: string): TaskListQuery['tasks'] | undefined {
  return client.readQuery({ query: TaskListDocument, variables: { userId, first: 2 } })?.tasks;
}

/** The normalized record stored under a cache key (InMemoryCache's extract() is a plain object of records). */
const cachedEntity = (client: ApolloClient, key: string) => (client.cache.extract() as Record<string, unknown>)[key];

const titles = (list: TaskListQuery['tasks'] | undefined) => list?.edges.map((edge) => edge.node.title);

describe('@apollo/client (core, no React) against the server', () => {
  it('normalizes tasks as Task:<id> with their __typename', async () => {
    const client = newClient();
    const userId = uniqueUserId('apollo');
    const [id] = await addTasks(client, userId, ['Normalized']);
    expect(client.cache.identify({ __typename: 'Task', id })).toBe(`Task:${id}`);
    expect(cachedEntity(client, `Task:${id}`)).toMatchObject({ __typename: 'Task', id, title: 'Normalized' });
  });

  it('merges Relay pages into one cached list with relayStylePagination', async () => {
    const client = newClient();
    const userId = uniqueUserId('apollo');
    await addTasks(client, userId, ['one', 'two', 'three', 'four', 'five']);
    let page = (await client.query({ query: TaskListDocument, variables: { userId, first: 2 } })).data?.tasks;
    expect(titles(page)).toEqual(['five', 'four']);
    while (page?.pageInfo.hasNextPage) {
      page = (
        await client.query({
          query: TaskListDocument,
          variables: { userId, first: 2, after: page.pageInfo.endCursor },
          fetchPolicy: 'network-only',
        })
      ).data?.tasks;
    }
    const merged = cachedList(client, userId);
    expect(titles(merged)).toEqual(['five', 'four', 'three', 'two', 'one']);
    expect(merged?.totalCount).toBe(5);
    expect(merged?.pageInfo.hasNextPage).toBe(false);
  });

  it('shows an update in the cached list through the normalized Task', async () => {
    const client = newClient();
    const userId = uniqueUserId('apollo');
    const [id] = await addTasks(client, userId, ['Draft']);
    await client.query({ query: TaskListDocument, variables: { userId, first: 2 } });
    await client.mutate({ mutation: ChangeTaskDocument, variables: { userId, id: id ?? '', input: { title: 'Final', completed: true } } });
    expect(cachedList(client, userId)?.edges.map((edge) => edge.node)).toEqual([
      expect.objectContaining({ __typename: 'Task', id, title: 'Final', completed: true }),
    ]);
  });

  it('removes a deleted task from the cached list and the cache, and lowers totalCount', async () => {
    const client = newClient();
    const userId = uniqueUserId('apollo');
    const [doomed] = await addTasks(client, userId, ['Doomed', 'Survivor']);
    await client.query({ query: TaskListDocument, variables: { userId, first: 2 } });
    const removed = await client.mutate({ mutation: RemoveTaskDocument, variables: { userId, id: doomed ?? '' } });
    expect(removed.data?.deleteTask).toEqual({ __typename: 'Task', id: doomed });
    removeTaskFromCache(client, doomed ?? '');
    const list = cachedList(client, userId);
    expect(titles(list)).toEqual(['Survivor']);
    expect(list?.totalCount).toBe(1);
    expect(cachedEntity(client, `Task:${doomed}`)).toBeUndefined();
    const fresh = await client.query({ query: TaskListDocument, variables: { userId, first: 2 }, fetchPolicy: 'network-only' });
    expect(titles(fresh.data?.tasks)).toEqual(['Survivor']);
  });

  it('after setTasksCompleted, the cached lists show the new states, and a not-done list loses them with its totalCount', async () => {
    const client = newClient();
    const userId = uniqueUserId('apollo');
    const [a, b] = await addTasks(client, userId, ['a', 'b', 'c']);
    const open = { userId, first: 10, filter: { completed: false } };
    await client.query({ query: TaskListDocument, variables: { userId, first: 10 } });
    await client.query({ query: TaskListDocument, variables: open });
    const ids = [a ?? '', b ?? ''];
    const marked = await client.mutate({
      mutation: MarkTasksDocument,
      variables: { userId, ids, completed: true },
      update: (_cache, { data }) =>
        applyBulkWriteToCache(client, userId, { kind: 'completed', ids, completed: true, count: data?.setTasksCompleted.count ?? 0 }),
    });
    expect(marked.data?.setTasksCompleted.count).toBe(2);
    const all = client.readQuery({ query: TaskListDocument, variables: { userId, first: 10 } })?.tasks;
    expect(all?.edges.map((edge) => [edge.node.title, edge.node.completed, edge.node.version])).toEqual([
      ['c', false, 1],
      ['b', true, 2],
      ['a', true, 2],
    ]);
    expect(all?.totalCount).toBe(3);
    const stillOpen = client.readQuery({ query: TaskListDocument, variables: open })?.tasks;
    expect(titles(stillOpen)).toEqual(['c']);
    expect(stillOpen?.totalCount).toBe(1);
  });

  it('after deleteTasks, the deleted tasks leave the cached list and the cache, and totalCount drops by as many', async () => {
    const client = newClient();
    const userId = uniqueUserId('apollo');
    const [a, b] = await addTasks(client, userId, ['a', 'b', 'keep']);
    await client.query({ query: TaskListDocument, variables: { userId, first: 10 } });
    const removed = await client.mutate({
      mutation: RemoveTasksDocument,
      variables: { userId, ids: [a ?? '', b ?? ''] },
      update: (_cache, { data }) => applyBulkWriteToCache(client, userId, { kind: 'deleted', ids: data?.deleteTasks.deletedIds ?? [] }),
    });
    expect(removed.data?.deleteTasks.count).toBe(2);
    const list = client.readQuery({ query: TaskListDocument, variables: { userId, first: 10 } })?.tasks;
    expect(titles(list)).toEqual(['keep']);
    expect(list?.totalCount).toBe(1);
    expect(cachedEntity(client, `Task:${a}`)).toBeUndefined();
  });

  it('after deleteCompletedTasks, the completed tasks leave the cached list and totalCount drops by as many', async () => {
    const client = newClient();
    const userId = uniqueUserId('apollo');
    const [a, b] = await addTasks(client, userId, ['a', 'b', 'open']);
    await client.mutate({ mutation: MarkTasksDocument, variables: { userId, ids: [a ?? '', b ?? ''], completed: true } });
    await client.query({ query: TaskListDocument, variables: { userId, first: 10 } });
    const cleared = await client.mutate({
      mutation: RemoveCompletedTasksDocument,
      variables: { userId },
      update: (_cache, { data }) =>
        applyBulkWriteToCache(client, userId, { kind: 'deleted', ids: data?.deleteCompletedTasks.deletedIds ?? [] }),
    });
    expect(cleared.data?.deleteCompletedTasks.count).toBe(2);
    const list = client.readQuery({ query: TaskListDocument, variables: { userId, first: 10 } })?.tasks;
    expect(titles(list)).toEqual(['open']);
    expect(list?.totalCount).toBe(1);
  });

  it('receives live taskEvents over GraphQLWsLink (split link) and updates the cached list through the normalized Task', async () => {
    const { url, wsUrl } = server();
    const webSocket = webSocketClient(wsUrl);
    let sockets = 0;
    webSocket.on('connected', () => (sockets += 1));
    const client = createApolloClient(`${url}/graphql`, { webSocket });
    const userId = uniqueUserId('apollo-ws');
    const [id] = await addTasks(client, userId, ['Before']);
    await client.query({ query: TaskListDocument, variables: { userId, first: 2 } });
    const events = collectTaskEvents((sink) => {
      const subscription = client.subscribe({ query: FollowTasksDocument, variables: { userId } }).subscribe({
        next: (result) => sink.next({ data: result.data }),
        error: sink.error,
        complete: sink.complete,
      });
      return () => subscription.unsubscribe();
    });
    try {
      await untilLive(events, (title) => postGraphQL(url, createTaskMutation, { userId, input: { title } }));
      // Another client changes the task; this one learns of it only through the subscription.
      await postGraphQL(url, updateTaskMutation, { userId, id, input: { title: 'After', completed: true } });
      await events.waitFor((event) => event.type === 'UPDATED' && event.task.id === id);
      expect(titles(cachedList(client, userId))).toEqual(['After']);
      expect(cachedEntity(client, `Task:${id}`)).toMatchObject({ title: 'After', completed: true });
      expect(sockets).toBe(1);
    } finally {
      events.close();
      await webSocket.dispose();
    }
  });
});

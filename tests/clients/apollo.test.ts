import type { ApolloClient } from '@apollo/client';
import { describe, expect, it } from 'vitest';
import { createApolloClient, removeTaskFromCache } from '../../examples/client/src/apollo.js';
import {
  AddTaskDocument,
  ChangeTaskDocument,
  FollowTasksDocument,
  RemoveTaskDocument,
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

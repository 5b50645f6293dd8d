import type { Client } from '@urql/core';
import { describe, expect, it } from 'vitest';
import {
  AddTaskDocument,
  ChangeTaskDocument,
  FollowTasksDocument,
  MarkTasksDocument,
  RemoveCompletedTasksDocument,
  RemoveTaskDocument,
  RemoveTasksDocument,
  TaskByIdDocument,
  TaskListDocument,
} from '../../examples/client/src/gql/graphql.js';
import { createUrqlClient } from '../../examples/client/src/urql.js';
import { uniqueUserId, useTestApi } from '../support/api.js';
import { useRealServer } from '../support/http-server.js';
import { createTaskMutation, updateTaskMutation } from '../support/operations.js';
import { postGraphQL } from '../support/requests.js';
import { collectTaskEvents, untilLive } from '../support/task-events.js';
import { webSocketClient } from '../support/websocket.js';

const api = useTestApi();
const server = useRealServer(api);
const serverUrl = () => server().url;

/** The example client (urql + graphcache), counting the requests it actually sends. */
function newClient(): { client: Client; requests: () => number } {
  let requests = 0;
  const client = createUrqlClient(`${serverUrl()}/graphql`, {
    fetch: (input, init) => {
      requests += 1;
      return fetch(input, init);
    },
  });
  return { client, requests: () => requests };
}

async function addTasks(client: Client, userId: string, titles: string[]) {
  const ids: string[] = [];
  for (const title of titles) {
    const result = await client.mutation(AddTaskDocument, { userId, input: { title } }).toPromise();
    if (!result.data) throw new Error(`createTask failed: ${result.error?.message}`);
    ids.push(result.data.createTask.id);
  }
  return ids;
}

const titlesOf = (data: { tasks: { edges: { node: { title: string } }[] } } | undefined) =>
  data?.tasks.edges.map((edge) => edge.node.title);

describe('@urql/core with graphcache against the server', () => {
  it('creates a task and then answers task(id:) from the normalized cache, keyed Task:<id>', async () => {
    const { client, requests } = newClient();
    const userId = uniqueUserId('urql');
    const created = await client.mutation(AddTaskDocument, { userId, input: { title: 'Cached on create' } }).toPromise();
    expect(created.data?.createTask).toMatchObject({ __typename: 'Task', title: 'Cached on create', completed: false });
    const id = created.data?.createTask.id ?? '';
    const sent = requests();
    const read = await client.query(TaskByIdDocument, { userId, id }, { requestPolicy: 'cache-only' }).toPromise();
    expect(read.data?.task).toMatchObject({ __typename: 'Task', id, title: 'Cached on create' });
    expect(requests()).toBe(sent);
  });

  it('merges Relay pages into one list with relayPagination, newest first, without duplicates', async () => {
    const { client } = newClient();
    const userId = uniqueUserId('urql');
    await addTasks(client, userId, ['one', 'two', 'three', 'four', 'five']);
    const first = await client.query(TaskListDocument, { userId, first: 2 }, { requestPolicy: 'network-only' }).toPromise();
    expect(titlesOf(first.data)).toEqual(['five', 'four']);
    let after = first.data?.tasks.pageInfo.endCursor ?? null;
    let last = first;
    while (after) {
      last = await client.query(TaskListDocument, { userId, first: 2, after }).toPromise();
      after = last.data?.tasks.pageInfo.hasNextPage ? last.data.tasks.pageInfo.endCursor : null;
    }
    expect(titlesOf(last.data)).toEqual(['five', 'four', 'three', 'two', 'one']);
    const merged = await client.query(TaskListDocument, { userId, first: 2 }, { requestPolicy: 'cache-only' }).toPromise();
    expect(titlesOf(merged.data)).toEqual(['five', 'four', 'three', 'two', 'one']);
    expect(merged.data?.tasks.totalCount).toBe(5);
  });

  it('shows an update in the cached list without refetching it', async () => {
    const { client, requests } = newClient();
    const userId = uniqueUserId('urql');
    const [id] = await addTasks(client, userId, ['Draft', 'Other']);
    await client.query(TaskListDocument, { userId, first: 10 }, { requestPolicy: 'network-only' }).toPromise();
    await client.mutation(ChangeTaskDocument, { userId, id: id ?? '', input: { title: 'Final', completed: true } }).toPromise();
    const sent = requests();
    const cached = await client.query(TaskListDocument, { userId, first: 10 }, { requestPolicy: 'cache-only' }).toPromise();
    expect(cached.data?.tasks.edges.map((edge) => [edge.node.id, edge.node.title, edge.node.completed])).toEqual([
      [expect.any(String), 'Other', false],
      [id, 'Final', true],
    ]);
    expect(requests()).toBe(sent);
  });

  it('removes a deleted task from the cached list and lowers totalCount', async () => {
    const { client, requests } = newClient();
    const userId = uniqueUserId('urql');
    const [doomed] = await addTasks(client, userId, ['Doomed', 'Survivor']);
    await client.query(TaskListDocument, { userId, first: 10 }, { requestPolicy: 'network-only' }).toPromise();
    const removed = await client.mutation(RemoveTaskDocument, { userId, id: doomed ?? '' }).toPromise();
    expect(removed.data?.deleteTask).toEqual({ __typename: 'Task', id: doomed });
    const sent = requests();
    const cached = await client.query(TaskListDocument, { userId, first: 10 }, { requestPolicy: 'cache-only' }).toPromise();
    expect(titlesOf(cached.data)).toEqual(['Survivor']);
    expect(cached.data?.tasks.totalCount).toBe(1);
    expect(requests()).toBe(sent);
    const fresh = await client.query(TaskListDocument, { userId, first: 10 }, { requestPolicy: 'network-only' }).toPromise();
    expect(titlesOf(fresh.data)).toEqual(['Survivor']);
    expect(fresh.data?.tasks.totalCount).toBe(1);
  });

  it('after setTasksCompleted, the cached lists show the new states, and a not-done list loses them with its totalCount', async () => {
    const { client, requests } = newClient();
    const userId = uniqueUserId('urql');
    const [a, b] = await addTasks(client, userId, ['a', 'b', 'c']);
    const open = { userId, first: 10, filter: { completed: false } };
    await client.query(TaskListDocument, { userId, first: 10 }, { requestPolicy: 'network-only' }).toPromise();
    await client.query(TaskListDocument, open, { requestPolicy: 'network-only' }).toPromise();
    const marked = await client.mutation(MarkTasksDocument, { userId, ids: [a ?? '', b ?? ''], completed: true }).toPromise();
    expect(marked.data?.setTasksCompleted.count).toBe(2);
    const sent = requests();
    const all = await client.query(TaskListDocument, { userId, first: 10 }, { requestPolicy: 'cache-only' }).toPromise();
    expect(all.data?.tasks.edges.map((edge) => [edge.node.title, edge.node.completed, edge.node.version])).toEqual([
      ['c', false, 1],
      ['b', true, 2],
      ['a', true, 2],
    ]);
    expect(all.data?.tasks.totalCount).toBe(3);
    const stillOpen = await client.query(TaskListDocument, open, { requestPolicy: 'cache-only' }).toPromise();
    expect(titlesOf(stillOpen.data)).toEqual(['c']);
    expect(stillOpen.data?.tasks.totalCount).toBe(1);
    expect(requests()).toBe(sent);
  });

  it('after deleteTasks, the deleted tasks leave the cached list and totalCount drops by as many', async () => {
    const { client, requests } = newClient();
    const userId = uniqueUserId('urql');
    const [a, b] = await addTasks(client, userId, ['a', 'b', 'keep']);
    await client.query(TaskListDocument, { userId, first: 10 }, { requestPolicy: 'network-only' }).toPromise();
    const removed = await client.mutation(RemoveTasksDocument, { userId, ids: [a ?? '', b ?? ''] }).toPromise();
    expect(removed.data?.deleteTasks.count).toBe(2);
    const sent = requests();
    const cached = await client.query(TaskListDocument, { userId, first: 10 }, { requestPolicy: 'cache-only' }).toPromise();
    expect(titlesOf(cached.data)).toEqual(['keep']);
    expect(cached.data?.tasks.totalCount).toBe(1);
    expect(requests()).toBe(sent);
  });

  it('after deleteCompletedTasks, the completed tasks leave the cached list and totalCount drops by as many', async () => {
    const { client, requests } = newClient();
    const userId = uniqueUserId('urql');
    const [a, b] = await addTasks(client, userId, ['a', 'b', 'open']);
    await client.mutation(MarkTasksDocument, { userId, ids: [a ?? '', b ?? ''], completed: true }).toPromise();
    await client.query(TaskListDocument, { userId, first: 10 }, { requestPolicy: 'network-only' }).toPromise();
    const cleared = await client.mutation(RemoveCompletedTasksDocument, { userId }).toPromise();
    expect(cleared.data?.deleteCompletedTasks.count).toBe(2);
    const sent = requests();
    const cached = await client.query(TaskListDocument, { userId, first: 10 }, { requestPolicy: 'cache-only' }).toPromise();
    expect(titlesOf(cached.data)).toEqual(['open']);
    expect(cached.data?.tasks.totalCount).toBe(1);
    expect(requests()).toBe(sent);
  });

  it('refetches the list after a create, so the new task appears where the server puts it', async () => {
    const { client } = newClient();
    const userId = uniqueUserId('urql');
    await addTasks(client, userId, ['older']);
    await client.query(TaskListDocument, { userId, first: 10 }, { requestPolicy: 'network-only' }).toPromise();
    await addTasks(client, userId, ['newer']);
    const after = await client.query(TaskListDocument, { userId, first: 10 }).toPromise();
    expect(titlesOf(after.data)).toEqual(['newer', 'older']);
    expect(after.data?.tasks.totalCount).toBe(2);
  });

  it('receives live taskEvents through subscriptionExchange over graphql-ws and updates the cached list', async () => {
    const { url, wsUrl } = server();
    const webSocket = webSocketClient(wsUrl);
    let sockets = 0;
    webSocket.on('connected', () => (sockets += 1));
    let requests = 0;
    const client = createUrqlClient(`${url}/graphql`, {
      webSocket,
      fetch: (input, init) => {
        requests += 1;
        return fetch(input, init);
      },
    });
    const userId = uniqueUserId('urql-ws');
    const [id] = await addTasks(client, userId, ['Before', 'Other']);
    await client.query(TaskListDocument, { userId, first: 10 }, { requestPolicy: 'network-only' }).toPromise();
    const events = collectTaskEvents((sink) => {
      const { unsubscribe } = client.subscription(FollowTasksDocument, { userId }).subscribe((result) => {
        if (result.error) sink.error(result.error);
        else sink.next({ data: result.data });
      });
      return unsubscribe;
    });
    try {
      await untilLive(events, (title) => postGraphQL(url, createTaskMutation, { userId, input: { title } }));
      // Another client changes the task; this one learns of it only through the subscription.
      await postGraphQL(url, updateTaskMutation, { userId, id, input: { title: 'After', completed: true } });
      await events.waitFor((event) => event.type === 'UPDATED' && event.task.id === id);
      const sent = requests;
      const cached = await client.query(TaskListDocument, { userId, first: 10 }, { requestPolicy: 'cache-only' }).toPromise();
      expect(cached.data?.tasks.edges.map((edge) => [edge.node.id, edge.node.title, edge.node.completed])).toEqual([
        [expect.any(String), 'Other', false],
        [id, 'After', true],
      ]);
      expect(requests).toBe(sent);
      expect(sockets).toBe(1);
    } finally {
      events.close();
      await webSocket.dispose();
    }
  });
});

import { Client, fetchExchange, gql, subscriptionExchange } from '@urql/core';
import { cacheExchange, type Cache } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import { persistedExchange } from '@urql/exchange-persisted';
import type { Client as WebSocketClient } from 'graphql-ws';
import { applyBulkWrite, type BulkWrite, bulkWriteEffect, type CachedListArgs } from './task-lists.js';
import { documentHash } from './trusted-documents.js';

const TaskListTotal = gql`
  query TaskListTotal($userId: ID!, $first: Int, $after: String, $filter: TaskFilter) {
    tasks(userId: $userId, first: $first, after: $after, filter: $filter) { totalCount }
  }
`;

/** Every cached page of the user's task lists (any filter, any page). */
function cachedTaskLists(cache: Cache, userId: unknown) {
  return cache
    .inspectFields('Query')
    .filter((field) => field.fieldName === 'tasks' && field.arguments?.userId === userId)
    .map((field) => ({ field, connection: cache.resolve('Query', field.fieldKey) }))
    .filter((list): list is typeof list & { connection: string } => typeof list.connection === 'string');
}

/**
 * Brings every cached page of the user's lists up to date after a write of many tasks (edges and totalCount), without
 * a request where the cache can know the answer; a page it cannot know (tasks join a filtered list, or a leaving task
 * may sit in a page not loaded yet) is invalidated, so a watching query refetches it.
 */
function applyBulkWriteToLists(cache: Cache, userId: unknown, write: BulkWrite) {
  for (const { field, connection } of cachedTaskLists(cache, userId)) {
    const edges = (cache.resolve(connection, 'edges') as string[] | null) ?? [];
    const pageInfo = cache.resolve(connection, 'pageInfo');
    const hasNextPage = typeof pageInfo === 'string' ? cache.resolve(pageInfo, 'hasNextPage') === true : false;
    const totalCount = cache.resolve(connection, 'totalCount');
    const result = applyBulkWrite(
      { edges, totalCount: typeof totalCount === 'number' ? totalCount : null, hasNextPage },
      (edge) => {
        const node = cache.resolve(edge, 'node');
        return typeof node === 'string' ? (cache.resolve(node, 'id') as string | undefined) : undefined;
      },
      bulkWriteEffect(write, (field.arguments ?? {}) as CachedListArgs),
    );
    if (result === 'refetch') {
      cache.invalidate('Query', field.fieldKey);
      continue;
    }
    if (result.edges.length === edges.length) continue;
    cache.link(connection, 'edges', result.edges);
    if (typeof result.totalCount === 'number') {
      const count = result.totalCount;
      cache.updateQuery({ query: TaskListTotal, variables: field.arguments ?? {} }, () => ({
        tasks: { __typename: 'TaskConnection', totalCount: count },
      }));
    }
  }
}

/**
 * An urql client with a normalized cache: Task is keyed by id, `tasks` pages merge into one list (Relay cursors),
 * a deleted task leaves every cached list at once (so do the tasks of the bulk mutations: applyBulkWriteToLists),
 * and a new task makes the lists refetch (the server decides where it goes). With trustedDocuments, every operation goes by the hash of its generated document, never its text
 * (a server with TRUSTED_DOCUMENTS runs nothing else), over HTTP and WebSocket alike.
 *
 * With a graphql-ws client (`createClient({ url: 'ws://host:4000/graphql', connectionParams })`), subscriptions go
 * over WebSocket; the events' tasks land in the same normalized cache.
 */
export function createUrqlClient(
  url: string,
  options: { fetch?: typeof fetch; trustedDocuments?: boolean; webSocket?: WebSocketClient } = {},
): Client {
  const { webSocket } = options;
  return new Client({
    url,
    fetch: options.fetch,
    preferGetMethod: false,
    exchanges: [
      cacheExchange({
        keys: {
          TaskConnection: () => null,
          TaskEdge: () => null,
          PageInfo: () => null,
          TaskEvent: () => null,
          SetTasksCompletedPayload: () => null,
          DeleteTasksPayload: () => null,
        },
        resolvers: {
          Query: {
            tasks: relayPagination(),
            // A task already in the cache answers task(id:) without a request.
            task: (_parent, args) => ({ __typename: 'Task', id: args.id as string }),
          },
        },
        updates: {
          Mutation: {
            createTask: (_result, args, cache) => {
              for (const { field } of cachedTaskLists(cache, args.userId)) cache.invalidate('Query', field.fieldKey);
            },
            deleteTask: (_result, args, cache) => {
              applyBulkWriteToLists(cache, args.userId, { kind: 'deleted', ids: [args.id as string] });
            },
            setTasksCompleted: (result, args, cache) => {
              const { count } = (result.setTasksCompleted as { count: number } | null) ?? { count: 0 };
              const write = { kind: 'completed', ids: args.ids as string[], completed: args.completed as boolean, count } as const;
              applyBulkWriteToLists(cache, args.userId, write);
            },
            deleteTasks: (result, args, cache) => {
              const deletedIds = (result.deleteTasks as { deletedIds: string[] } | null)?.deletedIds ?? [];
              applyBulkWriteToLists(cache, args.userId, { kind: 'deleted', ids: deletedIds });
            },
            deleteCompletedTasks: (result, args, cache) => {
              const deletedIds = (result.deleteCompletedTasks as { deletedIds: string[] } | null)?.deletedIds ?? [];
              applyBulkWriteToLists(cache, args.userId, { kind: 'deleted', ids: deletedIds });
            },
          },
        },
      }),
      ...(options.trustedDocuments
        ? [
            persistedExchange({
              enforcePersistedQueries: true,
              enableForMutation: true,
              enableForSubscriptions: true,
              preferGetForPersistedQueries: false,
              generateHash: (_query, document) => Promise.resolve(documentHash(document)),
            }),
          ]
        : []),
      fetchExchange,
      ...(webSocket
        ? [
            subscriptionExchange({
              forwardSubscription: (request) => ({
                subscribe: (sink) => ({ unsubscribe: webSocket.subscribe({ ...request, query: request.query ?? '' }, sink) }),
              }),
            }),
          ]
        : []),
    ],
  });
}

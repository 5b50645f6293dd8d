import { Client, fetchExchange, gql, subscriptionExchange } from '@urql/core';
import { cacheExchange, type Cache } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import { persistedExchange } from '@urql/exchange-persisted';
import type { Client as WebSocketClient } from 'graphql-ws';
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
 * An urql client with a normalized cache: Task is keyed by id, `tasks` pages merge into one list (Relay cursors),
 * a deleted task leaves every cached list at once, and a new task makes the lists refetch (the server decides
 * where it goes). With trustedDocuments, every operation goes by the hash of its generated document, never its text
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
        keys: { TaskConnection: () => null, TaskEdge: () => null, PageInfo: () => null, TaskEvent: () => null },
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
              const deleted = cache.keyOfEntity({ __typename: 'Task', id: args.id as string });
              for (const { field, connection } of cachedTaskLists(cache, args.userId)) {
                const edges = (cache.resolve(connection, 'edges') as string[] | null) ?? [];
                const kept = edges.filter((edge) => cache.resolve(edge, 'node') !== deleted);
                if (kept.length === edges.length) continue;
                cache.link(connection, 'edges', kept);
                const totalCount = cache.resolve(connection, 'totalCount');
                if (typeof totalCount === 'number') {
                  cache.updateQuery({ query: TaskListTotal, variables: field.arguments ?? {} }, () => ({
                    tasks: { __typename: 'TaskConnection', totalCount: totalCount - 1 },
                  }));
                }
              }
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

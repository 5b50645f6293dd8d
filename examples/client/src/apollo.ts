import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, type Reference } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { relayStylePagination } from '@apollo/client/utilities';
import { OperationTypeNode } from 'graphql';
import type { Client as WebSocketClient } from 'graphql-ws';
import { applyBulkWrite, type BulkWrite, bulkWriteEffect, type CachedListArgs } from './task-lists.js';
import { documentHash } from './trusted-documents.js';

/**
 * Sends every operation as the hash of its generated document, never its text, for a server with TRUSTED_DOCUMENTS.
 * Apollo's persisted query link does automatic persisted queries by default (send the text when the server does
 * not know the hash); here it never falls back to the text.
 */
export function trustedDocumentsLink(): PersistedQueryLink {
  return new PersistedQueryLink({ generateHash: documentHash, disable: () => false, retry: () => false });
}

/**
 * An Apollo client (core, no React) with a normalized cache: Task is keyed by id (Apollo's default `Task:<id>`),
 * pages of `tasks` merge into one list per user and filter, removeTaskFromCache takes a deleted task out of every list,
 * and applyBulkWriteToCache does the same for the bulk mutations.
 * With trustedDocuments, operations go by hash (see trustedDocumentsLink); over HTTP only, since GraphQLWsLink always
 * sends the document text.
 *
 * With a graphql-ws client (`createClient({ url: 'ws://host:4000/graphql', connectionParams })`), subscriptions go
 * over WebSocket and queries and mutations over HTTP (a split link); without one, subscriptions are not available
 * through Apollo's HttpLink.
 */
export function createApolloClient(
  uri: string,
  options: { trustedDocuments?: boolean; webSocket?: WebSocketClient } = {},
): ApolloClient {
  const http = options.trustedDocuments ? trustedDocumentsLink().concat(new HttpLink({ uri })) : new HttpLink({ uri });
  return new ApolloClient({
    link: options.webSocket
      ? ApolloLink.split(
          (operation) => operation.operationType === OperationTypeNode.SUBSCRIPTION,
          new GraphQLWsLink(options.webSocket),
          http,
        )
      : http,
    cache: new InMemoryCache({
      typePolicies: {
        Query: { fields: { tasks: relayStylePagination(['userId', 'filter', 'orderBy']) } },
      },
    }),
  });
}

interface CachedTaskList {
  totalCount?: number;
  edges?: { node: Reference }[];
  pageInfo?: { hasNextPage?: boolean };
}

/** The key arguments of a cached `tasks` field, from its store name (`tasks:{"filter":…,"userId":…}`). */
function listArgsOf(storeFieldName: string): CachedListArgs & { userId?: string } {
  const json = storeFieldName.slice(storeFieldName.indexOf(':') + 1);
  return json.startsWith('{') ? (JSON.parse(json) as CachedListArgs & { userId?: string }) : {};
}

/**
 * After setTasksCompleted, deleteTasks or deleteCompletedTasks: brings every cached list of the user up to date
 * (edges and totalCount) without a request where the cache can know the answer; a list it cannot know (tasks join a
 * filtered list, or a leaving task may sit in a page not loaded yet) is dropped, so a watching query refetches it.
 * Deleted tasks also leave the cache itself.
 */
export function applyBulkWriteToCache(client: ApolloClient, userId: string | undefined, write: BulkWrite): void {
  client.cache.modify<{ tasks: CachedTaskList }>({
    id: 'ROOT_QUERY',
    fields: {
      tasks(existing, { readField, storeFieldName, DELETE }) {
        const args = listArgsOf(storeFieldName);
        if (userId !== undefined && args.userId !== userId) return existing;
        const list = existing as CachedTaskList;
        const result = applyBulkWrite(
          { edges: list.edges ?? [], totalCount: list.totalCount, hasNextPage: list.pageInfo?.hasNextPage },
          (edge) => readField<string>('id', edge.node),
          bulkWriteEffect(write, args),
        );
        if (result === 'refetch') return DELETE;
        if (result.edges.length === list.edges?.length) return existing;
        return { ...list, edges: result.edges, totalCount: result.totalCount ?? undefined };
      },
    },
  });
  if (write.kind !== 'deleted') return;
  for (const id of write.ids) client.cache.evict({ id: client.cache.identify({ __typename: 'Task', id }) });
  client.cache.gc();
}

/** After deleteTask: drop the task from every cached list (and its count), then from the cache itself. */
export function removeTaskFromCache(client: ApolloClient, id: string): void {
  applyBulkWriteToCache(client, undefined, { kind: 'deleted', ids: [id] });
}

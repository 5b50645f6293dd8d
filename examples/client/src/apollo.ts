import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, type Reference } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { relayStylePagination } from '@apollo/client/utilities';
import { OperationTypeNode } from 'graphql';
import type { Client as WebSocketClient } from 'graphql-ws';
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
 * pages of `tasks` merge into one list per user and filter, and removeTaskFromCache takes a deleted task out of every list.
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
}

/** After deleteTask: drop the task from every cached list (and its count), then from the cache itself. */
export function removeTaskFromCache(client: ApolloClient, id: string): void {
  client.cache.modify<{ tasks: CachedTaskList }>({
    id: 'ROOT_QUERY',
    fields: {
      tasks(existing, { readField }) {
        const list = existing as CachedTaskList;
        const edges = list.edges ?? [];
        const kept = edges.filter((edge) => readField('id', edge.node) !== id);
        if (kept.length === edges.length) return existing;
        return { ...list, edges: kept, totalCount: list.totalCount === undefined ? undefined : list.totalCount - 1 };
      },
    },
  });
  client.cache.evict({ id: client.cache.identify({ __typename: 'Task', id }) });
  client.cache.gc();
}

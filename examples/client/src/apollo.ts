import { ApolloClient, HttpLink, InMemoryCache, type Reference } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { relayStylePagination } from '@apollo/client/utilities';
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
 * With trustedDocuments, operations go by hash (see trustedDocumentsLink).
 */
export function createApolloClient(uri: string, options: { trustedDocuments?: boolean } = {}): ApolloClient {
  const http = new HttpLink({ uri });
  return new ApolloClient({
    link: options.trustedDocuments ? trustedDocumentsLink().concat(http) : http,
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

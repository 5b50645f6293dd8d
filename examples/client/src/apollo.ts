import { ApolloClient, HttpLink, InMemoryCache, type Reference } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';

/**
 * An Apollo client (core, no React) with a normalized cache: Task is keyed by id (Apollo's default `Task:<id>`),
 * pages of `tasks` merge into one list per user and filter, and removeTaskFromCache takes a deleted task out of every list.
 */
export function createApolloClient(uri: string): ApolloClient {
  return new ApolloClient({
    link: new HttpLink({ uri }),
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

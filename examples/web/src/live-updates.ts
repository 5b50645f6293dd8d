import type { ApolloCache } from '@apollo/client';
import {
  type TaskEventType,
  type TaskFilter,
  type TaskItemFragment,
  TaskItemFragmentDoc,
  TaskListDocument,
  type TaskListQuery,
} from './gql/graphql';

export const pageSize = 10;

/** The list on screen: the user's tasks under one filter, as many pages as "load more" fetched. */
export interface VisibleList {
  userId: string;
  filter: TaskFilter;
}

export interface TaskChange {
  type: TaskEventType;
  task: TaskItemFragment;
}

/** The server's filter, evaluated on one task: completed equals, search is a case-insensitive substring of title or description. */
export function matchesFilter(task: TaskItemFragment, filter: TaskFilter): boolean {
  if (typeof filter.completed === 'boolean' && task.completed !== filter.completed) return false;
  const search = filter.search?.toLowerCase();
  if (!search) return true;
  return task.title.toLowerCase().includes(search) || (task.description ?? '').toLowerCase().includes(search);
}

/** Newest first, ties broken by id, as the server orders a list. */
function isNewer(a: TaskItemFragment, b: TaskItemFragment): boolean {
  return a.createdAt === b.createdAt ? a.id > b.id : a.createdAt > b.createdAt;
}

/**
 * The list after a change to one task, or null when the change does not affect it. Idempotent: a change that the
 * mutation's own answer already applied, arriving again as an event, changes nothing. Counts stay exact: a task
 * that sorts below the loaded pages is left to "load more", and only counted when it is known to match.
 */
export function mergeTaskChange(list: TaskListQuery, change: TaskChange, filter: TaskFilter): TaskListQuery | null {
  const { edges, totalCount, pageInfo } = list.tasks;
  const index = edges.findIndex((edge) => edge.node.id === change.task.id);
  const matches = matchesFilter(change.task, filter);
  const position = edges.findIndex((edge) => isNewer(change.task, edge.node));
  const insideLoadedPages = position >= 0 || !pageInfo.hasNextPage;
  const withTasks = (nextEdges: typeof edges, nextCount: number): TaskListQuery => ({
    ...list,
    tasks: { ...list.tasks, edges: nextEdges, totalCount: Math.max(0, nextCount) },
  });

  if (change.type === 'DELETED') {
    if (index >= 0) return withTasks(edges.toSpliced(index, 1), totalCount - 1);
    return matches && !insideLoadedPages ? withTasks(edges, totalCount - 1) : null;
  }
  if (index >= 0) {
    // Still in the list: the normalized Task already shows the change.
    return matches ? null : withTasks(edges.toSpliced(index, 1), totalCount - 1);
  }
  // A task already counted among the unloaded pages cannot be told from a newly matching one: leave it to the server.
  if (!matches || !insideLoadedPages) return null;
  // The server gives each edge a cursor; "load more" only uses the page's endCursor, which stays as it was.
  const edge = { __typename: 'TaskEdge' as const, cursor: '', node: change.task };
  return withTasks(edges.toSpliced(position >= 0 ? position : edges.length, 0, edge), totalCount + 1);
}

/**
 * Applies a change (from a mutation's answer or from the taskEvents stream) to the cache: the Task object is
 * written once, so every list showing it updates; the visible list gains, keeps or loses it and its count moves;
 * a deleted task is evicted, which takes it out of every other cached list too. Lists of other filters are not
 * re-evaluated here: they are refetched when shown again (cache-and-network).
 *
 * Returns false when the visible list was not in the cache yet (its first page still on the way, and maybe read
 * before this change): the caller refetches it.
 */
export function applyTaskChange(cache: ApolloCache, visible: VisibleList, change: TaskChange): boolean {
  if (change.type !== 'DELETED') cache.writeFragment({ fragment: TaskItemFragmentDoc, data: change.task });
  let listCached = false;
  cache.updateQuery({ query: TaskListDocument, variables: { ...visible, first: pageSize } }, (list) => {
    listCached = list !== null;
    return list ? (mergeTaskChange(list, change, visible.filter) ?? undefined) : undefined;
  });
  if (change.type === 'DELETED') {
    cache.evict({ id: cache.identify(change.task) });
    cache.gc();
  }
  return listCached;
}

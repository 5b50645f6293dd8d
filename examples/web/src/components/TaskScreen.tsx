import { CombinedGraphQLErrors } from '@apollo/client';
import { useApolloClient, useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useEffect, useId, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { ConnectionStatus } from '../connection-status';
import {
  ClearCompletedDocument,
  MarkTasksDoneDocument,
  type TaskFilter,
  TaskEventsDocument,
  TaskItemFragmentDoc,
  TaskListDocument,
} from '../gql/graphql';
import { applyTaskChange, pageSize, type VisibleList } from '../live-updates';
import { NewTaskForm } from './NewTaskForm';
import { StatusBanner } from './StatusBanner';
import { TaskItem } from './TaskItem';

type View = 'all' | 'open' | 'done';
const views: { value: View; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'open', label: 'Open' },
  { value: 'done', label: 'Done' },
];

// Built without undefined members: the cache keys each list by its exact filter.
function filterOf(view: View, search: string): TaskFilter {
  return {
    ...(view === 'all' ? {} : { completed: view === 'done' }),
    ...(search ? { search } : {}),
  };
}

function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

const recoveryPollMs = 2000;
const resubscribeDelayMs = 1000;

export function TaskScreen({ userId, status }: { userId: string; status: ConnectionStatus }) {
  const client = useApolloClient();
  const connection = useSyncExternalStore(status.subscribe, status.get);
  const [view, setView] = useState<View>('all');
  const [searchText, setSearchText] = useState('');
  const search = useDebounced(searchText.trim(), 250);
  const filter = useMemo(() => filterOf(view, search), [view, search]);
  const visible = useMemo<VisibleList>(() => ({ userId, filter }), [userId, filter]);
  const visibleRef = useRef(visible);
  visibleRef.current = visible;
  const [liveProblem, setLiveProblem] = useState<string>();
  const ids = { heading: useId(), search: useId(), count: useId() };

  const list = useQuery(TaskListDocument, {
    variables: { userId, first: pageSize, filter },
    // A list seen before shows at once and is refreshed: changes to other filters' lists are not merged live.
    fetchPolicy: 'cache-and-network',
    nextFetchPolicy: 'cache-first',
    notifyOnNetworkStatusChange: true,
  });

  // Events go into the cache by hand (applyTaskChange), so the subscription's own results are not cached.
  const live = useSubscription(TaskEventsDocument, {
    variables: { userId },
    fetchPolicy: 'no-cache',
    onData: ({ client: apollo, data }) => {
      const event = data.data?.taskEvents;
      if (event && !applyTaskChange(apollo.cache, visibleRef.current, event)) {
        void apollo.refetchQueries({ include: 'active' }).catch(() => undefined);
      }
    },
    onError: (error) => {
      // Network failures show in the banner and end in a resubscription; a refusal (FORBIDDEN, ...) is final.
      if (CombinedGraphQLErrors.is(error)) setLiveProblem(error.errors[0]?.message ?? error.message);
    },
    // The server ends streams when it shuts down: follow again (and fail into the banner if it is gone).
    onComplete: () => setTimeout(() => restartLive.current(), resubscribeDelayMs),
  });
  const restartLive = useRef(live.restart);
  restartLive.current = live.restart;

  // While the banner shows, ask again every few seconds; the first answer clears it.
  useEffect(() => {
    if (connection === 'ok') return;
    const timer = setInterval(() => void client.refetchQueries({ include: 'active' }).catch(() => undefined), recoveryPollMs);
    return () => clearInterval(timer);
  }, [connection, client]);

  // Back from an outage: follow events again, and catch up on what happened meanwhile (nothing is replayed).
  const previousConnection = useRef(connection);
  useEffect(() => {
    const wasDown = previousConnection.current !== 'ok';
    previousConnection.current = connection;
    if (wasDown && connection === 'ok') {
      restartLive.current();
      void client.refetchQueries({ include: 'active' }).catch(() => undefined);
    }
  }, [connection, client]);

  const tasks = list.data?.tasks;
  const loadingMore = list.networkStatus === 3;
  const [markTasksDone, { loading: marking }] = useMutation(MarkTasksDoneDocument);
  const [clearCompleted, { loading: clearing }] = useMutation(ClearCompletedDocument);
  const [bulkProblem, setBulkProblem] = useState<string>();
  // The open tasks on screen (a bulk write names at most 100).
  const openIds = (tasks?.edges ?? []).filter(({ node }) => !node.completed).map(({ node }) => node.id).slice(0, 100);

  const markAllDone = async () => {
    try {
      await markTasksDone({
        variables: { userId, ids: openIds },
        update: (cache, { data }) => {
          for (const task of data?.setTasksCompleted.tasks ?? []) applyTaskChange(cache, visible, { type: 'UPDATED', task });
        },
      });
      setBulkProblem(undefined);
    } catch (error) {
      setBulkProblem(error instanceof Error ? error.message : 'The tasks could not be marked done.');
    }
  };

  const clearAllCompleted = async () => {
    try {
      await clearCompleted({
        variables: { userId },
        update: (cache, { data }) => {
          let allKnown = true;
          for (const id of data?.deleteCompletedTasks.deletedIds ?? []) {
            const task = cache.readFragment({ id: cache.identify({ __typename: 'Task', id }), fragment: TaskItemFragmentDoc });
            if (task) applyTaskChange(cache, visible, { type: 'DELETED', task });
            else allKnown = false;
          }
          // Tasks this screen never loaded may have counted in a list: the server knows the count.
          if (!allKnown) void client.refetchQueries({ include: 'active' }).catch(() => undefined);
        },
      });
      setBulkProblem(undefined);
    } catch (error) {
      setBulkProblem(error instanceof Error ? error.message : 'The completed tasks could not be cleared.');
    }
  };

  return (
    <main>
      <StatusBanner state={connection} />
      {liveProblem && (
        <p className="notice" role="alert">
          Live updates are off: {liveProblem}
        </p>
      )}
      <NewTaskForm userId={userId} visible={visible} />

      <section className="card" aria-labelledby={ids.heading}>
        <h2 id={ids.heading}>Your tasks</h2>
        <div className="toolbar">
          <fieldset className="views">
            <legend>Show</legend>
            <div className="view-options">
              {views.map((option) => (
                <label key={option.value}>
                  <input type="radio" name="view" value={option.value} checked={view === option.value} onChange={() => setView(option.value)} />
                  {option.label}
                </label>
              ))}
            </div>
          </fieldset>
          <div className="field search">
            <label htmlFor={ids.search}>Search</label>
            <input id={ids.search} type="search" value={searchText} onChange={(event) => setSearchText(event.target.value)} />
          </div>
        </div>

        <div className="task-actions bulk">
          <button type="button" disabled={marking || openIds.length === 0} onClick={() => void markAllDone()}>
            Mark all done
          </button>
          <button type="button" disabled={clearing} onClick={() => void clearAllCompleted()}>
            Clear completed
          </button>
        </div>
        {bulkProblem && (
          <p className="field-error" role="alert">
            {bulkProblem}
          </p>
        )}
        <p id={ids.count} className="count" aria-live="polite">
          {tasks ? `${tasks.totalCount} ${tasks.totalCount === 1 ? 'task' : 'tasks'}` : list.loading ? 'Loading…' : ''}
        </p>
        {list.error && !tasks && connection === 'ok' && <p role="alert">The tasks could not be loaded: {list.error.message}</p>}
        {tasks && tasks.edges.length > 0 && (
          <ul className="tasks" aria-describedby={ids.count}>
            {tasks.edges.map(({ node }) => (
              <TaskItem key={node.id} task={node} userId={userId} visible={visible} />
            ))}
          </ul>
        )}
        {tasks?.edges.length === 0 && <p className="empty">{search || view !== 'all' ? 'No task matches.' : 'Nothing to do yet.'}</p>}
        {tasks?.pageInfo.hasNextPage && (
          <button
            type="button"
            disabled={loadingMore}
            onClick={() => void list.fetchMore({ variables: { after: tasks.pageInfo.endCursor } }).catch(() => undefined)}
          >
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        )}
      </section>
    </main>
  );
}

import { createClient } from 'graphql-sse';
import { type ClientOptions as WebSocketClientOptions, createClient as createWebSocketClient } from 'graphql-ws';
import { WebSocket } from 'ws';

export interface TaskEventResult {
  type: 'CREATED' | 'UPDATED' | 'DELETED';
  // Selected by taskEventsSubscription; client operations (FollowTasks) select other fields.
  task: { id: string; title: string; description: string | null; completed: boolean; user?: { id: string } };
}

export const taskEventsSubscription = `subscription TaskEvents($userId: ID!) {
  taskEvents(userId: $userId) { type task { id title description completed user { id } } }
}`;

export interface TaskEventStream {
  /** Every event received so far, markers included. */
  received: TaskEventResult[];
  /** Errors the stream ended with, if any. */
  errors: unknown[];
  /** Whether the server completed the stream. */
  completed(): boolean;
  /** Resolves with the first event (from `from` on) that matches, or rejects after the timeout. */
  waitFor(match: (event: TaskEventResult) => boolean, options?: { from?: number; timeoutMs?: number }): Promise<TaskEventResult>;
  /** Events that are not readiness markers. */
  events(): TaskEventResult[];
  /** Drops the connection, as a client going away does. */
  close(): void;
}

export const markerPrefix = '__ready ';

export interface EventSink {
  next(result: { data?: { taskEvents: TaskEventResult } | null; errors?: readonly unknown[] }): void;
  error(error: unknown): void;
  complete(): void;
}

/** Collects what a subscription delivers (any client's); `subscribe` starts it and returns what stops it. */
export function collectTaskEvents(subscribe: (sink: EventSink) => () => void): TaskEventStream {
  const received: TaskEventResult[] = [];
  const errors: unknown[] = [];
  let completed = false;
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of waiters) waiter();
  };
  const stop = subscribe({
    next: (result) => {
      if (result.errors) errors.push(...result.errors);
      if (result.data) received.push(result.data.taskEvents);
      notify();
    },
    error: (error) => {
      errors.push(error);
      notify();
    },
    complete: () => {
      completed = true;
      notify();
    },
  });
  return {
    received,
    errors,
    completed: () => completed,
    events: () => received.filter((event) => !event.task.title.startsWith(markerPrefix)),
    waitFor(match, { from = 0, timeoutMs = 10_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = received.slice(from).find(match);
          if (found) finish(() => resolve(found));
          else if (errors.length > 0) finish(() => reject(new Error(`the stream failed: ${JSON.stringify(errors)}`)));
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(received)}`))),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    close: stop,
  };
}

/**
 * Subscribes to taskEvents with graphql-sse's client (distinct connections mode, which Yoga serves natively) and
 * collects what arrives.
 */
export function subscribeTaskEvents(options: {
  url: string;
  userId: string;
  fetchFn?: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
  headers?: Record<string, string>;
}): TaskEventStream {
  const client = createClient({ url: options.url, fetchFn: options.fetchFn, headers: options.headers, retryAttempts: 0 });
  return collectTaskEvents((sink) => {
    const dispose = client.subscribe<{ taskEvents: TaskEventResult }>(
      { query: taskEventsSubscription, variables: { userId: options.userId } },
      sink,
    );
    return () => {
      dispose();
      client.dispose();
    };
  });
}

export interface WebSocketTaskEventStream extends TaskEventStream {
  /** How the server closed the socket, once it has. */
  closedWith(): { code: number; reason: string } | undefined;
}

/** Subscribes to taskEvents over WebSocket with graphql-ws's client (graphql-transport-ws) and collects what arrives. */
export function subscribeTaskEventsOverWebSocket(options: {
  url: string;
  userId: string;
  connectionParams?: Record<string, unknown>;
  clientOptions?: Partial<WebSocketClientOptions>;
}): WebSocketTaskEventStream {
  let closedWith: { code: number; reason: string } | undefined;
  const client = createWebSocketClient({
    url: options.url,
    webSocketImpl: WebSocket,
    connectionParams: options.connectionParams,
    retryAttempts: 0,
    ...options.clientOptions,
    on: {
      ...options.clientOptions?.on,
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string | Buffer };
        closedWith = { code, reason: String(reason) };
        options.clientOptions?.on?.closed?.(event);
      },
    },
  });
  const stream = collectTaskEvents((sink) => {
    const dispose = client.subscribe<{ taskEvents: TaskEventResult }>(
      { query: taskEventsSubscription, variables: { userId: options.userId } },
      sink,
    );
    return () => {
      dispose();
      void client.dispose();
    };
  });
  return { ...stream, closedWith: () => closedWith };
}

/**
 * A subscription is live once the server delivers on it. Creates marker tasks until one is heard; SSE gives no
 * other signal that the server-side subscription (and, with Redis, the SUBSCRIBE) is in place.
 */
export async function untilLive(stream: TaskEventStream, createMarker: (title: string) => Promise<unknown>): Promise<void> {
  // Only a marker created now proves the subscription live: one heard before (say, before a reconnect) does not.
  const from = stream.received.length;
  for (let attempt = 1; attempt <= 40; attempt += 1) {
    const title = `${markerPrefix}${attempt}`;
    await createMarker(title);
    try {
      await stream.waitFor((event) => event.task.title.startsWith(markerPrefix), { from, timeoutMs: 250 });
      return;
    } catch {
      if (stream.errors.length > 0) throw new Error(`the subscription failed: ${JSON.stringify(stream.errors)}`);
    }
  }
  throw new Error('the subscription never delivered an event');
}

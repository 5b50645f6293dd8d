import { createTaskMutation } from './operations.js';

/** What one HTTP request ended with, as a client sees it. */
export type RequestOutcome =
  | { kind: 'response'; status: number; body: unknown; connectionClose: boolean }
  /** No connection was made: nothing was sent, the request is safe to retry anywhere. */
  | { kind: 'refused' }
  /** Anything else (reset, socket closed mid-request, timeout): the client cannot know what happened. */
  | { kind: 'broken'; reason: string };

export interface RequestOptions {
  timeoutMs?: number;
  /** Open a new connection for this request and close it after the answer, instead of reusing a pooled one. */
  freshConnection?: boolean;
}

/** Sends a request with Node's fetch (keep-alive connections, like most Node clients, unless asked otherwise). */
export async function send(
  url: string,
  init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
  { timeoutMs = 20_000, freshConnection = false }: RequestOptions = {},
): Promise<RequestOutcome> {
  try {
    const response = await fetch(url, {
      ...init,
      headers: { ...init.headers, ...(freshConnection ? { connection: 'close' } : {}) },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    return {
      kind: 'response',
      status: response.status,
      body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
      connectionClose: response.headers.get('connection')?.toLowerCase() === 'close',
    };
  } catch (error) {
    const cause = error instanceof Error ? error.cause : undefined;
    const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined;
    const syscall = typeof cause === 'object' && cause !== null && 'syscall' in cause ? String(cause.syscall) : undefined;
    // A reset while connecting (the listener closed mid-handshake) also means nothing was sent.
    if (code === 'ECONNREFUSED' || (code === 'ECONNRESET' && syscall === 'connect')) return { kind: 'refused' };
    const message = error instanceof Error ? error.message : String(error);
    const causeMessage = cause instanceof Error ? cause.message : '';
    return { kind: 'broken', reason: [message, code, causeMessage].filter(Boolean).join(' / ') };
  }
}

/** POSTs a GraphQL operation to `${url}/graphql`. */
export function postOperation(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  options?: RequestOptions,
): Promise<RequestOutcome> {
  return send(
    `${url}/graphql`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query, variables }),
    },
    options,
  );
}

export interface GraphQLBody<Data> {
  data?: Data | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export function graphQLBody<Data>(outcome: RequestOutcome): GraphQLBody<Data> | undefined {
  return outcome.kind === 'response' ? (outcome.body as GraphQLBody<Data>) : undefined;
}

/** POSTs a GraphQL operation and resolves with the answer's body; rejects when no answer came. */
export async function postGraphQL<Data>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLBody<Data>> {
  const outcome = await postOperation(url, query, variables);
  const body = graphQLBody<Data>(outcome);
  if (!body) throw new Error(`no GraphQL answer: ${JSON.stringify(outcome)}`);
  return body;
}

/**
 * Clients creating tasks back to back (each for its own user) until `isLast` says an outcome ends that client, or
 * a minute passes. Clients for which `freshConnection` says so open a new connection for every request;
 * the others share Node's keep-alive pool. The ids the server acknowledged go to `acknowledged` as they arrive;
 * resolves with every outcome.
 */
export function createTasksUntil(
  url: string,
  options: {
    clients: number;
    userPrefix: string;
    acknowledged: string[];
    isLast: (outcome: RequestOutcome, id?: string) => boolean;
    freshConnection?: (client: number) => boolean;
  },
): Promise<RequestOutcome[]> {
  const outcomes: RequestOutcome[] = [];
  const deadline = Date.now() + 60_000;
  return Promise.all(
    Array.from({ length: options.clients }, async (_, client) => {
      for (let index = 0; Date.now() < deadline; index += 1) {
        const outcome = await postOperation(
          url,
          createTaskMutation,
          { userId: `${options.userPrefix}-${client}`, input: { title: `task ${index}` } },
          { freshConnection: options.freshConnection?.(client) },
        );
        outcomes.push(outcome);
        const id = graphQLBody<{ createTask: { id: string } }>(outcome)?.data?.createTask.id;
        if (id) options.acknowledged.push(id);
        if (options.isLast(outcome, id)) return;
      }
    }),
  ).then(() => outcomes);
}

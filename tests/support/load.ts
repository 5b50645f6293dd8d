/** What one HTTP request ended with, as a client sees it. */
export type RequestOutcome =
  | { kind: 'response'; status: number; body: unknown; connectionClose: boolean }
  /** No connection was made: nothing was sent, the request is safe to retry anywhere. */
  | { kind: 'refused' }
  /** Anything else (reset, socket closed mid-request, timeout): the client cannot know what happened. */
  | { kind: 'broken'; reason: string };

export interface PostOptions {
  timeoutMs?: number;
  /** Open a new connection for this request and close it after the answer, instead of reusing a pooled one. */
  freshConnection?: boolean;
}

/** POSTs a GraphQL operation with Node's fetch (keep-alive connections, like most Node clients, unless asked). */
export async function postOperation(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  { timeoutMs = 20_000, freshConnection = false }: PostOptions = {},
): Promise<RequestOutcome> {
  try {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...(freshConnection ? { connection: 'close' } : {}),
      },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body: unknown = await response.json();
    return {
      kind: 'response',
      status: response.status,
      body,
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

export interface GraphQLBody<Data> {
  data?: Data | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export function graphQLBody<Data>(outcome: RequestOutcome): GraphQLBody<Data> | undefined {
  return outcome.kind === 'response' ? (outcome.body as GraphQLBody<Data>) : undefined;
}

const createTaskDocument = `mutation CreateTask($userId: ID!, $input: CreateTaskInput!) {
  createTask(userId: $userId, input: $input) { id }
}`;

/**
 * Clients creating tasks back to back (each for its own user) until `isLast` says an outcome ends that client, or
 * `forMs` (a minute) passes. Clients for which `freshConnection` says so open a new connection for every request;
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
    forMs?: number;
  },
): Promise<RequestOutcome[]> {
  const outcomes: RequestOutcome[] = [];
  const deadline = Date.now() + (options.forMs ?? 60_000);
  return Promise.all(
    Array.from({ length: options.clients }, async (_, client) => {
      for (let index = 0; Date.now() < deadline; index += 1) {
        const outcome = await postOperation(
          url,
          createTaskDocument,
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

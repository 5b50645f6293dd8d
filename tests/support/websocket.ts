import { type Client, createClient, type FormattedExecutionResult } from 'graphql-ws';
import { WebSocket } from 'ws';

type Result = FormattedExecutionResult<Record<string, unknown>, unknown>;

export const graphqlTransportWs = 'graphql-transport-ws';

/** A graphql-ws client (the one Apollo's GraphQLWsLink and urql's recipe wrap) that does not retry. */
export function webSocketClient(url: string, connectionParams?: Record<string, unknown>): Client {
  return createClient({ url, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
}

export interface OperationOutcome {
  /** `next` payloads, in order. */
  results: Result[];
  /** The `error` message's errors, or what ended the socket. */
  error?: unknown;
}

/** Runs one operation to its end (complete, error or a closed socket) and returns everything it delivered. */
export function runOverWebSocket(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
  options: { until?: (results: Result[]) => boolean; extensions?: Record<string, unknown> } = {},
): Promise<OperationOutcome> {
  return new Promise((resolve) => {
    const results: Result[] = [];
    const stop = client.subscribe(
      { query, variables, extensions: options.extensions },
      {
        next: (result) => {
          results.push(result);
          if (options.until?.(results)) {
            stop();
            resolve({ results });
          }
        },
        error: (error) => resolve({ results, error }),
        complete: () => resolve({ results }),
      },
    );
  });
}

/** The `extensions.code` of the first error an outcome carries, from a `next` payload or an `error` message. */
export function errorCodeOf(outcome: OperationOutcome): unknown {
  const fromNext = outcome.results.find((result) => result.errors)?.errors?.[0]?.extensions?.code;
  if (fromNext !== undefined) return fromNext;
  const errors = Array.isArray(outcome.error) ? (outcome.error as { extensions?: Record<string, unknown> }[]) : [];
  return errors[0]?.extensions?.code;
}

export interface RawSocket {
  socket: WebSocket;
  send(message: unknown): void;
  /** Every message received so far, parsed. */
  messages: { type: string; id?: string; payload?: unknown }[];
  /** Resolves with the first message (from the start) that matches; rejects if the socket closes first. */
  waitForMessage(match: (message: { type: string; id?: string; payload?: unknown }) => boolean): Promise<{ type: string; id?: string; payload?: unknown }>;
  closed: Promise<{ code: number; reason: string }>;
}

/** A socket speaking the protocol by hand, for what a well-behaved client never does. */
export async function openRawSocket(
  url: string,
  protocol: string = graphqlTransportWs,
  headers: Record<string, string> = {},
): Promise<RawSocket> {
  const socket = new WebSocket(url, protocol, { headers });
  const messages: RawSocket['messages'] = [];
  const listeners = new Set<() => void>();
  socket.on('message', (data: Buffer) => {
    messages.push(JSON.parse(data.toString('utf8')) as RawSocket['messages'][number]);
    for (const listener of listeners) listener();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.once('close', (code, reason) => {
      resolve({ code, reason: reason.toString('utf8') });
      for (const listener of listeners) listener();
    });
  });
  // A client error (e.g. the server cut the connection) also ends in 'close'.
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused with ${response.statusCode}`)));
  });
  return {
    socket,
    send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    messages,
    waitForMessage: (match) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(match);
          if (found) {
            listeners.delete(check);
            resolve(found);
          } else if (socket.readyState === WebSocket.CLOSED) {
            listeners.delete(check);
            reject(new Error(`the socket closed first; got ${JSON.stringify(messages)}`));
          }
        };
        listeners.add(check);
        check();
      }),
    closed,
  };
}

/** Tries an upgrade that the server should refuse; resolves with the HTTP answer. */
export function refusedUpgrade(
  url: string,
  protocols?: string | string[],
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols, { headers });
    socket.on('error', () => {});
    socket.once('open', () => {
      socket.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
    });
  });
}

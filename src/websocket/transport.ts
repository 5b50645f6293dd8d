import { type ExecutionArgs, type GraphQLFormattedError, GraphQLError, type GraphQLSchema } from 'graphql';
import { CloseCode, GRAPHQL_TRANSPORT_WS_PROTOCOL, type ServerOptions } from 'graphql-ws';
import type { Access } from '../access.js';
import type { Config, CorsConfig } from '../config.js';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { type BearerIdentity, createTokenVerifier } from '../plugins/auth.js';
import { allowsOrigin } from '../plugins/cors.js';
import { clientAddress } from '../plugins/rate-limit.js';
import { trustedDocumentText } from '../plugins/trusted-documents.js';
import type { Yoga } from '../yoga.js';

/**
 * What the checks need of an open socket. `ws`'s WebSocket (src/websocket/node.ts) and Bun's ServerWebSocket
 * (src/websocket/bun.ts) both have it, with the standard ready states.
 */
export interface ManagedSocket {
  readonly readyState: number;
  close(code?: number, reason?: string): void;
  /** Cuts the connection without a close handshake. */
  terminate(): void;
}

/** An upgrade request as each server gives it, before the socket exists. */
export interface UpgradeRequest {
  url: URL;
  headers: Headers;
  /** The server's own request object, given to Yoga as the server context's `req` (where the client address is read). */
  req: unknown;
}

/** An upgrade answered as a plain HTTP error (a GraphQL error body), so that no socket is ever opened. */
export interface UpgradeRefusal {
  status: number;
  code: ErrorCode;
  message: string;
  headers: Record<string, string>;
}

/** The state of an accepted socket, from its upgrade to its close. */
export interface Connection {
  url: string;
  headers: Headers;
  address: string;
  req: unknown;
  openedAt: number;
  identity?: BearerIdentity;
  expiryTimer?: NodeJS.Timeout;
}

/** The graphql-ws `extra` both adapters provide. */
export interface SocketExtra {
  readonly socket: ManagedSocket;
}

export interface WebSocketTransport {
  /** Messages above the HTTP body limit (MAX_BODY_BYTES) close the socket with 1009 (Message Too Big). */
  readonly maxMessageBytes: number;
  /** For the adapters' own events (protocol errors, failed upgrades). */
  readonly logger: Logger;
  /** graphql-ws's server options: identity, rate limits, trusted documents and Yoga's plugins on every operation. */
  readonly serverOptions: ServerOptions<Record<string, unknown>, SocketExtra>;
  /** Decides an upgrade, counting it against the address's rate limit; resolves with the new socket's state or a refusal. */
  admit(upgrade: UpgradeRequest): Promise<Connection | UpgradeRefusal>;
  /** The upgrade completed: the socket is counted, and closed by `closeSockets`. */
  opened(socket: ManagedSocket, connection: Connection): void;
  /** A message arrived; false when the socket is flooding (it is being closed) and the message must be dropped. */
  received(socket: ManagedSocket): boolean;
  /** The socket has closed. */
  closed(socket: ManagedSocket): void;
  /**
   * Refuses new sockets and closes the open ones with 1001 (Going Away), which ends their subscriptions on the server;
   * graphql-ws clients take 1001 as a reason to reconnect and resubscribe. Resolves once every socket is closed.
   */
  closeSockets(): Promise<void>;
  openSockets(): number;
}

export interface WebSocketDependencies {
  yoga: Yoga;
  access: Access;
  config: Pick<Config, 'auth' | 'limits' | 'trustProxy' | 'websocket' | 'cors' | 'trustedDocuments'>;
  logger: Logger;
}

/** Standard WebSocket close codes (RFC 6455, IANA) that graphql-ws does not name. */
const SocketClose = { GoingAway: 1001, PolicyViolation: 1008, TryAgainLater: 1013 } as const;
const openState = 1;

// A socket sending more than this is flooding, whatever the rate limit says: graphql-ws clients send a handful of
// messages per operation, and pings every few seconds at most.
const floodWindowMs = 1000;
const floodMaxMessages = 100;
/** graphql-ws's own default: the server pings every 12 s and drops a socket that has not answered the previous ping. */
export const keepAliveMs = 12_000;
// How long a closed socket may take to answer the close frame before it is cut.
const closeGraceMs = 1000;
// setTimeout fires at once for delays beyond this (about 24.8 days).
const longestTimerMs = 2 ** 31 - 1;

const shuttingDown = (): UpgradeRefusal => ({
  status: 503,
  code: ErrorCode.ServiceUnavailable,
  message: 'The server is shutting down. Reconnect.',
  headers: { 'Retry-After': '1' },
});

export function isRefusal(verdict: Connection | UpgradeRefusal): verdict is UpgradeRefusal {
  return 'status' in verdict;
}

export function refusalBody(refusal: UpgradeRefusal): string {
  return JSON.stringify({ errors: [{ message: refusal.message, extensions: { code: refusal.code } }] });
}

function offersGraphQLTransportWs(headers: Headers): boolean {
  const offered = headers.get('sec-websocket-protocol') ?? '';
  return offered.split(',').some((protocol) => protocol.trim() === GRAPHQL_TRANSPORT_WS_PROTOCOL);
}

/** The checks an upgrade must pass before anything is counted: 'accept' or why it is refused. */
export function upgradeVerdict(
  { url, headers }: Pick<UpgradeRequest, 'url' | 'headers'>,
  { closing, cors, graphqlEndpoint }: { closing: boolean; cors: CorsConfig | null; graphqlEndpoint: string },
): 'accept' | UpgradeRefusal {
  if (closing) return shuttingDown();
  // Browsers send Origin on upgrades but never apply CORS to them: refuse what CORS would not let read an answer.
  if (!allowsOrigin(cors, headers.get('origin') ?? undefined, headers.get('host') ?? undefined)) {
    return { status: 403, code: ErrorCode.Forbidden, message: 'This origin may not use the API (CORS_ORIGINS).', headers: {} };
  }
  if (url.pathname !== graphqlEndpoint) {
    return { status: 404, code: ErrorCode.NotFound, message: `WebSocket is served on ${graphqlEndpoint} only.`, headers: {} };
  }
  // graphql-ws's Bun adapter cannot see the subprotocol once the socket is open: it is checked here, for both servers.
  if (!offersGraphQLTransportWs(headers)) {
    return {
      status: 400,
      code: ErrorCode.BadRequest,
      message: `Only the ${GRAPHQL_TRANSPORT_WS_PROTOCOL} subprotocol (the graphql-ws client) is served; SSE is on the same URL.`,
      headers: {},
    };
  }
  return 'accept';
}

function authorizationOf(connectionParams: Readonly<Record<string, unknown>> | undefined): string | null {
  const value = connectionParams?.authorization ?? connectionParams?.Authorization;
  return typeof value === 'string' ? value : null;
}

// Yoga strips its internal extensions (http: status and headers of refusals; unexpected: a masked error) from HTTP
// responses, in a helper it does not export; the socket gets the same errors.
function withoutInternalExtensions(error: GraphQLError | GraphQLFormattedError): GraphQLFormattedError {
  const formatted = error instanceof GraphQLError ? error.toJSON() : error;
  if (!formatted.extensions || !('http' in formatted.extensions || 'unexpected' in formatted.extensions)) return formatted;
  const { http: _http, unexpected: _unexpected, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}

function refusal(error: unknown): GraphQLError[] {
  if (error instanceof GraphQLError) return [error];
  throw error;
}

/**
 * GraphQL over WebSocket (graphql-transport-ws) with every check of the HTTP API, for any server: an adapter
 * (src/websocket/node.ts, src/websocket/bun.ts) asks `admit` on an upgrade, answers refusals as HTTP errors, and
 * reports the socket's life (`opened`, `received`, `closed`) around graphql-ws's own handler.
 */
export function createWebSocketTransport({ yoga, access, config, logger }: WebSocketDependencies): WebSocketTransport {
  const verifyToken = config.auth ? createTokenVerifier(config.auth, logger) : null;
  const { rateLimit } = access;
  const connections = new WeakMap<ManagedSocket, Connection>();
  const floodWindows = new WeakMap<ManagedSocket, { startedAt: number; messages: number }>();
  const open = new Map<ManagedSocket, Set<() => void>>();
  const enveloped = new WeakMap<ExecutionArgs, ReturnType<Yoga['getEnveloped']>>();
  let closing = false;

  const connectionOf = (socket: ManagedSocket): Connection => {
    const connection = connections.get(socket);
    if (!connection) throw new Error('a socket without connection state');
    return connection;
  };

  const closeAndCut = (socket: ManagedSocket, code: number, reason: string) => {
    socket.close(code, reason);
    setTimeout(() => socket.terminate(), closeGraceMs).unref();
  };

  const closeWhenExpired = (socket: ManagedSocket, connection: Connection, expiresAt: Date) => {
    const delay = expiresAt.getTime() - Date.now();
    connection.expiryTimer = setTimeout(() => {
      if (delay > longestTimerMs) closeWhenExpired(socket, connection, expiresAt);
      else socket.close(CloseCode.Unauthorized, 'Unauthorized: the bearer token expired');
    }, Math.max(0, Math.min(delay, longestTimerMs)));
  };

  const serverOptions: ServerOptions<Record<string, unknown>, SocketExtra> = {
    connectionInitWaitTimeout: config.websocket.initTimeoutMs,
    async onConnect(context) {
      const { socket } = context.extra;
      const connection = connectionOf(socket);
      if (verifyToken) {
        const authorization = authorizationOf(context.connectionParams);
        if (!authorization) {
          socket.close(CloseCode.Unauthorized, 'Unauthorized: send connectionParams { authorization: "Bearer <JWT>" }');
          return false;
        }
        try {
          connection.identity = await verifyToken(authorization);
        } catch (error) {
          // Close reasons are limited to 123 bytes.
          socket.close(CloseCode.Unauthorized, `Unauthorized: ${error instanceof Error ? error.message.slice(0, 100) : 'invalid token'}`);
          return false;
        }
        if (connection.identity.expiresAt) closeWhenExpired(socket, connection, connection.identity.expiresAt);
      }
      if (rateLimit && connection.identity) {
        try {
          await rateLimit.countSubject(connection.identity.subject);
        } catch (error) {
          socket.close(SocketClose.TryAgainLater, error instanceof Error ? error.message.slice(0, 120) : 'Too many requests');
          return false;
        }
      }
      return true;
    },
    async onSubscribe(context, _id, payload) {
      const { socket } = context.extra;
      if (socket.readyState !== openState) {
        return [new GraphQLError('The connection is closing.', { extensions: { code: ErrorCode.ServiceUnavailable } })];
      }
      const { maxSubscriptions } = config.websocket;
      // graphql-ws has already registered this operation.
      if (Object.keys(context.subscriptions).length > maxSubscriptions) {
        return [
          new GraphQLError(`At most ${maxSubscriptions} operations may run at once on one connection.`, {
            extensions: { code: ErrorCode.TooManySubscriptions },
          }),
        ];
      }
      const connection = connectionOf(socket);
      try {
        await rateLimit?.countAddress(connection.address);
        if (connection.identity) await rateLimit?.countSubject(connection.identity.subject);
      } catch (error) {
        return refusal(error);
      }
      // A request per operation, like an HTTP request, so that the plugins keyed by request (subject binding,
      // request ids) see each operation on its own. POST: Yoga refuses mutations sent by GET.
      const request = new Request(connection.url, { method: 'POST', headers: connection.headers });
      const envelope = yoga.getEnveloped({
        request,
        params: payload,
        req: connection.req,
        socket,
        connectionParams: context.connectionParams,
        // What useSubjectBinding reads (BearerContext); undefined without AUTH_*, where no binding runs.
        bearer: connection.identity,
      });
      const schema = envelope.schema as GraphQLSchema;
      let document;
      try {
        // graphql-ws skips Yoga's params phase, where HTTP resolves trusted document hashes.
        const source = config.trustedDocuments ? trustedDocumentText(config.trustedDocuments, { query: payload.query, extensions: payload.extensions ?? undefined }, request) : payload.query;
        document = envelope.parse(source);
      } catch (error) {
        return refusal(error);
      }
      const errors = envelope.validate(schema, document);
      if (errors.length > 0) return errors;
      const args: ExecutionArgs = {
        schema,
        document,
        operationName: payload.operationName,
        variableValues: payload.variables,
        contextValue: await envelope.contextFactory(),
      };
      enveloped.set(args, envelope);
      return args;
    },
    execute: (args) => {
      const envelope = enveloped.get(args);
      if (!envelope) throw new Error('an operation that did not go through onSubscribe');
      return envelope.execute(args);
    },
    subscribe: (args) => {
      const envelope = enveloped.get(args);
      if (!envelope) throw new Error('an operation that did not go through onSubscribe');
      return envelope.subscribe(args);
    },
    onNext: (_context, _id, _payload, _args, result) =>
      result.errors ? { ...result, errors: result.errors.map(withoutInternalExtensions) } : undefined,
    onError: (_context, _id, _payload, errors) => errors.map(withoutInternalExtensions),
    onClose(context, code, reason) {
      const connection = connections.get(context.extra.socket);
      if (connection?.expiryTimer) clearTimeout(connection.expiryTimer);
      logger.info(
        { code, reason: reason || undefined, durationMs: connection ? Math.round(performance.now() - connection.openedAt) : undefined },
        'websocket closed',
      );
    },
  };

  const admit = async ({ url, headers, req }: UpgradeRequest): Promise<Connection | UpgradeRefusal> => {
    const verdict = upgradeVerdict({ url, headers }, { closing, cors: config.cors, graphqlEndpoint: yoga.graphqlEndpoint });
    if (verdict !== 'accept') return verdict;
    const address = clientAddress(new Request(url, { headers }), { req }, config.trustProxy);
    try {
      await rateLimit?.countAddress(address);
    } catch (error) {
      const http = error instanceof GraphQLError ? (error.extensions.http as { headers?: Record<string, string> } | undefined) : undefined;
      return { status: 429, code: ErrorCode.RateLimited, message: error instanceof Error ? error.message : 'Too many requests.', headers: http?.headers ?? {} };
    }
    // The count may have waited for Redis: shutdown may have begun meanwhile.
    if (closing) return shuttingDown();
    return { url: url.toString(), headers, address, req, openedAt: performance.now() };
  };

  return {
    maxMessageBytes: config.limits.bodyBytes,
    logger,
    serverOptions,
    admit,
    opened(socket, connection) {
      connections.set(socket, connection);
      floodWindows.set(socket, { startedAt: performance.now(), messages: 0 });
      open.set(socket, new Set());
    },
    received(socket) {
      const window = floodWindows.get(socket);
      if (!window) throw new Error('a message on a socket that was never opened');
      const now = performance.now();
      if (now - window.startedAt >= floodWindowMs) {
        window.startedAt = now;
        window.messages = 0;
      }
      window.messages += 1;
      if (window.messages === floodMaxMessages + 1) {
        logger.warn({ address: connectionOf(socket).address }, 'websocket closed: too many messages');
        closeAndCut(socket, SocketClose.PolicyViolation, 'Too many messages');
      }
      return window.messages <= floodMaxMessages;
    },
    closed(socket) {
      const waiting = open.get(socket);
      open.delete(socket);
      for (const resolve of waiting ?? []) resolve();
    },
    async closeSockets() {
      closing = true;
      await Promise.all(
        [...open].map(
          ([socket, waiting]) =>
            new Promise<void>((resolve) => {
              waiting.add(resolve);
              closeAndCut(socket, SocketClose.GoingAway, 'Going away: the server is shutting down');
            }),
        ),
      );
    },
    openSockets: () => open.size,
  };
}

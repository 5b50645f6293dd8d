import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ExecutionArgs, type GraphQLFormattedError, GraphQLError, type GraphQLSchema } from 'graphql';
import { CloseCode, GRAPHQL_TRANSPORT_WS_PROTOCOL } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import type { Access } from './access.js';
import type { Config } from './config.js';
import { ErrorCode } from './errors.js';
import type { Logger } from './logger.js';
import { type BearerIdentity, createTokenVerifier } from './plugins/auth.js';
import { allowsOrigin } from './plugins/cors.js';
import { clientAddress } from './plugins/rate-limit.js';
import { trustedDocumentText } from './plugins/trusted-documents.js';
import type { Yoga } from './yoga.js';

export interface WebSocketTransport {
  /** Serves GraphQL over WebSocket (graphql-transport-ws) on the server's upgrades of the GraphQL endpoint. */
  attach(server: Server): void;
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

// A socket sending more than this is flooding, whatever the rate limit says: graphql-ws clients send a handful of
// messages per operation, and pings every few seconds at most.
const floodWindowMs = 1000;
const floodMaxMessages = 100;
// graphql-ws's own default: the server pings every 12 s and drops a socket that has not answered the previous ping.
const keepAliveMs = 12_000;
// How long a closed socket may take to answer the close frame before it is cut.
const closeGraceMs = 1000;
// setTimeout fires at once for delays beyond this (about 24.8 days).
const longestTimerMs = 2 ** 31 - 1;

interface Connection {
  url: string;
  headers: Headers;
  address: string;
  openedAt: number;
  identity?: BearerIdentity;
  expiryTimer?: NodeJS.Timeout;
}

function headersOf(request: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}

/** Answers an upgrade request with a plain HTTP error (a GraphQL error body), so no socket is ever opened. */
function refuseUpgrade(socket: Duplex, status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}) {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

function offersGraphQLTransportWs(request: IncomingMessage): boolean {
  const offered = request.headers['sec-websocket-protocol'] ?? '';
  return offered.split(',').some((protocol) => protocol.trim() === GRAPHQL_TRANSPORT_WS_PROTOCOL);
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

export function createWebSocketTransport({ yoga, access, config, logger }: WebSocketDependencies): WebSocketTransport {
  const verifyToken = config.auth ? createTokenVerifier(config.auth, logger) : null;
  const { rateLimit } = access;
  // Messages above the HTTP body limit are refused alike: ws closes the socket with 1009 (Message Too Big).
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.limits.bodyBytes });
  const connections = new WeakMap<WebSocket, Connection>();
  const enveloped = new WeakMap<ExecutionArgs, ReturnType<Yoga['getEnveloped']>>();
  let closing = false;

  const connectionOf = (socket: WebSocket): Connection => {
    const connection = connections.get(socket);
    if (!connection) throw new Error('a socket without connection state');
    return connection;
  };

  const closeAndCut = (socket: WebSocket, code: number, reason: string) => {
    socket.close(code, reason);
    setTimeout(() => socket.terminate(), closeGraceMs).unref();
  };

  const closeWhenExpired = (socket: WebSocket, connection: Connection, expiresAt: Date) => {
    const delay = expiresAt.getTime() - Date.now();
    connection.expiryTimer = setTimeout(() => {
      if (delay > longestTimerMs) closeWhenExpired(socket, connection, expiresAt);
      else socket.close(CloseCode.Unauthorized, 'Unauthorized: the bearer token expired');
    }, Math.max(0, Math.min(delay, longestTimerMs)));
  };

  // Registered before graphql-ws's own listener, so a flooding socket is closing before its message is handled.
  wss.on('connection', (socket) => {
    let windowStartedAt = performance.now();
    let messages = 0;
    socket.on('message', () => {
      const now = performance.now();
      if (now - windowStartedAt >= floodWindowMs) {
        windowStartedAt = now;
        messages = 0;
      }
      messages += 1;
      if (messages === floodMaxMessages + 1) {
        logger.warn({ address: connectionOf(socket).address }, 'websocket closed: too many messages');
        closeAndCut(socket, SocketClose.PolicyViolation, 'Too many messages');
      }
    });
  });

  useServer<Record<string, unknown>>(
    {
      connectionInitWaitTimeout: config.websocket.initTimeoutMs,
      // Close reasons never carry internal error messages.
      isProd: true,
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
        const { socket, request: upgrade } = context.extra;
        if (socket.readyState !== WebSocket.OPEN) {
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
          req: upgrade,
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
    },
    wss,
    keepAliveMs,
  );

  // graphql-ws reports a socket's 'error' on stderr as an implementation fault. ws emits it only for what a client
  // sent (an oversized message, a broken frame) and closes the socket itself with the matching code.
  wss.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', (error) => logger.info({ reason: error.message }, 'websocket protocol error'));
  });

  const upgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (closing) {
      refuseUpgrade(socket, 503, ErrorCode.ServiceUnavailable, 'The server is shutting down. Reconnect.', { 'Retry-After': '1' });
      return;
    }
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
    // Browsers send Origin on upgrades but never apply CORS to them: refuse what CORS would not let read an answer.
    if (!allowsOrigin(config.cors, request.headers.origin, request.headers.host)) {
      refuseUpgrade(socket, 403, ErrorCode.Forbidden, 'This origin may not use the API (CORS_ORIGINS).');
      return;
    }
    if (url.pathname !== yoga.graphqlEndpoint) {
      refuseUpgrade(socket, 404, ErrorCode.NotFound, `WebSocket is served on ${yoga.graphqlEndpoint} only.`);
      return;
    }
    if (!offersGraphQLTransportWs(request)) {
      refuseUpgrade(
        socket,
        400,
        ErrorCode.BadRequest,
        `Only the ${GRAPHQL_TRANSPORT_WS_PROTOCOL} subprotocol (the graphql-ws client) is served; SSE is on the same URL.`,
      );
      return;
    }
    const headers = headersOf(request);
    const address = clientAddress(new Request(url, { headers }), { req: request }, config.trustProxy);
    try {
      await rateLimit?.countAddress(address);
    } catch (error) {
      const http = error instanceof GraphQLError ? (error.extensions.http as { headers?: Record<string, string> } | undefined) : undefined;
      refuseUpgrade(socket, 429, ErrorCode.RateLimited, error instanceof Error ? error.message : 'Too many requests.', http?.headers);
      return;
    }
    // The count may have waited for Redis: the client may have gone, or shutdown begun, meanwhile.
    if (socket.destroyed) return;
    if (closing) {
      refuseUpgrade(socket, 503, ErrorCode.ServiceUnavailable, 'The server is shutting down. Reconnect.', { 'Retry-After': '1' });
      return;
    }
    wss.handleUpgrade(request, socket, head, (webSocket) => {
      connections.set(webSocket, { url: url.toString(), headers, address, openedAt: performance.now() });
      wss.emit('connection', webSocket, request);
    });
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrade(request, socket, head).catch((error: unknown) => {
      logger.error({ err: error }, 'websocket upgrade failed');
      socket.destroy();
    });
  };

  return {
    attach(server) {
      server.on('upgrade', onUpgrade);
    },
    async closeSockets() {
      closing = true;
      await Promise.all(
        [...wss.clients].map(
          (socket) =>
            new Promise<void>((resolve) => {
              if (socket.readyState === WebSocket.CLOSED) return resolve();
              socket.once('close', () => resolve());
              closeAndCut(socket, SocketClose.GoingAway, 'Going away: the server is shutting down');
            }),
        ),
      );
    },
    openSockets: () => wss.clients.size,
  };
}

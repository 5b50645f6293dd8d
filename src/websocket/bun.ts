import { GRAPHQL_TRANSPORT_WS_PROTOCOL } from 'graphql-ws';
import { makeHandler } from 'graphql-ws/use/bun';
import { ErrorCode } from '../errors.js';
import { type Connection, isRefusal, keepAliveMs, refusalBody, type UpgradeRefusal, type WebSocketTransport } from './transport.js';

export interface BunWebSocket {
  /** Answers a WebSocket upgrade request: undefined once upgraded (Bun has answered the handshake), else the refusal. */
  upgrade(request: Request, server: Bun.Server): Promise<Response | undefined>;
  /** Bun.serve's `websocket` option. */
  handler: Bun.WebSocketHandler<Connection>;
}

/** The shape of node:http's request that Yoga's server context gets on Bun too: the rate limit reads the client's address. */
export function nodeShapedRequest(request: Request, server: Bun.Server) {
  return { socket: { remoteAddress: server.requestIP(request)?.address } };
}

function refusalResponse(refusal: UpgradeRefusal): Response {
  return new Response(refusalBody(refusal), {
    status: refusal.status,
    headers: { 'content-type': 'application/json; charset=utf-8', connection: 'close', ...refusal.headers },
  });
}

/** GraphQL over WebSocket (graphql-transport-ws) on Bun.serve, through graphql-ws's own Bun handler. */
export function createBunWebSocket(transport: WebSocketTransport): BunWebSocket {
  const { logger } = transport;
  const graphqlWs = makeHandler(transport.serverOptions);

  // graphql-ws's Bun handler hands its promise to Bun, where a failure would be an unhandled rejection: close the socket
  // as graphql-ws's ws adapter does, without the internal message.
  const closeOnFailure = (socket: Bun.ServerWebSocket<Connection>, work: void | Promise<void>) => {
    Promise.resolve(work).catch((error: unknown) => {
      logger.error({ err: error }, 'websocket message handling failed');
      socket.close(1011, 'Internal server error');
    });
  };

  return {
    async upgrade(request, server) {
      const verdict = await transport.admit({ url: new URL(request.url), headers: new Headers(request.headers), req: nodeShapedRequest(request, server) });
      if (isRefusal(verdict)) return refusalResponse(verdict);
      // The handler cannot see the subprotocol on the open socket; admit has checked that the client offers it.
      if (server.upgrade(request, { data: verdict, headers: { 'Sec-WebSocket-Protocol': GRAPHQL_TRANSPORT_WS_PROTOCOL } })) return undefined;
      return refusalResponse({ status: 400, code: ErrorCode.BadRequest, message: 'Not a valid WebSocket upgrade request.', headers: {} });
    },
    handler: {
      maxPayloadLength: transport.maxMessageBytes,
      // Bun pings a socket silent for this long and closes it when the ping goes unanswered, as ws does with graphql-ws's
      // keep-alive on Node.
      idleTimeout: keepAliveMs / 1000,
      sendPings: true,
      open(socket) {
        transport.opened(socket, socket.data);
        void graphqlWs.open?.(socket);
      },
      message(socket, message) {
        if (transport.received(socket)) closeOnFailure(socket, graphqlWs.message(socket, message));
      },
      close(socket, code, reason) {
        transport.closed(socket);
        Promise.resolve(graphqlWs.close?.(socket, code, reason)).catch((error: unknown) => logger.error({ err: error }, 'websocket close handling failed'));
      },
    },
  };
}

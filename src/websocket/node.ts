import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { isRefusal, keepAliveMs, refusalBody, type UpgradeRefusal, type WebSocketTransport } from './transport.js';

function headersOf(request: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}

/** Answers an upgrade request with a plain HTTP error (a GraphQL error body), so no socket is ever opened. */
function refuseUpgrade(socket: Duplex, refusal: UpgradeRefusal) {
  const body = refusalBody(refusal);
  const head = [
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ''}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(refusal.headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

/** Serves GraphQL over WebSocket (graphql-transport-ws) on a node:http server's upgrades of the GraphQL endpoint. */
export function attachWebSocket(server: Server, transport: WebSocketTransport): void {
  const { logger } = transport;
  // Messages above the HTTP body limit are refused alike: ws closes the socket with 1009 (Message Too Big).
  const wss = new WebSocketServer({ noServer: true, maxPayload: transport.maxMessageBytes });

  // Registered before graphql-ws's own listener, so a flooding socket is closing before its message is handled.
  wss.on('connection', (socket) => {
    socket.on('message', () => transport.received(socket));
  });

  // Close reasons never carry internal error messages (isProd).
  useServer({ ...transport.serverOptions, isProd: true }, wss, keepAliveMs);

  // graphql-ws reports a socket's 'error' on stderr as an implementation fault. ws emits it only for what a client
  // sent (an oversized message, a broken frame) and closes the socket itself with the matching code.
  wss.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', (error) => logger.info({ reason: error.message }, 'websocket protocol error'));
  });

  const upgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
    const verdict = await transport.admit({ url, headers: headersOf(request), req: request });
    // The count may have waited for Redis: the client may have gone meanwhile.
    if (socket.destroyed) return;
    if (isRefusal(verdict)) {
      refuseUpgrade(socket, verdict);
      return;
    }
    wss.handleUpgrade(request, socket, head, (webSocket) => {
      transport.opened(webSocket, verdict);
      webSocket.once('close', () => transport.closed(webSocket));
      wss.emit('connection', webSocket, request);
    });
  };

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrade(request, socket, head).catch((error: unknown) => {
      logger.error({ err: error }, 'websocket upgrade failed');
      socket.destroy();
    });
  });
}

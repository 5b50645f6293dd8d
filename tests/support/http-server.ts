import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { attachWebSocket } from '../../src/websocket/node.js';
import type { WebSocketTransport } from '../../src/websocket/transport.js';
import type { Yoga } from '../../src/yoga.js';
import type { TestApi } from './api.js';

export interface ListeningServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** GraphQL over WebSocket on the same port, e.g. ws://127.0.0.1:41234/graphql (served when listen got the transport). */
  wsUrl: string;
  close(): Promise<void>;
}

/**
 * Serves the Yoga instance on a free loopback port (or the given one, to bring a stopped server back), for clients
 * that need a real server (browsers, SSE, Apollo), and GraphQL over WebSocket on the same port when given the transport.
 */
export async function listen(
  yoga: Yoga,
  { websocket, port = 0 }: { websocket?: WebSocketTransport; port?: number } = {},
): Promise<ListeningServer> {
  const server = createServer(yoga);
  if (websocket) attachWebSocket(server, websocket);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: listeningPort } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${listeningPort}`,
    wsUrl: `ws://127.0.0.1:${listeningPort}${yoga.graphqlEndpoint}`,
    async close() {
      await websocket?.closeSockets();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The test API (with its WebSocket transport) on a real loopback port for the file or describe block. */
export function useRealServer(api: () => TestApi): () => ListeningServer {
  let server: ListeningServer | undefined;
  beforeAll(async () => {
    server = await listen(api().yoga, { websocket: api().websocket });
  });
  afterAll(async () => {
    await server?.close();
  });
  return () => {
    if (!server) throw new Error('the server is not listening yet');
    return server;
  };
}

/** The test API on a real loopback port for the file or describe block; returns its origin, e.g. http://127.0.0.1:41234. */
export function useRealPort(api: () => TestApi): () => string {
  const server = useRealServer(api);
  return () => server().url;
}

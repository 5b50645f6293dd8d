import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebSocketTransport } from '../../src/websocket.js';
import type { Yoga } from '../../src/yoga.js';

export interface ListeningServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** e.g. ws://127.0.0.1:41234/graphql (served when listen was given the WebSocket transport) */
  wsUrl: string;
  close(): Promise<void>;
}

/**
 * Serves the Yoga instance on a free loopback port, for clients that need a real server (browsers, SSE, Apollo), and
 * GraphQL over WebSocket on the same port when given the transport.
 */
export async function listen(yoga: Yoga, websocket?: WebSocketTransport): Promise<ListeningServer> {
  const server = createServer(yoga);
  websocket?.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}${yoga.graphqlEndpoint}`,
    async close() {
      await websocket?.closeSockets();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

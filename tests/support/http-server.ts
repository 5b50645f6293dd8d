import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import type { Yoga } from '../../src/yoga.js';
import type { TestApi } from './api.js';

export interface ListeningServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the Yoga instance on a free loopback port (or the given one, to bring a stopped server back), for clients
 * that need a real server (browsers, SSE, Apollo).
 */
export async function listen(yoga: Yoga, port = 0): Promise<ListeningServer> {
  const server = createServer(yoga);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: listeningPort } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${listeningPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The test API on a real loopback port for the file or describe block; returns its origin, e.g. http://127.0.0.1:41234. */
export function useRealPort(api: () => TestApi): () => string {
  let server: ListeningServer | undefined;
  beforeAll(async () => {
    server = await listen(api().yoga);
  });
  afterAll(async () => {
    await server?.close();
  });
  return () => {
    if (!server) throw new Error('the server is not listening yet');
    return server.url;
  };
}

import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createDrainGate, type DrainableListener, shuttingDownBody, shuttingDownHeaders } from './drain.js';

export interface GracefulServer {
  server: Server;
  /** Drains as described in src/drain.ts; resolves false when `timeoutMs` passed and connections were cut. */
  drain(timeoutMs: number): Promise<boolean>;
}

function refuse(response: ServerResponse): void {
  response.writeHead(503, shuttingDownHeaders).end(shuttingDownBody);
}

/** A node:http server whose shutdown never resets a connection a request was sent on (see src/drain.ts). */
export function createGracefulServer(handler: RequestListener): GracefulServer {
  const gate = createDrainGate<ServerResponse>();

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (gate.phase === 'serving') {
      gate.started(response);
      response.once('close', () => gate.ended(response));
      void handler(request, response);
      return;
    }
    let closed = false;
    response.once('close', () => (closed = true));
    // Read the whole request first: closing a connection with unread bytes sends a reset instead of the answer.
    request.resume();
    request.once('end', () => gate.hold(() => closed || refuse(response)));
  });

  server.on('connection', () => gate.activity());

  const listener: DrainableListener = {
    refusing() {
      for (const response of gate.inFlight) if (!response.headersSent) response.setHeader('connection', 'close');
    },
    stopListening() {
      // http.Server's close also destroys idle keep-alive connections (Node 19+), on which a client may be sending a
      // request right now: stop listening and wait for the clients (or the keep-alive timeout) to close them.
      server.closeIdleConnections = () => undefined;
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
    closeAllConnections: () => server.closeAllConnections(),
  };

  return { server, drain: (timeoutMs) => gate.drain(timeoutMs, listener) };
}

import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';
import { ErrorCode } from './errors.js';

export interface GracefulServer {
  server: Server;
  /**
   * Lets in-flight requests finish and closes every connection; resolves true once none is left, or false when
   * `timeoutMs` passed first and the remaining connections were destroyed.
   */
  drain(timeoutMs: number): Promise<boolean>;
}

// Closing the listener resets connections still in the kernel's accept queue, with their requests: wait until no
// client has connected for this long, so that queue is empty.
const quietPeriodMs = 250;

const shuttingDownBody = JSON.stringify({
  errors: [{ message: 'The server is shutting down. Retry the request.', extensions: { code: ErrorCode.ServiceUnavailable } }],
});

/**
 * An HTTP server whose shutdown never resets a request a client has sent.
 *
 * Node's `server.close()` stops listening at once and destroys idle keep-alive connections: a request being sent
 * on one of them, or on a connection still waiting in the kernel's accept queue (common while the event loop is
 * busy, e.g. with the embedded database), gets ECONNRESET and the client cannot know whether it ran. Here, once
 * draining: in-flight requests finish and their responses say `Connection: close`; any new request is answered
 * 503 SERVICE_UNAVAILABLE with `Connection: close` (never executed, so always safe to retry); the listener closes
 * once no request is in flight and no client has connected for a moment; idle connections are left to the
 * client or to the keep-alive timeout the server announced (`Keep-Alive: timeout=5`, which clients like undici
 * respect by closing first).
 */
export function createGracefulServer(handler: RequestListener): GracefulServer {
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  let onIdle: (() => void) | undefined;
  let lastConnectionAt = performance.now();

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (draining) {
      // Read the whole request first: closing a connection with unread bytes sends a reset instead of the answer.
      request.resume();
      request.once('end', () =>
        response
          .writeHead(503, { 'content-type': 'application/json; charset=utf-8', connection: 'close', 'retry-after': '1' })
          .end(shuttingDownBody),
      );
      return;
    }
    inFlight.add(response);
    response.once('close', () => {
      inFlight.delete(response);
      if (inFlight.size === 0) onIdle?.();
    });
    void handler(request, response);
  });

  server.on('connection', () => {
    lastConnectionAt = performance.now();
  });

  return {
    server,
    drain(timeoutMs) {
      draining = true;
      // While the event loop was busy, connections may have queued unseen: give the loop a quiet period to accept them.
      lastConnectionAt = performance.now();
      for (const response of inFlight) if (!response.headersSent) response.setHeader('connection', 'close');
      return new Promise<boolean>((resolve) => {
        let listenerClosing = false;
        const forced = setTimeout(() => {
          if (!listenerClosing) server.close();
          listenerClosing = true;
          server.closeAllConnections();
          resolve(false);
        }, timeoutMs);
        forced.unref();
        const closeListener = () => {
          if (listenerClosing || inFlight.size > 0) return;
          const quietFor = performance.now() - lastConnectionAt;
          if (quietFor < quietPeriodMs) {
            setTimeout(closeListener, quietPeriodMs - quietFor).unref();
            return;
          }
          listenerClosing = true;
          // net.Server's close: stop listening and wait for the connections, without http.Server's destruction of
          // idle keep-alive connections.
          NetServer.prototype.close.call(server, () => {
            clearTimeout(forced);
            resolve(true);
          });
        };
        onIdle = closeListener;
        if (inFlight.size === 0) closeListener();
      });
    },
  };
}

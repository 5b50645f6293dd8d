import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { ErrorCode } from './errors.js';

export interface GracefulServer {
  server: Server;
  /**
   * Refuses new requests, lets in-flight ones finish, stops listening and waits for every connection to close;
   * resolves true then, or false when `timeoutMs` passed first and the remaining connections were destroyed.
   */
  drain(timeoutMs: number): Promise<boolean>;
}

// During the hold, the listener closes once nothing has happened for this long.
const quietMs = 100;
const holdAtMostMs = 1000;

const shuttingDownBody = JSON.stringify({
  errors: [{ message: 'The server is shutting down. Retry the request.', extensions: { code: ErrorCode.ServiceUnavailable } }],
});

function refuse(response: ServerResponse): void {
  response
    .writeHead(503, { 'content-type': 'application/json; charset=utf-8', connection: 'close', 'retry-after': '1' })
    .end(shuttingDownBody);
}

type Phase = 'serving' | 'refusing' | 'holding' | 'closed';

/**
 * An HTTP server whose shutdown never resets a connection a request was sent on, even while clients keep
 * connecting.
 *
 * Closing a listening socket resets the connections the kernel has accepted but Node has not yet picked up, and
 * a client may have sent its request on one. Under steady load such connections always exist: answering 503s
 * makes clients reconnect at once, so neither a quiet moment nor a fixed window of 503s is enough. Draining:
 * 1. refusing: new requests get 503 SERVICE_UNAVAILABLE with `Connection: close` and `Retry-After` (never
 *    executed, so always safe to retry) while in-flight requests finish, their responses saying
 *    `Connection: close`; until nothing is in flight, at most half the budget;
 * 2. holding: new requests are read but not answered yet. A client waiting for its answer opens no new
 *    connection, so arrivals stop; once nothing is in flight and no connection has arrived for `quietMs` (checked
 *    right after the event loop has accepted whatever the kernel queued), at most `holdAtMostMs`;
 * 3. the listener closes (new connections are refused: nothing was sent on them) and the held requests get their
 *    503;
 * 4. idle keep-alive connections are not cut (a request may be on its way on one): the client closes them, or
 *    the server does when the keep-alive timeout it announced (`Keep-Alive: timeout=5`) expires, as at any time.
 */
export function createGracefulServer(handler: RequestListener): GracefulServer {
  const inFlight = new Set<ServerResponse>();
  const held = new Set<ServerResponse>();
  let phase: Phase = 'serving';
  // Connections accepted and in-flight requests finished: either may bring a client back.
  let lastActivityAt = performance.now();
  let onNothingInFlight: (() => void) | undefined;

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (phase === 'serving') {
      inFlight.add(response);
      response.once('close', () => {
        inFlight.delete(response);
        lastActivityAt = performance.now();
        if (inFlight.size === 0) onNothingInFlight?.();
      });
      void handler(request, response);
      return;
    }
    // Read the whole request first: closing a connection with unread bytes sends a reset instead of the answer.
    request.resume();
    request.once('end', () => {
      if (phase !== 'holding') return refuse(response);
      held.add(response);
      response.once('close', () => held.delete(response));
    });
  });

  server.on('connection', () => {
    lastActivityAt = performance.now();
  });

  const nothingInFlight = () =>
    inFlight.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (onNothingInFlight = resolve));

  // Resolves right after a poll phase of the event loop, which accepts every connection the kernel has queued: an
  // immediate queued from an immediate runs in the next loop iteration, after its poll phase.
  const afterPoll = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

  const quietOrAfter = async (atMostMs: number) => {
    const startedAt = performance.now();
    for (;;) {
      await afterPoll();
      const now = performance.now();
      const quietFor = inFlight.size > 0 ? 0 : now - Math.max(lastActivityAt, startedAt);
      if (quietFor >= quietMs || now - startedAt >= atMostMs) return;
      await delay(Math.min(quietMs - quietFor, atMostMs - (now - startedAt)), undefined, { ref: false });
    }
  };

  // net.Server's close: stop listening and report when every connection has ended, without http.Server's
  // destruction of idle keep-alive connections. (Bun's http.Server does not accept this call.)
  const stopListening = () => new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));

  return {
    server,
    async drain(timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      phase = 'refusing';
      for (const response of inFlight) if (!response.headersSent) response.setHeader('connection', 'close');
      await Promise.race([nothingInFlight(), delay(timeoutMs / 2, undefined, { ref: false })]);
      phase = 'holding';
      await quietOrAfter(Math.min(holdAtMostMs, timeoutMs / 4));
      const connectionsEnded = stopListening();
      phase = 'closed';
      for (const response of held) refuse(response);
      held.clear();
      const ended = await Promise.race([
        connectionsEnded.then(() => true),
        delay(Math.max(0, deadline - performance.now()), false, { ref: false }),
      ]);
      if (!ended) server.closeAllConnections();
      return ended;
    },
  };
}

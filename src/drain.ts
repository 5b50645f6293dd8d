import { setTimeout as delay } from 'node:timers/promises';
import { ErrorCode } from './errors.js';

/** The answer to a request refused while draining: never executed, so always safe to retry. */
export const shuttingDownBody = JSON.stringify({
  errors: [{ message: 'The server is shutting down. Retry the request.', extensions: { code: ErrorCode.ServiceUnavailable } }],
});
export const shuttingDownHeaders = {
  'content-type': 'application/json; charset=utf-8',
  connection: 'close',
  'retry-after': '1',
} as const;

export type DrainPhase = 'serving' | 'refusing' | 'holding' | 'closed';

/** What draining needs from the HTTP server it runs on (node:http or Bun.serve). */
export interface DrainableListener {
  /** Drain began: responses still to be written should say `Connection: close`. */
  refusing(): void;
  /** Stops accepting connections; resolves once every connection has ended. */
  stopListening(): Promise<void>;
  /** The budget is spent: cuts the connections still open. */
  closeAllConnections(): void;
}

export interface DrainGate<Exchange> {
  readonly phase: DrainPhase;
  readonly inFlight: ReadonlySet<Exchange>;
  /** A request is served (only while `phase` is 'serving'). */
  started(exchange: Exchange): void;
  /** Its response has ended. */
  ended(exchange: Exchange): void;
  /** A client connected (or, where connections are not observable, sent a request): it may come back. */
  activity(): void;
  /** While holding: keeps a request unanswered until the listener is closed, then calls `refuse`. */
  hold(refuse: () => void): void;
  /**
   * Refuses new requests, lets in-flight ones finish, stops listening and waits for every connection to close;
   * resolves true then, or false when `timeoutMs` passed first and the remaining connections were cut.
   */
  drain(timeoutMs: number, listener: DrainableListener): Promise<boolean>;
}

// During the hold, the listener closes once nothing has happened for this long.
const quietMs = 100;
const holdAtMostMs = 1000;

/**
 * The shutdown that never resets a connection a request was sent on, even while clients keep connecting, for
 * either server (src/graceful-server.ts on Node, src/bun-server.ts on Bun).
 *
 * Closing a listening socket resets the connections the kernel has accepted but the server has not yet picked up,
 * and a client may have sent its request on one. Under steady load such connections always exist: answering 503s
 * makes clients reconnect at once, so neither a quiet moment nor a fixed window of 503s is enough. Draining:
 * 1. refusing: new requests get 503 SERVICE_UNAVAILABLE with `Connection: close` and `Retry-After` while in-flight
 *    requests finish, their responses saying `Connection: close`; until nothing is in flight, at most half the
 *    budget;
 * 2. holding: new requests are read but not answered yet. A client waiting for its answer opens no new
 *    connection, so arrivals stop; once nothing is in flight and nothing has arrived for `quietMs` (checked right
 *    after the event loop has accepted whatever the kernel queued), at most `holdAtMostMs`;
 * 3. the listener closes (new connections are refused: nothing was sent on them) and the held requests get their
 *    503;
 * 4. idle keep-alive connections are not cut (a request may be on its way on one): the client closes them, or the
 *    server does when its keep-alive timeout expires, as at any time.
 */
export function createDrainGate<Exchange>(): DrainGate<Exchange> {
  const inFlight = new Set<Exchange>();
  const held = new Set<() => void>();
  let phase: DrainPhase = 'serving';
  let lastActivityAt = performance.now();
  let onNothingInFlight: (() => void) | undefined;

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

  return {
    get phase() {
      return phase;
    },
    inFlight,
    started(exchange) {
      inFlight.add(exchange);
    },
    ended(exchange) {
      if (!inFlight.delete(exchange)) return;
      lastActivityAt = performance.now();
      if (inFlight.size === 0) onNothingInFlight?.();
    },
    activity() {
      lastActivityAt = performance.now();
    },
    hold(refuse) {
      if (phase === 'holding') held.add(refuse);
      else refuse();
    },
    async drain(timeoutMs, listener) {
      const deadline = performance.now() + timeoutMs;
      phase = 'refusing';
      listener.refusing();
      await Promise.race([nothingInFlight(), delay(timeoutMs / 2, undefined, { ref: false })]);
      phase = 'holding';
      await quietOrAfter(Math.min(holdAtMostMs, timeoutMs / 4));
      const connectionsEnded = listener.stopListening();
      phase = 'closed';
      for (const refuse of held) refuse();
      held.clear();
      const ended = await Promise.race([
        connectionsEnded.then(() => true),
        delay(Math.max(0, deadline - performance.now()), false, { ref: false }),
      ]);
      if (!ended) listener.closeAllConnections();
      return ended;
    },
  };
}

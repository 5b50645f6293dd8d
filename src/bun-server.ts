import { createDrainGate, shuttingDownBody, shuttingDownHeaders } from './drain.js';
import { ErrorCode } from './errors.js';
import { runServer } from './run-server.js';

// Above Yoga's SSE keep-alive (a ping every 12 s), so that a quiet event stream is not taken for an idle connection.
const idleTimeoutSeconds = 30;

const refusal = () => new Response(shuttingDownBody, { status: 503, headers: shuttingDownHeaders });

const webSocketUnsupported = JSON.stringify({
  errors: [
    {
      message: 'GraphQL over WebSocket is served on Node only; on Bun, subscribe over SSE on the same URL.',
      extensions: { code: ErrorCode.BadRequest },
    },
  ],
});

/** The API on Bun's own HTTP server (Bun.serve), with the Node entry's shutdown (src/drain.ts, src/run-server.ts). */
runServer(async (app, config) => {
  const gate = createDrainGate<Request>();

  const server = Bun.serve({
    port: config.port,
    hostname: config.host,
    idleTimeout: idleTimeoutSeconds,
    async fetch(request, bun) {
      gate.activity();
      if (request.headers.get('upgrade')?.toLowerCase() === 'websocket') {
        return new Response(webSocketUnsupported, { status: 501, headers: { 'content-type': 'application/json; charset=utf-8' } });
      }
      if (gate.phase !== 'serving') {
        // Read the whole request first: closing a connection with unread bytes sends a reset instead of the answer.
        await request.arrayBuffer();
        return new Promise<Response>((resolve) => gate.hold(() => resolve(refusal())));
      }
      gate.started(request);
      try {
        // The shape node:http gives Yoga, where the rate limit reads the client's address.
        const response = await app.yoga.fetch(request, { req: { socket: { remoteAddress: bun.requestIP(request)?.address } } });
        if (gate.phase !== 'serving') response.headers.set('connection', 'close');
        return response;
      } finally {
        gate.ended(request);
      }
    },
  });

  return {
    port: server.port,
    drain: (timeoutMs) =>
      gate.drain(timeoutMs, {
        // Responses still to come check the phase themselves.
        refusing: () => undefined,
        stopListening: () => server.stop(false),
        closeAllConnections: () => void server.stop(true),
      }),
  };
});

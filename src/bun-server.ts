import { createDrainGate, shuttingDownBody, shuttingDownHeaders } from './drain.js';
import { runServer } from './run-server.js';
import { createBunWebSocket, nodeShapedRequest } from './websocket/bun.js';

// Above Yoga's SSE keep-alive (a ping every 12 s), so that a quiet event stream is not taken for an idle connection.
const idleTimeoutSeconds = 30;

const refusal = () => new Response(shuttingDownBody, { status: 503, headers: shuttingDownHeaders });

/** The API on Bun's own HTTP server (Bun.serve), with the Node entry's shutdown (src/drain.ts, src/run-server.ts). */
runServer(async (app, config) => {
  const gate = createDrainGate<Request>();
  const webSocket = createBunWebSocket(app.websocket);

  const server = Bun.serve({
    port: config.port,
    hostname: config.host,
    idleTimeout: idleTimeoutSeconds,
    websocket: webSocket.handler,
    async fetch(request, bun) {
      gate.activity();
      // As on Node, upgrades bypass the gate: run-server closes the sockets and refuses new ones (503) while draining.
      if (request.headers.get('upgrade')?.toLowerCase() === 'websocket') return webSocket.upgrade(request, bun);
      if (gate.phase !== 'serving') {
        // Read the whole request first: closing a connection with unread bytes sends a reset instead of the answer.
        await request.arrayBuffer();
        return new Promise<Response>((resolve) => gate.hold(() => resolve(refusal())));
      }
      gate.started(request);
      try {
        const response = await app.yoga.fetch(request, { req: nodeShapedRequest(request, bun) });
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

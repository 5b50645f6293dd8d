import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { uniqueUserId } from '../support/api.js';
import { createTaskMutation } from '../support/operations.js';
import { postGraphQL } from '../support/requests.js';
import { type ServerProcess, startServerProcess } from '../support/server-process.js';
import { serverEnvironment, useDataLocation } from '../support/stored-tasks.js';
import { subscribeTaskEvents, subscribeTaskEventsOverWebSocket, untilLive } from '../support/task-events.js';

const location = useDataLocation('websocket');

const wsUrlOf = (server: ServerProcess) => `${server.url.replace(/^http/, 'ws')}/graphql`;

async function createTaskOn(server: ServerProcess, userId: string, title: string): Promise<{ id: string }> {
  const result = await postGraphQL<{ createTask: { id: string } }>(server.url, createTaskMutation, { userId, input: { title } });
  if (!result.data) throw new Error(`createTask failed: ${JSON.stringify(result.errors)}`);
  return result.data.createTask;
}

/** A loopback port free right now, so that a restarted server can come back on the same one. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

describe('WebSocket subscriptions and the server process', () => {
  it('SIGTERM closes open sockets with 1001 and ends SSE streams, and exits 0 without waiting for the shutdown timeout', async () => {
    // If open sockets held the drain, the server would log "shutdown timed out" after 30 s and cut them.
    const server = await startServerProcess({ ...serverEnvironment(location()), SHUTDOWN_TIMEOUT_MS: '30000' });
    const userId = uniqueUserId('leaving');
    const overWebSocket = subscribeTaskEventsOverWebSocket({ url: wsUrlOf(server), userId });
    const overSse = subscribeTaskEvents({ url: `${server.url}/graphql`, userId });
    try {
      for (const stream of [overWebSocket, overSse]) await untilLive(stream, (title) => createTaskOn(server, userId, title));
      const stoppedAt = performance.now();
      expect(await server.stop('SIGTERM')).toBe(0);
      expect(performance.now() - stoppedAt).toBeLessThan(15_000);
      expect(overWebSocket.closedWith()).toEqual({ code: 1001, reason: 'Going away: the server is shutting down' });
      await expect.poll(() => overSse.completed(), { timeout: 5_000 }).toBe(true);
      expect(server.output()).not.toContain('shutdown timed out');
    } finally {
      overWebSocket.close();
      overSse.close();
      await server.stop('SIGKILL');
    }
  }, 120_000);

  it("graphql-ws's client reconnects after a server restart and resubscribes, and hears writes made after it", async () => {
    const port = String(await freePort());
    const environment = { ...serverEnvironment(location()), PORT: port, SHUTDOWN_TIMEOUT_MS: '5000' };
    let server = await startServerProcess(environment);
    const userId = uniqueUserId('restart');
    let connections = 0;
    const stream = subscribeTaskEventsOverWebSocket({
      url: wsUrlOf(server),
      userId,
      clientOptions: {
        retryAttempts: 240,
        retryWait: () => new Promise((resolve) => setTimeout(resolve, 250)),
        // While the server is down a reconnect fails with an error event, which graphql-ws takes as fatal by default.
        shouldRetry: () => true,
        on: { connected: () => (connections += 1) },
      },
    });
    try {
      await untilLive(stream, (title) => createTaskOn(server, userId, title));
      expect(await server.stop('SIGTERM')).toBe(0);
      server = await startServerProcess(environment);
      const seenBefore = stream.received.length;
      await untilLive(stream, (title) => createTaskOn(server, userId, title));
      const task = await createTaskOn(server, userId, 'After the restart');
      await stream.waitFor((event) => event.task.id === task.id, { from: seenBefore });
      expect(connections).toBe(2);
      expect(stream.errors).toEqual([]);
      expect(stream.completed()).toBe(false);
    } finally {
      stream.close();
      await server.stop('SIGKILL');
    }
  }, 180_000);
});

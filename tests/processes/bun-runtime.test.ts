import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueUserId } from '../support/api.js';
import { createTaskMutation } from '../support/operations.js';
import { postGraphQL } from '../support/requests.js';
import { type ServerProcess, startServerProcess, testRuntime } from '../support/server-process.js';
import { serverEnvironment, useDataLocation } from '../support/stored-tasks.js';
import { subscribeTaskEventsOverWebSocket, taskEventsSubscription, untilLive } from '../support/task-events.js';
import { hs256, testSecret } from '../support/tokens.js';
import { errorCodeOf, openRawSocket, refusedUpgrade, runOverWebSocket, webSocketClient } from '../support/websocket.js';

const location = useDataLocation('bun');
const allowedOrigin = 'https://app.example';

/** One Bun server process (dist/bun-server.js) for the describe block; the blocks run one after another on one data folder. */
function useBunServer(env: Record<string, string>): () => ServerProcess {
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    server = await startServerProcess({ ...serverEnvironment(location()), ...env });
  }, 90_000);
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  }, 60_000);
  return () => {
    if (!server) throw new Error('the server is not running yet');
    return server;
  };
}

const wsUrlOf = (server: ServerProcess) => `${server.url.replace(/^http/, 'ws')}/graphql`;

describe.runIf(testRuntime === 'bun')('GraphQL over WebSocket on the Bun entry (Bun.serve)', () => {
  const server = useBunServer({ CORS_ORIGINS: allowedOrigin });

  async function createTaskOverHttp(userId: string, title: string): Promise<{ id: string }> {
    const result = await postGraphQL<{ createTask: { id: string } }>(server().url, createTaskMutation, { userId, input: { title } });
    if (!result.data) throw new Error(`createTask failed: ${JSON.stringify(result.errors)}`);
    return result.data.createTask;
  }

  it('delivers to a graphql-ws client subscribed to taskEvents the event of a mutation made over HTTP', async () => {
    const userId = uniqueUserId('bun-ws');
    const stream = subscribeTaskEventsOverWebSocket({ url: wsUrlOf(server()), userId });
    try {
      await untilLive(stream, (title) => createTaskOverHttp(userId, title));
      const task = await createTaskOverHttp(userId, 'Written over HTTP');
      const event = await stream.waitFor((received) => received.task.id === task.id);
      expect(event).toMatchObject({ type: 'CREATED', task: { id: task.id, title: 'Written over HTTP', user: { id: userId } } });
      expect(stream.errors).toEqual([]);
    } finally {
      stream.close();
    }
  }, 60_000);

  it('refuses an upgrade from an Origin outside CORS_ORIGINS with 403 FORBIDDEN before the socket opens', async () => {
    const refused = await refusedUpgrade(wsUrlOf(server()), 'graphql-transport-ws', { origin: 'https://evil.example' });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toEqual({
      errors: [{ message: expect.stringContaining('CORS_ORIGINS'), extensions: { code: 'FORBIDDEN' } }],
    });
  });

  it('serves an upgrade from a listed Origin', async () => {
    const raw = await openRawSocket(wsUrlOf(server()), 'graphql-transport-ws', { origin: allowedOrigin });
    raw.send({ type: 'connection_init' });
    await raw.waitForMessage((message) => message.type === 'connection_ack');
    expect(raw.socket.protocol).toBe('graphql-transport-ws');
    raw.socket.close();
  });

  it('refuses an upgrade that does not offer graphql-transport-ws with 400 BAD_REQUEST, legacy graphql-ws included', async () => {
    for (const protocols of [undefined, 'graphql-ws', ['graphql-ws', 'chat']]) {
      const refused = await refusedUpgrade(wsUrlOf(server()), protocols);
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.body)).toEqual({
        errors: [{ message: expect.stringContaining('graphql-transport-ws'), extensions: { code: 'BAD_REQUEST' } }],
      });
    }
  });

  it('closes a socket that sends a message larger than MAX_BODY_BYTES with 1009', async () => {
    const raw = await openRawSocket(wsUrlOf(server()));
    raw.send({ type: 'connection_init' });
    await raw.waitForMessage((message) => message.type === 'connection_ack');
    raw.send({ id: '1', type: 'subscribe', payload: { query: `{ __typename } # ${'x'.repeat(262_144)}` } });
    expect((await raw.closed).code).toBe(1009);
  });

  it('closes a flooding socket with 1008', async () => {
    const flooder = await openRawSocket(wsUrlOf(server()));
    flooder.send({ type: 'connection_init' });
    await flooder.waitForMessage((message) => message.type === 'connection_ack');
    for (let message = 0; message < 1000 && flooder.socket.readyState === flooder.socket.OPEN; message += 1) {
      flooder.send({ type: 'ping' });
    }
    expect(await flooder.closed).toEqual({ code: 1008, reason: 'Too many messages' });
    expect(flooder.messages.filter((message) => message.type === 'pong').length).toBeLessThanOrEqual(100);
  });

  it('shows the open sockets on /metrics', async () => {
    const openSockets = async () => {
      const lines = (await (await fetch(`${server().url}/metrics`)).text()).split('\n');
      return Number(lines.find((line) => line.startsWith('taskgraph_websocket_connections '))?.split(' ')[1]);
    };
    await expect.poll(openSockets).toBe(0);
    const raw = await openRawSocket(wsUrlOf(server()));
    expect(await openSockets()).toBe(1);
    raw.socket.close();
    await expect.poll(openSockets).toBe(0);
  });
});

describe.runIf(testRuntime === 'bun')('identity over WebSocket on the Bun entry (AUTH_JWT_SECRET set)', () => {
  const server = useBunServer({ AUTH_JWT_SECRET: testSecret });
  const bearer = async (userId: string) => `Bearer ${await hs256(testSecret, { sub: userId })}`;

  async function createTaskAs(userId: string, title: string) {
    const response = await fetch(`${server().url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: await bearer(userId) },
      body: JSON.stringify({ query: createTaskMutation, variables: { userId, input: { title } } }),
    });
    const body = (await response.json()) as { data?: { createTask: { id: string } } };
    if (!body.data) throw new Error(`createTask failed: ${JSON.stringify(body)}`);
    return body.data.createTask;
  }

  async function closeCodeForInit(payload: Record<string, unknown>) {
    const raw = await openRawSocket(wsUrlOf(server()));
    raw.send({ type: 'connection_init', payload });
    return raw.closed;
  }

  it('closes with 4401 a connection_init without a token', async () => {
    expect(await closeCodeForInit({})).toEqual({ code: 4401, reason: expect.stringContaining('authorization') });
  });

  it('closes with 4401 a token signed with another secret, an expired token and a malformed one', async () => {
    for (const authorization of [
      `Bearer ${await hs256(`${testSecret}-other`, { sub: 'alice' })}`,
      `Bearer ${await hs256(testSecret, { sub: 'alice' }, '-1m')}`,
      'Bearer not-a-jwt',
    ]) {
      expect((await closeCodeForInit({ authorization })).code).toBe(4401);
    }
  });

  it('closes the socket with 4401 when the token expires, ending its subscriptions', async () => {
    const userId = uniqueUserId('expiring');
    // Long enough for the subscription to go live first on a loaded machine.
    const expiresAt = Math.floor(Date.now() / 1000) + 8;
    const stream = subscribeTaskEventsOverWebSocket({
      url: wsUrlOf(server()),
      userId,
      connectionParams: { authorization: `Bearer ${await hs256(testSecret, { sub: userId }, expiresAt)}` },
    });
    try {
      await untilLive(stream, (title) => createTaskAs(userId, title));
      await expect.poll(() => stream.closedWith(), { timeout: 15_000 }).toEqual({ code: 4401, reason: 'Unauthorized: the bearer token expired' });
      expect(Date.now()).toBeGreaterThanOrEqual(expiresAt * 1000);
    } finally {
      stream.close();
    }
  }, 30_000);

  it("refuses a subscription to another user's events with FORBIDDEN before any event", async () => {
    const alice = uniqueUserId('alice');
    const bob = uniqueUserId('bob');
    const client = webSocketClient(wsUrlOf(server()), { authorization: await bearer(alice) });
    const bobsOwn = subscribeTaskEventsOverWebSocket({ url: wsUrlOf(server()), userId: bob, connectionParams: { authorization: await bearer(bob) } });
    try {
      await untilLive(bobsOwn, (title) => createTaskAs(bob, title));
      const attempt = runOverWebSocket(client, taskEventsSubscription, { userId: bob }, { until: (results) => results.some((result) => result.data) });
      await createTaskAs(bob, "Bob's secret");
      const outcome = await attempt;
      expect(errorCodeOf(outcome)).toBe('FORBIDDEN');
      expect(outcome.results.filter((result) => result.data)).toEqual([]);
    } finally {
      bobsOwn.close();
      await client.dispose();
    }
  }, 60_000);
});

describe.runIf(testRuntime === 'bun')('rate limits over WebSocket on the Bun entry (RATE_LIMIT_MAX set)', () => {
  const server = useBunServer({ RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' });

  it("counts the upgrade and each operation against the address's RATE_LIMIT_MAX, then refuses operations and upgrades with RATE_LIMITED", async () => {
    // The upgrade counts 1 and two operations 2 more: the third operation and a new socket are over.
    const raw = await openRawSocket(wsUrlOf(server()));
    raw.send({ type: 'connection_init' });
    await raw.waitForMessage((message) => message.type === 'connection_ack');
    for (const id of ['1', '2', '3']) raw.send({ id, type: 'subscribe', payload: { query: '{ __typename }' } });
    await raw.waitForMessage((message) => message.id === '3');
    expect(raw.messages.filter((message) => message.type === 'next').map((message) => message.id)).toEqual(['1', '2']);
    expect(raw.messages.find((message) => message.id === '3')).toEqual({
      id: '3',
      type: 'error',
      payload: [{ message: expect.stringMatching(/^Too many requests/), extensions: { code: 'RATE_LIMITED' } }],
    });
    const refused = await refusedUpgrade(wsUrlOf(server()), 'graphql-transport-ws');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(JSON.parse(refused.body).errors[0].extensions.code).toBe('RATE_LIMITED');
    raw.socket.close();
  });
});

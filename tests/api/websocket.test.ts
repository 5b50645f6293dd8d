import type { Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, uniqueUserId, useTestApi } from '../support/api.js';
import { listen, type ListeningServer } from '../support/http-server.js';
import { createTaskMutation, taskQuery, tasksQuery, updateTaskMutation } from '../support/operations.js';
import { subscribeTaskEvents, subscribeTaskEventsOverWebSocket, type TaskEventStream, taskEventsSubscription, untilLive } from '../support/task-events.js';
import { errorCodeOf, openRawSocket, refusedUpgrade, runOverWebSocket, webSocketClient } from '../support/websocket.js';

const api = useTestApi({ metrics: true, env: { WS_INIT_TIMEOUT_MS: '500', WS_MAX_SUBSCRIPTIONS: '3' } });
let server: ListeningServer | undefined;
beforeAll(async () => {
  server = await listen(api().yoga, { websocket: api().websocket });
});
afterAll(async () => {
  await server?.close();
});

const clients: Client[] = [];
const streams: TaskEventStream[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  await expect.poll(() => api().websocket?.openSockets()).toBe(0);
});

function listening(): ListeningServer {
  if (!server) throw new Error('the server is not listening yet');
  return server;
}

function newClient(): Client {
  const client = webSocketClient(listening().wsUrl);
  clients.push(client);
  return client;
}

async function createTaskOverHttp(userId: string, title: string): Promise<{ id: string }> {
  const response = await api().graphql<{ createTask: { id: string } }>(createTaskMutation, { userId, input: { title } });
  if (!response.data) throw new Error(`createTask failed: ${JSON.stringify(response.errors)}`);
  return response.data.createTask;
}

/** A live taskEvents subscription over WebSocket. */
async function followOverWebSocket(userId: string): Promise<TaskEventStream> {
  const stream = subscribeTaskEventsOverWebSocket({ url: listening().wsUrl, userId });
  streams.push(stream);
  await untilLive(stream, (title) => createTaskOverHttp(userId, title));
  return stream;
}

let documentCounter = 0;
/** Pages nested `levels` deep; each call names its operation anew, so no earlier request's cached validation applies. */
const nestedPages = (levels: number, first: number) => {
  let selection = 'id';
  for (let level = 1; level < levels; level += 1) selection = `id user { tasks(first: ${first}) { edges { node { ${selection} } } } }`;
  documentCounter += 1;
  return `query Nested${documentCounter}($userId: ID!) { tasks(userId: $userId, first: ${first}) { edges { node { ${selection} } } } }`;
};

const codesOf = (errors: unknown) => (errors as { extensions?: { code?: unknown } }[] | undefined)?.map((error) => error.extensions?.code);

describe('GraphQL over WebSocket (graphql-transport-ws) on the HTTP port and path', () => {
  it('runs mutations and queries over the socket', async () => {
    const client = newClient();
    const userId = uniqueUserId('ws');
    const created = await runOverWebSocket(client, createTaskMutation, { userId, input: { title: 'Over the socket' } });
    const task = (created.results[0]?.data as { createTask: { id: string } }).createTask;
    const read = await runOverWebSocket(client, taskQuery, { userId, id: task.id });
    expect(read.results).toEqual([{ data: { task: expect.objectContaining({ id: task.id, title: 'Over the socket', completed: false }) } }]);
  });

  it("delivers taskEvents for the user's writes, whichever transport made them", async () => {
    const userId = uniqueUserId('ws');
    const stream = await followOverWebSocket(userId);
    const task = await createTaskOverHttp(userId, 'Written over HTTP');
    await runOverWebSocket(newClient(), updateTaskMutation, { userId, id: task.id, input: { completed: true } });
    await stream.waitFor((event) => event.type === 'UPDATED' && event.task.id === task.id);
    expect(stream.events().map((event) => `${event.type} ${event.task.title} ${event.task.completed}`)).toEqual([
      'CREATED Written over HTTP false',
      'UPDATED Written over HTTP true',
    ]);
  });

  it('delivers each event once to a WebSocket subscriber and once to an SSE subscriber of the same user', async () => {
    const userId = uniqueUserId('both');
    const overWebSocket = await followOverWebSocket(userId);
    const overSse = subscribeTaskEvents({ url: `${listening().url}/graphql`, userId });
    streams.push(overSse);
    await untilLive(overSse, (title) => createTaskOverHttp(userId, title));
    const task = await createTaskOverHttp(userId, 'Seen on both');
    const closing = await createTaskOverHttp(userId, 'Closing marker');
    for (const stream of [overWebSocket, overSse]) {
      await stream.waitFor((event) => event.task.id === closing.id);
      expect(stream.events().map((event) => event.task.id)).toEqual([task.id, closing.id]);
    }
  });

  it('refuses a document over MAX_DEPTH with MAX_DEPTH_EXCEEDED, as over HTTP', async () => {
    const variables = { userId: uniqueUserId() };
    const overHttp = await api().graphql(nestedPages(4, 1), variables);
    const overSocket = await runOverWebSocket(newClient(), nestedPages(4, 1), variables);
    expect(codesOf(overHttp.errors)).toEqual(['MAX_DEPTH_EXCEEDED']);
    expect(codesOf(overSocket.error)).toEqual(['MAX_DEPTH_EXCEEDED']);
    expect(overSocket.results).toEqual([]);
  });

  it('refuses a document over MAX_COST with MAX_COST_EXCEEDED, as over HTTP', async () => {
    const variables = { userId: uniqueUserId() };
    const overHttp = await api().graphql(nestedPages(2, 100), variables);
    const overSocket = await runOverWebSocket(newClient(), nestedPages(2, 100), variables);
    expect(codesOf(overHttp.errors)).toEqual(['MAX_COST_EXCEEDED']);
    expect(codesOf(overSocket.error)).toEqual(['MAX_COST_EXCEEDED']);
    expect(overSocket.results).toEqual([]);
  });

  it('refuses a subscription over the query limits before it starts', async () => {
    const deepSubscription = `subscription ($userId: ID!) { taskEvents(userId: $userId) { task { user { tasks(first: 100) {
      edges { node { user { tasks(first: 100) { edges { node { id } } } } } } } } } } }`;
    const outcome = await runOverWebSocket(newClient(), deepSubscription, { userId: uniqueUserId() });
    expect(errorCodeOf(outcome)).toMatch(/^MAX_(DEPTH|COST)_EXCEEDED$/);
  });

  it('answers an invalid argument with BAD_USER_INPUT naming the field, as over HTTP', async () => {
    const variables = { userId: uniqueUserId(), input: { title: '' } };
    const overHttp = await api().graphql(createTaskMutation, variables);
    const overSocket = await runOverWebSocket(newClient(), createTaskMutation, variables);
    expect(overHttp.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(overSocket.results[0]?.errors).toEqual(overHttp.errors?.map((error) => expect.objectContaining(error)));
  });

  it('answers a variable of the wrong type with BAD_USER_INPUT, without HTTP details', async () => {
    const outcome = await runOverWebSocket(newClient(), tasksQuery, { userId: uniqueUserId(), first: 'many' });
    expect(errorCodeOf(outcome)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(outcome)).not.toMatch(/"(http|unexpected)"/);
  });

  it('answers a syntax error with an error message and keeps the socket open', async () => {
    const client = newClient();
    const broken = await runOverWebSocket(client, '{ tasks(userId: ');
    expect(broken.error).toEqual([expect.objectContaining({ message: expect.stringMatching(/^Syntax Error/) })]);
    const after = await runOverWebSocket(client, '{ __typename }');
    expect(after.results).toEqual([{ data: { __typename: 'Query' } }]);
  });

  it('shows open sockets and the operations run over them on /metrics', async () => {
    const scrape = async () => (await (await api().yoga.fetch('http://taskgraph.test/metrics')).text()).split('\n');
    const gauge = (lines: string[]) => Number(lines.find((line) => line.startsWith('taskgraph_websocket_connections '))?.split(' ')[1]);
    expect(gauge(await scrape())).toBe(0);
    const sockets = await Promise.all([openRawSocket(listening().wsUrl), openRawSocket(listening().wsUrl)]);
    expect(gauge(await scrape())).toBe(2);
    for (const { socket } of sockets) socket.close();
    await Promise.all(sockets.map(({ closed }) => closed));
    await expect.poll(async () => gauge(await scrape())).toBe(0);

    await runOverWebSocket(newClient(), 'query CountedOverWebSocket { __typename }');
    expect((await scrape()).find((line) => line.startsWith('graphql_envelop_request{') && line.includes('CountedOverWebSocket'))).toMatch(/ 1$/);
  });
});

describe('refusals and abuse limits', () => {
  it('refuses an upgrade that does not offer graphql-transport-ws with 400 BAD_REQUEST, legacy graphql-ws included', async () => {
    for (const protocols of [undefined, 'graphql-ws', ['graphql-ws', 'chat']]) {
      const refused = await refusedUpgrade(listening().wsUrl, protocols);
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.body)).toEqual({
        errors: [{ message: expect.stringContaining('graphql-transport-ws'), extensions: { code: 'BAD_REQUEST' } }],
      });
    }
  });

  it('refuses an upgrade on another path with 404', async () => {
    expect((await refusedUpgrade(`${listening().wsUrl.replace('/graphql', '/other')}`, 'graphql-transport-ws')).status).toBe(404);
  });

  it('closes a socket that sends no connection_init within WS_INIT_TIMEOUT_MS with 4408', async () => {
    const raw = await openRawSocket(listening().wsUrl);
    const startedAt = performance.now();
    expect(await raw.closed).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(400);
  });

  it('closes a socket that sends a message larger than MAX_BODY_BYTES with 1009', async () => {
    const raw = await openRawSocket(listening().wsUrl);
    raw.send({ type: 'connection_init' });
    await raw.waitForMessage((message) => message.type === 'connection_ack');
    raw.send({ id: '1', type: 'subscribe', payload: { query: `{ __typename } # ${'x'.repeat(262_144)}` } });
    expect((await raw.closed).code).toBe(1009);
  });

  it('refuses operations beyond WS_MAX_SUBSCRIPTIONS on one socket with TOO_MANY_SUBSCRIPTIONS', async () => {
    const raw = await openRawSocket(listening().wsUrl);
    raw.send({ type: 'connection_init' });
    await raw.waitForMessage((message) => message.type === 'connection_ack');
    for (const id of ['1', '2', '3', '4']) {
      raw.send({ id, type: 'subscribe', payload: { query: taskEventsSubscription, variables: { userId: uniqueUserId() } } });
    }
    const refused = await raw.waitForMessage((message) => message.id === '4');
    expect(refused).toEqual({ id: '4', type: 'error', payload: [expect.objectContaining({ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } })] });
    // Completing one makes room for another.
    raw.send({ id: '1', type: 'complete' });
    raw.send({ id: '5', type: 'subscribe', payload: { query: '{ __typename }' } });
    expect(await raw.waitForMessage((message) => message.id === '5')).toEqual({ id: '5', type: 'next', payload: { data: { __typename: 'Query' } } });
    expect(raw.messages.filter((message) => ['1', '2', '3'].includes(message.id ?? ''))).toEqual([]);
    raw.socket.close();
  });

  it('closes a flooding socket with 1008 and keeps serving the others', async () => {
    const bystander = await followOverWebSocket(uniqueUserId('bystander'));
    const flooder = await openRawSocket(listening().wsUrl);
    flooder.send({ type: 'connection_init' });
    await flooder.waitForMessage((message) => message.type === 'connection_ack');
    for (let message = 0; message < 1000 && flooder.socket.readyState === flooder.socket.OPEN; message += 1) {
      flooder.send({ type: 'ping' });
    }
    expect(await flooder.closed).toEqual({ code: 1008, reason: 'Too many messages' });
    const pongs = flooder.messages.filter((message) => message.type === 'pong').length;
    expect(pongs).toBeLessThanOrEqual(101);
    const userId = uniqueUserId('after-flood');
    const afterwards = await runOverWebSocket(newClient(), createTaskMutation, { userId, input: { title: 'still served' } });
    expect(afterwards.results[0]?.errors).toBeUndefined();
    expect(bystander.errors).toEqual([]);
  });
});

/** Starts an API with the given configuration, listening with WebSocket, for one test. */
async function withListeningApi(env: Record<string, string>, test: (api: TestApi, server: ListeningServer) => Promise<void>) {
  const configured = await startTestApi({ env });
  const listeningServer = await listen(configured.yoga, { websocket: configured.websocket });
  try {
    await test(configured, listeningServer);
  } finally {
    await listeningServer.close();
    await configured.dispose();
  }
}

describe('switches and counters shared with HTTP', () => {
  it('refuses introspection over the socket when INTROSPECTION=false, as over HTTP', async () => {
    await withListeningApi({ INTROSPECTION: 'false' }, async (configured, listeningServer) => {
      const client = webSocketClient(listeningServer.wsUrl);
      try {
        const overHttp = await configured.graphql('{ __schema { queryType { name } } }');
        const overSocket = await runOverWebSocket(client, '{ __schema { queryType { name } } }');
        expect(codesOf(overHttp.errors)).toContain('GRAPHQL_VALIDATION_FAILED');
        expect(overSocket.error).toEqual(overHttp.errors);
        expect((await runOverWebSocket(client, '{ __typename }')).results).toEqual([{ data: { __typename: 'Query' } }]);
      } finally {
        await client.dispose();
      }
    });
  });

  it('counts each connection and each subscribe message against RATE_LIMIT_MAX, shared with HTTP', async () => {
    await withListeningApi({ RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' }, async (_configured, listeningServer) => {
      // The upgrade counts 1 and two operations 2 more: the third operation, an HTTP request and a new socket are over.
      const raw = await openRawSocket(listeningServer.wsUrl);
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
      const overHttp = await fetch(`${listeningServer.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(overHttp.status).toBe(429);
      const refused = await refusedUpgrade(listeningServer.wsUrl, 'graphql-transport-ws');
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toMatch(/^\d+$/);
      expect(JSON.parse(refused.body).errors[0].extensions.code).toBe('RATE_LIMITED');
      raw.socket.close();
    });
  });

  it('masks an unexpected error exactly as over HTTP', async () => {
    await withListeningApi({}, async (configured, listeningServer) => {
      const client = webSocketClient(listeningServer.wsUrl);
      try {
        await configured.db.close();
        const query = 'query Count($userId: ID!) { tasks(userId: $userId) { totalCount } }';
        const overHttp = await configured.graphql(query, { userId: uniqueUserId() });
        const overSocket = await runOverWebSocket(client, query, { userId: uniqueUserId() });
        expect(overHttp.errors?.[0]?.extensions?.code).toMatch(/^(INTERNAL_SERVER_ERROR|SERVICE_UNAVAILABLE)$/);
        expect(overSocket.results[0]?.errors).toEqual(overHttp.errors);
      } finally {
        await client.dispose();
      }
    });
  });
});

describe('with CORS_ORIGINS, a WebSocket upgrade (which browsers never preflight)', () => {
  const allowedOrigin = 'https://app.example';

  it('is refused with 403 before the socket opens when its Origin is not allowed', async () => {
    await withListeningApi({ CORS_ORIGINS: allowedOrigin }, async (_configured, listeningServer) => {
      const refused = await refusedUpgrade(listeningServer.wsUrl, 'graphql-transport-ws', { origin: 'https://evil.example' });
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.body)).toEqual({
        errors: [{ message: expect.stringContaining('CORS_ORIGINS'), extensions: { code: 'FORBIDDEN' } }],
      });
    });
  });

  it("is served for a listed origin, the API's own origin, and a client that sends no Origin", async () => {
    await withListeningApi({ CORS_ORIGINS: allowedOrigin }, async (_configured, listeningServer) => {
      const headerSets: Record<string, string>[] = [{ origin: allowedOrigin }, { origin: listeningServer.url }, {}];
      for (const headers of headerSets) {
        const raw = await openRawSocket(listeningServer.wsUrl, 'graphql-transport-ws', headers);
        raw.send({ type: 'connection_init' });
        await raw.waitForMessage((message) => message.type === 'connection_ack');
        raw.socket.close();
      }
    });
  });
});

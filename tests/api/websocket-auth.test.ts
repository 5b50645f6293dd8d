import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniqueUserId, useTestApi } from '../support/api.js';
import { listen, type ListeningServer } from '../support/http-server.js';
import { createTaskMutation, tasksQuery } from '../support/operations.js';
import { subscribeTaskEventsOverWebSocket, taskEventsSubscription, untilLive } from '../support/task-events.js';
import { hs256, testSecret } from '../support/tokens.js';
import { errorCodeOf, openRawSocket, runOverWebSocket, webSocketClient } from '../support/websocket.js';

const api = useTestApi({ env: { AUTH_JWT_SECRET: testSecret } });
let server: ListeningServer | undefined;
beforeAll(async () => {
  server = await listen(api().yoga, { websocket: api().websocket });
});
afterAll(async () => {
  await server?.close();
});

function wsUrl(): string {
  if (!server) throw new Error('the server is not listening yet');
  return server.wsUrl;
}

const bearer = async (userId: string) => `Bearer ${await hs256(testSecret, { sub: userId })}`;

/** Sends connection_init with these params on a raw socket and resolves with how the server closed it. */
async function closeCodeForInit(payload: Record<string, unknown>) {
  const raw = await openRawSocket(wsUrl());
  raw.send({ type: 'connection_init', payload });
  return raw.closed;
}

async function createTaskAs(userId: string, title: string) {
  const response = await api().graphql<{ createTask: { id: string } }>(
    createTaskMutation,
    { userId, input: { title } },
    { authorization: await bearer(userId) },
  );
  if (!response.data) throw new Error(`createTask failed: ${JSON.stringify(response.errors)}`);
  return response.data.createTask;
}

describe('identity over WebSocket (AUTH_JWT_SECRET set)', () => {
  it('closes with 4401 a connection_init without a token', async () => {
    expect(await closeCodeForInit({})).toEqual({ code: 4401, reason: expect.stringContaining('authorization') });
  });

  it('closes with 4401 a token signed with another secret, an expired token and a malformed one', async () => {
    for (const authorization of [
      `Bearer ${await hs256(`${testSecret}-other`, { sub: 'alice' })}`,
      `Bearer ${await hs256(testSecret, { sub: 'alice' }, '-1m')}`,
      'Bearer not-a-jwt',
      await hs256(testSecret, { sub: 'alice' }),
    ]) {
      expect((await closeCodeForInit({ authorization })).code).toBe(4401);
    }
  });

  it('accepts the token as connectionParams.authorization or .Authorization and acts for its subject', async () => {
    const userId = uniqueUserId('ws-auth');
    for (const name of ['authorization', 'Authorization']) {
      const client = webSocketClient(wsUrl(), { [name]: await bearer(userId) });
      try {
        const outcome = await runOverWebSocket(client, createTaskMutation, { userId, input: { title: `as ${name}` } });
        expect(outcome.results[0]?.errors).toBeUndefined();
        expect(outcome.results[0]?.data).toMatchObject({ createTask: { title: `as ${name}` } });
      } finally {
        await client.dispose();
      }
    }
  });

  it('refuses a query or mutation naming another user with FORBIDDEN, as over HTTP', async () => {
    const client = webSocketClient(wsUrl(), { authorization: await bearer(uniqueUserId('alice')) });
    try {
      const bob = uniqueUserId('bob');
      expect(errorCodeOf(await runOverWebSocket(client, tasksQuery, { userId: bob, first: 1 }))).toBe('FORBIDDEN');
      const mutation = await runOverWebSocket(client, createTaskMutation, { userId: bob, input: { title: 'not yours' } });
      expect(errorCodeOf(mutation)).toBe('FORBIDDEN');
      expect(mutation.results[0]?.data).toBeUndefined();
    } finally {
      await client.dispose();
    }
  });

  it("refuses a subscription to another user's events with FORBIDDEN before any event, however the id is named", async () => {
    const alice = uniqueUserId('alice');
    const bob = uniqueUserId('bob');
    const client = webSocketClient(wsUrl(), { authorization: await bearer(alice) });
    // Bob is followed by his own token, so his events flow while alice's attempts are checked.
    const bobsOwn = subscribeTaskEventsOverWebSocket({ url: wsUrl(), userId: bob, connectionParams: { authorization: await bearer(bob) } });
    try {
      await untilLive(bobsOwn, (title) => createTaskAs(bob, title));
      const attempts = [
        { query: taskEventsSubscription, variables: { userId: bob } },
        { query: `subscription { taskEvents(userId: "${bob}") { type } }`, variables: {} },
        { query: `subscription { mine: taskEvents(userId: "${bob}") { type } }`, variables: {} },
        { query: `subscription { ...Theirs } fragment Theirs on Subscription { taskEvents(userId: "${bob}") { type } }`, variables: {} },
      ];
      const outcomes = await Promise.all(
        attempts.map(({ query, variables }) => runOverWebSocket(client, query, variables, { until: (results) => results.some((result) => result.data) })),
      );
      await createTaskAs(bob, "Bob's secret");
      for (const outcome of outcomes) {
        expect(errorCodeOf(outcome)).toBe('FORBIDDEN');
        expect(outcome.results.filter((result) => result.data)).toEqual([]);
      }
    } finally {
      bobsOwn.close();
      await client.dispose();
    }
  });

  it('closes the socket with 4401 when the token expires, ending its subscriptions', async () => {
    const userId = uniqueUserId('expiring');
    // Long enough for the subscription to go live first on a loaded machine.
    const expiresAt = Math.floor(Date.now() / 1000) + 8;
    const stream = subscribeTaskEventsOverWebSocket({
      url: wsUrl(),
      userId,
      connectionParams: { authorization: `Bearer ${await hs256(testSecret, { sub: userId }, expiresAt)}` },
    });
    try {
      await untilLive(stream, (title) => createTaskAs(userId, title));
      await expect.poll(() => stream.closedWith(), { timeout: 15_000 }).toEqual({ code: 4401, reason: 'Unauthorized: the bearer token expired' });
      expect(Date.now()).toBeGreaterThanOrEqual(expiresAt * 1000);
      expect(stream.errors).not.toEqual([]);
    } finally {
      stream.close();
    }
  });

  it("counts a connection against the token subject's rate limit, closing with 1013 (Try Again Later) when it is spent", async () => {
    const limited = await startTestApi({ env: { AUTH_JWT_SECRET: testSecret, RATE_LIMIT_MAX: '1', TRUST_PROXY: 'true' } });
    const limitedServer = await listen(limited.yoga, { websocket: limited.websocket });
    try {
      const authorization = await bearer(uniqueUserId('limited'));
      // Two addresses (behind the trusted proxy), so only the subject's count can refuse the second connection.
      const first = await openRawSocket(limitedServer.wsUrl, undefined, { 'x-forwarded-for': '192.0.2.1' });
      first.send({ type: 'connection_init', payload: { authorization } });
      await first.waitForMessage((message) => message.type === 'connection_ack');
      const second = await openRawSocket(limitedServer.wsUrl, undefined, { 'x-forwarded-for': '192.0.2.2' });
      second.send({ type: 'connection_init', payload: { authorization } });
      expect(await second.closed).toEqual({ code: 1013, reason: expect.stringMatching(/^Too many requests/) });
      first.socket.close();
    } finally {
      await limitedServer.close();
      await limited.dispose();
    }
  });
});

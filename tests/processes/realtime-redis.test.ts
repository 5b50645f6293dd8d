import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { uniqueUserId } from '../support/api.js';
import { createPostgresDatabase, type TestDatabase, testDatabaseKind } from '../support/databases.js';
import { createTaskMutation, deleteTaskMutation, updateTaskMutation } from '../support/operations.js';
import { postGraphQL } from '../support/requests.js';
import { type ServerProcess, startServerProcess } from '../support/server-process.js';
import { subscribeTaskEvents, subscribeTaskEventsOverWebSocket, type TaskEventStream, untilLive } from '../support/task-events.js';

const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl && testDatabaseKind === 'postgres') {
  const message =
    '[taskgraph] TEST_REDIS_URL is not set: the two-instance realtime test (Redis pub/sub) is SKIPPED. ' +
    'Set TEST_REDIS_URL=redis://127.0.0.1:6379 to run it.';
  if (process.env.CI === 'true') throw new Error(`${message} In CI it must run.`);
  console.warn(`\n${message}\n`);
}

let database: (TestDatabase & { url: string }) | undefined;
let redis: Redis | undefined;
const instances: { a?: ServerProcess; b?: ServerProcess } = {};
const streams: TaskEventStream[] = [];

function instance(name: 'a' | 'b'): ServerProcess {
  const server = instances[name];
  if (!server) throw new Error(`instance ${name} is not running`);
  return server;
}

async function createTaskOn(server: ServerProcess, userId: string, title: string): Promise<{ id: string }> {
  const result = await postGraphQL<{ createTask: { id: string } }>(server.url, createTaskMutation, { userId, input: { title } });
  if (!result.data) throw new Error(`createTask failed: ${JSON.stringify(result.errors)}`);
  return result.data.createTask;
}

/** A live subscription on one instance, proven live by markers written through the other one. */
async function follow(on: ServerProcess, userId: string, markersThrough: ServerProcess): Promise<TaskEventStream> {
  const stream = subscribeTaskEvents({ url: `${on.url}/graphql`, userId });
  streams.push(stream);
  await untilLive(stream, (title) => createTaskOn(markersThrough, userId, title));
  return stream;
}

/** A live subscription over WebSocket on one instance, proven live by markers written through the other one. */
async function followOverWebSocket(on: ServerProcess, userId: string, markersThrough: ServerProcess): Promise<TaskEventStream> {
  const stream = subscribeTaskEventsOverWebSocket({ url: `${on.url.replace(/^http/, 'ws')}/graphql`, userId });
  streams.push(stream);
  await untilLive(stream, (title) => createTaskOn(markersThrough, userId, title));
  return stream;
}

/** How many Redis connections listen to the user's topic: one per instance that has a subscriber for it. */
async function redisSubscribers(userId: string): Promise<number> {
  if (!redis) throw new Error('redis is not connected');
  const [, count] = (await redis.pubsub('NUMSUB', `taskEvents:${userId}`)) as [string, number];
  return Number(count);
}

describe.runIf(testDatabaseKind === 'postgres' && redisUrl)('task events across two instances (PostgreSQL + Redis)', () => {
  beforeAll(async () => {
    if (!redisUrl) return;
    database = await createPostgresDatabase({ logger: pino({ level: 'silent' }), poolSize: 1 });
    redis = new Redis(redisUrl, { lazyConnect: true });
    await redis.connect();
    const env = { DATABASE_URL: database.url, REDIS_URL: redisUrl, SHUTDOWN_TIMEOUT_MS: '2000' };
    // One after the other: the first applies the migrations.
    instances.a = await startServerProcess(env);
    instances.b = await startServerProcess({ ...env, MIGRATE_ON_START: 'false' });
  }, 120_000);

  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });

  afterAll(async () => {
    await Promise.all([instances.a?.stop(), instances.b?.stop()]);
    redis?.disconnect();
    await database?.dispose();
  });

  it('a mutation on instance A reaches a subscriber on instance B', async () => {
    const userId = uniqueUserId('across');
    const onB = await follow(instance('b'), userId, instance('a'));
    const task = await createTaskOn(instance('a'), userId, 'Made on A');
    await postGraphQL(instance('a').url, updateTaskMutation, { userId, id: task.id, input: { completed: true } });
    await postGraphQL(instance('a').url, deleteTaskMutation, { userId, id: task.id });
    await onB.waitFor((event) => event.type === 'DELETED' && event.task.id === task.id);
    expect(onB.events().map((event) => `${event.type} ${event.task.title} ${event.task.completed}`)).toEqual([
      'CREATED Made on A false',
      'UPDATED Made on A true',
      'DELETED Made on A true',
    ]);
  });

  it('subscribers on both instances each get every event exactly once', async () => {
    const userId = uniqueUserId('both');
    const onA = await follow(instance('a'), userId, instance('b'));
    const onB = await follow(instance('b'), userId, instance('a'));
    const task = await createTaskOn(instance('b'), userId, 'Seen everywhere');
    const closing = await createTaskOn(instance('a'), userId, 'Closing marker');
    for (const stream of [onA, onB]) {
      await stream.waitFor((event) => event.task.id === closing.id);
      expect(stream.events().map((event) => event.task.id)).toEqual([task.id, closing.id]);
    }
  });

  it('a write on instance A reaches a WebSocket subscriber and an SSE subscriber on instance B, once each', async () => {
    const userId = uniqueUserId('transports');
    const overWebSocket = await followOverWebSocket(instance('b'), userId, instance('a'));
    const overSse = await follow(instance('b'), userId, instance('a'));
    // One SUBSCRIBE per instance and topic, whatever the transports of its subscribers.
    expect(await redisSubscribers(userId)).toBe(1);
    const task = await createTaskOn(instance('a'), userId, 'Made on A');
    const closing = await createTaskOn(instance('a'), userId, 'Closing marker');
    for (const stream of [overWebSocket, overSse]) {
      await stream.waitFor((event) => event.task.id === closing.id);
      expect(stream.events().map((event) => `${event.type} ${event.task.id}`)).toEqual([`CREATED ${task.id}`, `CREATED ${closing.id}`]);
    }
  });

  it("never delivers another user's events, whichever instance wrote them", async () => {
    const alice = uniqueUserId('alice');
    const bob = uniqueUserId('bob');
    const aliceOnB = await follow(instance('b'), alice, instance('a'));
    const bobOnB = await follow(instance('b'), bob, instance('a'));
    const bobSeenBefore = bobOnB.received.length;
    const secret = await createTaskOn(instance('a'), alice, "Alice's secret");
    await aliceOnB.waitFor((event) => event.task.id === secret.id);
    const bobsOwn = await createTaskOn(instance('a'), bob, "Bob's errand");
    await bobOnB.waitFor((event) => event.task.id === bobsOwn.id, { from: bobSeenBefore });
    expect(bobOnB.received.slice(bobSeenBefore).map((event) => event.task.title)).toEqual(["Bob's errand"]);
  });

  it('a client that drops and reconnects to the other instance gets each later event once', async () => {
    const userId = uniqueUserId('reconnect');
    const first = await follow(instance('a'), userId, instance('a'));
    expect(await redisSubscribers(userId)).toBe(1);
    first.close();
    // The dropped stream's server-side subscription ends and instance A leaves the Redis topic.
    await expect.poll(() => redisSubscribers(userId), { timeout: 10_000, interval: 100 }).toBe(0);
    const seenByFirst = first.received.length;

    const second = await follow(instance('b'), userId, instance('a'));
    expect(await redisSubscribers(userId)).toBe(1);
    const task = await createTaskOn(instance('a'), userId, 'After the reconnect');
    const closing = await createTaskOn(instance('a'), userId, 'Closing marker');
    await second.waitFor((event) => event.task.id === closing.id);
    expect(second.events().map((event) => event.task.id)).toEqual([task.id, closing.id]);
    expect(first.received).toHaveLength(seenByFirst);
  });
});

import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, testGraphqlUrl, uniqueUserId } from '../support/api.js';
import { createTaskMutation, expectNoErrors, tasksQuery, type TaskResult, updateTaskMutation } from '../support/operations.js';
import { subscribeTaskEvents, taskEventsSubscription, type TaskEventStream, untilLive } from '../support/task-events.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl) {
  const message =
    '[taskgraph] TEST_REDIS_URL is not set: the Redis fault tests are SKIPPED. Set TEST_REDIS_URL=redis://127.0.0.1:6379 to run them.';
  if (process.env.CI === 'true') throw new Error(`${message} In CI they must run.`);
  console.warn(`\n${message}\n`);
}

interface ProxiedRedisApi {
  api: TestApi;
  proxy: TcpProxy;
}

/** An API whose Redis connections go through a TCP proxy the test can cut, like a Redis restart or a network fault. */
function useApiBehindRedisProxy(env: Record<string, string> = {}): () => ProxiedRedisApi {
  let started: ProxiedRedisApi | undefined;
  beforeAll(async () => {
    if (!redisUrl) return;
    const target = new URL(redisUrl);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    const proxied = new URL(redisUrl);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    started = { proxy, api: await startTestApi({ redisUrl: proxied.toString(), metrics: true, env }) };
  });
  afterAll(async () => {
    started?.proxy.restore();
    await started?.api.dispose();
    await started?.proxy.close();
  });
  return () => {
    if (!started) throw new Error('the API is not started yet');
    return started;
  };
}

async function readiness(api: TestApi): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await api.fetch('/ready');
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function redisUpGauge(api: TestApi): Promise<string | undefined> {
  const text = await (await api.fetch('/metrics')).text();
  return /^taskgraph_redis_up (\d)$/m.exec(text)?.[1];
}

/** Restores Redis and waits until the API has both connections back. */
async function restore({ api, proxy }: ProxiedRedisApi): Promise<void> {
  proxy.restore();
  await expect.poll(async () => (await readiness(api)).body.redis, { timeout: 15_000, interval: 100 }).toBe('up');
}

async function cutRedis({ api, proxy }: ProxiedRedisApi): Promise<void> {
  proxy.cut('refuse');
  await expect.poll(async () => (await readiness(api)).body.redis, { timeout: 5000, interval: 50 }).toBe('down');
}

const createTaskIn = async (api: TestApi, userId: string, title: string) =>
  expectNoErrors(await api.graphql<{ createTask: TaskResult }>(createTaskMutation, { userId, input: { title } })).createTask;

describe.runIf(redisUrl)('when Redis goes away', () => {
  const setup = useApiBehindRedisProxy();
  const streams: TaskEventStream[] = [];
  const follow = (userId: string) => {
    const { api } = setup();
    const stream = subscribeTaskEvents({
      url: testGraphqlUrl,
      userId,
      fetchFn: async (input, init) => api.yoga.fetch(input instanceof Request ? input.url : String(input), init ?? {}),
    });
    streams.push(stream);
    return stream;
  };
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    await restore(setup());
  });

  it('GET /ready stays 200 and reports Redis down, /metrics shows it, and both recover without a restart', async () => {
    const { api } = setup();
    expect(await readiness(api)).toEqual({ status: 200, body: { status: 'ready', database: 'up', redis: 'up' } });
    expect(await redisUpGauge(api)).toBe('1');
    await cutRedis(setup());
    expect(await readiness(api)).toEqual({ status: 200, body: { status: 'ready', database: 'up', redis: 'down' } });
    expect(await redisUpGauge(api)).toBe('0');
    await restore(setup());
    expect(await readiness(api)).toEqual({ status: 200, body: { status: 'ready', database: 'up', redis: 'up' } });
    expect(await redisUpGauge(api)).toBe('1');
  });

  it('queries and mutations keep working', async () => {
    const { api } = setup();
    const userId = uniqueUserId('no-redis');
    await cutRedis(setup());
    const task = await createTaskIn(api, userId, 'written without Redis');
    const updated = await api.graphql<{ updateTask: TaskResult }>(updateTaskMutation, { userId, id: task.id, input: { completed: true } });
    expect(expectNoErrors(updated).updateTask.completed).toBe(true);
    const page = await api.graphql<{ tasks: { edges: { node: TaskResult }[] } }>(tasksQuery, { userId, first: 10 });
    expect(expectNoErrors(page).tasks.edges.map((edge) => [edge.node.title, edge.node.completed])).toEqual([['written without Redis', true]]);
    expect(api.logs.some((log) => log.msg === 'task event not published')).toBe(true);
  });

  it('an open subscription ends with SERVICE_UNAVAILABLE, telling the client to catch up and subscribe again', async () => {
    const { api } = setup();
    const userId = uniqueUserId('interrupted');
    const stream = follow(userId);
    await untilLive(stream, (title) => createTaskIn(api, userId, title));
    await cutRedis(setup());
    await expect.poll(() => stream.completed(), { timeout: 5000 }).toBe(true);
    expect(stream.errors).toMatchObject([
      { message: expect.stringMatching(/interrupted.*Query tasks to catch up/), extensions: { code: 'SERVICE_UNAVAILABLE' } },
    ]);
  });

  it('an open subscription also ends when Redis stops answering without closing the connection', async () => {
    const { api, proxy } = setup();
    const userId = uniqueUserId('stalled');
    const stream = follow(userId);
    await untilLive(stream, (title) => createTaskIn(api, userId, title));
    proxy.cut('stall');
    await expect.poll(() => stream.completed(), { timeout: 15_000, interval: 100 }).toBe(true);
    expect(stream.errors).toMatchObject([{ extensions: { code: 'SERVICE_UNAVAILABLE' } }]);
    expect(api.logs.some((log) => log.msg === 'Redis did not answer a ping in time: reconnecting')).toBe(true);
  }, 30_000);

  it('a new subscription is refused with 503 SERVICE_UNAVAILABLE and Retry-After', async () => {
    const { api } = setup();
    await cutRedis(setup());
    const response = await api.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: taskEventsSubscription, variables: { userId: uniqueUserId('refused') } }),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.text()).toContain('"code":"SERVICE_UNAVAILABLE"');
  });

  it('once Redis is back, a new subscription gets every event again', async () => {
    const { api } = setup();
    const userId = uniqueUserId('resumed');
    await cutRedis(setup());
    await restore(setup());
    const stream = follow(userId);
    await untilLive(stream, (title) => createTaskIn(api, userId, title));
    const task = await createTaskIn(api, userId, 'after the outage');
    await stream.waitFor((event) => event.task.id === task.id);
    expect(stream.errors).toEqual([]);
  });
});

describe.runIf(redisUrl)('rate limits when Redis goes away (RATE_LIMIT_MAX=3)', () => {
  const setup = useApiBehindRedisProxy({ RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '600000', TRUST_PROXY: 'true' });
  let direct: Redis | undefined;
  beforeAll(async () => {
    if (!redisUrl) return;
    direct = new Redis(redisUrl, { lazyConnect: true });
    await direct.connect();
  });
  afterAll(() => direct?.disconnect());

  const send = (address: string) =>
    setup().api.graphql('{ __typename }', undefined, { 'x-forwarded-for': address }).then((response) => response.status);
  const freshAddress = (label: number) => `198.18.${label}.${Math.floor(Math.random() * 250) + 1}-${Date.now()}`;

  it('still limit each client, counting in this instance, and count in Redis again once it is back', async () => {
    await cutRedis(setup());
    const duringOutage = freshAddress(1);
    const statuses: number[] = [];
    for (let sent = 0; sent < 4; sent += 1) statuses.push(await send(duringOutage));
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(await direct?.exists(`taskgraph:rate-limit:ip:${duringOutage}`)).toBe(0);

    await restore(setup());
    const afterOutage = freshAddress(2);
    expect(await send(afterOutage)).toBe(200);
    expect(await direct?.get(`taskgraph:rate-limit:ip:${afterOutage}`)).toBe('1');
  });
});

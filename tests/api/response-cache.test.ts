import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { migrate } from '../../src/migrate.js';
import { connectRedis, type RedisConnections } from '../../src/redis.js';
import { schema } from '../../src/schema/index.js';
import { createTaskEvents } from '../../src/schema/task/events.js';
import { buildYoga } from '../../src/yoga.js';
import { collectLogs, serveTestApi, startTestApi, type TestApi, type TestApiOptions, uniqueUserId, useTestApi } from '../support/api.js';
import { createTestDatabase } from '../support/databases.js';
import {
  createTask,
  createTaskMutation,
  deleteCompletedTasksMutation,
  deleteTaskMutation,
  deleteTasksMutation,
  expectErrorCode,
  expectNoErrors,
  type PageResult,
  setTasksCompletedMutation,
  updateTaskMutation,
} from '../support/operations.js';
import { useRealServer } from '../support/http-server.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { hs256, testSecret } from '../support/tokens.js';
import { runOverWebSocket, webSocketClient } from '../support/websocket.js';

// Off by default (it costs more than it saves on write-heavy traffic: docs/performance.md); these tests turn it on.
const cacheOn = { RESPONSE_CACHE: 'true' };

const redisUrl = process.env.TEST_REDIS_URL;

const titlesQuery = `query Titles($userId: ID!) { tasks(userId: $userId, first: 100) { edges { node { id title } } } }`;
type Titles = { tasks: { edges: { node: { id: string; title: string } }[] } };

/** The titles of the user's tasks as the API answers, and how many SQL statements the answer took (0 = from the cache). */
async function readTitles(api: TestApi, userId: string, headers?: Record<string, string>) {
  const { response, statements } = await api.graphqlWithStatements<Titles>(titlesQuery, { userId }, headers);
  return { titles: expectNoErrors(response).tasks.edges.map((edge) => edge.node.title), statements: statements.length };
}

/** Changes a task's title in the database, behind the API's back (as psql or db:seed would). */
async function renameBehindTheApi(api: TestApi, userId: string, id: string, title: string) {
  await api.db.prisma.task.update({ where: { id, userId }, data: { title } });
}

async function cacheRequests(api: TestApi, result: 'hit' | 'miss'): Promise<number> {
  const text = await (await api.fetch('/metrics')).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`taskgraph_response_cache_requests_total{result="${result}"}`));
  return Number(line?.slice(line.lastIndexOf(' ') + 1));
}

describe('the response cache (in process)', () => {
  const api = useTestApi({ countQueries: true, metrics: true, env: cacheOn });

  it('answers a repeated query from the cache, with no SQL', async () => {
    const userId = uniqueUserId();
    await createTask(api(), userId, { title: 'first' });
    expect((await readTitles(api(), userId)).statements).toBeGreaterThan(0);
    expect(await readTitles(api(), userId)).toEqual({ titles: ['first'], statements: 0 });
  });

  it('sends a cached answer exactly as it sent the executed one, status, type and body', async () => {
    const userId = uniqueUserId();
    await createTask(api(), userId, { title: 'first' });
    const post = async () => {
      const response = await api().fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query: titlesQuery, variables: { userId } }),
      });
      return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
    };
    const [hitsBefore, executed] = [await cacheRequests(api(), 'hit'), await post()];
    expect(executed.body).toContain('"first"');
    expect(await post()).toEqual(executed);
    expect(await cacheRequests(api(), 'hit')).toBe(hitsBefore + 1);
  });

  it('lets a client read its own write at once', async () => {
    const userId = uniqueUserId();
    await readTitles(api(), userId);
    await readTitles(api(), userId);
    await createTask(api(), userId, { title: 'written' });
    expect((await readTitles(api(), userId)).titles).toEqual(['written']);
  });

  it("never answers one user's query with another user's answer", async () => {
    const alice = uniqueUserId('alice');
    const bob = uniqueUserId('bob');
    await createTask(api(), alice, { title: 'alice task' });
    await readTitles(api(), alice);
    await readTitles(api(), alice);
    expect((await readTitles(api(), bob)).titles).toEqual([]);
  });

  it('drops an answer naming several users (aliases) when any of them writes', async () => {
    const alice = uniqueUserId('alice');
    const bob = uniqueUserId('bob');
    const both = `query Both($alice: ID!, $bob: ID!) {
      a: tasks(userId: $alice) { totalCount }
      b: tasks(userId: $bob) { totalCount }
    }`;
    const read = async () => expectNoErrors(await api().graphql<{ a: PageResult; b: PageResult }>(both, { alice, bob }));
    await read();
    expect((await read()).b.totalCount).toBe(0);
    await createTask(api(), bob, { title: 'bob task' });
    expect(await read()).toEqual({ a: { totalCount: 0 }, b: { totalCount: 1 } });
  });

  it('never caches a mutation: a repeated createTask creates another task', async () => {
    const userId = uniqueUserId();
    await createTask(api(), userId, { title: 'same' });
    await createTask(api(), userId, { title: 'same' });
    expect((await readTitles(api(), userId)).titles).toEqual(['same', 'same']);
  });

  it('never caches an answer with errors', async () => {
    const hitsBefore = await cacheRequests(api(), 'hit');
    const userId = uniqueUserId();
    const tooLarge = `query { tasks(userId: "${userId}", first: 101) { totalCount } }`;
    expectErrorCode(await api().graphql(tooLarge), 'BAD_USER_INPUT');
    expectErrorCode(await api().graphql(tooLarge), 'BAD_USER_INPUT');
    expect(await cacheRequests(api(), 'hit')).toBe(hitsBefore);
  });

  it('counts hits and misses in /metrics', async () => {
    const [hitsBefore, missesBefore] = [await cacheRequests(api(), 'hit'), await cacheRequests(api(), 'miss')];
    const userId = uniqueUserId();
    await readTitles(api(), userId);
    await readTitles(api(), userId);
    await readTitles(api(), userId);
    expect(await cacheRequests(api(), 'hit')).toBe(hitsBefore + 2);
    expect(await cacheRequests(api(), 'miss')).toBe(missesBefore + 1);
  });
});

interface WriteCase {
  /** Runs the mutation for `userId`; `taskId` is a task of the user created beforehand. */
  run(api: TestApi, userId: string, taskId: string): Promise<unknown>;
}

// Every Mutation field, each with a request that writes through it. A new mutation fails the coverage test below
// until it is added here, and with it checked to invalidate the answers of the user it names.
const writes: Record<string, WriteCase> = {
  createTask: { run: (api, userId) => api.graphql(createTaskMutation, { userId, input: { title: 'new' } }) },
  updateTask: { run: (api, userId, id) => api.graphql(updateTaskMutation, { userId, id, input: { title: 'renamed' } }) },
  deleteTask: { run: (api, userId, id) => api.graphql(deleteTaskMutation, { userId, id }) },
  createUser: { run: (api, userId) => api.graphql('mutation ($id: ID!) { createUser(id: $id) { id } }', { id: userId }) },
  setTasksCompleted: { run: (api, userId, id) => api.graphql(setTasksCompletedMutation, { userId, ids: [id], completed: true }) },
  deleteTasks: { run: (api, userId, id) => api.graphql(deleteTasksMutation, { userId, ids: [id] }) },
  deleteCompletedTasks: { run: (api, userId) => api.graphql(deleteCompletedTasksMutation, { userId }) },
};

describe('invalidation by every write', () => {
  const api = useTestApi({ countQueries: true, env: cacheOn });

  it('covers every Mutation field of the schema', () => {
    expect(Object.keys(schema.getMutationType()?.getFields() ?? {}).sort()).toEqual(Object.keys(writes).sort());
  });

  for (const [mutation, write] of Object.entries(writes)) {
    it(`${mutation} makes the next read of its user's tasks run again, and only that user's`, async () => {
      const userId = uniqueUserId();
      const bystander = uniqueUserId('bystander');
      const task = await createTask(api(), userId, { title: 'before' });
      for (const reader of [userId, bystander]) {
        await readTitles(api(), reader);
        expect((await readTitles(api(), reader)).statements).toBe(0);
      }
      expectNoErrors((await write.run(api(), userId, task.id)) as Parameters<typeof expectNoErrors>[0]);
      expect((await readTitles(api(), userId)).statements).toBeGreaterThan(0);
      expect((await readTitles(api(), bystander)).statements).toBe(0);
    });
  }
});

describe('a write over WebSocket', () => {
  const api = useTestApi({ countQueries: true, env: cacheOn });
  const listening = useRealServer(api);

  it('drops the cached HTTP answers of its user too', async () => {
    const userId = uniqueUserId();
    await readTitles(api(), userId);
    expect((await readTitles(api(), userId)).statements).toBe(0);
    const client = webSocketClient(listening().wsUrl);
    try {
      const outcome = await runOverWebSocket(client, createTaskMutation, { userId, input: { title: 'over the socket' } });
      expect(outcome.results[0]?.errors).toBeUndefined();
    } finally {
      await client.dispose();
    }
    expect((await readTitles(api(), userId)).titles).toEqual(['over the socket']);
  });
});

describe('the response cache with BATCH_LIMIT', () => {
  const api = useTestApi({ countQueries: true, metrics: true, env: { ...cacheOn, BATCH_LIMIT: '5' } });

  it('answers each operation of a batch on its own: the cached one from the cache, the other executed', async () => {
    const alice = uniqueUserId('alice');
    const bob = uniqueUserId('bob');
    await createTask(api(), alice, { title: 'alice task' });
    await createTask(api(), bob, { title: 'bob task' });
    await readTitles(api(), alice);
    const [hitsBefore, missesBefore] = [await cacheRequests(api(), 'hit'), await cacheRequests(api(), 'miss')];
    const response = await api().fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify([alice, bob].map((userId) => ({ query: titlesQuery, variables: { userId } }))),
    });
    const answers = (await response.json()) as { data: Titles }[];
    expect(answers.map((answer) => answer.data.tasks.edges.map((edge) => edge.node.title))).toEqual([['alice task'], ['bob task']]);
    expect(await cacheRequests(api(), 'hit')).toBe(hitsBefore + 1);
    expect(await cacheRequests(api(), 'miss')).toBe(missesBefore + 1);
    expect(await readTitles(api(), bob)).toEqual({ titles: ['bob task'], statements: 0 });
  });
});

describe('the response cache with AUTH_JWT_SECRET', () => {
  const api = useTestApi({ countQueries: true, env: { ...cacheOn, AUTH_JWT_SECRET: testSecret } });
  const bearer = async (subject: string) => ({ authorization: `Bearer ${await hs256(testSecret, { sub: subject })}` });

  it("refuses another user's cached answer with FORBIDDEN (the binding runs before the lookup)", async () => {
    const alice = uniqueUserId('alice');
    const asAlice = await bearer(alice);
    await createTask(api(), alice, { title: 'private' }, asAlice);
    await readTitles(api(), alice, asAlice);
    expect((await readTitles(api(), alice, asAlice)).statements).toBe(0);
    const response = await api().graphql(titlesQuery, { userId: alice }, await bearer(uniqueUserId('mallory')));
    expect(response.status).toBe(403);
    expectErrorCode(response, 'FORBIDDEN');
    expect(response.data ?? null).toBeNull();
  });

  it('answers its own user from the cache', async () => {
    const alice = uniqueUserId('alice');
    const asAlice = await bearer(alice);
    await readTitles(api(), alice, asAlice);
    expect((await readTitles(api(), alice, asAlice)).statements).toBe(0);
  });
});

describe('RESPONSE_CACHE_TTL_MS', () => {
  const api = useTestApi({ countQueries: true, env: { ...cacheOn, RESPONSE_CACHE_TTL_MS: '300' } });

  it('bounds how long a write made outside the API stays unseen', async () => {
    const userId = uniqueUserId();
    const task = await createTask(api(), userId, { title: 'before' });
    await readTitles(api(), userId);
    await renameBehindTheApi(api(), userId, task.id, 'after');
    expect((await readTitles(api(), userId)).titles).toEqual(['before']);
    await sleep(400);
    expect((await readTitles(api(), userId)).titles).toEqual(['after']);
  });
});

describe('RESPONSE_CACHE=false', () => {
  const api = useTestApi({ countQueries: true, metrics: true, env: { RESPONSE_CACHE: 'false' } });

  it('serves nothing from a cache: a write outside the API shows at once', async () => {
    const userId = uniqueUserId();
    const task = await createTask(api(), userId, { title: 'before' });
    await readTitles(api(), userId);
    await renameBehindTheApi(api(), userId, task.id, 'after');
    const { titles, statements } = await readTitles(api(), userId);
    expect(titles).toEqual(['after']);
    expect(statements).toBeGreaterThan(0);
    expect(await (await api().fetch('/metrics')).text()).not.toContain('taskgraph_response_cache');
  });
});

// A user without tasks gets `{"data":{"tasks":{"edges":[]}}}` (31 bytes), stored under a 64-character key: two such
// answers fit in 200 bytes, three do not.
describe('RESPONSE_CACHE_MAX_BYTES', () => {
  const api = useTestApi({ countQueries: true, env: { ...cacheOn, RESPONSE_CACHE_MAX_BYTES: '200' } });

  it('keeps answers up to that many bytes, dropping the oldest', async () => {
    const [first, second, third] = [uniqueUserId(), uniqueUserId(), uniqueUserId()];
    for (const userId of [first, second, third]) await readTitles(api(), userId);
    expect((await readTitles(api(), third)).statements).toBe(0);
    expect((await readTitles(api(), second)).statements).toBe(0);
    expect((await readTitles(api(), first)).statements).toBeGreaterThan(0);
  });

  it("frees a user's answers when the user writes, so they do not push other users' answers out", async () => {
    const [reader, writer, latecomer] = [uniqueUserId(), uniqueUserId(), uniqueUserId()];
    await readTitles(api(), reader);
    await readTitles(api(), writer);
    await createTask(api(), writer, { title: 'written' });
    await readTitles(api(), latecomer);
    expect((await readTitles(api(), reader)).statements).toBe(0);
  });
});

/** Two API instances on one database, each with its own Redis connections, as two processes behind a balancer. */
async function startInstancesSharingRedis(url: string, env: TestApiOptions['env'] = {}): Promise<{ a: TestApi; b: TestApi; dispose(): Promise<void> }> {
  const { logger, logs } = collectLogs();
  const statements: string[] = [];
  const database = await createTestDatabase({ logger, onQuery: (sql) => statements.push(sql) });
  await migrate(database.db, logger);
  const config = loadConfig({ METRICS: 'false', ...cacheOn, ...env });
  const connections: RedisConnections[] = [];
  const instance = async () => {
    const redis = await connectRedis(url, logger);
    connections.push(redis);
    const yoga = buildYoga({ db: database.db, logger, config, redis, pubsub: createTaskEvents(redis, logger).pubsub });
    return serveTestApi({ db: database.db, logs, statements, yoga, close: () => redis.close() });
  };
  const a = await instance();
  const b = await instance();
  return {
    a,
    b,
    async dispose() {
      await a.dispose();
      await b.dispose();
      await database.dispose();
    },
  };
}

describe.runIf(redisUrl)('the response cache shared through Redis', () => {
  let instances: Awaited<ReturnType<typeof startInstancesSharingRedis>> | undefined;
  beforeAll(async () => {
    instances = await startInstancesSharingRedis(redisUrl ?? '');
  });
  afterAll(async () => {
    await instances?.dispose();
  });
  const both = () => {
    if (!instances) throw new Error('the instances are not started yet');
    return instances;
  };

  it('answers on instance B what instance A cached', async () => {
    const { a, b } = both();
    const userId = uniqueUserId();
    await createTask(a, userId, { title: 'shared' });
    await readTitles(a, userId);
    expect(await readTitles(b, userId)).toEqual({ titles: ['shared'], statements: 0 });
  });

  it('never serves on instance B an answer from before a write on instance A', async () => {
    const { a, b } = both();
    const userId = uniqueUserId();
    await readTitles(b, userId);
    await readTitles(a, userId);
    for (let write = 0; write < 5; write += 1) {
      await createTask(a, userId, { title: `write ${write}` });
      expect((await readTitles(b, userId)).titles).toHaveLength(write + 1);
    }
  });
});

describe.runIf(redisUrl)('the response cache when Redis goes away', () => {
  let proxy: TcpProxy | undefined;
  let api: TestApi | undefined;
  beforeAll(async () => {
    const target = new URL(redisUrl ?? '');
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    const proxied = new URL(redisUrl ?? '');
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    api = await startTestApi({ redisUrl: proxied.toString(), countQueries: true, env: cacheOn });
  });
  afterAll(async () => {
    proxy?.restore();
    await api?.dispose();
    await proxy?.close();
  });
  const redisState = async () => ((await (await api?.fetch('/ready'))?.json()) as { redis?: string }).redis;

  it('serves uncached while it is away, and nothing from before a write made meanwhile once it is back', async () => {
    if (!api || !proxy) throw new Error('not started');
    const userId = uniqueUserId();
    await createTask(api, userId, { title: 'before the outage' });
    await readTitles(api, userId);
    expect((await readTitles(api, userId)).statements).toBe(0);
    proxy.cut('refuse');
    await expect.poll(redisState, { timeout: 5000, interval: 50 }).toBe('down');
    await createTask(api, userId, { title: 'during the outage' });
    const during = await readTitles(api, userId);
    expect(during.titles).toHaveLength(2);
    expect(during.statements).toBeGreaterThan(0);
    proxy.restore();
    await expect.poll(redisState, { timeout: 15_000, interval: 100 }).toBe('up');
    expect((await readTitles(api, userId)).titles).toHaveLength(2);
  });
});
